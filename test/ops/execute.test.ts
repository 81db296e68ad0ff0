/**
 * execute() against a plaintext reference: count(*), count(x), sum(x), mean(x) and sum(y) over a
 * concat of random tables, uploaded (values in range, nulls as 0) and append (any 64-bit value,
 * present bits other than 0/1, out-of-range rows that the range check must exclude).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { execute } from '../../src/ops/execute.js';
import type { StoredSecretTable, StoredTableReader } from '../../src/ops/table-reader.js';
import { openOutputs } from '../helpers/outputs.js';
import { checkPlan, type CatalogTable } from '../../src/plan/check.js';
import { aggregateOf, concatOf, openFor, scanOf } from '../../src/plan/build.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';

after(closeTrio);

interface PlainTable {
  readonly name: string;
  readonly kind: 'table' | 'append';
  readonly nullable: boolean;
  readonly min: bigint;
  readonly max: bigint;
  /** Ring values as stored: x, its present bit (nullable only), y in [0, 1000]. */
  readonly x: bigint[];
  readonly present: bigint[];
  readonly y: bigint[];
}

const U64 = (1n << 64n) - 1n;
const signed = (v: bigint) => BigInt.asIntN(64, v);
const ring = (v: bigint) => BigInt.asUintN(64, v);

function tableArb(name: string): fc.Arbitrary<PlainTable> {
  return fc
    .record({
      kind: fc.constantFrom('table' as const, 'append' as const),
      nullable: fc.boolean(),
      min: fc.bigInt({ min: -50n, max: 0n }),
      span: fc.bigInt({ min: 0n, max: 60n }),
      rows: fc.integer({ min: 0, max: 12 }),
    })
    .chain(({ kind, nullable, min, span, rows }) => {
      const max = min + span;
      const inRange = fc.bigInt({ min, max });
      // Append rows may hold anything a client could deal: near the range, or any ring element.
      const stored = kind === 'table' ? inRange.map(ring) : fc.oneof(inRange.map(ring), fc.bigInt({ min: min - 3n, max: max + 3n }).map(ring), fc.bigInt({ min: 0n, max: U64 }));
      const presentBit = kind === 'table' ? fc.constantFrom(0n, 1n) : fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0n, 1n) }, { weight: 1, arbitrary: fc.constantFrom(2n, U64) });
      const y = kind === 'table' ? fc.bigInt({ min: 0n, max: 1000n }) : fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.constantFrom(1001n, U64));
      const row = fc.record({ x: stored, present: nullable ? presentBit : fc.constant(1n), y });
      return fc.array(row, { minLength: rows, maxLength: rows }).map((rs) => ({
        name,
        kind,
        nullable,
        min,
        max,
        // Uploaded tables store a null as 0 (the uploader's client does).
        x: rs.map((r) => (kind === 'table' && r.present === 0n ? 0n : r.x)),
        present: rs.map((r) => r.present),
        y: rs.map((r) => r.y),
      }));
    });
}

function catalogOf(t: PlainTable): CatalogTable {
  const schema = parseSchema({ version: 1, columns: [{ name: 'x', nullable: t.nullable, type: 'integer', min: String(t.min), max: String(t.max) }, { name: 'y', nullable: false, type: 'integer', min: '0', max: '1000' }] });
  return { name: t.name, kind: t.kind, schema, rows: t.x.length };
}

/** The reference: which rows count, and the aggregates over them. */
function reference(tables: readonly PlainTable[]) {
  let rows = 0, excluded = 0, all = 0n, present = 0n, sumX = 0n, sumY = 0n;
  for (const t of tables) {
    rows += t.x.length;
    t.x.forEach((xRing, i) => {
      const p = t.present[i];
      const x = signed(xRing), y = signed(t.y[i]);
      const xOk = (t.nullable && p === 0n) || (x >= t.min && x <= t.max);
      const valid = t.kind === 'table' || ((p === 0n || p === 1n) && xOk && y >= 0n && y <= 1000n);
      if (!valid) {
        excluded++;
        return;
      }
      all++;
      if (p === 1n) {
        present++;
        sumX += x;
      }
      sumY += y;
    });
  }
  return { rows, excluded, values: new Map([['n', all], ['nx', present], ['sx', sumX], ['m.sum', sumX], ['m.count', present], ['sy', sumY]]) };
}

function readerFor(tables: readonly PlainTable[]): StoredTableReader {
  return {
    async read(s) {
      const out = new Map<string, StoredSecretTable>();
      for (const t of tables) {
        const catalog = catalogOf(t);
        const share = (v: bigint[]) => secret(s, BigUint64Array.from(v), 0);
        const [xs, ys] = [await share(t.x), await share(t.y)];
        const x: SecretColumn = t.nullable ? { schema: catalog.schema.columns[0], values: xs, present: await share(t.present) } : { schema: catalog.schema.columns[0], values: xs };
        const table = new SecretTable(t.x.length, [x, { schema: catalog.schema.columns[1], values: ys }], ALL_VALID);
        out.set(t.name, { table, source: t.kind === 'table' ? 'uploaded' : 'append' });
      }
      return out;
    },
  };
}

test('execute = plaintext reference for count/sum/mean over concatenated uploaded and append tables with nulls and bad rows', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => tableArb(`t${i}`)))), async (tables) => {
      const catalog = new Map(tables.map((p) => [p.name, catalogOf(p)]));
      const plan = openFor(
        aggregateOf(concatOf(tables.map((p) => scanOf(p.name, ['x', 'y']))), [
          { name: 'n', fn: 'count' },
          { name: 'nx', fn: 'count', column: 'x' },
          { name: 'sx', fn: 'sum', column: 'x' },
          { name: 'm', fn: 'mean', column: 'x' },
          { name: 'sy', fn: 'sum', column: 'y' },
        ]),
        ['Auditor'],
      );
      const checked = checkPlan(plan, { table: (n) => catalog.get(n), recipientRefusal: () => undefined });
      const runs = await t.run((s) => execute(s, checked, readerFor(tables)));
      const want = reference(tables);
      for (const r of runs) assert.deepEqual([r.rows, r.excluded], [want.rows, want.excluded]);
      const opened = openOutputs(runs);
      assert.deepEqual([...opened.keys()], ['n', 'nx', 'sx', 'm.sum', 'm.count', 'sy']);
      for (const [name, values] of opened) assert.deepEqual(values, [want.values.get(name)], name);
    }),
    { numRuns: Math.max(10, Math.floor(RUNS / 2)) },
  );
});

test('the opened components are masked: the same result gives different components each run', async () => {
  const t = await trio();
  const table: PlainTable = { name: 't0', kind: 'table', nullable: false, min: 0n, max: 9n, x: [1n, 2n], present: [1n, 1n], y: [0n, 0n] };
  const catalog = catalogOf(table);
  const checked = checkPlan(openFor(aggregateOf(scanOf('t0', ['x', 'y']), [{ name: 'sx', fn: 'sum', column: 'x' }]), ['Auditor']), { table: () => catalog, recipientRefusal: () => undefined });
  const first = await t.run((s) => execute(s, checked, readerFor([table])));
  const second = await t.run((s) => execute(s, checked, readerFor([table])));
  assert.notEqual(first[0].outputs.columns[0].a[0], second[0].outputs.columns[0].a[0]);
  for (const run of [first, second]) assert.deepEqual(openOutputs(run).get('sx'), [3n]);
});
