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

import { ONES } from '../../ring/bitops.js';
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
  const stack = (ws: readonly BShare[], c: 'a' | 'b'): BigUint64Array => {
    const out = new BigUint64Array(k * n);
    ws.forEach((w, i) => out.set(w[c], i * n));
    return out;
  };
  return lessThanStacked(s, new BShare(stack(x, 'a'), stack(x, 'b')), new BShare(stack(y, 'a'), stack(y, 'b')), k);
}

/**
 * The same on stacked operands: word w of element i at index w*n + i (n = length / words).
 * Consumes `x` (it is overwritten).
 */
export async function lessThanStacked(s: Session, x: BShare, y: BShare, words: number): Promise<BitShare> {
  const total = x.length;
  const n = total / words;
  if (!Number.isInteger(n) || y.length !== total) throw new UsageError('lessThanStacked: operand sizes do not match the word count');
  // NOT applies to component 0: party 0 holds it as a, party 2 as b. Then p = NOT x XOR y.
  const nxa = x.a, nxb = x.b;
  if (s.me === 0) for (let i = 0; i < total; i++) nxa[i] ^= ONES;
  if (s.me === 2) for (let i = 0; i < total; i++) nxb[i] ^= ONES;
  const pa = new BigUint64Array(total), pb = new BigUint64Array(total);
  const ya = y.a, yb = y.b;
  for (let i = 0; i < total; i++) {
    pa[i] = nxa[i] ^ ya[i];
    pb[i] = nxb[i] ^ yb[i];
  }
  const [ga, gb] = await andWords(s, nxa, nxb, ya, yb);
  const [G, P] = await carryTreeWithPropagate(s, new BShare(ga, gb), new BShare(pa, pb));
  let acc = sliceBits(G, (words - 1) * n, n);
  for (let w = words - 2; w >= 0; w--) {
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
