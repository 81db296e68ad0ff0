import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, trio } from '../helpers/protocol.js';
import { inputBinary } from '../../src/mpc/protocols/io.js';
import { countOnes } from '../../src/mpc/protocols/count-ones.js';
import type { Session } from '../../src/mpc/session.js';
import { BitShare } from '../../src/mpc/shares.js';
import { packBits, wordsFor } from '../../src/ring/bits.js';

after(closeTrio);

/** Shared bits from `owner`, with the unused bits of the last word set (they must not count). */
async function sharedBits(s: Session, bits: readonly number[], owner: 0 | 1 | 2): Promise<BitShare> {
  const words = packBits(bits).words;
  if (bits.length % 64 !== 0) words[words.length - 1] |= ~((1n << BigInt(bits.length % 64)) - 1n) & 0xffffffffffffffffn;
  const b = await inputBinary(s, owner, s.me === owner ? words : wordsFor(bits.length));
  return new BitShare(b.a, b.b, bits.length);
}

const bitVectors = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 300 }),
  fc.integer({ min: 0, max: 300 }).map((n) => new Array<number>(n).fill(1)),
  fc.integer({ min: 0, max: 300 }).map((n) => new Array<number>(n).fill(0)),
);

test('countOnes opens the number of 1 bits, in 2 rounds, sending 4 bytes per bit of its third and two 4-byte addends', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(bitVectors, fc.constantFrom(0, 1, 2), async (bits, owner) => {
      const out = await t.run(async (s) => {
        const shared = await sharedBits(s, bits, owner as 0 | 1 | 2);
        const r0 = s.stats.rounds, b0 = s.stats.bytesSent;
        const count = await countOnes(s, shared);
        return { count, rounds: s.stats.rounds - r0, bytes: s.stats.bytesSent - b0 };
      });
      const want = bits.filter((b) => b === 1).length;
      for (const r of out) {
        assert.equal(r.count, want);
        assert.equal(r.rounds, 2);
        assert.ok(r.bytes <= 4 * (Math.ceil(bits.length / 96) * 32) + 8, `party sent ${r.bytes} bytes for ${bits.length} bits`);
      }
    }),
    { numRuns: RUNS },
  );
});

test('countOnes over many bits (chunks of 32-bit words, counts above 2^16)', async () => {
  const t = await trio();
  const n = 100_003;
  const bits = Array.from({ length: n }, (_, i) => ((i * 7919) % 3 === 0 ? 1 : 0));
  const [count] = await t.run(async (s) => countOnes(s, await sharedBits(s, bits, 1)));
  assert.equal(count, bits.filter((b) => b === 1).length);
});
