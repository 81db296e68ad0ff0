/**
 * Many-to-many join (ops/join-many.ts over mpc/oblivious/join-many.ts) against DuckDB on the
 * same plaintext: random left and right tables with duplicate keys on both sides, skewed keys
 * (one key in most rows), no matches, all matching, null keys and null cells, rows an oblivious
 * filter dropped (secret validity 0: garbage that must never match), empty sides; inner and
 * left, both modes, a declared bound at, above or below the true output size (below: refused,
 * saying only that it exceeds the bound). Every output cell is opened and compared as a
 * multiset of rows with DuckDB's `SELECT … FROM l [LEFT] JOIN r ON l.k = r.k`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';
import { join } from '../../src/ops/join.js';
import { open } from '../../src/mpc/protocols/io.js';
import { checkPlan, type CatalogTable, type CheckedAggregate } from '../../src/plan/check.js';
import type { CheckedJoin } from '../../src/plan/check-join.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { JoinHow, JoinMode } from '../../src/plan/plan.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';
import { QueryError } from '../../src/errors.js';
import type { Session } from '../../src/mpc/session.js';

after(closeTrio);

const ring = (v: bigint) => BigInt.asUintN(64, v);
const signed = (v: bigint) => BigInt.asIntN(64, v);

interface Row { valid: boolean; k: bigint | null; g: bigint; x: bigint | null }
interface Case { left: Row[]; right: Row[]; how: JoinHow; mode: JoinMode; secretValidity: [boolean, boolean]; slack: number }

const garbage = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
function rowArb(keys: fc.Arbitrary<bigint>): fc.Arbitrary<Row> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ valid: fc.constant(true), k: fc.option(keys, { nil: null, freq: 6 }), g: fc.bigInt({ min: -50n, max: 50n }), x: fc.option(fc.bigInt({ min: 0n, max: 9n }), { nil: null, freq: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ valid: fc.constant(false), k: fc.oneof(keys, garbage), g: garbage, x: garbage }) },
  );
}
// Few keys (many duplicates), one skewed key, or disjoint key sets (no matches).
const keySets = fc.constantFrom<[fc.Arbitrary<bigint>, fc.Arbitrary<bigint>]>(
  [fc.bigInt({ min: 0n, max: 3n }), fc.bigInt({ min: 0n, max: 3n })],
  [fc.oneof({ weight: 5, arbitrary: fc.constant(2n) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 6n }) }), fc.oneof({ weight: 5, arbitrary: fc.constant(2n) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 6n }) })],
  [fc.constant(1n), fc.constant(1n)],
  [fc.bigInt({ min: 0n, max: 2n }), fc.bigInt({ min: 4n, max: 6n })],
);

const caseArb: fc.Arbitrary<Case> = fc
  .record({ keys: keySets, how: fc.constantFrom<JoinHow>('inner', 'left'), mode: fc.constantFrom<JoinMode>('reveal-count', 'oblivious'), secretValidity: fc.tuple(fc.boolean(), fc.boolean()), slack: fc.constantFrom(0, 0, 1, 5, -1) })
  .chain(({ keys, ...c }) =>
    fc.record({ left: fc.array(rowArb(keys[0]), { maxLength: 7 }), right: fc.array(rowArb(keys[1]), { maxLength: 7 }) }).map(({ left, right }) => ({
      ...c,
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

function checkedJoin(k: Case, bound: number): CheckedJoin {
  const tables: Record<string, CatalogTable> = {
    l: { name: 'l', kind: 'table', schema: LEFT, rows: k.left.length },
    r: { name: 'r', kind: 'table', schema: RIGHT, rows: k.right.length },
  };
  const plan = openFor(aggregateOf({ op: 'join', left: scanOf('l'), right: scanOf('r'), on: [{ left: 'k', right: 'k' }], how: k.how, kind: 'many-to-many', max_rows: bound, mode: k.mode }, [{ name: 'n', fn: 'count' }]), ['Auditor']);
  const checked = checkPlan(plan, { table: (n) => tables[n], recipientRefusal: () => undefined });
  return (checked.root.input as CheckedAggregate).input as CheckedJoin;
}

async function share(s: Session, rows: Row[], schema: typeof LEFT, secretValidity: boolean, owner: 0 | 1): Promise<SecretTable> {
  const v = (xs: bigint[]) => secret(s, BigUint64Array.from(xs.map(ring)), owner);
  const present = (r: Row, x: bigint | null) => (r.valid ? (x === null ? 0n : 1n) : (r.g & 7n));
  const columns: SecretColumn[] = [
    { schema: schema.columns[0], values: await v(rows.map((r) => r.k ?? 0n)), present: await v(rows.map((r) => present(r, r.k))) },
    { schema: schema.columns[1], values: await v(rows.map((r) => r.g)) },
    { schema: schema.columns[2], values: await v(rows.map((r) => r.x ?? 0n)), present: await v(rows.map((r) => present(r, r.x))) },
  ];
  const validity = secretValidity ? { kind: 'secret' as const, share: await v(rows.map((r) => (r.valid ? 1n : 0n))) } : ALL_VALID;
  return new SecretTable(rows.length, columns, validity);
}

/** DuckDB's answer on the valid rows, as sorted "k:a:b:c:d" strings. */
async function oracle(k: Case): Promise<string[]> {
  const table = (name: string, rows: Row[], g: string, x: string) => {
    const valid = rows.filter((r) => r.valid);
    const num = (v: bigint | null) => (v === null ? null : Number(v));
    return { name, columns: { k: 'INTEGER', [g]: 'INTEGER', [x]: 'INTEGER' }, rows: { k: valid.map((r) => num(r.k)), [g]: valid.map((r) => num(r.g)), [x]: valid.map((r) => num(r.x)) } };
  };
  const rows = await duckdbRows([table('l', k.left, 'a', 'b'), table('r', k.right, 'c', 'd')], `SELECT l.k, l.a, l.b, r.c, r.d FROM l ${k.how === 'left' ? 'LEFT ' : ''}JOIN r ON l.k = r.k`);
  return rows.map((r) => ['k', 'a', 'b', 'c', 'd'].map((c) => (r[c] === null ? 'null' : String(r[c]))).join(':')).sort();
}

test('many-to-many join = DuckDB (duplicates both sides, skew, none or all matching, null keys, dropped rows, inner and left, both modes, the bound)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async (k) => {
      const want = await oracle(k);
      const bound = Math.max(1, want.length + k.slack);
      const node = checkedJoin(k, bound);
      const run = t.run(async (s) => {
        const r = await join(s, node, await share(s, k.left, LEFT, k.secretValidity[0], 0), await share(s, k.right, RIGHT, k.secretValidity[1], 1));
        const cells: (bigint | null)[][] = [];
        for (const c of r.table.columns) {
          const values = await open(s, c.values);
          const present = c.present ? await open(s, c.present) : undefined;
          cells.push([...values].map((v, i) => (present && present[i] === 0n ? null : signed(v))));
        }
        const valid = r.table.validity.kind === 'secret' ? [...(await open(s, r.table.validity.share))] : undefined;
        return { names: r.table.columns.map((c) => c.schema.name), cells, valid, rows: r.rows, n: r.table.rows };
      });
      if (want.length > bound) {
        await assert.rejects(run, (e: unknown) => e instanceof QueryError && new RegExp(`more than its max_rows = ${bound} rows; declare a larger max_rows`).test(e.message) && !e.message.includes(String(want.length)));
        return;
      }
      const [r] = await run;
      assert.deepEqual(r.names, ['k', 'a', 'b', 'c', 'd']);
      const rows = Array.from({ length: r.n }, (_, i) => i).filter((i) => r.valid === undefined || r.valid[i] === 1n).map((i) => r.cells.map((c) => (c[i] === null ? 'null' : String(c[i]))).join(':'));
      assert.deepEqual(rows.sort(), want);
      if (k.mode === 'reveal-count') assert.equal(r.rows, want.length);
      else {
        assert.equal(r.rows, undefined);
        assert.equal(r.n, bound, 'oblivious: exactly max_rows rows');
      }
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});
