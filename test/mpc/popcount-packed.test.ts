/**
 * Secret popcounts of packed bits (mpc/protocols/popcount-packed.ts: carry-save trees, trees of
 * equal length run as one, the last words injected with their weights, inject-sum.ts) against
 * a plaintext count: vectors of different lengths in one call (several groups), all zeros, all
 * ones, one word, lengths that leave 0, 1 or 2 words at a weight; trees stopped early by the
 * worth of a round (roundBytes) count the same, in the layers treeShape predicts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, trio } from '../helpers/protocol.js';
import { inputBinary, open } from '../../src/mpc/protocols/io.js';
import { INJECTED_WORD_EXTRA_BYTES, popcounts, treeShape } from '../../src/mpc/protocols/popcount-packed.js';

after(closeTrio);

const wordArb = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, (1n << 64n) - 1n, 1n, 1n << 63n));
const vectorArb = fc.integer({ min: 1, max: 40 }).chain((words) => fc.oneof(fc.array(wordArb, { minLength: words, maxLength: words }), fc.constantFrom(Array(words).fill(0n), Array(words).fill((1n << 64n) - 1n))));

function ones(words: readonly bigint[]): bigint {
  let count = 0n;
  for (let w of words) for (; w > 0n; w >>= 1n) count += w & 1n;
  return count;
}

async function counted(vectors: readonly (readonly bigint[])[], roundBytes = 0): Promise<bigint[]> {
  return (await countedWithRounds(vectors, roundBytes)).counts;
}

/** The counts and the rounds the popcount took (its layers, then the injection's 2). */
async function countedWithRounds(vectors: readonly (readonly bigint[])[], roundBytes: number): Promise<{ counts: bigint[]; rounds: number }> {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const shared = [];
    for (const v of vectors) shared.push(await inputBinary(s, 2, s.me === 2 ? BigUint64Array.from(v) : v.length));
    const before = s.stats.rounds;
    const count = await popcounts(s, shared, roundBytes);
    const rounds = s.stats.rounds - before;
    return { counts: [...(await open(s, count))], rounds };
  });
  return r;
}

test('popcounts = the plaintext number of 1 bits of every vector, several lengths in one call', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(vectorArb, { minLength: 1, maxLength: 6 }), async (vectors) => {
      assert.deepEqual(await counted(vectors), vectors.map(ones));
    }),
    { numRuns: Math.max(20, RUNS) },
  );
});

test('popcounts of 2^14 words (2^20 bits): all ones counts 2^20 exactly, beside a random vector and a short one', async () => {
  const full = Array<bigint>(1 << 14).fill((1n << 64n) - 1n);
  let x = 0x9e3779b97f4a7c15n;
  const random = Array.from({ length: 1 << 14 }, () => (x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n)));
  const short = [5n, 0n, 7n];
  assert.deepEqual(await counted([full, random, short]), [1n << 20n, ones(random), 5n]);
});

test('popcounts stopped early by the worth of a round count exactly, in the layers treeShape predicts', async () => {
  // roundBytes in units of a word's extra injection cost: 0 (full tree) up to more than any layer saves.
  const roundArb = fc.constantFrom(0, 1, 2, 5, 17, 60, 1000).map((words) => words * INJECTED_WORD_EXTRA_BYTES);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 4 }), roundArb, fc.integer({ min: 0, max: 2 ** 31 }), async (words, vectors, roundBytes, seed) => {
      let x = BigInt(seed) | 1n;
      const all = Array.from({ length: vectors }, (_, v) =>
        Array.from({ length: words }, () => (v === 0 ? (1n << 64n) - 1n : (x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n)))),
      );
      const { counts, rounds } = await countedWithRounds(all, roundBytes);
      assert.deepEqual(counts, all.map(ones));
      assert.equal(rounds, treeShape(words, vectors, roundBytes).layers + 2);
    }),
    { numRuns: Math.max(15, RUNS) },
  );
});

test('treeShape: no round value stops a full tree; a higher one stops it earlier and injects more words', () => {
  const full = treeShape(16384, 40, 0), cut = treeShape(16384, 40, 128_000), cutMore = treeShape(16384, 40, 512_000);
  assert.equal(full.layers, 13);
  assert.ok(cut.layers < full.layers && cut.injectedWords > full.injectedWords);
  assert.ok(cutMore.layers < cut.layers && cutMore.injectedWords > cut.injectedWords);
  assert.deepEqual(treeShape(2, 3, 0), { layers: 0, injectedWords: 6 });
});

test('popcounts of vectors lying one after the other in one array (read in place): the same counts, the vectors left as they were', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 5 * INJECTED_WORD_EXTRA_BYTES), fc.integer({ min: 0, max: 2 ** 31 }), async (words, vectors, roundBytes, seed) => {
      let x = BigInt(seed) | 1n;
      const all = Array.from({ length: vectors }, (_, v) => Array.from({ length: words }, () => (v === 1 ? (1n << 64n) - 1n : (x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n)))));
      const t = await trio();
      const [r] = await t.run(async (s) => {
        const joined = await inputBinary(s, 1, s.me === 1 ? BigUint64Array.from(all.flat()) : words * vectors);
        const views = all.map((_, v) => ({ a: joined.a.subarray(v * words, (v + 1) * words), b: joined.b.subarray(v * words, (v + 1) * words) }));
        const before = [joined.a.slice(), joined.b.slice()];
        const count = await popcounts(s, views, roundBytes);
        return { counts: [...(await open(s, count))], untouched: before[0].every((w, i) => w === joined.a[i]) && before[1].every((w, i) => w === joined.b[i]) };
      });
      assert.deepEqual(r.counts, all.map(ones));
      assert.ok(r.untouched);
    }),
    { numRuns: Math.max(15, RUNS) },
  );
});
