/**
 * group-by (ops/group-by.ts) against a plaintext reference: random tables with duplicate and
 * skewed keys, nulls in keys (nulls form one group, as in SQL) and in the aggregated column,
 * secret validity (rows that are not valid take part in nothing), empty tables; keys that take
 * the one-hot path (all combinations, count-0 groups included) and the sort path (only groups
 * with rows, in a random order, their number opened); count, sum, mean, min, max, var, std,
 * count_distinct (of a nullable integer, a nullable category and an identifier whose 2^62 values
 * need the two-pass sort of ops/distinct-marks.ts when grouped; rows that are not valid carry
 * arbitrary identifier values, which must not count or hide a valid row's value).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { open } from '../../src/mpc/protocols/io.js';
import { groupBy } from '../../src/ops/group-by.js';
import { checkGroupBy } from '../../src/plan/check-group-by.js';
import type { CheckedScan, Disclosure } from '../../src/plan/check.js';
import { findAggregate } from '../../src/plan/registry.js';
import { tableType } from '../../src/plan/types.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';
import type { AggregateSpec } from '../../src/plan/plan.js';

after(closeTrio);

const WORDS = ['north', 'south', 'east'];
const signed = (v: bigint) => BigInt.asIntN(64, v);
const ring = (v: bigint) => BigInt.asUintN(64, v);

interface Row { c: number | null; b: boolean; g: bigint; x: bigint | null; i: bigint; valid: boolean }
interface Case { rows: Row[]; by: readonly string[]; gMax: bigint; secretValidity: boolean; xMin: bigint; xMax: bigint }

const AGGREGATES: AggregateSpec[] = [
  { name: 'n', fn: 'count' },
  { name: 'nx', fn: 'count', column: 'x' },
  { name: 'sx', fn: 'sum', column: 'x' },
  { name: 'mx', fn: 'mean', column: 'x' },
  { name: 'lo', fn: 'min', column: 'x' },
  { name: 'hi', fn: 'max', column: 'x' },
  { name: 'vx', fn: 'var', column: 'x' },
  { name: 'sd', fn: 'std', column: 'x' },
  { name: 'dx', fn: 'count_distinct', column: 'x' },
  { name: 'dc', fn: 'count_distinct', column: 'c' },
  { name: 'di', fn: 'count_distinct', column: 'i' },
];
const I_MAX = (1n << 62n) - 1n;
/**
 * The aggregated column's declared range: around 0, or wholly above or below it, so that a
 * null's 0 lies outside the range (the one-hot path packs sums by these bounds, packed-sums.ts).
 */
const X_RANGES: readonly (readonly [bigint, bigint])[] = [[-50n, 1000n], [200n, 5000n], [-(1n << 20n), -(1n << 19n)]];

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    gMax: fc.constantFrom(3n, 40n, 100_000n), // one-hot alone, one-hot or sort with c, sort
    by: fc.constantFrom([], ['c'], ['b'], ['g'], ['c', 'b'], ['b', 'g'], ['c', 'g']), // [] is the whole table
    secretValidity: fc.boolean(),
    n: fc.integer({ min: 0, max: 14 }),
    hot: fc.integer({ min: 0, max: 2 }),
    xRange: fc.constantFrom(...X_RANGES),
  })
  .chain(({ gMax, by, secretValidity, n, hot, xRange: [X_MIN, X_MAX] }) => {
    // Skewed: most rows in a few keys.
    const gArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0n, gMax, BigInt(hot)) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: gMax }) });
    const row = fc.record({
      c: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constant(hot) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 }) }), { nil: null, freq: 4 }),
      b: fc.boolean(),
      g: gArb,
      x: fc.option(fc.oneof(fc.bigInt({ min: X_MIN, max: X_MAX }), fc.constantFrom(X_MIN, X_MAX)), { nil: null, freq: 3 }),
      i: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0n, 7n, I_MAX) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: I_MAX }) }),
      valid: secretValidity ? fc.boolean() : fc.constant(true),
    });
    return fc.array(row, { minLength: n, maxLength: n }).map((rows) => ({ rows, by, gMax, secretValidity, xMin: X_MIN, xMax: X_MAX }));
  });

function schemaOf(k: Case) {
  return parseSchema({
    version: 1,
    columns: [
      { name: 'c', nullable: true, type: 'category', dictionary: WORDS },
      { name: 'b', nullable: false, type: 'boolean' },
      { name: 'g', nullable: false, type: 'integer', min: '0', max: String(k.gMax) },
      { name: 'x', nullable: true, type: 'integer', min: String(k.xMin), max: String(k.xMax) },
      { name: 'i', nullable: false, type: 'identifier' },
    ],
  });
}

function keyOf(r: Row, by: readonly string[]): string {
  return JSON.stringify(by.map((k) => (k === 'c' ? r.c : k === 'b' ? Number(r.b) : String(r.g))));
}

/** What each output opens as, per group (plaintext reference; NaN stands for SQL's null). */
function reference(rows: readonly Row[]): Record<string, number> {
  const xs = rows.filter((r) => r.x !== null).map((r) => r.x!);
  const s = xs.reduce((a, v) => a + v, 0n);
  const q = xs.reduce((a, v) => a + v * v, 0n);
  const n = BigInt(xs.length);
  const variance = n < 2n ? Number.NaN : Number(n * q - s * s) / Number(n * (n - 1n));
  return {
    n: rows.length, nx: xs.length, sx: Number(s), mx: xs.length === 0 ? Number.NaN : Number(s) / xs.length,
    lo: xs.length === 0 ? Number.NaN : Number(xs.reduce((a, v) => (v < a ? v : a))),
    hi: xs.length === 0 ? Number.NaN : Number(xs.reduce((a, v) => (v > a ? v : a))),
    vx: variance, sd: Math.sqrt(variance),
    dx: new Set(xs).size, dc: new Set(rows.filter((r) => r.c !== null).map((r) => r.c)).size, di: new Set(rows.map((r) => r.i)).size,
  };
}

function same(a: number, b: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

test('group-by = plaintext reference (one-hot and sort paths, null keys, nulls, secret validity, empty tables)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async (k) => {
      const schema = schemaOf(k);
      const n = k.rows.length;
      const input: CheckedScan = { op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows: n }, columns: ['c', 'b', 'g', 'x', 'i'], type: tableType(schema, n) };
      const disclosures: Disclosure[] = [];
      const node = checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates: AGGREGATES, by: k.by }, input, '/g', disclosures);
      const runs = await t.run(async (s) => {
        const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map(ring)), 0);
        const cols: SecretColumn[] = [
          { schema: schema.columns[0], values: await share(k.rows.map((r) => BigInt(r.c ?? 0))), present: await share(k.rows.map((r) => (r.c === null ? 0n : 1n))) },
          { schema: schema.columns[1], values: await share(k.rows.map((r) => (r.b ? 1n : 0n))) },
          { schema: schema.columns[2], values: await share(k.rows.map((r) => r.g)) },
          { schema: schema.columns[3], values: await share(k.rows.map((r) => r.x ?? 0n)), present: await share(k.rows.map((r) => (r.x === null ? 0n : 1n))) },
          // A row that is not valid may hold anything: here a value outside the declared range.
          { schema: schema.columns[4], values: await share(k.rows.map((r, j) => (r.valid ? r.i : ring(BigInt(j + 1) * 0x9e3779b97f4a7c15n)))) },
        ];
        const validity = k.secretValidity ? { kind: 'secret' as const, share: await share(k.rows.map((r) => (r.valid ? 1n : 0n))) } : ALL_VALID;
        const out = await groupBy(s, node, new SecretTable(n, cols, validity));
        const opened: Record<string, bigint[]> = {};
        for (const c of out.table.columns) {
          opened[c.schema.name] = [...(await open(s, c.values))].map(signed);
          if (c.present) opened[`${c.schema.name}.present`] = [...(await open(s, c.present))];
        }
        return { opened, rows: out.table.rows, groups: out.groups };
      });
      const r = runs[0];
      for (const other of runs) assert.deepEqual(other.groups, r.groups);
      const valid = k.rows.filter((row) => row.valid);
      const want = new Map<string, Row[]>();
      for (const row of valid) want.set(keyOf(row, k.by), [...(want.get(keyOf(row, k.by)) ?? []), row]);
      if (node.group.method === 'sort') {
        assert.equal(r.groups, want.size, 'the number of groups is opened');
        assert.equal(r.rows, want.size);
      } else {
        assert.equal(r.groups, undefined, 'one-hot opens nothing');
        assert.equal(r.rows, Number(node.group.width), 'one row per key combination');
      }
      const seen = new Set<string>();
      for (let i = 0; i < r.rows; i++) {
        const keys = k.by.map((name) => {
          if (r.opened[`${name}.present`]?.[i] === 0n) return null;
          const v = r.opened[name][i];
          return name === 'g' ? String(v) : Number(v);
        });
        const key = JSON.stringify(keys);
        assert.ok(!seen.has(key), `group ${key} appears once`);
        seen.add(key);
        const expected = reference(want.get(key) ?? []);
        const parts = new Map<string, bigint>();
        for (const [name, values] of Object.entries(r.opened)) parts.set(name, values[i]);
        for (const spec of AGGREGATES) {
          const fn = findAggregate(spec.fn)!;
          const terms = node.outputs.find((o) => o.name === spec.name)!.terms;
          const local = new Map(terms.map((t) => [t.part, parts.get(terms.length === 1 ? spec.name : `${spec.name}.${t.part}`)!]));
          const present = parts.get(`${spec.name}.present`);
          if (present !== undefined) local.set('present', present);
          const got = Number(fn.decode(local, 0).value);
          assert.ok(same(got, expected[spec.name]), `${spec.name} of group ${key}: got ${got}, want ${expected[spec.name]} (${node.group.method})`);
        }
      }
      for (const key of want.keys()) assert.ok(seen.has(key), `group ${key} is in the output`);
    }),
    { numRuns: Math.max(25, RUNS) },
  );
});

test('a whole-table variance of all-valid rows takes Σx² by one inner product: a word per column sent, not 8 bytes per row, and the exact sums', async () => {
  const n = 4096;
  const schema = parseSchema({ version: 1, columns: [{ name: 'x', nullable: false, type: 'integer', min: '-100000', max: '100000' }] });
  const xs = Array.from({ length: n }, (_, i) => BigInt(((i * 7919) % 200_001) - 100_000));
  const input: CheckedScan = { op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows: n }, columns: ['x'], type: tableType(schema, n) };
  const node = checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates: [{ name: 'vx', fn: 'var', column: 'x' }], by: [] }, input, '/g', []);
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const table = new SecretTable(n, [{ schema: schema.columns[0], values: await secret(s, BigUint64Array.from(xs.map(ring)), 0) }], ALL_VALID);
    const before = s.stats.bytesSent;
    const out = await groupBy(s, node, table);
    const bytes = s.stats.bytesSent - before;
    const opened: Record<string, bigint> = {};
    for (const c of out.table.columns) opened[c.schema.name] = signed((await open(s, c.values))[0]);
    return { bytes, opened };
  });
  assert.ok(r.bytes < n, `${r.bytes} bytes sent by party 0 for ${n} rows`);
  const local = new Map(node.outputs[0].terms.map((term) => [term.part, r.opened[node.outputs[0].terms.length === 1 ? 'vx' : `vx.${term.part}`]]));
  const s = xs.reduce((a, v) => a + v, 0n), q = xs.reduce((a, v) => a + v * v, 0n);
  const want = Number(BigInt(n) * q - s * s) / Number(BigInt(n) * BigInt(n - 1));
  assert.ok(same(Number(findAggregate('var')!.decode(local, 0).value), want));
});

test("a whole table's sums run beside its quantiles' selection: no round of their own, and both exact", { timeout: 120_000 }, async () => {
  // Five 18-bit columns at 2^15 rows: the radix selection (plan/cost-quantile.ts), whose rounds are fixed by n and the ranks.
  const n = 1 << 15;
  const names = ['a', 'b', 'c', 'd', 'e'];
  const schema = parseSchema({ version: 1, columns: names.map((name) => ({ name, nullable: false, type: 'integer', min: '-100000', max: '100000' })) });
  const values = names.map((_, j) => Array.from({ length: n }, (_, i) => BigInt(((i * 7919 + j * 104_729) % 200_001) - 100_000)));
  const input: CheckedScan = { op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows: n }, columns: names, type: tableType(schema, n) };
  const quantiles: AggregateSpec[] = names.map((c) => ({ name: `m_${c}`, fn: 'quantile', column: c, p: 0.5 }));
  const withSums = checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates: [...names.map((c): AggregateSpec => ({ name: `v_${c}`, fn: 'var', column: c })), ...quantiles], by: [] }, input, '/g', []);
  const alone = checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates: quantiles, by: [] }, input, '/g', []);
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const columns: SecretColumn[] = [];
    for (const [j, c] of schema.columns.entries()) columns.push({ schema: c, values: await secret(s, BigUint64Array.from(values[j].map(ring)), 0) });
    const table = new SecretTable(n, columns, ALL_VALID);
    const rounds = async (node: typeof alone) => {
      const before = s.stats.rounds;
      const out = await groupBy(s, node, table);
      const used = s.stats.rounds - before;
      const opened: Record<string, bigint> = {};
      for (const c of out.table.columns) opened[c.schema.name] = signed((await open(s, c.values))[0]);
      return { used, opened };
    };
    return { both: await rounds(withSums), quantilesOnly: await rounds(alone) };
  });
  assert.equal(r.both.used, r.quantilesOnly.used);
  names.forEach((c, j) => {
    const sorted = [...values[j]].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const decoded = (node: typeof alone, opened: Record<string, bigint>, name: string) => {
      const out = node.outputs.find((o) => o.name === name)!;
      const parts = new Map(out.terms.map((term) => [term.part, opened[out.terms.length === 1 ? name : `${name}.${term.part}`]]));
      return Number(out.fn.decode(parts, 0).value);
    };
    const median = Number(sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    assert.equal(decoded(withSums, r.both.opened, `m_${c}`), median);
    assert.equal(decoded(alone, r.quantilesOnly.opened, `m_${c}`), median);
    const s = values[j].reduce((a, v) => a + v, 0n), q = values[j].reduce((a, v) => a + v * v, 0n);
    assert.ok(same(decoded(withSums, r.both.opened, `v_${c}`), Number(BigInt(n) * q - s * s) / Number(BigInt(n) * BigInt(n - 1))));
  });
});
