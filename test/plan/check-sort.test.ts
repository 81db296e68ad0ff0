/** Sort, limit and distinct nodes: shape and type refusals with their place, output types, disclosures, cost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedAggregate } from '../../src/plan/check.js';
import type { CheckedDistinct } from '../../src/plan/check-distinct.js';
import type { CheckedLimit } from '../../src/plan/check-limit.js';
import type { CheckedSort } from '../../src/plan/check-sort.js';
import { parsePlan } from '../../src/plan/parse.js';
import { parseSchema } from '../../src/table/schema.js';

const TABLES: CatalogTable[] = [
  {
    name: 'visits',
    kind: 'table',
    rows: 1000,
    schema: parseSchema({
      version: 1,
      columns: [
        { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
        { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '100000.00' },
        { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
        { name: 'patient', nullable: false, type: 'identifier' },
      ],
    }),
  },
];
const context: CheckContext = { table: (n) => TABLES.find((t) => t.name === n), recipientRefusal: () => undefined };
const scan = { op: 'scan', table: 'visits' };
const plan = (node: object) => ({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: node } } });
const check = (node: object) => checkPlan(parsePlan(plan(node)), context);
const P = '/root/input/input';

function refusedAt(node: object, path: string, message: RegExp): void {
  assert.throws(() => check(node), (e: unknown) => {
    assert.ok(e instanceof PlanError, String(e));
    assert.equal(e.path, path, e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('sort: keys, directions and nulls are checked, identifiers refused, nothing disclosed', () => {
  const checked = check({ op: 'sort', input: scan, by: [{ column: 'age', descending: true }, { column: 'cost', nulls: 'first' }] });
  const sort = (checked.root.input as CheckedAggregate).input as CheckedSort;
  assert.equal(sort.op, 'sort');
  assert.deepEqual(sort.keys.map((k) => [k.column.name, k.descending, k.nullsFirst]), [['age', true, false], ['cost', false, true]]);
  assert.equal(sort.type.maxRows, 1000);
  assert.ok(checked.disclosures.some((d) => d.path === P && /^nothing/.test(d.what)));
  assert.ok(checked.cost.rounds > 100);
  refusedAt({ op: 'sort', input: scan, by: [] }, `${P}/by`, /1 to 8/);
  refusedAt({ op: 'sort', input: scan, by: [{ column: 'age' }, { column: 'age' }] }, `${P}/by/1/column`, /twice/);
  refusedAt({ op: 'sort', input: scan, by: [{ column: 'nope' }] }, `${P}/by/0/column`, /no column 'nope'/);
  refusedAt({ op: 'sort', input: scan, by: [{ column: 'patient' }] }, `${P}/by/0/column`, /identifier/);
  refusedAt({ op: 'sort', input: scan, by: [{ column: 'age', descending: 'yes' }] }, `${P}/by/0/descending`, /true or false/);
  refusedAt({ op: 'sort', input: scan, by: [{ column: 'age', nulls: 'middle' }] }, `${P}/by/0/nulls`, /first/);
  refusedAt({ op: 'sort', input: scan, by: [{ column: 'age', up: true }] }, `${P}/by/0/up`, /unknown field/);
  // An aggregate's outputs are columns of a table like any other.
  assert.equal(check({ op: 'sort', input: { op: 'aggregate', input: scan, aggregates: [{ name: 'k', fn: 'count' }] }, by: [{ column: 'k' }] }).root.input.op, 'aggregate');
});

test('limit: a public count from 1 to 10^7 and an offset; the row bound follows', () => {
  const limit = (check({ op: 'limit', input: { op: 'sort', input: scan, by: [{ column: 'age' }] }, count: 10, offset: 995 }).root.input as CheckedAggregate).input as CheckedLimit;
  assert.deepEqual([limit.count, limit.offset, limit.type.maxRows], [10, 995, 5]);
  // Over a publicly valid table a limit is a local slice: it costs nothing.
  assert.deepEqual(check({ op: 'limit', input: scan, count: 10 }).cost, check(scan).cost);
  refusedAt({ op: 'limit', input: scan, count: 0 }, `${P}/count`, /1 to 10000000/);
  refusedAt({ op: 'limit', input: scan, count: 2.5 }, `${P}/count`, /whole number/);
  refusedAt({ op: 'limit', input: scan, count: 10_000_001 }, `${P}/count`, /whole number/);
  refusedAt({ op: 'limit', input: scan, count: 5, offset: -1 }, `${P}/offset`, /whole number/);
});

test('distinct: its columns are the output; the count is disclosed unless oblivious', () => {
  const checked = check({ op: 'distinct', input: scan, columns: ['sex', 'patient'] });
  const d = (checked.root.input as CheckedAggregate).input as CheckedDistinct;
  assert.deepEqual(d.type.columns.map((c) => c.name), ['sex', 'patient']);
  assert.equal(d.mode, 'reveal-count');
  assert.ok(checked.disclosures.some((x) => x.path === P && /how many distinct rows/.test(x.what)));
  const oblivious = check({ op: 'distinct', input: scan, mode: 'oblivious' });
  assert.equal(((oblivious.root.input as CheckedAggregate).input as CheckedDistinct).type.columns.length, 4);
  assert.ok(oblivious.disclosures.some((x) => x.path === P && /^nothing/.test(x.what)));
  refusedAt({ op: 'distinct', input: scan, columns: ['sex', 'sex'] }, `${P}/columns/1`, /twice/);
  refusedAt({ op: 'distinct', input: scan, columns: [] }, `${P}/columns`, /1 to 64/);
  refusedAt({ op: 'distinct', input: scan, columns: ['nope'] }, `${P}/columns/0`, /no column 'nope'/);
  refusedAt({ op: 'distinct', input: scan, mode: 'fast' }, `${P}/mode`, /oblivious/);
  // A column the distinct dropped cannot be aggregated above it.
  assert.throws(() => checkPlan(parsePlan({ version: 1, root: { op: 'open', to: ['A'], input: { op: 'aggregate', aggregates: [{ name: 's', fn: 'sum', column: 'age' }], input: { op: 'distinct', input: scan, columns: ['sex'] } } } }), context), /no column 'age'/);
});
