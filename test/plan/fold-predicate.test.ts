/**
 * Comparisons the declared ranges decide are folded at plan time (plan/fold-predicate.ts):
 * bounds at the declared ends, disjoint column ranges, nullable columns (their present bit
 * stays), and AND/OR dropping what does not decide them. The values through the filter against
 * a plaintext reference are in test/ops/filter-columns.test.ts (bounds at the declared ends).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPlan } from '../../src/plan/check.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { Expr } from '../../src/plan/plan.js';
import type { CheckedPredicate } from '../../src/plan/check-predicate.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'x', nullable: false, type: 'integer', min: '-5', max: '100' },
    { name: 'n', nullable: true, type: 'integer', min: '0', max: '9' },
    { name: 'z', nullable: false, type: 'integer', min: '200', max: '300' },
  ],
});

function checked(predicate: Expr): CheckedPredicate {
  const plan = openFor(aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'n', 'z']), predicate }, [{ name: 'c', fn: 'count' }]), ['Auditor']);
  const root = checkPlan(plan, { table: () => ({ name: 't', kind: 'table', schema, rows: 10 }), recipientRefusal: () => undefined }).root.input;
  return (root as unknown as { input: { predicate: CheckedPredicate } }).input.predicate;
}
const col = (name: string): Expr => ({ op: 'col', name });
const lit = (value: number): Expr => ({ op: 'lit', value });
const cmp = (op: '<' | '<=' | '>' | '>=' | '=' | '!=', a: Expr, b: Expr): Expr => ({ op, args: [a, b] });

test('a comparison at the declared ends is a constant; one inside stays', () => {
  assert.deepEqual(checked(cmp('>=', col('x'), lit(-5))), { kind: 'const', value: true });
  assert.deepEqual(checked(cmp('<=', col('x'), lit(100))), { kind: 'const', value: true });
  assert.deepEqual(checked(cmp('<', col('x'), lit(-5))), { kind: 'const', value: false });
  assert.deepEqual(checked(cmp('>', col('x'), lit(100))), { kind: 'const', value: false });
  assert.deepEqual(checked(cmp('>', lit(-5), col('x'))), { kind: 'const', value: false });
  assert.deepEqual(checked({ op: 'not', arg: cmp('<', col('x'), lit(-5)) }), { kind: 'const', value: true });
  assert.equal(checked(cmp('>=', col('x'), lit(-4))).kind, 'compare');
  assert.equal(checked(cmp('<', col('x'), lit(100))).kind, 'compare');
});

test('disjoint column ranges decide <, = and !=', () => {
  assert.deepEqual(checked(cmp('<', col('x'), col('z'))), { kind: 'const', value: true });
  assert.deepEqual(checked(cmp('>=', col('x'), col('z'))), { kind: 'const', value: false });
  assert.deepEqual(checked(cmp('=', col('x'), col('z'))), { kind: 'const', value: false });
  assert.deepEqual(checked(cmp('!=', col('z'), col('x'))), { kind: 'const', value: true });
});

test('over a nullable column a decided TRUE keeps the present bit (null compares false), a decided FALSE is false', () => {
  const present = checked(cmp('>=', col('n'), lit(0)));
  assert.equal(present.kind, 'null');
  assert.equal((present as { isNull: boolean }).isNull, false);
  assert.deepEqual(checked(cmp('>', col('n'), lit(9))), { kind: 'const', value: false });
  // NOT (n > 9) is NULL for a null n, so it is the present bit too, not TRUE.
  assert.equal(checked({ op: 'not', arg: cmp('>', col('n'), lit(9)) }).kind, 'null');
});

test('AND/OR drop the constants that do not decide them', () => {
  const between = checked({ op: 'and', args: [cmp('>=', col('x'), lit(-5)), cmp('<=', col('x'), lit(50))] });
  assert.equal(between.kind, 'compare');
  assert.deepEqual(checked({ op: 'and', args: [cmp('>=', col('x'), lit(-5)), cmp('<=', col('x'), lit(100))] }), { kind: 'const', value: true });
  assert.deepEqual(checked({ op: 'and', args: [cmp('<', col('x'), lit(-5)), cmp('<=', col('x'), lit(50))] }), { kind: 'const', value: false });
  assert.deepEqual(checked({ op: 'or', args: [cmp('>', col('x'), lit(100)), cmp('>', col('x'), lit(99))] }).kind, 'compare');
  assert.deepEqual(checked({ op: 'or', args: [cmp('<=', col('x'), lit(100)), cmp('>', col('x'), lit(99))] }), { kind: 'const', value: true });
  const three = checked({ op: 'and', args: [cmp('>=', col('x'), lit(-5)), cmp('<=', col('x'), lit(50)), cmp('<', col('n'), lit(3))] });
  assert.equal(three.kind, 'and');
  assert.equal((three as { args: readonly unknown[] }).args.length, 2);
});
