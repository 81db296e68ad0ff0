/**
 * Carry trees: for each element, the "generate" (and optionally "propagate") signal of its whole
 * group of bits, from per-bit generate and propagate words (binary shares). This is the core of
 * MSB extraction (compare.ts) and of comparators (compare-words.ts).
 *
 * Neighbouring groups (hi, lo) combine as P = Ph & Pl, G = Gh ^ (Ph & Gl). Instead of bit-slicing
 * the operands (a 64x64 transpose per 64 elements, which costs more CPU than the circuit), each
 * word keeps its element(s) and pairs (P,G) live in 2-bit slots (P at bit 2j, G at bit 2j+1):
 * - level 1 pairs bits (2j, 2j+1) of each word: one AND word per input word;
 * - each further level pairs slot s with slot s+E; the results fill half the slots, and the half
 *   words of the two halves of the array merge into one word, so every level's AND gates fill
 *   whole words: 64 + 32 + 16 + 8 + 4 + 2 gates per 64-bit element.
 * Elements are 64 bits (one per word: 5 merges) or lanes of 32, 16 or 8 bits (2, 4 or 8 per word:
 * 4, 3 or 2 merges): a narrower element costs proportionally fewer AND gates and one round less
 * per halving. After the last merge each word holds 32 finished elements; slot j of word w
 * belongs to element lane(j) * N + REV[j mod slots per lane] * stride + w (see extract), so each
 * slot's elements form one contiguous run.
 *
 * Several trees run in lockstep (`carryTrees`): one AND round per level for all of them.
 */

import { clearTail, wordsFor } from '../../ring/bits.js';
import { halves, POW2, shiftRightWords, transpose32 } from '../../ring/bitops.js';
import type { Session } from '../session.js';
import { BShare, BitShare } from '../shares.js';
import { andWords } from './binary.js';
import { keepShape } from '../../keep-shape.js';

const EVEN = 0x5555555555555555n;
const ODD = 0xaaaaaaaaaaaaaaaan;
/** Masks of the "lo" slots when E groups of different elements alternate (E = 1, 2, 4, 8, 16). */
const LO_SLOTS = [0x3333333333333333n, 0x0f0f0f0f0f0f0f0fn, 0x00ff00ff00ff00ffn, 0x0000ffff0000ffffn, 0x00000000ffffffffn];

function bitReversal(bits: number): number[] {
  return Array.from({ length: 1 << bits }, (_, j) => {
    let r = 0;
    for (let b = 0; b < bits; b++) if (j & (1 << b)) r |= 1 << (bits - 1 - b);
    return r;
  });
}
/** Bit reversals of 0, 1, ..., 5 bits: REV[m][j] for the slots of an element after m merges. */
const REV = [0, 1, 2, 3, 4, 5].map(bitReversal);

/** Widths of the elements a tree works on: one per word, or packed lanes. */
export type TreeWidth = 64 | 32 | 16 | 8;

export interface TreeInput {
  /**
   * Per-bit generate and propagate words. Width 64: word i holds element i. Narrower widths:
   * lane q of word i (bits q*width .. q*width + width - 1) holds element q * N + i, where N is
   * `paddedWords(n, width)`.
   */
  readonly g: BShare;
  readonly p: BShare;
  /** Number of elements. */
  readonly n: number;
  readonly width: TreeWidth;
  /** Width 64 only: the tree runs on g << 1 and p << 1 (a zero group enters at bit 0). */
  readonly shiftIn?: boolean;
  /** Also return each group's propagate bit. */
  readonly withP?: boolean;
}

export interface TreeOutput {
  readonly g: BitShare;
  readonly p: BitShare | undefined;
}

/**
 * Words a tree over n elements works on: padded to a multiple of 1024 (at least 1024), so that
 * after the last merge every slot's run of elements is a whole number of 32-bit words.
 */
export function paddedWords(n: number, width: TreeWidth): number {
  const words = Math.ceil(n / (64 / width));
  return Math.max(1024, Math.ceil(words / 1024) * 1024);
}

/** log2 of a tree width: its number of AND levels. */
function levelsOf(width: TreeWidth): number {
  return Math.log2(width);
}

class Tree {
  readonly N: number;
  readonly levels: number;
  level = 0;
  wa!: BigUint64Array;
  wb!: BigUint64Array;
  gha!: BigUint64Array;
  ghb!: BigUint64Array;

  constructor(readonly input: TreeInput) {
    this.N = paddedWords(input.n, input.width);
    this.levels = levelsOf(input.width);
    if (input.shiftIn && input.width !== 64) throw new RangeError('shiftIn needs 64-bit elements');
  }

  /** Size of this tree's AND batch at its current level (per component). */
  get batch(): number {
    return this.level === 0 ? this.N : this.wa.length >>> 1;
  }

  /**
   * Writes the current level's operands into the given views (length `batch`); merges also keep
   * the hi generate bits in `gha`, `ghb` (views of the caller's scratch, read by absorb).
   */
  operands(la: BigUint64Array, lb: BigUint64Array, ra: BigUint64Array, rb: BigUint64Array, shifted: BigUint64Array, gha: BigUint64Array, ghb: BigUint64Array): void {
    const { g, p, shiftIn } = this.input;
    if (this.level === 0) {
      const build = shiftIn ? level1OperandsShifted : level1Operands;
      build(g.a, p.a, la, ra);
      build(g.b, p.b, lb, rb);
      // Padding: G = P = 0 contributes nothing (views of reused scratch must be cleared).
      const used = g.length;
      for (const v of [la, ra, lb, rb]) v.fill(0n, used);
      return;
    }
    const E = 1 << (this.level - 1);
    this.gha = gha;
    this.ghb = ghb;
    mergeOperands(this.wa, E, shifted, la, ra, this.gha);
    mergeOperands(this.wb, E, shifted, lb, rb, this.ghb);
  }

  /** Takes the AND results of the current level (views owned by this tree from now on). */
  absorb(za: BigUint64Array, zb: BigUint64Array): void {
    if (this.level === 0) {
      addGenerate(za, this.input.g.a, this.input.shiftIn === true);
      addGenerate(zb, this.input.g.b, this.input.shiftIn === true);
    } else {
      xorInPlace(za, this.gha);
      xorInPlace(zb, this.ghb);
    }
    this.wa = za;
    this.wb = zb;
    this.level++;
  }

  result(): TreeOutput {
    const { n, withP } = this.input;
    const [ga, pa] = extract(this.wa, this.input, this.N);
    const [gb, pb] = extract(this.wb, this.input, this.N);
    return { g: new BitShare(ga, gb, n), p: withP ? new BitShare(pa!, pb!, n) : undefined };
  }
}

// Its map outlives every comparison (keep-shape.ts): carryTrees and the tree's methods embed it.
// So do the maps of the callers' inputs (one literal map per set of properties, in this order)
// and of the outputs, which carryTrees, the tree and extract read.
const NO_WORDS = new BigUint64Array(0), NO_BITS = new BShare(NO_WORDS, NO_WORDS);
keepShape(new Tree({ g: NO_BITS, p: NO_BITS, n: 0, width: 64 }));
keepShape({ g: NO_BITS, p: NO_BITS, n: 0, width: 64, shiftIn: false });
keepShape({ g: NO_BITS, p: NO_BITS, n: 0, width: 64, withP: false });
keepShape({ g: new BitShare(NO_WORDS, NO_WORDS, 0), p: undefined });

/** Runs the trees in lockstep: one AND round per level for all trees that still have levels. */
export async function carryTrees(s: Session, inputs: readonly TreeInput[]): Promise<TreeOutput[]> {
  const trees = inputs.map((i) => new Tree(i));
  const rounds = Math.max(0, ...trees.map((t) => t.levels));
  const first = trees.reduce((a, t) => a + t.N, 0);
  // Operands of the first (largest) level: la, lb, ra, rb; merges (at most half that size) also
  // use a shift buffer and the two hi-generate vectors: 7/2 of the first level's size.
  const scratch = s.party.scratch.take(4 * first);
  try {
    for (let r = 0; r < rounds; r++) {
      const active = trees.filter((t) => t.level < t.levels);
      const total = active.reduce((a, t) => a + t.batch, 0);
      const la = scratch.subarray(0, total), lb = scratch.subarray(total, 2 * total);
      const ra = scratch.subarray(2 * total, 3 * total), rb = scratch.subarray(3 * total, 4 * total);
      // Merges (all but the first round) need at most half the first round's size, so 7 * total
      // fits in 4 * first; the first round uses neither these nor the shift buffer.
      const shifted = scratch.subarray(4 * total, Math.min(5 * total, scratch.length));
      const gha = scratch.subarray(5 * total, Math.min(6 * total, scratch.length)), ghb = scratch.subarray(6 * total, Math.min(7 * total, scratch.length));
      let o = 0;
      for (const t of active) {
        const b = t.batch;
        t.operands(la.subarray(o, o + b), lb.subarray(o, o + b), ra.subarray(o, o + b), rb.subarray(o, o + b), shifted, gha.subarray(o, o + b), ghb.subarray(o, o + b));
        o += b;
      }
      const [za, zb] = await andWords(s, la, lb, ra, rb);
      o = 0;
      for (const t of active) {
        const b = t.batch;
        t.absorb(za.subarray(o, o + b), zb.subarray(o, o + b));
        o += b;
      }
    }
  } finally {
    s.party.scratch.give(scratch);
  }
  return trees.map((t) => t.result());
}

/**
 * Level-1 operands: L = P_hi in both bits of each slot, R = (P_lo, G_lo). Words past the
 * input stay zero.
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
    // P bits sit at even positions, so x * 3 = x | (x << 1) duplicates each into its slot. (A
    // computed BigInt used twice is not compiled to native code; loads may be reused.)
    l[i] = (p[i] & EVEN) * 3n;
    r[i] = ((p[i] & ODD) << 1n) | ((g[i] & ODD) << 2n);
  }
}

/** After level 1's AND: G of each slot = G_hi ^ (P_hi & G_lo). */
function addGenerate(w: BigUint64Array, g: BigUint64Array, shiftIn: boolean): void {
  if (shiftIn) for (let i = 0; i < g.length; i++) w[i] ^= (g[i] & EVEN) << 1n;
  else for (let i = 0; i < g.length; i++) w[i] ^= g[i] & ODD;
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
    l[i] = ((As & loP) * 3n) | ((B & hiP) * 3n);
    r[i] = (A & lo) | ((B & lo) * up);
    gh[i] = (As & loG) | (B & hiG);
  }
}

function xorInPlace(w: BigUint64Array, v: BigUint64Array): void {
  for (let i = 0; i < w.length; i++) w[i] ^= v[i];
}

/**
 * Gathers the G (and optionally P) bit of every slot into element order. After m = levels - 1
 * merges an element has one slot, and a lane of width bits holds width / 2 slots: slot j of word
 * w is element lane * N + REV[m][j mod (width / 2)] * stride + w, with lane = j div (width / 2)
 * and stride = N / 2^m (width 64: one lane; width 32: slots 0..15 low halves, 16..31 high halves).
 */
function extract(w: BigUint64Array, input: TreeInput, N: number): [BigUint64Array, BigUint64Array | undefined] {
  const n = input.n;
  const lanes = 64 / input.width;
  const capacity = lanes * N;
  const g = new BigUint64Array(capacity / 64);
  const p = input.withP ? new BigUint64Array(capacity / 64) : undefined;
  const src = halves(w), gOut = halves(g), pOut = p ? halves(p) : undefined;
  const stride = w.length;
  const perLane = input.width / 2, rev = REV[levelsOf(input.width) - 1];
  const lo = new Uint32Array(32), hi = new Uint32Array(32);
  // 32 words at a time: transposing their low (slots 0..15) and high (slots 16..31) halves turns
  // bit 2j+1 (G) and 2j (P) of every word into one row, which is 32 consecutive elements.
  for (let w0 = 0; w0 < stride; w0 += 32) {
    transpose32(src, 2 * w0, 2, lo);
    transpose32(src, 2 * w0 + 1, 2, hi);
    for (let j = 0; j < 32; j++) {
      const base = Math.floor(j / perLane) * N + rev[j % perLane] * stride;
      if (base + w0 >= n) continue;
      const rows = j < 16 ? lo : hi;
      const r = 2 * (j & 15);
      gOut[(base + w0) >>> 5] = rows[r + 1];
      if (pOut) pOut[(base + w0) >>> 5] = rows[r];
    }
  }
  return [trim(g, n), p ? trim(p, n) : undefined];
}

function trim(all: BigUint64Array, n: number): BigUint64Array {
  const out = all.slice(0, wordsFor(n));
  clearTail(out, n);
  return out;
}
