/** The selection's cost estimate and method choice (plan/cost-quantile.ts): which columns it prices, which selection, its growth. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quickselectFits, radixCost, radixFits, selectable, selectionCost, selectionMethods } from '../../src/plan/cost-quantile.js';
import { packsForSelection as quickselectPacks } from '../../src/mpc/protocols/order-statistics.js';
import { packsForSelection as radixPacks } from '../../src/mpc/protocols/radix-select.js';

const column = (min: bigint, max: bigint, nullable = false, name = 'v') => ({ name, kind: 'integer' as const, scale: 0, min, max, nullable });

test('selectable: not nullable, and a range of at most 64 bits (the radix search takes it), as the executor decides', () => {
  assert.equal(selectable(column(0n, 10_000_000n), 1 << 20), true);
  assert.equal(selectable(column(0n, 10_000_000n, true), 1 << 20), false);
  assert.equal(selectable(column(-(1n << 63n), (1n << 63n) - 1n), 1 << 20), true);
  for (const [bits, rows] of [[43, 1 << 20], [44, 1 << 20], [62, 2], [61, 4], [0, 1], [64, 1 << 20]] as const) {
    assert.equal(radixFits(bits, rows), radixPacks(bits, rows), `${bits} bits, ${rows} rows (radix)`);
    assert.equal(quickselectFits(bits, rows), quickselectPacks(bits, rows), `${bits} bits, ${rows} rows (quickselect)`);
  }
});

test('selectionMethod: radix for describe at a million rows, quickselect for small tables and wide ranges, radix where the quickselect key does not fit', () => {
  const describe = Array.from({ length: 5 }, () => ({ keyBits: 18, ranks: 8 }));
  assert.deepEqual(selectionMethods(1 << 20, describe), Array(5).fill('radix'));
  assert.deepEqual(selectionMethods(1 << 20, [{ keyBits: 18, ranks: 2 }]), ['radix']);
  assert.deepEqual(selectionMethods(1000, describe), Array(5).fill('quickselect'));
  // A 40-bit column: quickselect at 2^17 rows (in-thread CPU per party 0.18–0.19 s against radix's
  // 0.22–0.26 s); at 2^20 radix since the bucket step (0.60–0.74 s against 0.76–0.93 s, s10-describe).
  assert.deepEqual(selectionMethods(1 << 17, [{ keyBits: 40, ranks: 8 }]), ['quickselect']);
  assert.deepEqual(selectionMethods(1 << 20, [{ keyBits: 40, ranks: 8 }]), ['radix']);
  assert.deepEqual(selectionMethods(1 << 17, [{ keyBits: 60, ranks: 8 }, { keyBits: 40, ranks: 8 }]), ['radix', 'quickselect'], '60 bits and 17 index bits exceed the 63-bit key');
});

test('radixCost: the rounds and bytes of radix-select.ts as measured (2^18 and 2^20 rows, 5 columns of 18 bits, 8 ranks each)', () => {
  // Measured in-thread (bench/select-kernel.js, less its 5 openings) with the counts injected
  // into their comparison (s12-describe): 277 rounds and 52.5 bytes per row, column and party at
  // 2^18; 307 rounds and 50.2 bytes at 2^20 (291, 52.6 and 321, 50.2 with the injection's second
  // round apart, s11-describe). The rounds are exact (test/mpc/radix-select.test.ts runs smaller
  // shapes against radixCost); the bytes an estimate.
  for (const [rows, rounds, bytesPerRow] of [[1 << 18, 277, 52.5], [1 << 20, 307, 50.2]] as const) {
    const c = radixCost(rows, 18, 8, 5, 40);
    assert.equal(c.rounds, rounds, `${rows} rows: ${c.rounds} rounds estimated, ${rounds} measured`);
    assert.ok(Math.abs(c.bytes / rows - bytesPerRow) <= 0.05 * bytesPerRow, `${rows} rows: ${(c.bytes / rows).toFixed(1)} bytes per row estimated, ${bytesPerRow} measured`);
  }
});

test('selectionCost: levels shared by the columns, bytes per column and rank', () => {
  const a = column(0n, 200_000n, false, 'a');
  const others = ['b', 'c', 'd', 'e'].map((name) => column(0n, 200_000n, false, name));
  const one = selectionCost(1 << 20, [a]);
  const five = selectionCost(1 << 20, [a, ...others]);
  assert.ok(five.rounds < 2 * one.rounds, 'the columns share their levels');
  // Not 5×: a lone column's two counts stop their trees earlier (a round is worth more words
  // of injection to two counts than to ten), so its bytes per rank are higher.
  assert.ok(five.bytes > 3.5 * one.bytes);
  assert.ok(selectionCost(1 << 20, [a, a, a]).bytes > one.bytes);
  assert.ok(one.bytes < 30 * (1 << 20), 'a median: a byte or two per row and level, not a sort');
});
