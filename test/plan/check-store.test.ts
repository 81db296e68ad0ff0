/** Store roots: shape, name and replace rules (with ownership), the stored schema (aggregate parts renamed, identifiers kept, ranges the encoding holds), disclosures and digest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError, TableExistsError, UsageError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext } from '../../src/plan/check.js';
import type { StoreTarget } from '../../src/plan/check-store.js';
import { parsePlan } from '../../src/plan/parse.js';
import { planRecipients } from '../../src/plan/plan.js';
import { parseSchema, schemaToJson } from '../../src/table/schema.js';

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
        { name: 'patient', nullable: false, type: 'identifier' },
        { name: 'M_SUM', nullable: false, type: 'integer', min: '0', max: '1' },
      ],
    }),
  },
  { name: 'huge', kind: 'table', rows: 3, schema: parseSchema({ version: 1, columns: [{ name: 'x', nullable: false, type: 'integer', min: '0', max: String(2n ** 61n) }] }) },
];

const TARGETS: Record<string, StoreTarget> = {
  mine: { kind: 'table', owner: 'Analyst', derived: true },
  theirs: { kind: 'table', owner: 'St. Mary Hospital', derived: true },
  visits: { kind: 'table', owner: 'St. Mary Hospital', derived: false },
  votes: { kind: 'append', owner: 'Registry North', derived: false },
  broken: { kind: 'damaged', derived: false },
};

const context: CheckContext = {
  table: (n) => TABLES.find((t) => t.name === n),
  recipientRefusal: () => undefined,
  storeTarget: (n) => TARGETS[n],
  requester: 'Analyst',
};

const scan = (table = 'visits', columns?: string[]) => ({ op: 'scan', table, ...(columns ? { columns } : {}) });
const store = (input: object, table: string, extra: object = {}) => ({ version: 1, root: { op: 'store', input, table, ...extra } });
const check = (p: unknown, c: CheckContext = context) => checkPlan(parsePlan(p), c);

function refusedAt(p: unknown, path: string, message: RegExp, type: new (...args: never[]) => Error = PlanError): void {
  assert.throws(() => check(p), (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    if (e instanceof PlanError) assert.equal(e.path, path, e.message);
    assert.ok(e.message.includes(path), e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('a store root checks: every column stored with its type, no outputs, the row count disclosed, no recipients', () => {
  const checked = check(store({ op: 'filter', input: scan(), predicate: { op: '>=', args: [{ op: 'col', name: 'age' }, { op: 'lit', value: 18 }] } }, 'adults'));
  assert.equal(checked.root.op, 'store');
  assert.deepEqual(checked.root.to, []);
  assert.deepEqual(planRecipients(checked.plan), []);
  assert.deepEqual(checked.outputs, []);
  const s = checked.root.store!;
  assert.equal(s.table, 'adults');
  assert.equal(s.replaces, false);
  assert.deepEqual(schemaToJson(s.schema), schemaToJson(TABLES[0].schema), 'a filter keeps the columns and their declared types');
  const what = checked.disclosures.map((d) => `${d.path}: ${d.what}`).join('\n');
  assert.match(what, /\/root: the rows of the stored table 'adults' \(up to 1000; public metadata/);
  assert.match(what, /how many rows remain after this filter/);
});

test('identifier columns may be stored (unlike opened)', () => {
  const checked = check(store(scan('visits', ['patient', 'age']), 'ids'));
  assert.deepEqual(checked.root.store!.schema.columns.map((c) => [c.name, c.type.kind]), [['patient', 'identifier'], ['age', 'integer']]);
  assert.throws(() => check({ version: 1, root: { op: 'open', to: ['Auditor'], input: scan('visits', ['patient']) } }), /identifier/);
});

test("an aggregate's part columns are stored as <output>_<part>, with the types the checker derived", () => {
  const checked = check(store({ op: 'aggregate', input: scan(), aggregates: [{ name: 'n', fn: 'count' }, { name: 'm', fn: 'mean', column: 'cost' }] }, 'summary'));
  const columns = checked.root.store!.schema.columns.map((c) => ({ name: c.name, ...c.type, nullable: c.nullable }));
  assert.deepEqual(columns.map((c) => c.name), ['n', 'm_sum', 'm_count']);
  assert.deepEqual(columns[0], { name: 'n', kind: 'integer', min: 0n, max: 1000n, nullable: false });
  assert.deepEqual(columns[1], { name: 'm_sum', kind: 'decimal', scale: 2, min: 0n, max: 1000n * 10000000n, nullable: false });
  assert.deepEqual(checked.root.store!.columns.map((c) => c.from), ['n', 'm.sum', 'm.count']);
});

test('a renamed part that clashes with another column is refused, naming the columns', () => {
  refusedAt(store({ op: 'aggregate', input: scan(), aggregates: [{ name: 'm', fn: 'mean', column: 'age' }, { name: 'm_SUM', fn: 'count' }] }, 'clash'), '/root/input', /would be m_sum, m_count, m_SUM: .*'m_sum' and 'm_SUM' clash/);
});

test('a range the stored encoding cannot hold is refused at plan time', () => {
  refusedAt(store({ op: 'aggregate', input: scan('huge'), aggregates: [{ name: 's', fn: 'sum', column: 'x' }] }, 'big'), '/root/input', /column 0 \('s'\) cannot be stored: .*2\^62 - 1.*narrow the declared ranges/);
});

test('the name must be free; replace takes over only a derived table of the requester', () => {
  refusedAt(store(scan(), 'mine'), '/root/table', /a table named 'mine' already exists; choose another name, or set replace/, TableExistsError);
  refusedAt(store(scan(), 'theirs'), '/root/table', /already exists; choose another name$/, TableExistsError);
  assert.equal(check(store(scan(), 'mine', { replace: true })).root.store!.replaces, true);
  assert.equal(check(store(scan(), 'fresh', { replace: true })).root.store!.replaces, false, 'replace of a free name just stores');
  refusedAt(store(scan(), 'theirs', { replace: true }), '/root/table', /stored by 'St. Mary Hospital', and only that analyst may replace it/);
  refusedAt(store(scan(), 'visits', { replace: true }), '/root/table', /an uploaded table, which a plan never replaces/);
  refusedAt(store(scan(), 'votes', { replace: true }), '/root/table', /an append table, which a plan never replaces/);
  refusedAt(store(scan(), 'broken', { replace: true }), '/root/table', /a damaged table/);
});

test('malformed store roots are refused with their place', () => {
  refusedAt(store(scan(), 'no/slash'), '/root/table', /is not a table name/);
  refusedAt(store(scan(), '-x'), '/root/table', /is not a table name/);
  refusedAt(store(scan(), 'x', { replace: 'yes' }), '/root/replace', /'replace' is true/);
  refusedAt(store(scan(), 'x', { to: ['Auditor'] }), '/root/to', /unknown field 'to' in a store node/);
  refusedAt({ version: 1, root: { op: 'stash', input: scan(), table: 'x' } }, '/root/op', /an 'open' node .* or a 'store' node/);
  refusedAt({ version: 1, root: { op: 'open', to: ['A'], input: { op: 'store', input: scan(), table: 'x' } } }, '/root/input/op', /'open' and 'store' only at the root/);
  assert.throws(() => check(store(scan(), 'x'), { table: context.table, recipientRefusal: () => undefined }), UsageError, 'a context without the store catalog cannot check a store root');
});

test('the digest covers the store target: nodes that disagree on it stop before MPC', () => {
  const a = check(store(scan(), 'mine', { replace: true }));
  const b = check(store(scan(), 'mine', { replace: true }), { ...context, storeTarget: () => undefined });
  assert.equal(a.hash, b.hash);
  assert.notEqual(a.digest, b.digest);
  const open = check({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', input: scan(), aggregates: [{ name: 'n', fn: 'count' }] } } });
  assert.ok(open.digest.length === 64);
});
