/** The selection's cost estimate and method choice (plan/cost-quantile.ts): which columns it prices, which selection, its growth. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quickselectFits, radixFits, selectable, selectionCost, selectionMethods } from '../../src/plan/cost-quantile.js';
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
  assert.deepEqual(selectionMethods(1 << 20, [{ keyBits: 40, ranks: 8 }]), ['quickselect']);
  assert.deepEqual(selectionMethods(1 << 20, [{ keyBits: 60, ranks: 8 }, { keyBits: 40, ranks: 8 }]), ['radix', 'quickselect'], '60 bits and 20 index bits exceed the 63-bit key');
});

test('selectionCost: levels shared by the columns, bytes per column and rank', () => {
  const a = column(0n, 200_000n, false, 'a');
  const others = ['b', 'c', 'd', 'e'].map((name) => column(0n, 200_000n, false, name));
  const one = selectionCost(1 << 20, [a]);
  const five = selectionCost(1 << 20, [a, ...others]);
  assert.ok(five.rounds < 2 * one.rounds, 'the columns share their levels');
  assert.ok(five.bytes > 4.5 * one.bytes);
  assert.ok(selectionCost(1 << 20, [a, a, a]).bytes > one.bytes);
  assert.ok(one.bytes < 20 * (1 << 20), 'a median: a few bytes per row and level, not a sort');
});
