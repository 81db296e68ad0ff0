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

import { ONES, POW2 } from '../../ring/bitops.js';
import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { BShare, BitShare, sliceBits } from '../shares.js';
import { andBits, andWords } from './binary.js';
import { carryTreeWithPropagate } from './compare.js';
import { carryTrees, paddedWords } from './carry-tree.js';
import { xorKernel } from './kernels.js';

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
 * costs 1.5 words of tree instead of 2. All operands are n words (indices in the low 32 bits);
 * the packing happens here, in the same pass that forms NOT x and p.
 * Rounds: 1 (generate) + 6 (trees, in lockstep) + 1 (combine) = 8.
 */
export async function lessThanKeyIndex(s: Session, kx: BShare, ky: BShare, ix: BShare, iy: BShare, n: number): Promise<BitShare> {
  const W = paddedWords(n, 32);
  const total = n + W;
  // Operands never leave the party: pooled memory (the sort calls this once per level).
  const scratch = s.party.scratch.take(6 * total);
  try {
    const part = (k: number): BigUint64Array => scratch.subarray(k * total, (k + 1) * total);
    // Key words at [0, n), packed index words at [n, n + W). NOT applies to component 0 (party
    // 0's a, party 2's b); p = NOT x XOR y and g = NOT x AND y.
    const nxa = part(0), nxb = part(1), ya = part(2), yb = part(3), pa = part(4), pb = part(5);
    const flipA = s.me === 0 ? ONES : 0n, flipB = s.me === 2 ? ONES : 0n;
    keyOperands(kx.a, ky.a, flipA, nxa, ya, n);
    keyOperands(kx.b, ky.b, flipB, nxb, yb, n);
    indexOperands(ix.a, iy.a, flipA, nxa, ya, n, W);
    indexOperands(ix.b, iy.b, flipB, nxb, yb, n, W);
    xorKernel(pa, nxa, ya);
    xorKernel(pb, nxb, yb);
    const [ga, gb] = await andWords(s, nxa, nxb, ya, yb);
    const view = (v: BigUint64Array, from: number, to: number): BigUint64Array => v.subarray(from, to);
    const [key, index] = await carryTrees(s, [
      { g: new BShare(view(ga, 0, n), view(gb, 0, n)), p: new BShare(view(pa, 0, n), view(pb, 0, n)), n, width: 64, withP: true },
      { g: new BShare(view(ga, n, total), view(gb, n, total)), p: new BShare(view(pa, n, total), view(pb, n, total)), n, width: 32 },
    ]);
    const t = await andBits(s, key.p!, index.g);
    xorKernel(t.a, t.a, key.g.a);
    xorKernel(t.b, t.b, key.g.b);
    return t;
  } finally {
    s.party.scratch.give(scratch);
  }
}

function keyOperands(x: BigUint64Array, y: BigUint64Array, flip: bigint, nx: BigUint64Array, yOut: BigUint64Array, n: number): void {
  for (let i = 0; i < n; i++) nx[i] = x[i] ^ flip;
  yOut.set(y.subarray(0, n));
}

/** Index i < W goes to the low half of word n+i, index i >= W to the high half of word n+i-W. */
function indexOperands(x: BigUint64Array, y: BigUint64Array, flip: bigint, nx: BigUint64Array, yOut: BigUint64Array, n: number, W: number): void {
  const lo = Math.min(n, W);
  // Pooled memory holds old data: clear the packed words that the low-half pass does not write.
  nx.fill(0n, n + lo, n + W);
  yOut.fill(0n, n + lo, n + W);
  for (let i = 0; i < lo; i++) {
    nx[n + i] = (x[i] ^ flip) & 0xffffffffn;
    yOut[n + i] = y[i] & 0xffffffffn;
  }
  for (let i = W; i < n; i++) {
    nx[n + i - W] |= ((x[i] ^ flip) & 0xffffffffn) << 32n;
    yOut[n + i - W] |= (y[i] & 0xffffffffn) << 32n;
  }
}

/** Widths of the packed comparator: one 32- or 64-bit tree, or a 32-bit tree beside one of 8 or 16 bits. */
export type NarrowWidth = 32 | 40 | 48 | 64;

/** The narrowest comparator width that holds `bits` bits. */
export function narrowWidth(bits: number): NarrowWidth {
  return bits <= 32 ? 32 : bits <= 40 ? 40 : bits <= 48 ? 48 : 64;
}

/**
 * x < y for unsigned binary-shared words known to lie below 2^width: one carry tree of that
 * width (carry-tree.ts; width 32 packs two elements per word). The sort compares (key, row index)
 * packed into one word this way when the key's declared range leaves room for the index
 * (protocols/sort.ts): 1 + 5 rounds and ~12 bytes per comparison at width 32, 1 + 6 rounds and
 * ~24 bytes at 64, against 8 rounds and ~36 bytes for a 64-bit key and a 32-bit index.
 * Widths 40 and 48: bits 0..31 in a 32-bit tree and bits 32..47 in one of 8 or 16 bits (8 or 4
 * elements per word), in lockstep, then lt = G_hi ^ (P_hi AND G_lo): 1 + 5 + 1 rounds and ~16
 * or ~18 bytes per comparison instead of ~24 (a 21-bit key and a 21-bit index: the join's).
 */
export async function lessThanNarrow(s: Session, x: BShare, y: BShare, n: number, width: NarrowWidth): Promise<BitShare> {
  if (width === 40 || width === 48) return lessThanSplit(s, x, y, n, width === 40 ? 8 : 16);
  const W = width === 64 ? n : paddedWords(n, 32);
  const scratch = s.party.scratch.take(6 * W);
  try {
    const part = (k: number): BigUint64Array => scratch.subarray(k * W, (k + 1) * W);
    const nxa = part(0), nxb = part(1), ya = part(2), yb = part(3), pa = part(4), pb = part(5);
    const flipA = s.me === 0 ? ONES : 0n, flipB = s.me === 2 ? ONES : 0n;
    if (width === 64) {
      keyOperands(x.a, y.a, flipA, nxa, ya, n);
      keyOperands(x.b, y.b, flipB, nxb, yb, n);
    } else {
      // indexOperands writes at offset n; here the packed words start at 0.
      halfOperands(x.a, y.a, flipA, nxa, ya, n, W);
      halfOperands(x.b, y.b, flipB, nxb, yb, n, W);
    }
    xorKernel(pa, nxa, ya);
    xorKernel(pb, nxb, yb);
    const [ga, gb] = await andWords(s, nxa, nxb, ya, yb);
    const [tree] = await carryTrees(s, [{ g: new BShare(ga, gb), p: new BShare(pa, pb), n, width }]);
    return tree.g;
  } finally {
    s.party.scratch.give(scratch);
  }
}

/** Words x, y < 2^(32 + high): the low 32 bits and the high `high` bits in trees of their own. */
async function lessThanSplit(s: Session, x: BShare, y: BShare, n: number, high: 8 | 16): Promise<BitShare> {
  const W = paddedWords(n, 32), H = paddedWords(n, high), total = W + H;
  const scratch = s.party.scratch.take(6 * total);
  try {
    const part = (k: number): BigUint64Array => scratch.subarray(k * total, (k + 1) * total);
    const nxa = part(0), nxb = part(1), ya = part(2), yb = part(3), pa = part(4), pb = part(5);
    const flipA = s.me === 0 ? ONES : 0n, flipB = s.me === 2 ? ONES : 0n;
    // Low halves at [0, W), high lanes at [W, W + H). Above the width, x and y are 0: NOT x is 1
    // there, so those bits propagate and generate nothing.
    halfOperands(x.a, y.a, flipA, nxa, ya, n, W);
    halfOperands(x.b, y.b, flipB, nxb, yb, n, W);
    highLaneOperands(x.a, y.a, flipA, nxa.subarray(W), ya.subarray(W), n, H, high);
    highLaneOperands(x.b, y.b, flipB, nxb.subarray(W), yb.subarray(W), n, H, high);
    xorKernel(pa, nxa, ya);
    xorKernel(pb, nxb, yb);
    const [ga, gb] = await andWords(s, nxa, nxb, ya, yb);
    const view = (v: BigUint64Array, from: number, to: number): BigUint64Array => v.subarray(from, to);
    const [lo, hi] = await carryTrees(s, [
      { g: new BShare(view(ga, 0, W), view(gb, 0, W)), p: new BShare(view(pa, 0, W), view(pb, 0, W)), n, width: 32 },
      { g: new BShare(view(ga, W, total), view(gb, W, total)), p: new BShare(view(pa, W, total), view(pb, W, total)), n, width: high, withP: true },
    ]);
    const t = await andBits(s, hi.p!, lo.g);
    xorKernel(t.a, t.a, hi.g.a);
    xorKernel(t.b, t.b, hi.g.b);
    return t;
  } finally {
    s.party.scratch.give(scratch);
  }
}

/** Bits 32.. of element q * H + i into lane q (`lane` bits wide) of word i, NOT x on component 0. */
function highLaneOperands(x: BigUint64Array, y: BigUint64Array, flip: bigint, nx: BigUint64Array, yOut: BigUint64Array, n: number, H: number, lane: number): void {
  const mask = (1n << BigInt(lane)) - 1n;
  // V8 lowers a right shift by a literal only of a loaded word (ring/bitops.ts): shift, then flip.
  const flipHigh = flip & mask;
  nx.fill(0n);
  yOut.fill(0n);
  for (let q = 0, from = 0; from < n; q++, from += H) {
    const to = Math.min(n, from + H), up = POW2[q * lane];
    for (let i = from; i < to; i++) {
      nx[i - from] |= (((x[i] >> 32n) & mask) ^ flipHigh) * up;
      yOut[i - from] |= ((y[i] >> 32n) & mask) * up;
    }
  }
}

/** Element i < W to the low half of word i, element i >= W to the high half of word i - W. */
function halfOperands(x: BigUint64Array, y: BigUint64Array, flip: bigint, nx: BigUint64Array, yOut: BigUint64Array, n: number, W: number): void {
  const lo = Math.min(n, W);
  nx.fill(0n, lo, W);
  yOut.fill(0n, lo, W);
  for (let i = 0; i < lo; i++) {
    nx[i] = (x[i] ^ flip) & 0xffffffffn;
    yOut[i] = y[i] & 0xffffffffn;
  }
  for (let i = W; i < n; i++) {
    nx[i - W] |= ((x[i] ^ flip) & 0xffffffffn) << 32n;
    yOut[i - W] |= (y[i] & 0xffffffffn) << 32n;
  }
}
