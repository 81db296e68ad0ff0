/** Filter nodes: shape and type checks of predicates (each refusal with its place), literals in stored units, disclosures and cost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedAggregate, type CheckedFilter } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { parseSchema } from '../../src/table/schema.js';
import { lessThanBatch } from '../../src/plan/cost-comparisons.js';

const TABLES: CatalogTable[] = [
  {
    name: 'visits',
    kind: 'table',
    rows: 1000,
    schema: parseSchema({
      version: 1,
      columns: [
        { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
        { name: 'years', nullable: true, type: 'integer', min: '0', max: '200' },
        { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '100000.00' },
        { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
        { name: 'day', nullable: false, type: 'date', min: '2020-01-01', max: '2030-12-31' },
        { name: 'smoker', nullable: true, type: 'boolean' },
        { name: 'patient', nullable: false, type: 'identifier' },
      ],
    }),
  },
];
const context: CheckContext = { table: (n) => TABLES.find((t) => t.name === n), recipientRefusal: () => undefined };

const col = (name: string) => ({ op: 'col', name });
const lit = (value: unknown) => ({ op: 'lit', value });
const plan = (predicate: unknown, extra: object = {}) => ({
  version: 1,
  root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: { op: 'filter', input: { op: 'scan', table: 'visits' }, predicate, ...extra } } },
});
const check = (p: unknown) => checkPlan(parsePlan(p), context);
const filterOf = (p: unknown) => (check(p).root.input as CheckedAggregate).input as CheckedFilter;

function refusedAt(p: unknown, path: string, message: RegExp): void {
  assert.throws(() => check(p), (e: unknown) => {
    assert.ok(e instanceof PlanError, String(e));
    assert.equal(e.path, path, e.message);
    assert.ok(e.message.includes(path));
    assert.match(e.message, message);
    return true;
  });
}

const P = '/root/input/input';

test('each refusal of a filter names its place in the plan', () => {
  refusedAt(plan({ op: '<', args: [col('sex'), lit(1)] }), `${P}/predicate`, /category column 'sex' compares with = and != only/);
  refusedAt(plan({ op: '=', args: [col('sex'), lit(1)] }), `${P}/predicate/args/1`, /a category compares with one of its words \("F", "M"\), not with a number/);
  refusedAt(plan({ op: '=', args: [col('sex'), lit('Q')] }), `${P}/predicate/args/1`, /not one of the column's words/);
  refusedAt(plan({ op: '=', args: [col('sex'), col('age')] }), `${P}/predicate`, /cannot compare 'sex' \(category\(2\)\) with 'age' \(integer\)/);
  refusedAt(plan({ op: '>', args: [col('age'), lit(121)] }), `${P}/predicate/args/1`, /outside the column's declared range \[0, 120\]/);
  refusedAt(plan({ op: '>', args: [lit(-1), col('age')] }), `${P}/predicate/args/0`, /outside the column's declared range/);
  refusedAt(plan({ op: '>', args: [col('age'), lit(1.5)] }), `${P}/predicate/args/1`, /write a whole number/);
  refusedAt(plan({ op: '>', args: [col('cost'), lit('12.345')] }), `${P}/predicate/args/1`, /more digits after the point than the column's scale \(2\)/);
  refusedAt(plan({ op: '>', args: [col('cost'), lit(true)] }), `${P}/predicate/args/1`, /write a decimal number/);
  refusedAt(plan({ op: '=', args: [col('day'), lit('2024-02-30')] }), `${P}/predicate/args/1`, /an ISO date that exists/);
  refusedAt(plan({ op: '=', args: [col('day'), lit('2019-12-31')] }), `${P}/predicate/args/1`, /outside the column's declared range/);
  refusedAt(plan({ op: '=', args: [col('smoker'), lit(1)] }), `${P}/predicate/args/1`, /write true or false/);
  refusedAt(plan({ op: '=', args: [col('nope'), lit(1)] }), `${P}/predicate/args/0/name`, /has no column 'nope' \(it has age, years/);
  refusedAt(plan({ op: 'and', args: [{ op: '=', args: [col('age'), lit(1)] }, { op: 'is_null', arg: col('nope') }] }), `${P}/predicate/args/1/arg/name`, /no column 'nope'/);
  refusedAt(plan({ op: '=', args: [col('patient'), lit('x')] }), `${P}/predicate/args/0`, /identifier column 'patient' cannot be filtered on yet/);
  refusedAt(plan({ op: '=', args: [lit(1), lit(1)] }), `${P}/predicate`, /two literals does not depend on the data/);
  // Comparisons of expressions are checked by plan/expr-check.ts (test/plan/check-derive.test.ts).
  refusedAt(plan({ op: '=', args: [{ op: '+', args: [col('age'), lit(1)] }, col('sex')] }), `${P}/predicate`, /= needs operands of the same type: argument 0 is integer, argument 1 is category\(2\)/);
  refusedAt(plan(col('age')), `${P}/predicate`, /column 'age' is integer, not a condition/);
  refusedAt(plan(lit(3)), `${P}/predicate`, /not a condition/);
  refusedAt(plan({ op: 'is_null', arg: lit(1) }), `${P}/predicate/arg`, /is_null takes a column/);
  // Shape (plan/parse-expr.ts).
  refusedAt(plan({ op: 'like', args: [] }), `${P}/predicate/op`, /unknown expression "like"/);
  refusedAt(plan({ op: '<', args: [col('age')] }), `${P}/predicate/args`, /compares exactly two expressions/);
  refusedAt(plan({ op: 'and', args: [lit(true)] }), `${P}/predicate/args`, /at least two expressions/);
  refusedAt(plan({ op: 'col', name: 'age', extra: 1 }), `${P}/predicate/extra`, /unknown field 'extra'/);
  refusedAt(plan({ op: 'lit', value: null }), `${P}/predicate/value`, /a literal is a number, a text/);
  refusedAt(plan(lit(true), { mode: 'secret' }), `${P}/mode`, /'reveal-count' .* or 'oblivious'/);
  refusedAt(plan(lit(true), { having: 1 }), `${P}/having`, /unknown field 'having' in a filter/);
  let deep: object = { op: '=', args: [col('age'), lit(1)] };
  for (let i = 0; i < 40; i++) deep = { op: 'not', arg: deep };
  assert.throws(() => check(plan(deep)), (e: unknown) => e instanceof PlanError && /nests at most 32 levels/.test(e.message));
});

test('literals are converted to stored units; NOT is pushed down to the comparisons', () => {
  const f = filterOf(plan({ op: 'not', arg: { op: 'and', args: [
    { op: '>=', args: [col('cost'), lit('12.5')] },
    { op: '=', args: [col('sex'), lit('M')] },
    { op: '<', args: [col('day'), lit('2020-01-02')] },
    { op: 'is_null', arg: col('years') },
    { op: '=', args: [col('smoker'), lit(true)] },
  ] } }));
  assert.equal(f.predicate.kind, 'or');
  const args = (f.predicate as { args: readonly { kind: string; test?: string; negate?: boolean; right?: { value?: bigint }; isNull?: boolean }[] }).args;
  assert.deepEqual(args.map((a) => [a.kind, a.test, a.negate, a.right?.value, a.isNull]), [
    ['compare', 'lt', false, 1250n, undefined], // NOT (cost >= 12.50) → cost < 1250 (null: false)
    ['compare', 'eq', true, 1n, undefined], // sex != 'M' (index 1)
    ['compare', 'lt', true, BigInt(Date.UTC(2020, 0, 2) / 86_400_000), undefined],
    ['null', undefined, undefined, undefined, false], // years is present
    ['compare', 'eq', true, 1n, undefined],
  ]);
  // is_null of a column without nulls is a constant.
  assert.deepEqual(filterOf(plan({ op: 'is_null', arg: col('age') })).predicate, { kind: 'const', value: false });
});

test('the disclosures say what each mode reveals; cost grows with the comparisons; the hash depends on the mode', () => {
  const pred = { op: 'and', args: [{ op: '>=', args: [col('age'), lit(18)] }, { op: '=', args: [col('sex'), lit('F')] }] };
  const reveal = check(plan(pred));
  const oblivious = check(plan(pred, { mode: 'oblivious' }));
  assert.match(reveal.disclosures.find((d) => d.path === P)!.what, /how many rows remain after this filter/);
  assert.match(oblivious.disclosures.find((d) => d.path === P)!.what, /^nothing \(oblivious filter/);
  const none = check({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: { op: 'scan', table: 'visits' } } } });
  // Both columns are non-nullable: the predicate runs on packed bits (lt, eq, one AND; no injection);
  // count(*) carries no column, so compaction only counts the predicate's 1s (count-ones.ts: 2 rounds, 4/3 bytes a row).
  // age in [0, 120] against 18 differs by at most 102: 8 bits, on 8-bit lanes (5 rounds, one padded batch; cost-comparisons.ts).
  const lts = lessThanBatch(1000, 8);
  assert.equal(lts.rounds, 5);
  assert.ok(reveal.cost.rounds >= none.cost.rounds + lts.rounds + 7 + 1 + 2, JSON.stringify(reveal.cost));
  assert.ok(reveal.cost.bytesPerParty > none.cost.bytesPerParty + lts.bytes + (1000 * 4) / 3, JSON.stringify(reveal.cost));
  // A filter whose output columns are read still shuffles them with the predicate (4 rounds, party 0: 16 bytes a row and vector).
  const carried = check({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 's', fn: 'sum', column: 'age' }], input: { op: 'filter', input: { op: 'scan', table: 'visits' }, predicate: pred } } } });
  assert.ok(carried.cost.bytesPerParty > none.cost.bytesPerParty + lts.bytes + 1000 * 16 * 2, JSON.stringify(carried.cost));
  // The oblivious filter injects its one result bit (2 rounds) and leaves a secret validity: the
  // aggregate multiplies (one more round) but nothing is compacted (nor counted).
  assert.equal(oblivious.cost.rounds, reveal.cost.rounds - 2 + 2 + 1);
  // A nullable operand takes the arithmetic path: its comparisons' bits injected (2 rounds) and ANDed with the present bit.
  const nullable = check(plan({ op: 'and', args: [{ op: '>=', args: [col('years'), lit(1)] }, { op: '=', args: [col('sex'), lit('F')] }] }));
  assert.ok(nullable.cost.rounds >= reveal.cost.rounds + 2, JSON.stringify([nullable.cost, reveal.cost]));
  assert.notEqual(reveal.hash, oblivious.hash);
  assert.equal(filterOf(plan(pred, { mode: 'reveal-count' })).op, 'filter');
});
