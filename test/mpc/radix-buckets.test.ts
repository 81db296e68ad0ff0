/**
 * The radix selection's bucket step (mpc/protocols/radix-buckets.ts) against a plaintext
 * histogram: per rank, the rows of its bucket (the rows whose top b bits equal those of the
 * value at that rank), the rank within the bucket and the bucket's top bits; ties, all-equal
 * columns, n = 1, rows across word boundaries, ranks 0 and n − 1, every b from 1 to 4.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { open, openBinary } from '../../src/mpc/protocols/io.js';
import { bucketBitsOf, bucketStep, type BucketColumn } from '../../src/mpc/protocols/radix-buckets.js';
import { valuePlanes } from '../../src/mpc/protocols/value-planes.js';
import { BShare } from '../../src/mpc/shares.js';
import { clearTail, wordsFor } from '../../src/ring/bits.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

interface PlainColumn {
  readonly keyBits: number;
  /** v − min, in [0, 2^keyBits). */
  readonly offsets: readonly bigint[];
  readonly ranks: readonly number[];
}

const columnArb: fc.Arbitrary<PlainColumn> = fc
  .record({ keyBits: fc.integer({ min: 1, max: 7 }), n: fc.oneof(fc.integer({ min: 1, max: 140 }), fc.constantFrom(1, 63, 64, 65, 128)) })
  .chain(({ keyBits, n }) => {
    const top = (1n << BigInt(keyBits)) - 1n;
    const value = fc.oneof(fc.bigInt({ min: 0n, max: top }), fc.constantFrom(0n, top));
    return fc.record({
      keyBits: fc.constant(keyBits),
      offsets: fc.oneof(fc.array(value, { minLength: n, maxLength: n }), value.map((v) => Array.from({ length: n }, () => v))),
      ranks: fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(0, n - 1)), { minLength: 1, maxLength: 8 }),
    });
  });

interface Opened {
  readonly masks: bigint[][];
  readonly rank: bigint[];
  readonly top: bigint[];
  readonly next: number;
}

async function run(columns: readonly PlainColumn[]): Promise<Opened> {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const shared = [];
    for (const c of columns) shared.push({ values: await secret(s, BigUint64Array.from(c.offsets), 1), min: 0n, bits: c.keyBits });
    const planes = await valuePlanes(s, shared);
    const step = await bucketStep(
      s,
      columns.map((c, k): BucketColumn => ({ planes: planes[k], keyBits: c.keyBits, rows: c.offsets.length, valid: validRows(c.offsets.length), ranks: c.ranks })),
      Math.max(2, ...columns.map((c) => c.offsets.length.toString(2).length + 1)),
      128_000,
      async (_f, masks) => masks.length,
    );
    const masks: bigint[][] = [];
    for (const m of step.masks) masks.push([...(await openBinary(s, new BShare(m.a, m.b)))]);
    return { masks, rank: [...(await open(s, step.rank))], top: [...(await open(s, step.top))], next: step.next };
  });
  return r;
}

function validRows(n: number): BigUint64Array {
  const words = new BigUint64Array(wordsFor(n)).fill((1n << 64n) - 1n);
  clearTail(words, n);
  return words;
}

/** The packed rows of a mask (row i at bit i & 63 of word i >>> 6). */
function rowsOf(words: readonly bigint[]): number[] {
  const out: number[] = [];
  words.forEach((w, k) => {
    for (let i = 0; i < 64; i++) if ((w >> BigInt(i)) & 1n) out.push(64 * k + i);
  });
  return out;
}

function expected(c: PlainColumn): { rows: number[]; rank: bigint; top: bigint }[] {
  const shift = BigInt(c.keyBits - bucketBitsOf(c.keyBits));
  const sorted = [...c.offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return c.ranks.map((r) => {
    const bucket = sorted[r] >> shift;
    const rows = c.offsets.flatMap((v, i) => (v >> shift === bucket ? [i] : []));
    const below = c.offsets.filter((v) => v >> shift < bucket).length;
    return { rows, rank: BigInt(r - below), top: bucket << shift };
  });
}

test('bucket step = a plaintext histogram of the top bits: each rank\'s bucket rows, its rank inside, the bucket\'s top bits (b = 1 to 4, ties, all equal, n = 1, word boundaries, ranks 0 and n − 1)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(columnArb, { minLength: 1, maxLength: 3 }), async (columns) => {
      const r = await run(columns);
      let q = 0;
      columns.forEach((c, k) => {
        for (const [i, e] of expected(c).entries()) {
          const what = `column ${k} (${c.keyBits} bits: ${c.offsets.join(',')}) rank ${c.ranks[i]}`;
          assert.deepEqual(rowsOf(r.masks[q]), e.rows, `${what}: mask`);
          assert.equal(r.rank[q], e.rank, `${what}: rank in the bucket`);
          assert.equal(r.top[q], e.top, `${what}: top bits`);
          q++;
        }
      });
      assert.equal(r.next, q, 'then() saw every mask');
    }),
    { numRuns: Math.max(25, RUNS) },
  );
});

test('the bucket step refuses a column without bit planes', async () => {
  const t = await trio();
  await assert.rejects(
    t.run(async (s) => bucketStep(s, [{ planes: [], keyBits: 0, rows: 1, valid: validRows(1), ranks: [0] }], 2, 0, async () => undefined)),
    (e: unknown) => e instanceof UsageError && /at least one bit plane/.test(e.message),
  );
});
