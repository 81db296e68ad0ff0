/**
 * Comparisons on arithmetic shares: most significant bit, less-than, equality.
 *
 * Both start the same way (ABY3 §5.3): x = x0 + x1 + x2, party 0 knows v = x0 + x1 and inputs
 * it as a binary sharing (one round, 8 bytes from party 0), while w = x2 is already a binary
 * sharing for free (parties 1 and 2 hold it). Then:
 *
 * - MSB(x) = v63 ^ w63 ^ carry into bit 63 of v + w. The carry is the "generate" signal of
 *   the whole group of bits 0..62, computed by a tree of (propagate, generate) pairs: a pair
 *   of neighbouring groups (hi, lo) combines as P = Ph & Pl, G = Gh ^ (Ph & Gl). Each tree
 *   level halves the number of groups, so its AND gates fit in half as many words; we pack
 *   two words' worth into one (the "slot" layout below), so the whole tree costs
 *   64 + 64 + 32 + 16 + 8 + 4 + 2 bits = 190 bits ≈ 24 bytes per element in 7 rounds,
 *   with no bit-matrix transposes. Total: 8 rounds, ~32 bytes per element.
 * - x == 0 iff v == -w: XNOR the two and AND all 64 bits together in a tree packed the same
 *   way (32 + 16 + ... + 1 = 63 gates): 7 rounds, ~16 bytes per element.
 *
 * Less-than is MSB(x - y): exact whenever x - y does not overflow, i.e. |x - y| < 2^63 (for
 * example both inputs in [-2^62, 2^62), which the table layer's declared ranges guarantee).
 */

import { UsageError } from '../../errors.js';
import { clearTail, wordsFor } from '../../ring/bits.js';
import { halves, ONES, packTopBits, POW2, shiftRightWords, transpose32 } from '../../ring/bitops.js';
import { carryTrees } from './carry-tree.js';
import { msbFused } from './msb-fused.js';
import { xor2 } from './kernels.js';
import { chunkBounds } from './roles.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare } from '../shares.js';
import { andWords } from './binary.js';

/**
 * Binary sharings of two addends v + w = d = x - y (d = x when y is omitted). One round.
 *
 * The vector is cut into thirds; in chunk k, party k (which holds d_k and d_{k+1}) inputs
 * v = d_k + d_{k+1} in binary, and w = d_{k+2} is already a binary sharing (parties k+1 and k+2
 * hold it). Rotating the inputting role over the chunks gives every party the same work and one
 * message per link: party k sends its chunk's x_{k+1} = v ^ PRG(k, k-1) to party k+1.
 * The difference is formed inside the same passes. With `laneTops` (the top bit of every lane),
 * x holds packed lanes (compare-narrow.ts) and v is their lane-wise sum, each lane mod 2^width.
 */
export async function splitAddends(s: Session, x: AShare, y?: AShare, laneTops?: bigint, into?: BigUint64Array): Promise<[BShare, BShare]> {
  const n = x.length;
  if (laneTops !== undefined && y) throw new UsageError('splitAddends: lane addition takes one operand (subtract before packing)');
  if (y && y.length !== n) throw new UsageError(`comparison operands differ in length (${n} vs ${y.length})`);
  if (into && into.length < 4 * n) throw new UsageError(`splitAddends: the output buffer holds ${into.length} words, not ${4 * n}`);
  const bounds = chunkBounds(n);
  const chunk = (k: number): [number, number] => [bounds[k], bounds[k + 1]];
  // `into` (4n words, e.g. from the party's scratch pool: these never leave the party) is cleared: parts stay zero.
  into?.fill(0n, 0, 4 * n);
  const part = (k: number): BigUint64Array => (into ? into.subarray(k * n, (k + 1) * n) : new BigUint64Array(n));
  const va = part(0), vb = part(1), wa = part(2), wb = part(3);
  // The chunk this party inputs (k = me) and the one its next party inputs (k = me + 1).
  const [o0, o1] = chunk(s.me), [q0, q1] = chunk(s.next), [r0, r1] = chunk(s.prev);
  const mask = s.prgPrev.words(o1 - o0); // x_k, shared with the previous party
  const sent = addendChunk(x, y, o0, o1, mask, laneTops); // x_{k+1} = (d_k + d_{k+1}) ^ x_k
  va.set(mask, o0);
  vb.set(sent, o0);
  vb.set(s.prgNext.words(q1 - q0), q0); // x_{k} of the next party's chunk, from the PRG shared with it
  s.round();
  s.send(s.next, sent, true);
  await s.recvInto(s.prev, va.subarray(r0, r1)); // x_{k+1} of the previous party's chunk, received in place
  // w = d_{k+2} in each chunk k: this party holds it as b in the previous party's chunk (k = me-1,
  // so k+2 = me+1 = its b component) and as a in the next party's chunk (k+2 = me).
  componentDifference(x.b, y?.b, r0, r1, wb);
  componentDifference(x.a, y?.a, q0, q1, wa);
  return [new BShare(va, vb), new BShare(wa, wb)];
}

/** (d_a + d_b) ^ mask over [from, to), d = x - y (lane by lane when `laneTops` is given). */
function addendChunk(x: AShare, y: AShare | undefined, from: number, to: number, mask: BigUint64Array, laneTops: bigint | undefined): BigUint64Array {
  const out = new BigUint64Array(to - from);
  if (y) differenceOfSumsXor(x.a, x.b, y.a, y.b, from, mask, out);
  else if (laneTops !== undefined) laneSumXor(x.a, x.b, from, mask, out, laneTops);
  else sumXor(x.a, x.b, from, mask, out);
  return out;
}

/**
 * Lane-wise sum mod 2^width of packed words (`tops` = the top bit of every lane): the lanes'
 * low bits add without carrying into the next lane, and each top bit is the XOR of the tops and
 * the carry into it (SWAR addition).
 */
function laneSumXor(xa: BigUint64Array, xb: BigUint64Array, from: number, mask: BigUint64Array, out: BigUint64Array, tops: bigint): void {
  const rest = ONES ^ tops;
  for (let i = 0; i < out.length; i++) {
    const a = xa[from + i], b = xb[from + i];
    out[i] = (((a & rest) + (b & rest)) ^ ((a ^ b) & tops)) ^ mask[i];
  }
}

function differenceOfSumsXor(xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, from: number, mask: BigUint64Array, out: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (xa[from + i] + xb[from + i] - ya[from + i] - yb[from + i]) ^ mask[i];
}

function sumXor(xa: BigUint64Array, xb: BigUint64Array, from: number, mask: BigUint64Array, out: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (xa[from + i] + xb[from + i]) ^ mask[i];
}

/** out[from..to) = x - y (or x) on one component. */
function componentDifference(x: BigUint64Array, y: BigUint64Array | undefined, from: number, to: number, out: BigUint64Array): void {
  if (y) for (let i = from; i < to; i++) out[i] = x[i] - y[i];
  else out.set(x.subarray(from, to), from);
}



/** The group generate of each 64-bit element (carry-tree.ts). Six rounds. */
export async function carryTree(s: Session, g: BShare, p: BShare, shiftIn = false): Promise<BitShare> {
  const [t] = await carryTrees(s, [{ g, p, n: g.length, width: 64, shiftIn }]);
  return t.g;
}

/** Like carryTree, also returning each group's propagate bit (all bits equal, for comparators). */
export async function carryTreeWithPropagate(s: Session, g: BShare, p: BShare): Promise<[BitShare, BitShare]> {
  const [t] = await carryTrees(s, [{ g, p, n: g.length, width: 64, withP: true }]);
  return [t.g, t.p!];
}

function xorInPlace(w: BigUint64Array, v: BigUint64Array): void {
  for (let i = 0; i < w.length; i++) w[i] ^= v[i];
}

function padded(v: BigUint64Array, n: number): BigUint64Array {
  if (v.length === n) return v;
  const out = new BigUint64Array(n);
  out.set(v);
  return out;
}

function trimBits(all: BigUint64Array, n: number): BigUint64Array {
  const out = all.slice(0, wordsFor(n));
  clearTail(out, n);
  return out;
}

/**
 * Most significant bit (the sign) of each element (of x - y when y is given). 8 rounds. The
 * same protocol as splitAddends + msbOfSum, without building the addends (msb-fused.ts).
 */
export function msb(s: Session, x: AShare, y?: AShare): Promise<BitShare> {
  return msbFused(s, x, y);
}

/** MSB of v + w for binary-shared 64-bit words v, w. 7 rounds. */
export async function msbOfSum(s: Session, v: BShare, w: BShare): Promise<BitShare> {
  // The carry into bit 63 is the group generate of bits 0..62; the tree runs on g << 1 and
  // p << 1 (a zero group enters at bit 0). AND commutes with the shift, so g is computed
  // unshifted and the shift is folded into the tree's first level.
  const [ga, gb] = await andWords(s, v.a, v.b, w.a, w.b);
  const pa = xor2(v.a, w.a), pb = xor2(v.b, w.b);
  const carry = await carryTree(s, new BShare(ga, gb), new BShare(pa, pb), true);
  xorInPlace(carry.a, packTopBits(pa));
  xorInPlace(carry.b, packTopBits(pb));
  return carry;
}

/** x < y (signed), exact when |x - y| < 2^63. 8 rounds. */
export async function lt(s: Session, x: AShare, y: AShare): Promise<BitShare> {
  return msb(s, x, y);
}

/** x < 0 (signed). */
export function ltz(s: Session, x: AShare): Promise<BitShare> {
  return msb(s, x);
}

/** x == 0 for each element. 7 rounds, ~16 bytes per element. */
export async function eqz(s: Session, x: AShare, y?: AShare): Promise<BitShare> {
  const [v, w] = await splitAddends(s, x, y);
  const n = x.length;
  // x == 0 iff v == -w, i.e. all bits of NOT(v ^ -w) are one. Negating w is local: its only
  // non-zero component is x2, and negating the zero components leaves them zero. NOT flips
  // component 0 only.
  const ea = xnorNegated(v.a, w.a, s.me === 0), eb = xnorNegated(v.b, w.b, s.me === 2);
  return andTree(s, ea, eb, n);
}

/** v ^ -w, complemented when `flip` (NOT on component 0). */
function xnorNegated(v: BigUint64Array, w: BigUint64Array, flip: boolean): BigUint64Array {
  const out = new BigUint64Array(v.length);
  const f = flip ? ONES : 0n;
  for (let i = 0; i < out.length; i++) out[i] = v[i] ^ (0n - w[i]) ^ f;
  return out;
}


export async function eq(s: Session, x: AShare, y: AShare): Promise<BitShare> {
  return eqz(s, x, y);
}

/**
 * AND of all 64 bits of each word: six levels, each ANDing the low half of every field with
 * its high half and packing two words into one. After the last level, bit f of word w belongs
 * to element w + f * (N/64).
 */
export async function andTree(s: Session, ea: BigUint64Array, eb: BigUint64Array, n: number): Promise<BitShare> {
  // Padding to a multiple of 2048 makes each field's run of elements a whole number of 32-bit words.
  const N = Math.max(2048, Math.ceil(n / 2048) * 2048);
  let wa = padded(ea, N), wb = padded(eb, N);
  const scratch = s.party.scratch.take(5 * (N / 2));
  try {
    for (let half = 32; half >= 1; half >>= 1) {
      const h = wa.length >>> 1;
      const part = (i: number): BigUint64Array => scratch.subarray(i * h, (i + 1) * h);
      const lowHalves = fieldLowMask(half);
      foldOperands(wa, half, lowHalves, part(0), part(1), part(2));
      foldOperands(wb, half, lowHalves, part(0), part(3), part(4));
      [wa, wb] = await andWords(s, part(1), part(3), part(2), part(4));
    }
  } finally {
    s.party.scratch.give(scratch);
  }
  return new BitShare(transposeFolded(wa, n, N), transposeFolded(wb, n, N), n);
}

/** Mask of the low `half` bits of every field of width 2*half. */
function fieldLowMask(half: number): bigint {
  let m = 0n;
  const field = (1n << BigInt(half)) - 1n;
  for (let o = 0; o < 64; o += 2 * half) m |= field << BigInt(o);
  return m;
}

function foldOperands(w: BigUint64Array, half: number, low: bigint, shifted: BigUint64Array, l: BigUint64Array, r: BigUint64Array): void {
  const h = w.length >>> 1;
  const up = POW2[half];
  const high = BigInt.asUintN(64, low * up);
  shiftRightWords(w, half, shifted, h);
  for (let i = 0; i < h; i++) {
    const B = w[i + h];
    l[i] = (w[i] & low) | ((B & low) * up);
    r[i] = (shifted[i] & low) | (B & high);
  }
}

/**
 * After the last fold, bit f of word w belongs to element f * (N/64) + w: transposing the halves
 * of 32 words at a time turns each bit position into 32 consecutive elements.
 */
function transposeFolded(w: BigUint64Array, n: number, N: number): BigUint64Array {
  const all = new BigUint64Array(N / 64);
  const stride = N / 64;
  const src = halves(w), out = halves(all);
  const lo = new Uint32Array(32), hi = new Uint32Array(32);
  for (let w0 = 0; w0 < stride; w0 += 32) {
    transpose32(src, 2 * w0, 2, lo);
    transpose32(src, 2 * w0 + 1, 2, hi);
    for (let f = 0; f < 64 && f * stride + w0 < n; f++) out[(f * stride + w0) >>> 5] = f < 32 ? lo[f] : hi[f - 32];
  }
  return trimBits(all, n);
}
