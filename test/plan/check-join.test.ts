/** Join nodes: shape and type checks (each refusal with its place), key packing, output columns and nullability, bounds, disclosures and cost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError, TableNotFoundError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedAggregate } from '../../src/plan/check.js';
import type { CheckedJoin } from '../../src/plan/check-join.js';
import { parsePlan } from '../../src/plan/parse.js';
import { parseSchema } from '../../src/table/schema.js';

const table = (name: string, rows: number, columns: unknown[]): CatalogTable => ({ name, kind: 'table', rows, schema: parseSchema({ version: 1, columns }) });
const TABLES: CatalogTable[] = [
  table('visits', 1000, [
    { name: 'patient', nullable: false, type: 'identifier' },
    { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
    { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
    { name: 'day', nullable: false, type: 'date', min: '2020-01-01', max: '2030-12-31' },
    { name: 'site', nullable: false, type: 'integer', min: '1', max: '50' },
  ]),
  table('claims', 300, [
    { name: 'patient_id', nullable: false, type: 'identifier' },
    { name: 'amount', nullable: false, type: 'decimal', scale: 2, min: '0.00', max: '10000.00' },
    { name: 'sex', nullable: false, type: 'category', dictionary: ['M', 'F'] },
    { name: 'AGE', nullable: true, type: 'integer', min: '0', max: '120' },
    { name: 'site_id', nullable: true, type: 'integer', min: '0', max: '99' },
    { name: 'cost', nullable: false, type: 'decimal', scale: 1, min: '0.0', max: '10.0' },
  ]),
];
const context: CheckContext = { table: (n) => TABLES.find((t) => t.name === n), recipientRefusal: () => undefined };

const scan = (t: string, columns?: string[]) => ({ op: 'scan', table: t, ...(columns ? { columns } : {}) });
const join = (extra: object) => ({ op: 'join', left: scan('visits', ['patient', 'age']), right: scan('claims', ['patient_id', 'amount']), on: [{ left: 'patient', right: 'patient_id' }], how: 'inner', ...extra });
const plan = (node: object) => ({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: node } } });
const check = (node: object) => checkPlan(parsePlan(plan(node)), context);
const joinOf = (node: object) => (check(node).root.input as CheckedAggregate).input as CheckedJoin;
const J = '/root/input/input';

function refusedAt(node: object, path: string, message: RegExp): void {
  assert.throws(() => check(node), (e: unknown) => {
    assert.ok(e instanceof PlanError, String(e));
    assert.equal(e.path, path, e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('each refusal of a join names its place in the plan', () => {
  refusedAt(join({ on: [] }), `${J}/on`, /list of 1 to 4 key pairs/);
  refusedAt(join({ on: [{ left: 'patient' }] }), `${J}/on/0/right`, /not a column name/);
  refusedAt(join({ how: 'outer' }), `${J}/how`, /one of inner, left, not "outer"/);
  refusedAt(join({ how: undefined }), `${J}/how`, /needs 'how'/);
  refusedAt(join({ kind: 'many-to-many' }), `${J}/max_rows`, /needs max_rows/);
  refusedAt(join({ kind: 'many-to-many', max_rows: 0 }), `${J}/max_rows`, /at least 1/);
  refusedAt(join({ kind: 'many-to-many', max_rows: 1.5 }), `${J}/max_rows`, /whole number/);
  refusedAt(join({ max_rows: 10 }), `${J}/max_rows`, /leave it out/);
  refusedAt(join({ mode: 'secret' }), `${J}/mode`, /'oblivious' opens nothing/);
  refusedAt(join({ extra: 1 }), `${J}/extra`, /unknown field 'extra' in a join/);
  refusedAt(join({ on: [{ left: 'patient', right: 'patient_id' }, { left: 'patient', right: 'site_id' }] }), `${J}/on/1/left`, /'patient' of the left side is listed twice/);
  // Unknown columns, on either side.
  refusedAt(join({ on: [{ left: 'patient_id', right: 'patient_id' }] }), `${J}/on/0/left`, /the left side of this join has no column 'patient_id' \(it has patient, age\)/);
  refusedAt(join({ on: [{ left: 'patient', right: 'nobody' }] }), `${J}/on/0/right`, /the right side of this join has no column 'nobody'/);
  assert.throws(() => check(join({ right: scan('nothing') })), (e: unknown) => e instanceof TableNotFoundError && /plan \/root\/input\/input\/right\/table: no table named 'nothing'/.test(e.message));
  // Keys of different types: kind, scale, dictionary.
  refusedAt(join({ on: [{ left: 'age', right: 'patient_id' }] }), `${J}/on/0`, /cannot join 'age' \(integer\) with 'patient_id' \(identifier\)/);
  refusedAt(join({ left: scan('visits'), right: scan('claims', ['sex']), on: [{ left: 'sex', right: 'sex' }] }), `${J}/on/0`, /category\(2\).*same type.*dictionary/);
  refusedAt(join({ right: scan('claims', ['amount', 'cost']), on: [{ left: 'patient', right: 'amount' }] }), `${J}/on/0`, /cannot join 'patient' \(identifier\) with 'amount' \(decimal\(2\)\)/);
  // A column on both sides (ignoring case), and keys too wide to pack.
  refusedAt(join({ right: scan('claims', ['patient_id', 'AGE']) }), `${J}/right`, /column 'AGE' of the right side has the name of the left side's column 'age'.*leave it out of one side's scan/);
  refusedAt(join({ left: scan('visits', ['patient', 'site']), right: scan('claims', ['patient_id', 'site_id']), on: [{ left: 'patient', right: 'patient_id' }, { left: 'site', right: 'site_id' }] }), `${J}/on`, /span \d+ combinations, more than the 2\^62/);
});

test('output columns, nullability, bounds and key packing', () => {
  const inner = joinOf(join({}));
  assert.deepEqual(inner.type.columns.map((c) => `${c.name}${c.nullable ? '?' : ''}`), ['patient', 'age', 'amount']);
  assert.equal(inner.type.maxRows, 1000);
  assert.equal(inner.primary, 'right');
  assert.equal(inner.kind, 'many-to-one');
  const left = joinOf(join({ how: 'left' }));
  assert.deepEqual(left.type.columns.map((c) => `${c.name}${c.nullable ? '?' : ''}`), ['patient', 'age', 'amount?']);
  assert.equal(left.type.maxRows, 1000);
  assert.equal(joinOf(join({ kind: 'one-to-many' })).type.maxRows, 300);
  assert.equal(joinOf(join({ kind: 'one-to-many', how: 'left' })).type.maxRows, 1300);
  assert.equal(joinOf(join({ kind: 'one-to-one' })).type.maxRows, 300);
  assert.equal(joinOf(join({ kind: 'one-to-one', how: 'left' })).type.maxRows, 1000);
  // Two keys: (site − 0)·100 + (age − 0), the ranges of both sides joined: site [0, 99] → 100 values, age [0, 120] → 121.
  const two = joinOf({ op: 'join', left: scan('visits', ['site', 'age', 'sex']), right: scan('claims', ['site_id', 'AGE', 'amount']), on: [{ left: 'site', right: 'site_id' }, { left: 'age', right: 'AGE' }], how: 'inner' });
  assert.deepEqual(two.packing, [{ min: 0n, weight: 121n }, { min: 0n, weight: 1n }]);
  assert.deepEqual(two.type.columns.map((c) => c.name), ['site', 'age', 'sex', 'amount']);
});

test('a join discloses its output row count (or nothing but its bound) and the uniqueness of its key; explain has a cost', () => {
  const what = (node: object) => check(node).disclosures.filter((d) => d.path === J).map((d) => d.what);
  assert.deepEqual(what(join({})), [
    "whether the right side's key (patient_id) is unique among its rows with a key (a duplicate stops the query)",
    'how many rows this join outputs (opened on shuffled rows, so which rows matched stays secret)',
  ]);
  assert.match(what(join({ mode: 'oblivious', kind: 'one-to-one' })).join('\n'), /left side's key \(patient\)[\s\S]*right side's key \(patient_id\)[\s\S]*nothing but its bound: the output keeps all 1300 stacked input rows/);
  const cost = check(join({})).cost;
  assert.ok(cost.rounds > 100 && cost.bytesPerParty > 1300 * 850, JSON.stringify(cost));
  assert.ok(check(join({ kind: 'one-to-many', how: 'left' })).cost.rounds > cost.rounds);
});

test('many-to-many: the declared bound is the output bound; it discloses whether the output exceeds it and the count (or nothing but the bound); explain has a cost', () => {
  const node = join({ kind: 'many-to-many', max_rows: 5000, how: 'left' });
  const j = joinOf(node);
  assert.equal(j.kind, 'many-to-many');
  assert.equal(j.type.maxRows, 5000);
  assert.deepEqual(j.type.columns.map((c) => [c.name, c.nullable]), [['patient', false], ['age', false], ['amount', true]]);
  const what = (n: object) => check(n).disclosures.filter((d) => d.path === J).map((d) => d.what);
  assert.deepEqual(what(node), [
    'whether the output exceeds max_rows = 5000 (then the query is refused, without its row count)',
    'how many rows this join outputs (opened on shuffled rows, so which rows matched stays secret)',
  ]);
  assert.match(what(join({ kind: 'many-to-many', max_rows: 5000, mode: 'oblivious' })).join('\n'), /nothing but its bound: the output holds 5000 rows \(max_rows\)/);
  const small = check(join({ kind: 'many-to-many', max_rows: 100 })).cost, large = check(join({ kind: 'many-to-many', max_rows: 100000 })).cost;
  assert.ok(small.rounds > 200 && small.bytesPerParty > 1300 * 850, JSON.stringify(small));
  assert.ok(large.bytesPerParty > small.bytesPerParty && large.rounds > small.rounds, 'a larger bound costs more (the expansion sorts n + 2·bound rows)');
});
