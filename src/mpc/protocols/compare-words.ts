/**
 * Less-than of binary-shared values made of several 64-bit words (most significant first),
 * unsigned and lexicographic: the comparator behind sorting by (key, row index).
 *
 * For one word, x < y iff at the highest differing bit x has 0 and y has 1: per bit,
 * generate g = NOT x AND y and propagate p = NOT (x XOR y); the carry tree's group generate is
 * the answer and its group propagate says "all bits equal". Words combine from the least
 * significant: lt = G_hi ^ (P_hi AND lt_lo). Rounds: 1 + 6 + (words - 1);
 * bytes per element: about 24 per word.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { BShare, BitShare, sliceBits } from '../shares.js';
import { andBits, andWords } from './binary.js';
import { carryTreeWithPropagate } from './compare.js';

export async function lessThanWords(s: Session, x: readonly BShare[], y: readonly BShare[]): Promise<BitShare> {
  const k = x.length;
  if (k === 0 || y.length !== k) throw new UsageError(`lessThanWords: need the same positive number of words on both sides (${k} vs ${y.length})`);
  const n = x[0].length;
  for (const w of [...x, ...y]) if (w.length !== n) throw new UsageError('lessThanWords: words differ in length');
  const total = k * n;
  const nxa = new BigUint64Array(total), nxb = new BigUint64Array(total);
  const ya = new BigUint64Array(total), yb = new BigUint64Array(total);
  const pa = new BigUint64Array(total), pb = new BigUint64Array(total);
  // NOT applies to component 0: party 0 holds it as a, party 2 as b.
  const flipA = s.me === 0 ? ~0n : 0n, flipB = s.me === 2 ? ~0n : 0n;
  for (let w = 0; w < k; w++) {
    const o = w * n;
    const X = x[w], Y = y[w];
    for (let i = 0; i < n; i++) {
      const xa = X.a[i] ^ flipA, xb = X.b[i] ^ flipB;
      nxa[o + i] = xa;
      nxb[o + i] = xb;
      ya[o + i] = Y.a[i];
      yb[o + i] = Y.b[i];
      pa[o + i] = xa ^ Y.a[i];
      pb[o + i] = xb ^ Y.b[i];
    }
  }
  const [ga, gb] = await andWords(s, nxa, nxb, ya, yb);
  const [G, P] = await carryTreeWithPropagate(s, new BShare(ga, gb), new BShare(pa, pb));
  let acc = sliceBits(G, (k - 1) * n, n);
  for (let w = k - 2; w >= 0; w--) {
    const pw = sliceBits(P, w * n, n), gw = sliceBits(G, w * n, n);
    const t = await andBits(s, pw, acc);
    for (let i = 0; i < t.a.length; i++) {
      t.a[i] ^= gw.a[i];
      t.b[i] ^= gw.b[i];
    }
    acc = t;
  }
  return acc;
}
