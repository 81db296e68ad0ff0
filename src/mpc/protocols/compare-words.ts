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
import { carryTrees } from './carry-tree.js';

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

/**
 * (key, index) < (key', index') for 64-bit keys and indices below 2^32: the sort's comparator.
 * The index tree works on 32-bit elements packed two per word (carry-tree.ts), so a comparison
 * costs 1.5 words of tree instead of 2. `ix`/`iy` hold the indices' binary shares in the layout
 * of `packHalves`. Rounds: 1 (generate) + 6 (trees, in lockstep) + 1 (combine) = 8.
 */
export async function lessThanKeyIndex(s: Session, kx: BShare, ky: BShare, ix: BShare, iy: BShare, n: number): Promise<BitShare> {
  const W = ix.length;
  // NOT x on component 0 (party 0's a, party 2's b), then p = NOT x XOR y, g = NOT x AND y.
  const nxa = concatWords(kx.a, ix.a), nxb = concatWords(kx.b, ix.b);
  if (s.me === 0) for (let i = 0; i < nxa.length; i++) nxa[i] ^= ONES;
  if (s.me === 2) for (let i = 0; i < nxb.length; i++) nxb[i] ^= ONES;
  const ya = concatWords(ky.a, iy.a), yb = concatWords(ky.b, iy.b);
  const pa = new BigUint64Array(n + W), pb = new BigUint64Array(n + W);
  for (let i = 0; i < pa.length; i++) {
    pa[i] = nxa[i] ^ ya[i];
    pb[i] = nxb[i] ^ yb[i];
  }
  const [ga, gb] = await andWords(s, nxa, nxb, ya, yb);
  const view = (v: BigUint64Array, from: number, to: number): BigUint64Array => v.subarray(from, to);
  const [key, index] = await carryTrees(s, [
    { g: new BShare(view(ga, 0, n), view(gb, 0, n)), p: new BShare(view(pa, 0, n), view(pb, 0, n)), n, width: 64, withP: true },
    { g: new BShare(view(ga, n, n + W), view(gb, n, n + W)), p: new BShare(view(pa, n, n + W), view(pb, n, n + W)), n, width: 32 },
  ]);
  const t = await andBits(s, key.p!, index.g);
  for (let i = 0; i < t.a.length; i++) {
    t.a[i] ^= key.g.a[i];
    t.b[i] ^= key.g.b[i];
  }
  return t;
}

function concatWords(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
