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

import { clearTail, wordsFor } from '../../ring/bits.js';
import { gatherBit, halves, ONES, packTopBits, POW2, shiftRightWords } from '../../ring/bitops.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare, subA } from '../shares.js';
import { andWords } from './binary.js';
import { inputBinary } from './io.js';

const EVEN = 0x5555555555555555n;
const ODD = 0xaaaaaaaaaaaaaaaan;
/** Masks of the "lo" slots when E groups of different elements alternate (E = 1, 2, 4, 8, 16). */
const LO_SLOTS = [0x3333333333333333n, 0x0f0f0f0f0f0f0f0fn, 0x00ff00ff00ff00ffn, 0x0000ffff0000ffffn, 0x00000000ffffffffn];

/**
 * Binary sharings of v = x0 + x1 (input by party 0) and w = x2 (free), whose sum is x.
 * One round.
 */
export async function splitAddends(s: Session, x: AShare): Promise<[BShare, BShare]> {
  const n = x.length;
  let v: BShare;
  if (s.me === 0) {
    const sum = new BigUint64Array(n);
    for (let i = 0; i < n; i++) sum[i] = x.a[i] + x.b[i];
    v = await inputBinary(s, 0, sum);
  } else {
    v = await inputBinary(s, 0, n);
  }
  // Component 2 of w is x2; parties 1 and 2 hold x2 as b and a respectively.
  const zero = new BigUint64Array(n);
  const w = s.me === 0 ? new BShare(zero, new BigUint64Array(n)) : s.me === 1 ? new BShare(zero, x.b) : new BShare(x.a, zero);
  return [v, w];
}

/**
 * For each element, the generate signal of its whole 64-bit group given per-bit generate and
 * propagate words (binary shares). Six rounds. Returns packed bits.
 *
 * Layout: after level 1 each word holds 32 slots of 2 bits (P at bit 2j, G at bit 2j+1).
 * At a level with E elements interleaved per word, slot s pairs with slot s+E; the results land
 * in the "lo" half of the slots, and the lo halves of two words (from the two halves of the
 * array) merge into one word. After level 6, slot j of word w belongs to element
 * w + rev5(j) * (N/32), where rev5 reverses the 5 bits of j.
 */
export async function carryTree(s: Session, g: BShare, p: BShare, shiftIn = false): Promise<BitShare> {
  return (await carryTreeGP(s, g, p, shiftIn, false))[0];
}

/** Like carryTree, also returning each group's propagate bit (all bits equal, for comparators). */
export async function carryTreeWithPropagate(s: Session, g: BShare, p: BShare): Promise<[BitShare, BitShare]> {
  const [gBits, pBits] = await carryTreeGP(s, g, p, false, true);
  return [gBits, pBits!];
}

async function carryTreeGP(s: Session, g: BShare, p: BShare, shiftIn: boolean, withP: boolean): Promise<[BitShare, BitShare | undefined]> {
  const n = g.length;
  // Padding to a multiple of 1024 makes each slot's run of elements a whole number of 32-bit words.
  const N = Math.max(1024, Math.ceil(n / 1024) * 1024);
  // One scratch block for all levels, reused across calls (see ScratchPool).
  const scratch = s.party.scratch.take(4 * N + N / 2);
  try {
    return await carryTreeIn(s, g, p, shiftIn, withP, n, N, scratch);
  } finally {
    s.party.scratch.give(scratch);
  }
}

async function carryTreeIn(s: Session, g: BShare, p: BShare, shiftIn: boolean, withP: boolean, n: number, N: number, scratch: BigUint64Array): Promise<[BitShare, BitShare | undefined]> {
  const la = scratch.subarray(0, N), ra = scratch.subarray(N, 2 * N), lb = scratch.subarray(2 * N, 3 * N), rb = scratch.subarray(3 * N, 4 * N);
  const build = shiftIn ? level1OperandsShifted : level1Operands;
  build(g.a, p.a, la, ra);
  build(g.b, p.b, lb, rb);
  for (const v of [la, ra, lb, rb]) v.fill(0n, n);
  let [wa, wb] = await andWords(s, la, lb, ra, rb);
  addGenerate(wa, g.a, shiftIn);
  addGenerate(wb, g.b, shiftIn);

  // Levels 2..6: combine slot s with slot s+E, merging two words into one.
  for (let k = 0; k < 5; k++) {
    const E = 1 << k;
    const h = wa.length >>> 1;
    const part = (i: number): BigUint64Array => scratch.subarray(i * h, (i + 1) * h);
    const l2a = part(0), r2a = part(1), gha = part(2), l2b = part(3), r2b = part(4), ghb = part(5), shifted = part(6);
    mergeOperands(wa, E, shifted, l2a, r2a, gha);
    mergeOperands(wb, E, shifted, l2b, r2b, ghb);
    [wa, wb] = await andWords(s, l2a, l2b, r2a, r2b);
    xorInPlace(wa, gha);
    xorInPlace(wb, ghb);
  }
  const [ga2, pa2] = extractSlotBits(wa, n, N, withP);
  const [gb2, pb2] = extractSlotBits(wb, n, N, withP);
  return [new BitShare(ga2, gb2, n), withP ? new BitShare(pa2!, pb2!, n) : undefined];
}

/**
 * Level-1 operands: L = P_hi in both bits of each slot, R = (P_lo, G_lo). Elements past the
 * input length stay zero (G = P = 0 contributes nothing).
 */
function level1Operands(g: BigUint64Array, p: BigUint64Array, l: BigUint64Array, r: BigUint64Array): void {
  for (let i = 0; i < g.length; i++) {
    const pi = p[i];
    l[i] = (pi & ODD) | ((pi >> 1n) & EVEN);
    r[i] = (pi & EVEN) | ((g[i] & EVEN) << 1n);
  }
}

/** The same for g << 1 and p << 1, without materialising the shifted words. */
function level1OperandsShifted(g: BigUint64Array, p: BigUint64Array, l: BigUint64Array, r: BigUint64Array): void {
  for (let i = 0; i < g.length; i++) {
    l[i] = (p[i] & EVEN) * 3n;
    r[i] = ((p[i] & ODD) << 1n) | ((g[i] & ODD) << 2n);
  }
}

/** After level 1's AND: G of each slot = G_hi ^ (P_hi & G_lo). */
function addGenerate(w: BigUint64Array, g: BigUint64Array, shiftIn: boolean): void {
  if (shiftIn) for (let i = 0; i < g.length; i++) w[i] ^= (g[i] & EVEN) << 1n;
  else for (let i = 0; i < g.length; i++) w[i] ^= g[i] & ODD;
}

function padded(v: BigUint64Array, n: number): BigUint64Array {
  if (v.length === n) return v;
  const out = new BigUint64Array(n);
  out.set(v);
  return out;
}

/**
 * Operands of one merge level. Word A = w[i] keeps its pairs in the lo slots, word B = w[i+h]
 * moves its pairs into the hi slots. Right shifts go through `shiftRightWords` (see bitops).
 */
function mergeOperands(w: BigUint64Array, E: number, shifted: BigUint64Array, l: BigUint64Array, r: BigUint64Array, gh: BigUint64Array): void {
  const h = w.length >>> 1;
  const lo = LO_SLOTS[Math.log2(E)];
  const up = POW2[2 * E];
  const hi = BigInt.asUintN(64, lo * up);
  const loP = lo & EVEN, loG = lo & ODD, hiP = hi & EVEN, hiG = hi & ODD;
  shiftRightWords(w, 2 * E, shifted, h);
  for (let i = 0; i < h; i++) {
    const A = w[i], B = w[i + h], As = shifted[i];
    // P bits sit at even positions, so x * 3 = x | (x << 1) duplicates each into its slot. (A
    // computed BigInt used twice is not compiled to native code; loads may be reused.)
    l[i] = (As & loP) * 3n | (B & hiP) * 3n;
    r[i] = (A & lo) | ((B & lo) * up);
    gh[i] = (As & loG) | (B & hiG);
  }
}

function xorInPlace(w: BigUint64Array, v: BigUint64Array): void {
  for (let i = 0; i < w.length; i++) w[i] ^= v[i];
}

const REV5 = Array.from({ length: 32 }, (_, j) => {
  let r = 0;
  for (let b = 0; b < 5; b++) if (j & (1 << b)) r |= 1 << (4 - b);
  return r;
});

/**
 * Gathers the G (and optionally P) bit of every slot into element order: slot j of word w holds
 * element REV5[j] * stride + w, so each slot's elements are one contiguous run.
 */
function extractSlotBits(w: BigUint64Array, n: number, N: number, withP: boolean): [BigUint64Array, BigUint64Array | undefined] {
  const g = new BigUint64Array(N / 64);
  const p = withP ? new BigUint64Array(N / 64) : undefined;
  const stride = N / 32;
  const src = halves(w), gOut = halves(g), pOut = p ? halves(p) : undefined;
  for (let j = 0; j < 32; j++) {
    const base = REV5[j] * stride;
    if (base >= n) continue;
    gatherBit(src, 0, stride, 2 * j + 1, gOut, base);
    if (pOut) gatherBit(src, 0, stride, 2 * j, pOut, base);
  }
  return [trimBits(g, n), p ? trimBits(p, n) : undefined];
}

function trimBits(all: BigUint64Array, n: number): BigUint64Array {
  const out = all.slice(0, wordsFor(n));
  clearTail(out, n);
  return out;
}

/** Most significant bit (the sign) of each element. 8 rounds. */
export async function msb(s: Session, x: AShare): Promise<BitShare> {
  const [v, w] = await splitAddends(s, x);
  return msbOfSum(s, v, w);
}

/** MSB of v + w for binary-shared 64-bit words v, w. 7 rounds. */
export async function msbOfSum(s: Session, v: BShare, w: BShare): Promise<BitShare> {
  const n = v.length;
  // The carry into bit 63 is the group generate of bits 0..62; the tree runs on g << 1 and
  // p << 1 (a zero group enters at bit 0). AND commutes with the shift, so g is computed
  // unshifted and the shift is folded into the tree's first level.
  const [ga, gb] = await andWords(s, v.a, v.b, w.a, w.b);
  const pa = new BigUint64Array(n), pb = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    pa[i] = v.a[i] ^ w.a[i];
    pb[i] = v.b[i] ^ w.b[i];
  }
  const carry = await carryTree(s, new BShare(ga, gb), new BShare(pa, pb), true);
  xorInPlace(carry.a, packTopBits(pa));
  xorInPlace(carry.b, packTopBits(pb));
  return carry;
}

/** x < y (signed), exact when |x - y| < 2^63. 8 rounds. */
export async function lt(s: Session, x: AShare, y: AShare): Promise<BitShare> {
  return msb(s, subA(x, y));
}

/** x < 0 (signed). */
export const ltz = msb;

/** x == 0 for each element. 7 rounds, ~16 bytes per element. */
export async function eqz(s: Session, x: AShare): Promise<BitShare> {
  const [v, w] = await splitAddends(s, x);
  const n = x.length;
  // x == 0 iff v == -w, i.e. all bits of NOT(v ^ -w) are one. Negating w is local: its only
  // non-zero component is x2, and negating the zero components leaves them zero. NOT flips
  // component 0 only.
  const ea = new BigUint64Array(n), eb = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    ea[i] = v.a[i] ^ negate(w.a[i]);
    eb[i] = v.b[i] ^ negate(w.b[i]);
  }
  if (s.me === 0) for (let i = 0; i < n; i++) ea[i] ^= ONES;
  else if (s.me === 2) for (let i = 0; i < n; i++) eb[i] ^= ONES;
  return andTree(s, ea, eb, n);
}

function negate(v: bigint): bigint {
  return BigInt.asUintN(64, -v);
}

export async function eq(s: Session, x: AShare, y: AShare): Promise<BitShare> {
  return eqz(s, subA(x, y));
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

/** After the last fold, bit f of word w belongs to element f * (N/64) + w: one run per f. */
function transposeFolded(w: BigUint64Array, n: number, N: number): BigUint64Array {
  const all = new BigUint64Array(N / 64);
  const stride = N / 64;
  const src = halves(w), out = halves(all);
  for (let f = 0; f < 64 && f * stride < n; f++) gatherBit(src, 0, stride, f, out, f * stride);
  return trimBits(all, n);
}
