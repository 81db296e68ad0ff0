/**
 * The OLS plan at the plan checker, without running it (src/stats/ols-design.ts): 1M rows × 10
 * predictors passes, every product and sum bounded by the declared ranges; a range that could
 * take a sum of products beyond the ring is refused naming the product; weights declared
 * negative are refused before any plan.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanFrame } from '../../src/client/frame.js';
import { PlanError, UsageError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedAggregate } from '../../src/plan/check.js';
import { fusedProducts } from '../../src/ops/product-sums.js';
import { fusedGroupProducts } from '../../src/ops/product-sums-groups.js';
import type { CheckedGroupBy } from '../../src/plan/check-group-by.js';
import { buildDesign } from '../../src/stats/ols-design.js';
import { parseSchema, type ColumnSchemaJson } from '../../src/table/schema.js';
import type { QueryOutputInfo } from '../../src/wire/api.js';

const ROWS = 1_000_000;
const X = Array.from({ length: 10 }, (_, i) => `x${i}`);

function catalog(columns: ColumnSchemaJson[]): { context: CheckContext; types: Map<string, QueryOutputInfo> } {
  const table: CatalogTable = { name: 'big', kind: 'table', rows: ROWS, schema: parseSchema({ version: 1, columns }) };
  const types = new Map(columns.map((c): [string, QueryOutputInfo] => {
    const { name, nullable, ...type } = c as ColumnSchemaJson & { nullable: boolean };
    return [name, { name, fn: 'column', scale: 'scale' in type ? Number(type.scale) : 0, type: type as QueryOutputInfo['type'], parts: [{ column: name, part: 'value' }, ...(nullable ? [{ column: `${name}.present`, part: 'present' }] : [])] }];
  }));
  return { context: { table: (n) => (n === 'big' ? table : undefined), recipientRefusal: () => undefined }, types };
}

const decimal = (name: string, bound: string): ColumnSchemaJson => ({ name, nullable: false, type: 'decimal', scale: 2, min: `-${bound}`, max: bound });

test('1M rows × 10 decimal predictors in ±10^4 (scale 2): the plan checks, opening 78 sums', () => {
  const { context, types } = catalog([...X.map((x) => decimal(x, '10000.00')), decimal('y', '10000.00')]);
  const design = buildDesign(scanFrame('big'), { y: 'y', x: X }, types);
  const checked = checkPlan(design.frame.toPlan({ to: ['Auditor'] }), context);
  assert.equal(checked.outputs.length, 2 + 11 + 66);
});

test('a range whose sum of products could leave the ring is refused, naming the product and the bound', () => {
  // (10^6·100)² per row × 10^6 rows = 10^22 > 2^63.
  const { context, types } = catalog([decimal('a', '1000000.00'), decimal('y', '1.00')]);
  const design = buildDesign(scanFrame('big'), { y: 'y', x: ['a'] }, types);
  assert.throws(() => checkPlan(design.frame.toPlan({ to: ['Auditor'] }), context), (e: unknown) => e instanceof PlanError && /ols_a_x_a/.test(e.message) && /64-bit/.test(e.message));
});

test('weights declared below 0 are refused', () => {
  const { types } = catalog([decimal('a', '1.00'), decimal('y', '1.00'), decimal('w', '1.00')]);
  assert.throws(() => buildDesign(scanFrame('big'), { y: 'y', x: ['a'], weights: 'w' }, types), (e: unknown) => e instanceof UsageError && /weights are ≥ 0/.test(e.message));
});

test('more design columns than one plan can open are refused before any plan', () => {
  const many = Array.from({ length: 21 }, (_, i) => `x${i}`);
  const { types } = catalog([...many.map((x) => decimal(x, '1.00')), decimal('y', '1.00')]);
  assert.throws(() => buildDesign(scanFrame('big'), { y: 'y', x: many }, types), (e: unknown) => e instanceof UsageError && /at most 20 design columns/.test(e.message));
  const twenty = many.slice(0, 20);
  assert.doesNotThrow(() => buildDesign(scanFrame('big'), { y: 'y', x: twenty }, types).frame.toPlan({ to: ['Auditor'] }));
});

test('the executor sums the design\'s products as inner products (fused), also with nulls, weights and a category', () => {
  const columns: ColumnSchemaJson[] = [
    decimal('a', '100.00'),
    { name: 'b', nullable: true, type: 'integer', min: '0', max: '1000' },
    { name: 'g', nullable: true, type: 'category', dictionary: ['u', 'v', 'w'] },
    { name: 'w', nullable: true, type: 'integer', min: '0', max: '10' },
    decimal('y', '100.00'),
  ];
  const { context, types } = catalog(columns);
  for (const spec of [{ y: 'y', x: ['a'] }, { y: 'y', x: ['a', 'b', 'g'], weights: 'w' }]) {
    const design = buildDesign(scanFrame('big'), spec, types);
    const root = checkPlan(design.frame.toPlan({ to: ['Auditor'] }), context).root.input;
    assert.equal(root.op, 'aggregate');
    const fused = fusedProducts(root as CheckedAggregate);
    assert.ok(fused, `not fused: ${JSON.stringify(spec)}`);
    assert.ok(fused.terms.filter((t) => t.of === 'product').length >= 2);
  }
});

test('per group (by a category): 1M × 10 checks, opens one Gram matrix per declared group, and the executor fuses the products with the group indicators', () => {
  const columns: ColumnSchemaJson[] = [...X.map((x) => decimal(x, '10000.00')), decimal('y', '10000.00'), { name: 'site', nullable: false, type: 'category', dictionary: ['a', 'b', 'c'] }];
  const { context, types } = catalog(columns);
  const design = buildDesign(scanFrame('big'), { y: 'y', x: X, by: 'site' }, types);
  assert.equal(design.groups, 3);
  const checked = checkPlan(design.frame.toPlan({ to: ['Auditor'] }), context);
  assert.equal(checked.outputs.length, 1 + 2 + 11 + 66);
  const root = checked.root.input as CheckedGroupBy;
  assert.equal(root.op, 'group-by');
  assert.equal(root.group.method, 'one-hot');
  const fused = fusedGroupProducts(root);
  assert.ok(fused && fused.terms.filter((t) => t.of === 'product').length === 66);
  // The estimate follows the fused path: far below materialising 66 products per row and group.
  assert.ok(checked.cost.bytesPerParty < 400e6, `${checked.cost.bytesPerParty} bytes`);
});
