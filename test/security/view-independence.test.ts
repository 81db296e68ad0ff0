/**
 * What one party receives must not depend on the secret inputs.
 *
 * For every protocol, each party's view (the bytes it receives, as 64-bit words) is recorded over
 * many runs with fresh randomness, once for inputs that are all zero and once for very different
 * inputs (random values, extremes of the declared range). For each party and protocol:
 *   - the byte-value histograms of the two views must be homogeneous (chi-square, 255 degrees of
 *     freedom, threshold 380: p ≈ 1e-6),
 *   - at every bit position of the words, the frequency of ones must agree between the two views
 *     and with 1/2 (|z| < 5.5: p ≈ 4e-8 per position).
 * A protocol that forgets a mask, or whose masks are biased by the data (e.g. a sign leaking into
 * a top bit), fails these tests; with the thresholds above, a correct protocol fails them with
 * probability well below one in ten thousand over the whole file.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { localTrio, type LocalTrio } from '../../src/mpc/local.js';
import type { PartyId } from '../../src/mpc/party.js';
import type { Session } from '../../src/mpc/session.js';
import { input, inputBinary } from '../../src/mpc/protocols/io.js';
import { dot, mul } from '../../src/mpc/protocols/arith.js';
import { eqz, lt, msb } from '../../src/mpc/protocols/compare.js';
import { ltNarrow } from '../../src/mpc/protocols/compare-narrow.js';
import { a2b, b2a, bitInject } from '../../src/mpc/protocols/convert.js';
import { fxmul, trunc } from '../../src/mpc/protocols/trunc.js';
import { shuffle } from '../../src/mpc/protocols/shuffle.js';
import { sortByKey } from '../../src/mpc/protocols/sort.js';
import { BitShare } from '../../src/mpc/shares.js';
import { packBits } from '../../src/ring/bits.js';
import { compact } from '../../src/mpc/oblivious/compact.js';
import { groupFlags } from '../../src/mpc/oblivious/group-flags.js';
import { segmentedScan } from '../../src/mpc/oblivious/segmented-scan.js';
import { groupByKey } from '../../src/mpc/oblivious/group-by-key.js';
import { groupByDomain } from '../../src/mpc/oblivious/one-hot.js';
import { pkFkJoin } from '../../src/mpc/oblivious/join.js';
import { manyToManyJoin } from '../../src/mpc/oblivious/join-many.js';
import { evaluatePredicate } from '../../src/ops/predicate.js';
import { evaluatePredicateBits } from '../../src/ops/predicate-bits.js';
import { groupBy } from '../../src/ops/group-by.js';
import { crosstab } from '../../src/ops/crosstab.js';
import { checkGroupBy } from '../../src/plan/check-group-by.js';
import { checkCrosstab } from '../../src/plan/check-crosstab.js';
import type { CheckedScan } from '../../src/plan/check.js';
import { tableType } from '../../src/plan/types.js';
import type { CheckedPredicate } from '../../src/plan/check-predicate.js';
import { columnFacts } from '../../src/plan/types.js';
import { ALL_VALID, SecretTable } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';

const N = 96;
const RUNS = 24;

type Recorder = { views: Uint8Array[][]; active: boolean };
const recorder: Recorder = { views: [[], [], []], active: false };
let trioP: Promise<LocalTrio> | undefined;
function trio(): Promise<LocalTrio> {
  trioP ??= localTrio({
    timeoutMs: 20_000,
    tap: (to: PartyId, _from: PartyId, _session: bigint, payload: Uint8Array) => {
      if (recorder.active && payload.byteLength % 8 === 0) recorder.views[to].push(payload.slice());
    },
  });
  return trioP;
}
after(async () => (await trio()).close());

/** Values a protocol may legitimately receive: within [-2^61, 2^61) so every protocol's range holds. */
function randomInRange(n: number, bits = 62): BigUint64Array {
  const v = new BigUint64Array(n);
  new Uint8Array(v.buffer).set(randomBytes(8 * n));
  for (let i = 0; i < n; i++) v[i] = BigInt.asUintN(64, BigInt.asIntN(bits, v[i]));
  v[0] = BigInt.asUintN(64, -(1n << BigInt(bits - 1)));
  v[1] = (1n << BigInt(bits - 1)) - 1n;
  v[2] = BigInt.asUintN(64, -1n);
  return v;
}

type Body = (s: Session, x: BigUint64Array, y: BigUint64Array) => Promise<unknown>;

/** Records each party's received words over RUNS runs of `body` on inputs from `make`. */
async function views(body: Body, make: () => [BigUint64Array, BigUint64Array]): Promise<BigUint64Array[]> {
  const t = await trio();
  recorder.views = [[], [], []];
  for (let r = 0; r < RUNS; r++) {
    const [x, y] = make();
    // The whole run is recorded, input sharing included (its messages must be uniform too).
    recorder.active = true;
    try {
      await t.run(async (s) => body(s, x, y));
    } finally {
      recorder.active = false;
    }
  }
  return recorder.views.map((msgs) => {
    let n = 0;
    for (const m of msgs) n += m.byteLength / 8;
    const out = new BigUint64Array(n);
    let o = 0;
    for (const m of msgs) {
      out.set(new BigUint64Array(m.buffer, m.byteOffset, m.byteLength / 8), o);
      o += m.byteLength / 8;
    }
    return out;
  });
}

function byteHistogram(words: BigUint64Array): Float64Array {
  const h = new Float64Array(256);
  for (const b of new Uint8Array(words.buffer, words.byteOffset, words.byteLength)) h[b]++;
  return h;
}

function bitCounts(words: BigUint64Array): Float64Array {
  const c = new Float64Array(64);
  const halves = new Uint32Array(words.buffer, words.byteOffset, words.length * 2);
  for (let i = 0; i < halves.length; i++) {
    const base = (i & 1) * 32;
    let w = halves[i];
    for (let b = 0; w !== 0 && b < 32; b++, w >>>= 1) if (w & 1) c[base + b]++;
  }
  return c;
}

function assertIndistinguishable(name: string, party: number, a: BigUint64Array, b: BigUint64Array): void {
  assert.ok(a.length > 200 && b.length > 200, `${name}: party ${party} received too little to test (${a.length} words)`);
  // Chi-square homogeneity of byte values.
  const ha = byteHistogram(a), hb = byteHistogram(b);
  const na = a.length * 8, nb = b.length * 8;
  let chi2 = 0;
  for (let v = 0; v < 256; v++) {
    const total = ha[v] + hb[v];
    if (total === 0) continue;
    const ea = (total * na) / (na + nb), eb = (total * nb) / (na + nb);
    chi2 += (ha[v] - ea) ** 2 / ea + (hb[v] - eb) ** 2 / eb;
  }
  assert.ok(chi2 < 380, `${name}: party ${party}'s view differs between inputs (byte chi-square ${chi2.toFixed(0)} > 380)`);
  // Bit positions: uniform and alike.
  const ca = bitCounts(a), cb = bitCounts(b);
  for (let bit = 0; bit < 64; bit++) {
    const pa = ca[bit] / a.length, pb = cb[bit] / b.length;
    const za = (pa - 0.5) / Math.sqrt(0.25 / a.length), zb = (pb - 0.5) / Math.sqrt(0.25 / b.length);
    const pooled = (ca[bit] + cb[bit]) / (a.length + b.length);
    const zd = (pa - pb) / Math.sqrt(pooled * (1 - pooled) * (1 / a.length + 1 / b.length));
    assert.ok(Math.abs(za) < 5.5 && Math.abs(zb) < 5.5, `${name}: party ${party} sees bit ${bit} set with frequency ${pa.toFixed(3)} / ${pb.toFixed(3)}, not 1/2`);
    assert.ok(Math.abs(zd) < 5.5, `${name}: party ${party} sees bit ${bit} with different frequencies for different inputs (z = ${zd.toFixed(1)})`);
  }
}

const ZEROS = (): [BigUint64Array, BigUint64Array] => [new BigUint64Array(N), new BigUint64Array(N)];
const RANDOM = (): [BigUint64Array, BigUint64Array] => [randomInRange(N), randomInRange(N)];
const SMALL = (): [BigUint64Array, BigUint64Array] => [randomInRange(N, 26), randomInRange(N, 26)];

/** Shares the two inputs (parties 0 and 1 own them). */
async function shared(s: Session, x: BigUint64Array, y: BigUint64Array) {
  const xs = await input(s, 0, s.me === 0 ? x : x.length);
  const ys = await input(s, 1, s.me === 1 ? y : y.length);
  return [xs, ys] as const;
}

const CASES: [string, Body, () => [BigUint64Array, BigUint64Array]][] = [
  ['input', async (s, x) => input(s, 2, s.me === 2 ? x : x.length), RANDOM],
  ['mul', async (s, x, y) => { const [a, b] = await shared(s, x, y); return mul(s, a, b); }, RANDOM],
  ['dot', async (s, x, y) => { const [a, b] = await shared(s, x, y); return dot(s, a, b, 8); }, RANDOM],
  ['fxmul', async (s, x, y) => { const [a, b] = await shared(s, x, y); return fxmul(s, a, b, 16); }, SMALL],
  ['trunc', async (s, x, y) => { const [a] = await shared(s, x, y); return trunc(s, a, 20); }, RANDOM],
  ['msb', async (s, x, y) => { const [a] = await shared(s, x, y); return msb(s, a); }, RANDOM],
  ['lt', async (s, x, y) => { const [a, b] = await shared(s, x, y); return lt(s, a, b); }, RANDOM],
  ['eqz', async (s, x, y) => { const [a] = await shared(s, x, y); return eqz(s, a); }, RANDOM],
  ['a2b', async (s, x, y) => { const [a] = await shared(s, x, y); return a2b(s, a); }, RANDOM],
  ['b2a', async (s, x) => b2a(s, await inputBinary(s, 2, s.me === 2 ? x : x.length)), RANDOM],
  ['bitInject', async (s, x) => {
    const b = await inputBinary(s, 0, s.me === 0 ? x : x.length);
    return bitInject(s, new BitShare(b.a.subarray(0, 2), b.b.subarray(0, 2), 128));
  }, RANDOM],
  ['shuffle', async (s, x, y) => { const [a, b] = await shared(s, x, y); return shuffle(s, { arith: [a, b], binary: [] }); }, RANDOM],
  ['sort', async (s, x, y) => { const [a, b] = await shared(s, x, y); return sortByKey(s, a, [b]); }, RANDOM],
  // Range-aware: keys below 2^20 packed with the row index into one 32-bit word.
  ['sort (packed key and index)', async (s, x, y) => { const [a, b] = await shared(s, x.map((v) => v & 0xfffffn), y); return sortByKey(s, a, [b], { keyBits: 20 }); }, RANDOM],
  ['lt on 28 bits (ltNarrow)', async (s, x, y) => { const [a, b] = await shared(s, x, y); return ltNarrow(s, a, b, 28); }, SMALL],
  // Compaction reveals the row count by design: the predicate keeps half of the rows in both
  // input sets, at positions that depend on the data.
  ['compact', async (s, x, y) => { const [a, b] = await shared(s, x, y); return compact(s, [a, b], await input(s, 2, s.me === 2 ? halfOnes(x) : x.length)); }, RANDOM],
  // With no column to carry, compaction only counts the 1 bits (protocols/count-ones.ts); the
  // count is public by design and the same (half the rows) in both input sets.
  ['compact with no column (the count only)', async (s, x) => {
    const words = packBits([...halfOnes(x)].map(Number)).words;
    const b = await inputBinary(s, 2, s.me === 2 ? words : words.length);
    return compact(s, [], new BitShare(b.a, b.b, N));
  }, RANDOM],
  ['segmented scan', async (s, x, y) => {
    const [a, b] = await shared(s, few(x), y);
    return segmentedScan(s, (await groupFlags(s, a)).continues, [{ values: b, op: 'sum' }, { values: b, op: 'min' }]);
  }, RANDOM],
  ['group-by key (oblivious)', async (s, x, y) => { const [a, b] = await shared(s, few(x), y); return groupByKey(s, a, [{ values: b, op: 'max' }], 'oblivious'); }, RANDOM],
  ['group-by domain', async (s, x, y) => { const [a, b] = await shared(s, inDomain(x), y); return groupByDomain(s, a, 10, [b]); }, RANDOM],
  // An oblivious filter's predicate (comparisons batched, injected, AND/OR, a nullable column,
  // a secret validity): it opens nothing, so the views must not depend on the rows.
  ['filter predicate (oblivious)', async (s, x, y) => {
    const [a, b] = await shared(s, x, y);
    const present = await input(s, 2, s.me === 2 ? x.map((v) => v & 1n) : x.length);
    const validity = await input(s, 1, s.me === 1 ? y.map((v) => (v >> 3n) & 1n) : y.length);
    const table = new SecretTable(N, [{ schema: FILTER_SCHEMA.columns[0], values: a, present }, { schema: FILTER_SCHEMA.columns[1], values: b }], ALL_VALID);
    return evaluatePredicate(s, FILTER_PREDICATE, table, validity);
  }, RANDOM],
  // The same kind of predicate over non-nullable columns on packed bits (ops/predicate-bits.ts:
  // comparisons at 64 and at narrow widths, binary AND/OR): it opens nothing either.
  ['filter predicate on packed bits', async (s, x, y) => {
    const [a, b] = await shared(s, x, y);
    const narrow = await input(s, 1, s.me === 1 ? y.map((v) => v % 1000n) : y.length);
    const table = new SecretTable(N, [{ schema: BITS_SCHEMA.columns[0], values: a }, { schema: BITS_SCHEMA.columns[1], values: b }, { schema: BITS_SCHEMA.columns[2], values: narrow }], ALL_VALID);
    return evaluatePredicateBits(s, BITS_PREDICATE, table);
  }, RANDOM],
  // Group-by on the one-hot path (min/max sort and scan inside it) and whole-table min/max/var:
  // both open nothing. Crosstab suppression compares and multiplies inside MPC.
  ['group-by one-hot with min/max/var (ops)', async (s, x, y) => groupBy(s, GROUP_ONE_HOT, await groupTable(s, x, y)), RANDOM],
  ['whole-table min/max/var (ops)', async (s, x, y) => groupBy(s, GROUP_WHOLE, await groupTable(s, x, y)), RANDOM],
  ['crosstab with suppression (ops)', async (s, x, y) => crosstab(s, CROSSTAB, await groupTable(s, x, y)), RANDOM],
  ['join (oblivious)', async (s, x, y) => {
    const [a, b] = await shared(s, few(x), y);
    return pkFkJoin(s, { key: a.slice(0, 4), payload: [b.slice(0, 4)] }, { key: a.slice(4, N), payload: [b.slice(4, N)] }, 'left', 'oblivious');
  }, RANDOM],
  // Many-to-many within its bound (8 × 8 rows, bound 64): it opens whether the output exceeds the
  // bound (never here), a permutation of public tags and of the output positions, and the sorts'
  // comparisons of shuffled rows.
  ['join many-to-many (oblivious)', async (s, x, y) => {
    const [a, b] = await shared(s, few(x), y);
    return manyToManyJoin(s, { key: a.slice(0, 8), payload: [b.slice(0, 8)] }, { key: a.slice(8, 16), payload: [b.slice(8, 16)] }, 'left', 'oblivious', 64, () => new Error('exceeds'));
  }, RANDOM],
];

const FILTER_SCHEMA = parseSchema({ version: 1, columns: [
  { name: 'a', nullable: true, type: 'integer', min: String(-(2n ** 61n)), max: String(2n ** 61n) },
  { name: 'b', nullable: false, type: 'integer', min: String(-(2n ** 61n)), max: String(2n ** 61n) },
] });
const [FACT_A, FACT_B] = FILTER_SCHEMA.columns.map(columnFacts);
/** (a < 0 AND b != a) OR a is null OR NOT (b < 5). */
const FILTER_PREDICATE: CheckedPredicate = { kind: 'or', args: [
  { kind: 'and', args: [
    { kind: 'compare', test: 'lt', negate: false, left: { kind: 'column', column: FACT_A }, right: { kind: 'constant', value: 0n } },
    { kind: 'compare', test: 'eq', negate: true, left: { kind: 'column', column: FACT_B }, right: { kind: 'column', column: FACT_A } },
  ] },
  { kind: 'null', column: FACT_A, isNull: true },
  { kind: 'compare', test: 'lt', negate: true, left: { kind: 'column', column: FACT_B }, right: { kind: 'constant', value: 5n } },
] };

const BITS_SCHEMA = parseSchema({ version: 1, columns: [
  { name: 'a', nullable: false, type: 'integer', min: String(-(2n ** 61n)), max: String(2n ** 61n) },
  { name: 'b', nullable: false, type: 'integer', min: String(-(2n ** 61n)), max: String(2n ** 61n) },
  { name: 'c', nullable: false, type: 'integer', min: '0', max: '999' },
] });
const [BITS_A, BITS_B, BITS_C] = BITS_SCHEMA.columns.map(columnFacts);
/** (a < 0 AND b != a) OR NOT (c < 500) OR (c > 100 AND c < 900). */
const BITS_PREDICATE: CheckedPredicate = { kind: 'or', args: [
  { kind: 'and', args: [
    { kind: 'compare', test: 'lt', negate: false, left: { kind: 'column', column: BITS_A }, right: { kind: 'constant', value: 0n } },
    { kind: 'compare', test: 'eq', negate: true, left: { kind: 'column', column: BITS_B }, right: { kind: 'column', column: BITS_A } },
  ] },
  { kind: 'compare', test: 'lt', negate: true, left: { kind: 'column', column: BITS_C }, right: { kind: 'constant', value: 500n } },
  { kind: 'and', args: [
    { kind: 'compare', test: 'lt', negate: false, left: { kind: 'constant', value: 100n }, right: { kind: 'column', column: BITS_C } },
    { kind: 'compare', test: 'lt', negate: false, left: { kind: 'column', column: BITS_C }, right: { kind: 'constant', value: 900n } },
  ] },
] };

const GROUP_SCHEMA = parseSchema({ version: 1, columns: [
  { name: 'k', nullable: true, type: 'category', dictionary: ['a', 'b', 'c', 'd', 'e'] },
  { name: 'f', nullable: false, type: 'boolean' },
  { name: 'v', nullable: true, type: 'integer', min: String(-(2n ** 24n)), max: String(2n ** 24n) },
] });
const GROUP_INPUT: CheckedScan = { op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema: GROUP_SCHEMA, rows: N }, columns: ['k', 'f', 'v'], type: tableType(GROUP_SCHEMA, N) };
const GROUP_AGGREGATES = [{ name: 'lo', fn: 'min', column: 'v' }, { name: 'hi', fn: 'max', column: 'v' }, { name: 'sd', fn: 'var', column: 'v' }];
const GROUP_ONE_HOT = checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, by: ['k', 'f'], aggregates: GROUP_AGGREGATES }, GROUP_INPUT, '/g', []);
const GROUP_WHOLE = checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates: GROUP_AGGREGATES }, GROUP_INPUT, '/g', []);
const CROSSTAB = checkCrosstab({ op: 'crosstab', input: { op: 'scan', table: 't' }, by: ['k', 'f'], suppress_below: 5 }, GROUP_INPUT, '/x', []);

/** A table of keys in their domains, values in range, nulls and a secret validity, all derived from the inputs. */
async function groupTable(s: Session, x: BigUint64Array, y: BigUint64Array): Promise<SecretTable> {
  const from2 = (v: BigUint64Array) => input(s, 2, s.me === 2 ? v : v.length);
  const [k, f, v] = GROUP_SCHEMA.columns;
  const keyNull = (e: bigint) => (e >> 7n) % 4n === 0n;
  const valuePresent = (e: bigint) => (e >> 5n) & 1n;
  return new SecretTable(N, [
    { schema: k, values: await from2(x.map((e) => (keyNull(e) ? 0n : e % 5n))), present: await from2(x.map((e) => (keyNull(e) ? 0n : 1n))) },
    { schema: f, values: await from2(y.map((e) => e & 1n)) },
    { schema: v, values: await from2(y.map((e) => (valuePresent(e) === 1n ? BigInt.asUintN(64, BigInt.asIntN(25, e)) : 0n))), present: await from2(y.map(valuePresent)) },
  ], { kind: 'secret', share: await from2(x.map((e) => (((e >> 11n) & 3n) === 0n ? 0n : 1n))) });
}

/** 0/1 flags with exactly half of them 1, at positions that depend on the values. */
function halfOnes(x: BigUint64Array): BigUint64Array {
  const order = [...x.keys()].sort((i, j) => (x[i] < x[j] ? -1 : x[i] > x[j] ? 1 : i - j));
  const out = new BigUint64Array(x.length);
  for (const i of order.slice(0, x.length >> 1)) out[i] = 1n;
  return out;
}

/** Keys with many repeats (groups), derived from the values; the first four are always distinct
 * (a join's primary keys). */
function few(x: BigUint64Array): BigUint64Array {
  return x.map((v, i) => (i < 4 ? BigInt(i) * 1000n + (v % 5n) : v % 5n));
}

/** Keys in the domain 0..9 (and two outside it), derived from the values. */
function inDomain(x: BigUint64Array): BigUint64Array {
  return x.map((v, i) => (i === 5 ? 1n << 40n : v % 11n));
}

for (const [name, body, make] of CASES) {
  test(`${name}: every party's view is independent of the inputs`, async () => {
    const vx = await views(body, ZEROS);
    const vy = await views(body, make);
    for (let p = 0; p < 3; p++) {
      if (vx[p].length === 0 && vy[p].length === 0) continue; // this party receives nothing here
      assertIndistinguishable(name, p, vx[p], vy[p]);
    }
  });
}

test('the test itself catches a protocol that leaks: a value masked only in its low bits', async () => {
  const leaky: Body = async (s, x) => {
    // Party 0 "masks" its input with 32 random bits only: the top bits travel in the clear.
    s.round();
    if (s.me === 0) {
      const m = s.prgOwn.words(x.length);
      const sent = new BigUint64Array(x.length);
      for (let i = 0; i < x.length; i++) sent[i] = x[i] ^ (m[i] & 0xffffffffn);
      s.send(1, sent);
    }
    if (s.me === 1) await s.recv(0, x.length);
  };
  const vx = await views(leaky, ZEROS);
  const vy = await views(leaky, RANDOM);
  assert.throws(() => assertIndistinguishable('leaky', 1, vx[1], vy[1]), /differs|frequency/);
});
