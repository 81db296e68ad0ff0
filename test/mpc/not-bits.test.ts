/**
 * notBits (mpc/sharing.ts): each party flips only the component it holds as component 0, so the
 * three parties' shares reconstruct to the complement of the bits, with the words past `length`
 * left zero, and the replication (party i's b is party i+1's a) holds.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { PartyId } from '../../src/mpc/party.js';
import { notBits } from '../../src/mpc/sharing.js';
import { BitShare } from '../../src/mpc/shares.js';
import { clearTail, wordsFor } from '../../src/ring/bits.js';

function randomWords(bits: number): BigUint64Array {
  const words = new BigUint64Array(randomBytes(8 * wordsFor(bits)).buffer);
  clearTail(words, bits);
  return words;
}

test('notBits complements shared bits, every length across word edges', () => {
  for (const bits of [1, 63, 64, 65, 200, 4096 + 7]) {
    const c = [randomWords(bits), randomWords(bits), randomWords(bits)];
    const before = c.map((w) => w.slice());
    const shares = ([0, 1, 2] as PartyId[]).map((p) => notBits(p, new BitShare(c[p], c[(p + 1) % 3], bits)));
    for (let p = 0; p < 3; p++) assert.deepEqual(shares[p].b, shares[(p + 1) % 3].a, `replication, party ${p}`);
    const words = wordsFor(bits);
    for (let k = 0; k < words; k++) {
      const x = c[0][k] ^ c[1][k] ^ c[2][k];
      const valid = k < words - 1 || bits % 64 === 0 ? (1n << 64n) - 1n : (1n << BigInt(bits % 64)) - 1n;
      assert.equal(shares[0].a[k] ^ shares[1].a[k] ^ shares[2].a[k], ~x & valid, `word ${k} of ${bits} bits`);
    }
    assert.deepEqual(c, before, 'the inputs are left as they were');
  }
});
