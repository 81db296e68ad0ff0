/**
 * Counts compared with ranks from the counts' injected addends (mpc/protocols/count-compare.ts,
 * after popcount-packed.ts's trees and inject-sum.ts's injectWeightedAddends) against plaintext:
 * each count exact and [k >= c] for every output, at k = c, c ± 1, 0, the largest difference
 * the bits allow either way, on 8-, 16- and 32-bit lanes, with outputs in all three roles; and
 * the rounds: 1 for the injection, 2 + log2(lane) for the comparison; the roles rotated.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, trio } from '../helpers/protocol.js';
import { input, inputBinary, open, openBits } from '../../src/mpc/protocols/io.js';
import { popcountWords } from '../../src/mpc/protocols/popcount-packed.js';
import { injectWeightedAddends } from '../../src/mpc/protocols/inject-sum.js';
import { countsAgainstRanks } from '../../src/mpc/protocols/count-compare.js';

after(closeTrio);

const ONES = (1n << 64n) - 1n;

function ones(words: readonly bigint[]): bigint {
  let count = 0n;
  for (let w of words) for (; w > 0n; w >>= 1n) count += w & 1n;
  return count;
}

/** Each vector's count, [rank >= count], and the rounds of the injection and of the comparison. */
async function compared(vectors: readonly (readonly bigint[])[], ranks: readonly bigint[], bits: number, roundBytes = 0, rotation = 0): Promise<{ counts: bigint[]; atLeast: boolean[]; rounds: [number, number] }> {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const shared = [];
    for (const v of vectors) shared.push(await inputBinary(s, 2, s.me === 2 ? BigUint64Array.from(v) : v.length));
    const k = await input(s, 1, s.me === 1 ? BigUint64Array.from(ranks) : ranks.length);
    const words = await popcountWords(s, shared, roundBytes);
    const before = s.stats.rounds;
    const addends = await injectWeightedAddends(s, words, rotation);
    const injected = s.stats.rounds;
    const { count, atLeast } = await countsAgainstRanks(s, addends, k, bits);
    const rounds: [number, number] = [injected - before, s.stats.rounds - injected];
    const bitsOpen = await openBits(s, atLeast);
    return { counts: [...(await open(s, count))], atLeast: ranks.map((_, i) => ((bitsOpen[i >>> 6] >> BigInt(i & 63)) & 1n) === 1n), rounds };
  });
  return r;
}

const wordArb = fc.oneof(fc.bigInt({ min: 0n, max: ONES }), fc.constantFrom(0n, ONES, 1n, 1n << 63n));

test('countsAgainstRanks = each popcount and [k >= c], k around c (equal, ±1, 0, the bound either way), on 8-, 16- and 32-bit lanes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 12 }).chain((outputs) =>
        fc.tuple(
          fc.array(fc.integer({ min: 1, max: 6 }).chain((words) => fc.array(wordArb, { minLength: words, maxLength: words })), { minLength: outputs, maxLength: outputs }),
          fc.array(fc.oneof(fc.constantFrom('equal', 'below', 'above', 'zero', 'lowest', 'highest'), fc.integer({ min: -400, max: 400 })), { minLength: outputs, maxLength: outputs }),
          fc.constantFrom(10, 12, 16, 17, 24, 32, 0),
          fc.integer({ min: 0, max: 5 }),
        ),
      ),
      async ([vectors, offsets, wanted, rotation]) => {
        const counts = vectors.map(ones);
        // The narrowest comparison the counts allow (bitLength(max count) + 1), or a wider one.
        const bits = Math.max(wanted, counts.reduce((m, c) => (c > m ? c : m), 0n).toString(2).length + 1, 2);
        const bound = (1n << BigInt(bits - 1)) - 1n;
        const ranks = counts.map((c, i) => {
          const o = offsets[i];
          const k = o === 'equal' ? c : o === 'below' ? c - 1n : o === 'above' ? c + 1n : o === 'zero' ? 0n : o === 'lowest' ? c - bound : o === 'highest' ? c + bound : c + BigInt(o);
          return k < c - bound ? c - bound : k > c + bound ? c + bound : k;
        });
        const r = await compared(vectors, ranks.map((k) => BigInt.asUintN(64, k)), bits, 0, rotation);
        assert.deepEqual(r.counts, counts);
        assert.deepEqual(r.atLeast, ranks.map((k, i) => k >= counts[i]));
        const lane = bits <= 8 ? 8 : bits <= 16 ? 16 : 32;
        assert.deepEqual(r.rounds, [1, 2 + Math.log2(lane)]);
      },
    ),
    { numRuns: Math.max(20, RUNS) },
  );
});

test('countsAgainstRanks at 2^14-word vectors (2^20 bits) with the trees stopped early: all ones against k = 2^20 and 2^20 − 1, a random vector against its own count', async () => {
  const full = Array<bigint>(1 << 14).fill(ONES);
  let x = 0x9e3779b97f4a7c15n;
  const random = Array.from({ length: 1 << 14 }, () => (x = (x * 6364136223846793005n + 1442695040888963407n) & ONES));
  const c = ones(random);
  const vectors = [full, full, random, random, random];
  const ranks = [1n << 20n, (1n << 20n) - 1n, c, c - 1n, 0n];
  const r = await compared(vectors, ranks, 22, 128_000);
  assert.deepEqual(r.counts, [1n << 20n, 1n << 20n, c, c, c]);
  assert.deepEqual(r.atLeast, [true, false, true, false, false]);
});
