/**
 * Order statistics by the oblivious bitwise search (mpc/protocols/radix-select.ts) against a
 * plaintext sort, and what a party receives: message sizes fixed by n, the width and the ranks,
 * and every received byte uniform whatever the values (two very different inputs compared).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { localTrio } from '../../src/mpc/local.js';
import { open } from '../../src/mpc/protocols/io.js';
import { selectRanks, type RankedColumn } from '../../src/mpc/protocols/radix-select.js';
import { UsageError } from '../../src/errors.js';
import { radixCost } from '../../src/plan/cost-quantile.js';

after(closeTrio);

const ring = (v: bigint): bigint => BigInt.asUintN(64, v);

interface PlainColumn {
  readonly min: bigint;
  readonly keyBits: number;
  readonly values: readonly bigint[];
  readonly ranks: readonly number[];
}

/** Columns with ties, both range ends, negative minimums, n = 1, odd n, the ranks 0 and n − 1. */
const columnArb: fc.Arbitrary<PlainColumn> = fc
  .record({ min: fc.bigInt({ min: -(1n << 40n), max: 1000n }), keyBits: fc.constantFrom(0, 1, 3, 12, 33, 48), n: fc.integer({ min: 1, max: 150 }) })
  .chain(({ min, keyBits, n }) => {
    const top = min + (1n << BigInt(keyBits)) - 1n;
    const value = fc.oneof(fc.bigInt({ min, max: top }), fc.constantFrom(min, top), fc.constantFrom(min + (1n << BigInt(keyBits)) / 2n));
    return fc.record({
      min: fc.constant(min),
      keyBits: fc.constant(keyBits),
      values: fc.oneof(fc.array(value, { minLength: n, maxLength: n }), value.map((v) => Array.from({ length: n }, () => v))),
      ranks: fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(0, n - 1)), { minLength: 1, maxLength: 8 }),
    });
  });

async function run(columns: readonly PlainColumn[]): Promise<bigint[][]> {
  return (await runWithRounds(columns)).values;
}

/** The selected values and the rounds selectRanks took. */
async function runWithRounds(columns: readonly PlainColumn[]): Promise<{ values: bigint[][]; rounds: number }> {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const shared: RankedColumn[] = [];
    for (const c of columns) shared.push({ values: await secret(s, BigUint64Array.from(c.values.map(ring)), 1), min: c.min, keyBits: c.keyBits, ranks: c.ranks });
    const before = s.stats.rounds;
    const out = await selectRanks(s, shared);
    const rounds = s.stats.rounds - before;
    const values: bigint[][] = [];
    for (const v of out.values) values.push([...(await open(s, v))].map((x) => BigInt.asIntN(64, x)));
    return { values, rounds };
  });
  return r;
}

const sortedOf = (values: readonly bigint[]): bigint[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

test('selected order statistics = a plaintext sort at those ranks (ties, all equal, n = 1, odd n, range ends, negative ranges, several widths at once)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(columnArb, { minLength: 1, maxLength: 3 }), async (columns) => {
      const r = await run(columns);
      columns.forEach((c, j) => {
        const sorted = sortedOf(c.values);
        assert.deepEqual(r[j], c.ranks.map((k) => sorted[k]), `column ${j}: ${c.values.join(',')} at ${c.ranks.join(',')}`);
      });
    }),
    { numRuns: Math.max(20, RUNS) },
  );
});

test('edge columns: a 64-bit range at both ends, a zero-width range, one row, rows across word boundaries, describe ranks of 1,000 rows', async () => {
  const min64 = -(1n << 63n), max64 = (1n << 63n) - 1n;
  const n = 1000;
  const wide = Array.from({ length: n }, (_, i) => BigInt((i * 7919) % 997) * 3n - 1500n);
  const ranks = [0, 249, 250, 499, 500, 749, 750, n - 1];
  const columns: PlainColumn[] = [
    { min: min64, keyBits: 64, values: [max64, min64, 0n, -1n, max64, min64 + 1n, 1n], ranks: [0, 1, 3, 5, 6] },
    { min: 5n, keyBits: 0, values: [5n, 5n, 5n], ranks: [0, 2] },
    { min: -3n, keyBits: 2, values: [0n], ranks: [0] },
    { min: -2000n, keyBits: 12, values: wide, ranks },
    { min: 0n, keyBits: 7, values: Array.from({ length: 129 }, (_, i) => BigInt(127 - (i % 128))), ranks: [0, 64, 127, 128] },
  ];
  const r = await run(columns);
  columns.forEach((c, j) => assert.deepEqual(r[j], c.ranks.map((k) => sortedOf(c.values)[k]), `column ${j}`));
});

test('large columns whose counts stop the carry-save tree early (2^15 rows: ties, a narrow and a wide range, a column that starts lower, all describe ranks)', async () => {
  // 2^15 rows are 512 words a vector: enough full adders that the tree runs some layers and
  // stops before its end (RADIX_ROUND_BYTES), injecting the words left.
  const n = 1 << 15;
  let x = 0x2545f4914f6cdd1dn;
  const next = (): bigint => (x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n));
  const ranks = [0, 8191, 8192, 16383, 16384, 24575, 24576, n - 1];
  const columns: PlainColumn[] = [
    { min: -1000n, keyBits: 11, values: Array.from({ length: n }, () => (next() >> 53n) - 1000n), ranks },
    { min: -(1n << 40n), keyBits: 41, values: Array.from({ length: n }, () => (next() >> 23n) - (1n << 40n)), ranks },
    { min: 0n, keyBits: 5, values: Array.from({ length: n - 1 }, () => next() >> 59n), ranks: [0, 1, 16382, n - 2] },
  ];
  const r = await run(columns);
  columns.forEach((c, j) => assert.deepEqual(r[j], c.ranks.map((k) => sortedOf(c.values)[k]), `column ${j}`));
});

test('the rounds taken are exactly the plan\'s estimate (plan/cost-quantile.ts radixCost): describe\'s 5 columns × 8 ranks at 1,000 and 2^15 rows, a 24-bit median pair, a 3-bit column', async () => {
  let x = 0x9e3779b97f4a7c15n;
  const next = (): bigint => (x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n));
  const shapes = [
    { n: 1000, keyBits: 18, columns: 5, ranks: [0, 249, 250, 499, 500, 749, 750, 999] },
    { n: 1 << 15, keyBits: 18, columns: 5, ranks: [0, 8191, 8192, 16383, 16384, 24575, 24576, (1 << 15) - 1] },
    { n: 3001, keyBits: 24, columns: 1, ranks: [1500, 1501] },
    { n: 70, keyBits: 3, columns: 2, ranks: [0, 69] },
  ];
  for (const { n, keyBits, columns, ranks } of shapes) {
    const plain: PlainColumn[] = Array.from({ length: columns }, () => ({ min: -5n, keyBits, values: Array.from({ length: n }, () => (next() >> BigInt(64 - keyBits)) - 5n), ranks }));
    const r = await runWithRounds(plain);
    plain.forEach((c, j) => assert.deepEqual(r.values[j], c.ranks.map((k) => sortedOf(c.values)[k]), `${n} rows, column ${j}`));
    assert.equal(r.rounds, radixCost(n, keyBits, ranks.length, columns, columns * ranks.length).rounds, `${n} rows × ${columns} columns of ${keyBits} bits`);
  }
});

test('a rank outside [0, n) or a range wider than 64 bits is refused with a UsageError', async () => {
  const t = await trio();
  await assert.rejects(
    t.run(async (s) => selectRanks(s, [{ values: await secret(s, BigUint64Array.of(1n, 2n), 0), min: 0n, keyBits: 2, ranks: [2] }])),
    (e: unknown) => e instanceof UsageError && /rank 2 is outside \[0, 2\)/.test(e.message),
  );
  await assert.rejects(
    t.run(async (s) => selectRanks(s, [{ values: await secret(s, BigUint64Array.of(1n), 0), min: 0n, keyBits: 65, ranks: [0] }])),
    (e: unknown) => e instanceof UsageError && /declare a narrower range/.test(e.message),
  );
});

/** Bytes of every message each party receives during the selection, and their sizes in order. */
async function views(values: readonly bigint[], ranks: readonly number[], keyBits: number): Promise<{ bytes: Uint8Array[]; sizes: number[][] }> {
  const received: Uint8Array[][] = [[], [], []];
  let recording = false;
  const tapped = await localTrio({
    timeoutMs: 60_000,
    tap: (to, _from, _session, payload) => {
      if (recording) received[to].push(payload.slice());
    },
  });
  try {
    // The input's messages are recorded too (uniform shares); nothing is opened.
    recording = true;
    await tapped.run(async (s) => {
      const x = await secret(s, BigUint64Array.from(values.map(ring)), 0);
      await selectRanks(s, [{ values: x, min: -100n, keyBits, ranks }]);
    });
  } finally {
    recording = false;
    tapped.close();
  }
  const bytes = received.map((messages) => {
    const all = new Uint8Array(messages.reduce((acc, m) => acc + m.byteLength, 0));
    let at = 0;
    for (const m of messages) {
      all.set(m, at);
      at += m.byteLength;
    }
    return all;
  });
  return { bytes, sizes: received.map((messages) => messages.map((m) => m.byteLength)) };
}

/** Pearson's chi-square of the byte values against the uniform distribution (255 degrees of freedom). */
function chiSquare(bytes: Uint8Array): number {
  const counts = new Float64Array(256);
  for (const b of bytes) counts[b]++;
  const expected = bytes.length / 256;
  let x2 = 0;
  for (const c of counts) x2 += ((c - expected) * (c - expected)) / expected;
  return x2;
}

test('view independence: for an all-equal column and a spread one, every party receives messages of the same sizes in the same order, and their bytes are uniform', async () => {
  const n = 700;
  const ranks = [0, 174, 175, 349, 350, 524, 525, n - 1];
  const constant = Array.from({ length: n }, () => 17n);
  const spread = Array.from({ length: n }, (_, i) => BigInt((i * 389) % 1024) - 100n);
  const a = await views(constant, ranks, 10);
  const b = await views(spread, ranks, 10);
  for (let party = 0; party < 3; party++) {
    assert.deepEqual(a.sizes[party], b.sizes[party], `party ${party}: the message schedule depends on the values`);
    for (const [name, v] of [['constant', a], ['spread', b]] as const) {
      assert.ok(v.bytes[party].length > 100_000, `party ${party} received ${v.bytes[party].length} bytes`);
      // 255 degrees of freedom: the 99.99th percentile is ~363; uniform bytes stay below it.
      const x2 = chiSquare(v.bytes[party]);
      assert.ok(x2 < 363, `party ${party}, ${name} column: chi-square ${x2.toFixed(0)} of the received bytes against uniform`);
    }
  }
});
