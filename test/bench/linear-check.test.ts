/**
 * The back-to-back benchmark's check (bench/linear-check.ts): the parties' random linear
 * combinations of a correct multiplication's shares open to those of the plaintext product, and
 * a product wrong in one word of one party's share is reported.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mul } from '../../src/mpc/protocols/arith.js';
import { open, randomA } from '../../src/mpc/protocols/io.js';
import { AShare } from '../../src/mpc/shares.js';
import { LinearCheck } from '../../bench/linear-check.js';
import { closeTrio, trio } from '../helpers/protocol.js';

after(closeTrio);

/** Three multiplications of n words checked together; `corrupt` changes one party's share of the second. */
async function checked(n: number, corrupt?: { party: number; row: number; by: bigint }): Promise<void> {
  const t = await trio();
  await t.run(async (s) => {
    const x = randomA(s, n), y = randomA(s, n);
    const [a, b] = [await open(s, x), await open(s, y)];
    const plaintext = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, a[i] * b[i]));
    const linear = await LinearCheck.start(s, n);
    for (let r = 0; r < 3; r++) {
      const z = await mul(s, x, y);
      if (r === 1 && corrupt !== undefined && s.me === corrupt.party) z.a[corrupt.row] += corrupt.by;
      linear.add(new AShare(z.a, z.b));
    }
    await linear.verify(s, 'mul', linear.expected(plaintext));
  });
}

test('a correct multiplication passes the linear check', async () => {
  await checked(1000);
});

test('a multiplication wrong in one word of one share fails the linear check, naming the repetition', async () => {
  for (const party of [0, 1, 2]) {
    await assert.rejects(checked(1000, { party, row: 17 * party + 5, by: 1n }), /mul gave a wrong result in repetition 1 of 3/);
  }
});
