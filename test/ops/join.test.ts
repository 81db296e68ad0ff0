/**
 * join (ops/join.ts over mpc/oblivious/join.ts) against a plaintext join: random left and right
 * tables with duplicate and missing keys, null keys and null payload cells, rows an oblivious
 * filter dropped (secret validity 0, with garbage keys and values that must never match), empty
 * sides; every kind (one-to-one, many-to-one, one-to-many), inner and left, both modes. A key
 * that is not unique where the kind says it is must be refused, counting only rows with a key.
 * Every output cell (values and present bits) is opened and compared as a multiset of rows.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { join } from '../../src/ops/join.js';
import { open } from '../../src/mpc/protocols/io.js';
import { checkPlan, type CatalogTable, type CheckedAggregate } from '../../src/plan/check.js';
import type { CheckedJoin } from '../../src/plan/check-join.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { JoinHow, JoinKind, JoinMode } from '../../src/plan/plan.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';
import { QueryError } from '../../src/errors.js';
import type { Session } from '../../src/mpc/session.js';

after(closeTrio);

const ring = (v: bigint) => BigInt.asUintN(64, v);
const signed = (v: bigint) => BigInt.asIntN(64, v);

/** A row; `valid` false rows carry garbage (as after an oblivious filter). */
interface Row { valid: boolean; k: bigint | null; g: bigint; x: bigint | null }
interface Case { left: Row[]; right: Row[]; kind: Exclude<JoinKind, 'many-to-many'>; how: JoinHow; mode: JoinMode; secretValidity: [boolean, boolean] }

const garbage = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
function rowArb(keys: fc.Arbitrary<bigint>): fc.Arbitrary<Row> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ valid: fc.constant(true), k: fc.option(keys, { nil: null, freq: 6 }), g: fc.bigInt({ min: -50n, max: 50n }), x: fc.option(fc.bigInt({ min: 0n, max: 9n }), { nil: null, freq: 3 }) }) },
    // A dropped row: its key is often a real key, so a bug that lets it match shows.
    { weight: 1, arbitrary: fc.record({ valid: fc.constant(false), k: fc.oneof(keys, garbage), g: garbage, x: garbage }) },
  );
}
const keyArb = fc.bigInt({ min: 0n, max: 6n });
/** Unique keys among valid rows with a key (nulls and dropped rows may repeat), sometimes not. */
function sideArb(unique: boolean): fc.Arbitrary<Row[]> {
  const rows = fc.array(rowArb(keyArb), { maxLength: 8 });
  if (!unique) return rows;
  return fc.oneof({ weight: 6, arbitrary: rows.map(dedupe) }, { weight: 1, arbitrary: rows });
}
function dedupe(rows: Row[]): Row[] {
  const seen = new Set<bigint>();
  return rows.filter((r) => !r.valid || r.k === null || (!seen.has(r.k) && (seen.add(r.k), true)));
}

const caseArb: fc.Arbitrary<Case> = fc.record({ kind: fc.constantFrom<Case['kind']>('one-to-one', 'many-to-one', 'one-to-many'), how: fc.constantFrom<JoinHow>('inner', 'left'), mode: fc.constantFrom<JoinMode>('reveal-count', 'oblivious'), secretValidity: fc.tuple(fc.boolean(), fc.boolean()) }).chain((c) =>
  fc.record({ left: sideArb(c.kind !== 'many-to-one'), right: sideArb(c.kind !== 'one-to-many') }).map(({ left, right }) => ({
    ...c,
    // A side with a public validity has no dropped rows.
    left: c.secretValidity[0] ? left : left.filter((r) => r.valid),
    right: c.secretValidity[1] ? right : right.filter((r) => r.valid),
  })),
);

const SCHEMA = (g: string, x: string) => parseSchema({ version: 1, columns: [
  { name: 'k', nullable: true, type: 'integer', min: '0', max: '6' },
  { name: g, nullable: false, type: 'integer', min: '-50', max: '50' },
  { name: x, nullable: true, type: 'integer', min: '0', max: '9' },
] });
const LEFT = SCHEMA('a', 'b'), RIGHT = SCHEMA('c', 'd');

function checkedJoin(k: Case): CheckedJoin {
  const tables: Record<string, CatalogTable> = {
    l: { name: 'l', kind: 'table', schema: LEFT, rows: k.left.length },
    r: { name: 'r', kind: 'table', schema: RIGHT, rows: k.right.length },
  };
  const plan = openFor(aggregateOf({ op: 'join', left: scanOf('l'), right: scanOf('r'), on: [{ left: 'k', right: 'k' }], how: k.how, kind: k.kind, mode: k.mode }, [{ name: 'n', fn: 'count' }]), ['Auditor']);
  const checked = checkPlan(plan, { table: (n) => tables[n], recipientRefusal: () => undefined });
  return (checked.root.input as CheckedAggregate).input as CheckedJoin;
}

async function share(s: Session, rows: Row[], schema: typeof LEFT, secretValidity: boolean, owner: 0 | 1): Promise<SecretTable> {
  const v = (xs: bigint[]) => secret(s, BigUint64Array.from(xs.map(ring)), owner);
  const cell = (r: Row, x: bigint | null) => (r.valid ? (x ?? 0n) : (x ?? 0n));
  const present = (r: Row, x: bigint | null) => (r.valid ? (x === null ? 0n : 1n) : (r.g & 7n)); // garbage present bits in dropped rows
  const columns: SecretColumn[] = [
    { schema: schema.columns[0], values: await v(rows.map((r) => cell(r, r.k))), present: await v(rows.map((r) => present(r, r.k))) },
    { schema: schema.columns[1], values: await v(rows.map((r) => r.g)) },
    { schema: schema.columns[2], values: await v(rows.map((r) => cell(r, r.x))), present: await v(rows.map((r) => present(r, r.x))) },
  ];
  const validity = secretValidity ? { kind: 'secret' as const, share: await v(rows.map((r) => (r.valid ? 1n : 0n))) } : ALL_VALID;
  return new SecretTable(rows.length, columns, validity);
}

/** The plaintext join: rows as "k:a:b:c:d" with null cells as 'null'; or 'duplicate' when the kind's unique side repeats a key. */
function expected(k: Case): string[] | 'duplicate' {
  const L = k.left.filter((r) => r.valid), R = k.right.filter((r) => r.valid);
  const repeats = (rows: Row[]) => { const ks = rows.filter((r) => r.k !== null).map((r) => r.k); return new Set(ks).size !== ks.length; };
  if ((k.kind !== 'one-to-many' && repeats(R)) || (k.kind !== 'many-to-one' && repeats(L))) return 'duplicate';
  const s = (v: bigint | null) => (v === null ? 'null' : String(v));
  const out: string[] = [];
  const matchedLeft = new Set<Row>();
  for (const l of L) for (const r of R) {
    if (l.k !== null && l.k === r.k) {
      out.push([l.k, l.g, l.x, r.g, r.x].map(s).join(':'));
      matchedLeft.add(l);
    }
  }
  if (k.how === 'left') for (const l of L) if (!matchedLeft.has(l)) out.push([l.k, l.g, l.x, null, null].map(s).join(':'));
  return out.sort();
}

test('join = plaintext join (kinds, inner/left, both modes, null keys and cells, dropped rows, duplicates refused)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async (k) => {
      const node = checkedJoin(k);
      const want = expected(k);
      const run = t.run(async (s) => {
        const left = await share(s, k.left, LEFT, k.secretValidity[0], 0);
        const right = await share(s, k.right, RIGHT, k.secretValidity[1], 1);
        const r = await join(s, node, left, right);
        const cells: (bigint | null)[][] = [];
        for (const c of r.table.columns) {
          const values = await open(s, c.values);
          const present = c.present ? await open(s, c.present) : undefined;
          cells.push([...values].map((v, i) => (present && present[i] === 0n ? null : signed(v))));
        }
        const valid = r.table.validity.kind === 'secret' ? [...(await open(s, r.table.validity.share))] : undefined;
        return { names: r.table.columns.map((c) => c.schema.name), cells, valid, rows: r.rows, n: r.table.rows };
      });
      if (want === 'duplicate') {
        await assert.rejects(run, (e: unknown) => e instanceof QueryError && /is not unique/.test(e.message));
        return;
      }
      const [r] = await run;
      assert.deepEqual(r.names, ['k', 'a', 'b', 'c', 'd']);
      const rows = Array.from({ length: r.n }, (_, i) => i).filter((i) => r.valid === undefined || r.valid[i] === 1n).map((i) => r.cells.map((c) => (c[i] === null ? 'null' : String(c[i]))).join(':'));
      assert.deepEqual(rows.sort(), want);
      if (k.mode === 'reveal-count') assert.equal(r.rows, want.length);
      else {
        assert.equal(r.rows, undefined);
        assert.equal(r.n, k.left.length + k.right.length);
      }
      assert.ok(want.length <= node.type.maxRows, 'the declared bound holds');
    }),
    { numRuns: Math.max(60, RUNS) },
  );
});

test('two key columns (integer and category) are packed into one sort key and match as pairs', async () => {
  const t = await trio();
  const schema = (v: string) => parseSchema({ version: 1, columns: [
    { name: 'n', nullable: false, type: 'integer', min: '-3', max: '3' },
    { name: 'w', nullable: false, type: 'category', dictionary: ['a', 'b', 'c'] },
    { name: v, nullable: false, type: 'integer', min: '0', max: '1000' },
  ] });
  const L = schema('x'), R = schema('y');
  const tables: Record<string, CatalogTable> = { l: { name: 'l', kind: 'table', schema: L, rows: 4 }, r: { name: 'r', kind: 'table', schema: R, rows: 3 } };
  for (const how of ['inner', 'left'] as const) {
    const plan = openFor(aggregateOf({ op: 'join', left: scanOf('l'), right: scanOf('r'), on: [{ left: 'n', right: 'n' }, { left: 'w', right: 'w' }], how }, [{ name: 'c', fn: 'count' }]), ['Auditor']);
    const node = (checkPlan(plan, { table: (n) => tables[n], recipientRefusal: () => undefined }).root.input as CheckedAggregate).input as CheckedJoin;
    const [rows] = await t.run(async (s) => {
      const table = async (schema: typeof L, rows: bigint[][], owner: 0 | 1) => new SecretTable(rows.length, await Promise.all(schema.columns.map(async (c, j) => ({ schema: c, values: await secret(s, BigUint64Array.from(rows.map((r) => ring(r[j]))), owner) }))), ALL_VALID);
      // (n, w): (-3, a) matches, (1, b) does not (the right side has (1, a) and (-3, b)).
      const left = await table(L, [[-3n, 0n, 10n], [1n, 1n, 20n], [-3n, 1n, 30n], [3n, 2n, 40n]], 0);
      const right = await table(R, [[-3n, 0n, 100n], [1n, 0n, 200n], [-3n, 1n, 300n]], 1);
      const r = await join(s, node, left, right);
      const cols = await Promise.all(r.table.columns.map(async (c) => ({ v: [...(await open(s, c.values))].map(signed), p: c.present ? [...(await open(s, c.present))] : undefined })));
      return Array.from({ length: r.table.rows }, (_, i) => cols.map((c) => (c.p && c.p[i] === 0n ? 'null' : String(c.v[i]))).join(':')).sort();
    });
    const matched = ['-3:0:10:100', '-3:1:30:300'];
    assert.deepEqual(rows, how === 'inner' ? matched : [...matched, '1:1:20:null', '3:2:40:null'].sort());
  }
});
