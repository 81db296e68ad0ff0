/** The selection's cost estimate (plan/cost-quantile.ts): which columns it prices, and its growth. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectable, selectionCost } from '../../src/plan/cost-quantile.js';
import { packsForSelection } from '../../src/mpc/protocols/order-statistics.js';

const column = (min: bigint, max: bigint, nullable = false) => ({ name: 'v', kind: 'integer' as const, scale: 0, min, max, nullable });

test('selectable: not nullable, and (value − min, row position) within 63 bits, as the executor decides', () => {
  assert.equal(selectable(column(0n, 10_000_000n), 1 << 20), true);
  assert.equal(selectable(column(0n, 10_000_000n, true), 1 << 20), false);
  for (const [bits, rows] of [[43, 1 << 20], [44, 1 << 20], [62, 2], [61, 4], [0, 1]] as const) {
    assert.equal(selectable(column(0n, (1n << BigInt(bits)) - 1n), rows), packsForSelection(bits, rows), `${bits} bits, ${rows} rows`);
  }
});

test('selectionCost: levels shared by the columns, bytes per column and rank', () => {
  const one = selectionCost(1 << 20, ['a']);
  const five = selectionCost(1 << 20, ['a', 'b', 'c', 'd', 'e']);
  assert.ok(five.rounds < 2 * one.rounds, 'the columns share their levels');
  assert.ok(five.bytes > 4.5 * one.bytes);
  assert.ok(selectionCost(1 << 20, ['a', 'a', 'a']).bytes > one.bytes);
  assert.ok(one.bytes < 200 * (1 << 20), 'a median: about two comparisons per row, not a sort');
});
