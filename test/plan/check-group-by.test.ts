/** Group-by and crosstab checks: each refusal with its place, the method chosen, output facts, disclosures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkCrosstab } from '../../src/plan/check-crosstab.js';
import { checkGroupBy, needsGroupKernel, ONE_HOT_LIMIT } from '../../src/plan/check-group-by.js';
import type { CheckedScan, Disclosure } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import type { AggregateSpec, CrosstabNode } from '../../src/plan/plan.js';
import { tableType } from '../../src/plan/types.js';
import { findAggregate } from '../../src/plan/registry.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
    { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '100000.00' },
    { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
    { name: 'region', nullable: true, type: 'category', dictionary: ['N', 'S', 'E', 'W'] },
    { name: 'smoker', nullable: false, type: 'boolean' },
    { name: 'day', nullable: false, type: 'date', min: '2024-01-01', max: '2024-12-31' },
    { name: 'patient', nullable: false, type: 'identifier' },
    { name: 'doctor', nullable: false, type: 'identifier' },
    { name: 'big', nullable: false, type: 'integer', min: '-3000000000', max: '3000000000' },
    { name: 'level', nullable: false, type: 'integer', min: '1', max: '256' },
  ],
});
const ROWS = 1_000_000;
const input: CheckedScan = { op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows: ROWS }, columns: schema.columns.map((c) => c.name), type: tableType(schema, ROWS) };
const scan = { op: 'scan' as const, table: 't' };

function groupBy(by: string[] | undefined, aggregates: AggregateSpec[], disclosures: Disclosure[] = []) {
  return checkGroupBy({ op: 'aggregate', input: scan, aggregates, ...(by ? { by } : {}) }, input, '/g', disclosures);
}

function refusedAt(run: () => unknown, path: string, message: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof PlanError, String(e));
    assert.equal(e.path, path, e.message);
    assert.match(e.message, message);
    return true;
  });
}

const N = [{ name: 'n', fn: 'count' }];

test('group-by refusals name their place and what to do', () => {
  refusedAt(() => groupBy(['nope'], N), '/g/by/0', /has no column 'nope'/);
  refusedAt(() => groupBy(['age', 'cost'], N), '/g/by/1', /cannot group by column 'cost': it is a decimal\(2\) column/);
  refusedAt(() => groupBy(['patient', 'doctor'], N), '/g/by', /more than one 63-bit sort key holds/);
  refusedAt(() => groupBy(['sex'], [{ name: 'sex', fn: 'count' }]), '/g/aggregates/0/name', /name of a key column/);
  refusedAt(() => groupBy(['sex'], [{ name: 'v', fn: 'var', column: 'big' }]), '/g/aggregates/0/column', /var \(its sum of squares\) of 'big' could exceed the 64-bit range: up to 1000000 rows in \[-3000000000, 3000000000\] stored units give values in \[0, 9000000000000000000000000\]/);
  refusedAt(() => groupBy(['sex'], [{ name: 'lo', fn: 'min', column: 'patient' }]), '/g/aggregates/0/column', /cannot take the min of column 'patient': it is a identifier column/);
  refusedAt(() => groupBy(['sex'], [{ name: 's', fn: 'sum', column: 'sex' }]), '/g/aggregates/0/column', /cannot sum column 'sex'/);
  refusedAt(() => groupBy(['sex'], [{ name: 's', fn: 'sum' }]), '/g/aggregates/0/column', /sum needs a column/);
});

test('group-by parse refusals: keys listed twice, too many keys, an empty list', () => {
  const plan = (by: unknown) => ({ version: 1, root: { op: 'open', to: ['A'], input: { op: 'aggregate', by, aggregates: N, input: scan } } });
  refusedAt(() => parsePlan(plan(['sex', 'sex'])), '/root/input/by/1', /listed twice/);
  refusedAt(() => parsePlan(plan(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'])), '/root/input/by', /1 to 8 entries/);
  refusedAt(() => parsePlan(plan([])), '/root/input/by', /1 to 8 entries/);
  refusedAt(() => parsePlan(plan(['a.b'])), '/root/input/by/0', /not a column name/);
  assert.deepEqual((parsePlan(plan(['sex', 'age'])).root.input as { by?: string[] }).by, ['sex', 'age']);
});

test('the method: one-hot up to the limit of combinations (nulls add a level), else sort; disclosures say which', () => {
  const d1: Disclosure[] = [];
  const small = groupBy(['sex', 'region', 'smoker'], N, d1);
  assert.equal(small.group.method, 'one-hot');
  assert.equal(small.group.width, 2n * 5n * 2n);
  assert.equal(small.type.maxRows, 20);
  assert.match(d1[0].what, /^nothing \(one-hot over the 20 combinations/);
  assert.equal(groupBy(['level'], N).group.method, 'one-hot'); // exactly 256 levels
  assert.equal(ONE_HOT_LIMIT, 256);
  const d2: Disclosure[] = [];
  const large = groupBy(['age', 'sex', 'smoker'], N, d2); // 121 · 2 · 2 = 484
  assert.equal(large.group.method, 'sort');
  assert.equal(large.type.maxRows, ROWS);
  assert.match(d2[0].what, /^the number of groups \(opened/);
  assert.equal(groupBy(['patient'], N).group.method, 'sort');
  assert.equal(groupBy(['day'], N).group.method, 'sort');
  assert.equal(groupBy(undefined, [{ name: 'lo', fn: 'min', column: 'age' }]).group.method, 'whole');
  assert.ok(needsGroupKernel({ op: 'aggregate', input: scan, aggregates: [{ name: 'v', fn: 'std', column: 'age' }] }));
  assert.ok(!needsGroupKernel({ op: 'aggregate', input: scan, aggregates: [{ name: 'm', fn: 'mean', column: 'age' }] }));
});

test('output columns: keys keep their facts; one-term outputs are one column, others one per part', () => {
  const g = groupBy(['region'], [{ name: 'n', fn: 'count' }, { name: 'avg', fn: 'mean', column: 'cost' }, { name: 'lo', fn: 'min', column: 'cost' }, { name: 'v', fn: 'var', column: 'age' }]);
  const cols = g.type.columns.map((c) => `${c.name}:${c.kind}(${c.scale})[${c.min},${c.max}]${c.nullable ? '?' : ''}`);
  assert.deepEqual(cols, [
    'region:category(0)[0,3]?',
    `n:integer(0)[0,${ROWS}]`,
    `avg.sum:decimal(2)[0,${10_000_000n * BigInt(ROWS)}]`,
    `avg.count:integer(0)[0,${ROWS}]`,
    'lo:decimal(2)[0,10000000]?',
    `v.count:integer(0)[0,${ROWS}]`,
    `v.sum:integer(0)[0,${120 * ROWS}]`,
    `v.squares:integer(0)[0,${14400 * ROWS}]`,
  ]);
  assert.deepEqual(g.type.columns[5].aggregate, { output: 'v', fn: 'var', part: 'count', column: 'age' });
});

test('crosstab refusals, parse refusals and output facts', () => {
  const x = (by: string[], extra: Partial<CrosstabNode> = {}, d: Disclosure[] = []) => checkCrosstab({ op: 'crosstab', input: scan, by, ...extra }, input, '/x', d);
  refusedAt(() => x(['sex', 'age']), '/x/by/1', /category or boolean columns; 'age' is a integer column/);
  refusedAt(() => x(['sex', 'region'], { margins: true }), '/x/by/1', /nullable, and margins use null for "all"/);
  refusedAt(() => x(['sex', 'nope']), '/x/by/1', /has no column 'nope'/);
  const wide = { ...input, type: tableType(parseSchema({ version: 1, columns: [{ name: 'a', nullable: false, type: 'category', dictionary: Array.from({ length: 20 }, (_, i) => `w${i}`) }, { name: 'b', nullable: false, type: 'category', dictionary: Array.from({ length: 13 }, (_, i) => `w${i}`) }] }), 10) };
  refusedAt(() => checkCrosstab({ op: 'crosstab', input: scan, by: ['a', 'b'] }, wide, '/x', []), '/x/by', /260 cells \(a: 20 × b: 13\), more than the 256/);
  const plan = (node: object) => ({ version: 1, root: { op: 'open', to: ['A'], input: { op: 'crosstab', input: scan, ...node } } });
  refusedAt(() => parsePlan(plan({ by: ['sex'] })), '/root/input/by', /2 to 8 entries/);
  refusedAt(() => parsePlan(plan({ by: ['sex', 'smoker'], suppress_below: 0 })), '/root/input/suppress_below', /at least 1/);
  refusedAt(() => parsePlan(plan({ by: ['sex', 'smoker'], suppress_below: 2.5 })), '/root/input/suppress_below', /whole number/);
  refusedAt(() => parsePlan(plan({ by: ['sex', 'smoker'], margins: 'yes' })), '/root/input/margins', /true or false/);
  const d: Disclosure[] = [];
  const ok = x(['sex', 'smoker'], { margins: true, suppress_below: 5 }, d);
  assert.equal(ok.type.maxRows, 9);
  assert.deepEqual(ok.type.columns.map((c) => `${c.name}${c.nullable ? '?' : ''}`), ['sex?', 'smoker?', 'count?']);
  assert.match(d[0].what, /which cells count fewer than 5 rows .*margins are sums of the published cells/);
});

test('the open root hands out a group-by: keys as columns, min/max with their present part; crosstab counts with suppression bits', async () => {
  const { checkPlan } = await import('../../src/plan/check.js');
  const context = { table: () => input.table, recipientRefusal: () => undefined };
  const plan = (node: object) => parsePlan({ version: 1, root: { op: 'open', to: ['A'], input: { input: scan, ...node } } });
  const g = checkPlan(plan({ op: 'aggregate', by: ['region'], aggregates: [...N, { name: 'lo', fn: 'min', column: 'cost' }, { name: 'm', fn: 'mean', column: 'age' }] }), context);
  assert.equal(g.root.input.op, 'group-by');
  assert.deepEqual(g.outputs.map((o) => [o.name, o.fn, o.parts.map((p) => `${p.column}:${p.part}`).join(' ')]), [
    ['region', 'column', 'region:value region.present:present'],
    ['n', 'count', 'n:count'],
    ['lo', 'min', 'lo:min lo.present:present'],
    ['m', 'mean', 'm.sum:sum m.count:count'],
  ]);
  assert.ok(g.disclosures.some((d) => d.path === '/root/input' && /one-hot over the 5 combinations/.test(d.what)));
  const whole = checkPlan(plan({ op: 'aggregate', aggregates: [{ name: 'v', fn: 'std', column: 'age' }] }), context);
  assert.match(whole.disclosures.find((d) => d.path === '/root')!.what, /^3 values \(v\)/);
  const sorted = checkPlan(plan({ op: 'aggregate', by: ['level', 'sex'], aggregates: N }), context);
  assert.ok(sorted.disclosures.some((d) => d.path === '/root/input' && /the number of groups/.test(d.what)));
  assert.ok(sorted.cost.rounds > whole.cost.rounds);
  // var/std of a decimal decode with the column's scale (2), not its sum of squares' (4).
  const sd = checkPlan(plan({ op: 'aggregate', by: ['sex'], aggregates: [{ name: 'sd', fn: 'std', column: 'cost' }] }), { ...context, table: () => ({ ...input.table, rows: 1000 }) });
  assert.deepEqual(sd.outputs.map((o) => [o.name, o.scale]), [['sex', 0], ['sd', 2]]);
  const x = checkPlan(plan({ op: 'crosstab', by: ['sex', 'smoker'], suppress_below: 5 }), context);
  assert.deepEqual(x.outputs.map((o) => o.parts.map((p) => p.part).join(' ')), ['value', 'value', 'count present']);
});

test('count_distinct runs on the group kernels (whole table too), of any column kind, as an integer in [0, rows]', () => {
  assert.equal(needsGroupKernel({ op: 'aggregate', input: scan, aggregates: [{ name: 'p', fn: 'count_distinct', column: 'patient' }] }), true);
  const whole = groupBy(undefined, [{ name: 'p', fn: 'count_distinct', column: 'patient' }, { name: 'r', fn: 'count_distinct', column: 'region' }]);
  assert.equal(whole.group.method, 'whole');
  assert.deepEqual(whole.type.columns.map((c) => [c.name, c.kind, c.min, c.max, c.nullable, c.aggregate?.fn]), [
    ['p', 'integer', 0n, BigInt(ROWS), false, 'count_distinct'],
    ['r', 'integer', 0n, BigInt(ROWS), false, 'count_distinct'],
  ]);
  assert.equal(groupBy(['region'], [{ name: 'd', fn: 'count_distinct', column: 'day' }]).group.method, 'one-hot');
  assert.equal(groupBy(['doctor'], [{ name: 'c', fn: 'count_distinct', column: 'cost' }]).group.method, 'sort');
  refusedAt(() => groupBy(['region'], [{ name: 'd', fn: 'count_distinct' }]), '/g/aggregates/0/column', /count_distinct needs a column/);
  const wide = { name: 'w', kind: 'integer' as const, scale: 0, min: -(1n << 62n), max: 1n << 62n, nullable: false };
  assert.match(String(findAggregate('count_distinct')!.typeRule(wide)), /holds 2\^63 - 1 values or more; declare a narrower range/);
});
