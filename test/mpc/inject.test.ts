import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, trio } from '../helpers/protocol.js';
import { inputBinary, open } from '../../src/mpc/protocols/io.js';
import { injectBits, injectLinear } from '../../src/mpc/protocols/inject.js';
import type { Session } from '../../src/mpc/session.js';
import { BitShare } from '../../src/mpc/shares.js';
import { packBits, wordsFor } from '../../src/ring/bits.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

async function sharedBits(s: Session, bits: readonly number[], owner: 0 | 1 | 2): Promise<BitShare> {
  const b = await inputBinary(s, owner, s.me === owner ? packBits(bits).words : wordsFor(bits.length));
  return new BitShare(b.a, b.b, bits.length);
}

const vectors = fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 0, maxLength: 130 }), { minLength: 1, maxLength: 4 });

test('injectBits into a lent buffer: the outputs are computed in place there, and equal the bits', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(vectors, fc.integer({ min: 0, max: 9 }), async (vs, spare) => {
      const words = 2 * vs.reduce((a, v) => a + v.length, 0) + spare;
      const [r] = await t.run(async (s) => {
        const bits = [];
        for (const [k, v] of vs.entries()) bits.push(await sharedBits(s, v, (k % 3) as 0 | 1 | 2));
        const into = new BigUint64Array(words);
        const out = await injectBits(s, bits, into);
        const inside = out.every((x) => x.a.buffer === into.buffer && x.b.buffer === into.buffer);
        return { inside, values: await Promise.all(out.map((x) => open(s, x))) };
      });
      assert.ok(r.inside, 'the outputs are views of the lent buffer');
      vs.forEach((v, k) => assert.deepEqual([...r.values[k]], v.map(BigInt)));
    }),
    { numRuns: RUNS },
  );
});

test('injectLinear: weighted sums of injected bits (the unpacking of packed sums), and a buffer too small is refused', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 40 }).chain((n) => fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 5 })), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), async (vs, constant) => {
      const [r] = await t.run(async (s) => {
        const bits = [];
        for (const v of vs) bits.push(await sharedBits(s, v, 1));
        const out = await injectLinear(s, bits, [{ terms: vs.map((_, k) => [k, 1n << BigInt(k)] as [number, bigint]), constant }, { terms: [[0, -3n]] }]);
        return Promise.all(out.map((x) => open(s, x)));
      });
      const n = vs[0].length;
      const weighted = Array.from({ length: n }, (_, i) => BigInt.asUintN(64, vs.reduce((acc, v, k) => acc + (BigInt(v[i]) << BigInt(k)), constant)));
      assert.deepEqual([...r[0]], weighted);
      assert.deepEqual([...r[1]], vs[0].map((b) => BigInt.asUintN(64, -3n * BigInt(b))));
    }),
    { numRuns: RUNS },
  );
  const [refused] = await t.run(async (s) => {
    const bits = [await sharedBits(s, [1, 0, 1], 0)];
    try {
      await injectBits(s, bits, new BigUint64Array(5));
      return 'accepted';
    } catch (e) {
      return e instanceof UsageError ? 'refused' : String(e);
    }
  });
  assert.equal(refused, 'refused');
});

test('injectBits over long vectors: the wasm kernels\' chunks of 8,192 elements, role thirds and vector boundaries off word edges (lengths 30,001, 7, 64, 20,000, 1 and 65,537 in one call)', async () => {
  const t = await trio();
  const lengths = [30_001, 7, 64, 20_000, 1, 65_537];
  const vs = lengths.map((n, k) => Array.from({ length: n }, (_, i) => ((i * 2654435761 + k * 40503) >>> 13) & 1));
  const [r] = await t.run(async (s) => {
    const bits = [];
    for (const [k, v] of vs.entries()) bits.push(await sharedBits(s, v, (k % 3) as 0 | 1 | 2));
    const out = await injectBits(s, bits);
    return Promise.all(out.map((x) => open(s, x)));
  });
  vs.forEach((v, k) => assert.deepEqual([...r[k]], v.map(BigInt), `vector ${k} of ${v.length} bits`));
});
