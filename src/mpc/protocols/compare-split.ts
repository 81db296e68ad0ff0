/**
 * Less-than on arithmetic shares whose difference has 33 to 48 bits: |x − y| < 2^(bits − 1)
 * (ABY3 §5.3's addend split, with the carry tree cut as compare-words.ts lessThanSplit cuts it).
 * The order statistics' keys (value − min)·2^⌈log2 n⌉ + position are this wide (an 18-bit
 * value range and 2^20 rows: 38 bits), too wide for compare-narrow.ts (≤ 32) and far narrower
 * than compare.ts lt's 64.
 *
 * The sign of d = x − y is bit t = bits − 1 of d mod 2^bits:
 *   1. v + w = d (mod 2^64): party k inputs v = d_k + d_{k+1} in binary, w = d_{k+2} is a binary
 *      sharing already (compare.ts splitAddends). Only bits 0 … t matter, so each element's v is
 *      packed before it is sent: bits 0..31 into a 32-bit lane (2 per word), bits 32..t into an
 *      8- or 16-bit lane (8 or 4 per word); the roles rotate over thirds of the packed words.
 *      1 round, 5 or 6 bytes per element from the inputting party (8 for splitAddends);
 *   2. g = v AND w on the carry group, bits 0..t−1 (1 round; 40 or 48 gates per element);
 *   3. a 32-bit carry tree over bits 0..31 and, in lockstep, a tree of the high lane's width over
 *      bits 32..t−1 with the lane's bits from t up set to propagate (carry-tree.ts), which also
 *      returns its group propagate: log2(32) = 5 rounds;
 *   4. carry into bit t = G_hi ^ (P_hi AND G_lo) (1 round, one gate), sign = v_t ^ w_t ^ carry.
 *
 * Rounds: 8, as compare.ts lt. Bytes per element and party: ~15 at 8-bit high lanes (bits ≤ 40),
 * ~17 at 16-bit ones, against ~27 for lt (measured in test/mpc/protocols/compare-split.test.ts).
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { wordsFor } from '../../ring/bits.js';
import { AShare, BitShare, BShare } from '../shares.js';
import { andBits, andWords } from './binary.js';
import { carryTrees, paddedWords } from './carry-tree.js';
import { xorSignBits } from './compare-narrow.js';
import { xorKernel } from './kernels.js';
import { everyLane } from './lanes.js';
import { chunkBounds } from './roles.js';

export const SPLIT_MIN_BITS = 33;
export const SPLIT_MAX_BITS = 48;

const LOW32 = 0xffffffffn;

/**
 * x < y for the first `n` elements, exact when |x − y| < 2^(bits − 1), 33 ≤ bits ≤ 48. 8 rounds.
 * Without y, x < 0: x is already the difference (the selection's row − pivot, formed in one pass
 * over the share arrays instead of copying both operands).
 */
export async function ltSplit(s: Session, x: AShare, y: AShare | undefined, bits: number, n = x.length): Promise<BitShare> {
  if (!Number.isInteger(bits) || bits < SPLIT_MIN_BITS || bits > SPLIT_MAX_BITS) throw new UsageError(`ltSplit: bits must be ${SPLIT_MIN_BITS} to ${SPLIT_MAX_BITS} (got ${bits})`);
  if (!Number.isInteger(n) || n < 0 || n > x.length || (y !== undefined && n > y.length)) throw new UsageError(`ltSplit: ${n} elements of operands of ${x.length} and ${y?.length ?? x.length}`);
  if (n === 0) return new BitShare(new BigUint64Array(0), new BigUint64Array(0), 0);
  const top = bits - 1 - 32; // the sign's bit in the high lane; bits 0..top−1 of it are carry group
  const lane: 8 | 16 = top < 8 ? 8 : 16;
  const blocks = layout(n, lane);
  const W = blocks.reduce((a, b) => a + b.L + b.H, 0);
  const scratch = s.party.scratch.take(8 * W);
  try {
    const part = (k: number): BigUint64Array => scratch.subarray(k * W, (k + 1) * W);
    const va = part(0), vb = part(1), wa = part(2), wb = part(3);
    va.fill(0n);
    vb.fill(0n);
    wa.fill(0n);
    wb.fill(0n);
    const [mine, next, prev] = [blocks[s.me], blocks[s.next], blocks[s.prev]];
    const words = (b: Block): number => b.L + b.H;
    // Block k's v = d_k + d_{k+1} is input by party k, masked by the component it shares with
    // the previous party; w = d_{k+2} is this party's b in the previous party's block, its a in the next's.
    // The PRG words are drawn straight into the working memory (no fresh arrays to collect).
    const mask = va.subarray(mine.at, mine.at + words(mine));
    s.prgPrev.fill(asBytes(mask));
    const sent = new BigUint64Array(words(mine));
    packBlock(x, y, 'both', mine, lane, sent, 0);
    xorKernel(sent, sent, mask);
    vb.set(sent, mine.at);
    s.prgNext.fill(asBytes(vb.subarray(next.at, next.at + words(next))));
    s.round();
    s.send(s.next, sent, true);
    packBlock(x, y, 'b', prev, lane, wb, prev.at);
    packBlock(x, y, 'a', next, lane, wa, next.at);
    await s.recvInto(s.prev, va.subarray(prev.at, prev.at + words(prev))); // received in place
    // p = v ^ w on the group, 1 from the sign's bit up (a public 1 goes into XOR component 0:
    // party 0's a, party 2's b); g = v AND (w on the group); x = v ^ w for the sign.
    const low = everyLane((1n << BigInt(top)) - 1n, lane), above = everyLane(((1n << BigInt(lane)) - 1n) ^ ((1n << BigInt(top)) - 1n), lane);
    const pa = part(4), pb = part(5), xa = part(6), xb = part(7);
    for (const b of blocks) {
      groupOperands(va, wa, b.at, b.at + b.L, b.at + b.L + b.H, low, s.me === 0 ? above : 0n, pa, xa);
      groupOperands(vb, wb, b.at, b.at + b.L, b.at + b.L + b.H, low, s.me === 2 ? above : 0n, pb, xb);
    }
    const [ga, gb] = await andWords(s, va, vb, wa, wb);
    const view = (v: BigUint64Array, from: number, count: number): BigUint64Array => v.subarray(from, from + count);
    const used = blocks.filter((b) => b.n > 0);
    const trees = await carryTrees(
      s,
      used.flatMap((b) => [
        { g: new BShare(view(ga, b.at, b.L), view(gb, b.at, b.L)), p: new BShare(view(pa, b.at, b.L), view(pb, b.at, b.L)), n: b.n, width: 32 as const },
        { g: new BShare(view(ga, b.at + b.L, b.H), view(gb, b.at + b.L, b.H)), p: new BShare(view(pa, b.at + b.L, b.H), view(pb, b.at + b.L, b.H)), n: b.n, width: lane, withP: true },
      ]),
    );
    // Blocks start at multiples of 64 elements: their bits concatenate word by word.
    const joined = (pick: (k: number) => BitShare): BitShare => {
      const a = new BigUint64Array(wordsFor(n)), b = new BigUint64Array(wordsFor(n));
      used.forEach((block, k) => {
        a.set(pick(k).a, block.from / 64);
        b.set(pick(k).b, block.from / 64);
      });
      return new BitShare(a, b, n);
    };
    const t = await andBits(s, joined((k) => trees[2 * k + 1].p!), joined((k) => trees[2 * k].g));
    const carryHigh = joined((k) => trees[2 * k + 1].g);
    xorKernel(t.a, t.a, carryHigh.a);
    xorKernel(t.b, t.b, carryHigh.b);
    for (const b of used) {
      xorSignBits(t.a.subarray(b.from / 64), view(xa, b.at + b.L, b.H), lane, top, b.n, b.H);
      xorSignBits(t.b.subarray(b.from / 64), view(xb, b.at + b.L, b.H), lane, top, b.n, b.H);
    }
    return t;
  } finally {
    s.party.scratch.give(scratch);
  }
}

function asBytes(v: BigUint64Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Party k's block: elements [from, from + n) packed on their own, L low words (32-bit lanes: word
 * i holds elements i and L + i of the block) and H high words (lane q of word j holds element
 * q·H + j), starting at word `at` of the packed arrays. An element's low and high bits must be
 * split by the same party (the carry between them is v's and w's), so the blocks follow the
 * elements, not the words.
 */
interface Block {
  readonly from: number;
  readonly n: number;
  readonly at: number;
  readonly L: number;
  readonly H: number;
}

/**
 * Below this many elements, party 0 inputs all of them (one block: the trees pad every block to
 * 1,024 words, which would triple a small comparison's work); above, the three parties take a
 * third each, so that every party sends as much.
 */
const ONE_BLOCK_BELOW = 3 * 4096;

function layout(n: number, lane: 8 | 16): [Block, Block, Block] {
  const bounds = n < ONE_BLOCK_BELOW ? [0, n, n, n] : chunkBounds(n, 64);
  let at = 0;
  return [0, 1, 2].map((k) => {
    const count = bounds[k + 1] - bounds[k];
    const L = count > 0 ? paddedWords(count, 32) : 0, H = count > 0 ? paddedWords(count, lane) : 0;
    const block = { from: bounds[k], n: count, at, L, H };
    at += L + H;
    return block;
  }) as [Block, Block, Block];
}

/**
 * The block's packed words of d = x − y (x without y) on component a, b or both summed, into
 * out[at …] (zero before).
 */
function packBlock(x: AShare, y: AShare | undefined, which: 'a' | 'b' | 'both', block: Block, lane: 8 | 16, out: BigUint64Array, at: number): void {
  const { from, n, L, H } = block;
  if (n === 0) return;
  const xa = which === 'b' ? x.b : x.a;
  const mask = (1n << BigInt(lane)) - 1n;
  if (y === undefined) {
    if (which === 'both') lowDifference2(xa, x.b, from, n, L, out, at);
    else lowDifference1(xa, from, n, L, out, at);
    for (let q = 0; q * H < n; q++) {
      const count = Math.min(H, n - q * H), up = 1n << BigInt(q * lane);
      if (which === 'both') highDifference2(xa, x.b, from + q * H, count, mask, up, out, at + L);
      else highDifference1(xa, from + q * H, count, mask, up, out, at + L);
    }
    return;
  }
  const ya = which === 'b' ? y.b : y.a;
  if (which === 'both') lowWords2(xa, ya, x.b, y.b, from, n, L, out, at);
  else lowWords1(xa, ya, from, n, L, out, at);
  for (let q = 0; q * H < n; q++) {
    const count = Math.min(H, n - q * H), up = 1n << BigInt(q * lane);
    if (which === 'both') highLane2(xa, ya, x.b, y.b, from + q * H, count, mask, up, out, at + L);
    else highLane1(xa, ya, from + q * H, count, mask, up, out, at + L);
  }
}

// Small monomorphic kernels over typed arrays: V8 compiles them without boxing the BigInts.

/** out[at + i] = d[from + i] mod 2^32 | (d[from + L + i] mod 2^32) << 32, d = xa − ya + xb − yb. */
function lowWords2(xa: BigUint64Array, ya: BigUint64Array, xb: BigUint64Array, yb: BigUint64Array, from: number, n: number, L: number, out: BigUint64Array, at: number): void {
  for (let i = 0; i < Math.min(n, L); i++) out[at + i] = (xa[from + i] - ya[from + i] + xb[from + i] - yb[from + i]) & LOW32;
  for (let i = 0; i < n - L; i++) {
    const e = from + L + i;
    out[at + i] |= ((xa[e] - ya[e] + xb[e] - yb[e]) & LOW32) << 32n;
  }
}

function lowWords1(xa: BigUint64Array, ya: BigUint64Array, from: number, n: number, L: number, out: BigUint64Array, at: number): void {
  for (let i = 0; i < Math.min(n, L); i++) out[at + i] = (xa[from + i] - ya[from + i]) & LOW32;
  for (let i = 0; i < n - L; i++) {
    const e = from + L + i;
    out[at + i] |= ((xa[e] - ya[e]) & LOW32) << 32n;
  }
}

/**
 * out[at + j] |= ((d[base + j] >> 32) & mask)·up for j < count. V8 shifts a computed BigInt right
 * on its fast path only after BigInt.asUintN.
 */
function highLane2(xa: BigUint64Array, ya: BigUint64Array, xb: BigUint64Array, yb: BigUint64Array, base: number, count: number, mask: bigint, up: bigint, out: BigUint64Array, at: number): void {
  for (let j = 0; j < count; j++) {
    const e = base + j;
    out[at + j] |= ((BigInt.asUintN(64, xa[e] - ya[e] + xb[e] - yb[e]) >> 32n) & mask) * up;
  }
}

function highLane1(xa: BigUint64Array, ya: BigUint64Array, base: number, count: number, mask: bigint, up: bigint, out: BigUint64Array, at: number): void {
  for (let j = 0; j < count; j++) {
    const e = base + j;
    out[at + j] |= ((BigInt.asUintN(64, xa[e] - ya[e]) >> 32n) & mask) * up;
  }
}

/** lowWords2 and lowWords1 for a difference given as such (d = da + db, or da alone). */
function lowDifference2(da: BigUint64Array, db: BigUint64Array, from: number, n: number, L: number, out: BigUint64Array, at: number): void {
  for (let i = 0; i < Math.min(n, L); i++) out[at + i] = (da[from + i] + db[from + i]) & LOW32;
  for (let i = 0; i < n - L; i++) {
    const e = from + L + i;
    out[at + i] |= ((da[e] + db[e]) & LOW32) << 32n;
  }
}

function lowDifference1(da: BigUint64Array, from: number, n: number, L: number, out: BigUint64Array, at: number): void {
  for (let i = 0; i < Math.min(n, L); i++) out[at + i] = da[from + i] & LOW32;
  for (let i = 0; i < n - L; i++) out[at + i] |= (da[from + L + i] & LOW32) << 32n;
}

/** highLane2 and highLane1 for a difference given as such. */
function highDifference2(da: BigUint64Array, db: BigUint64Array, base: number, count: number, mask: bigint, up: bigint, out: BigUint64Array, at: number): void {
  for (let j = 0; j < count; j++) {
    const e = base + j;
    out[at + j] |= ((BigInt.asUintN(64, da[e] + db[e]) >> 32n) & mask) * up;
  }
}

function highDifference1(da: BigUint64Array, base: number, count: number, mask: bigint, up: bigint, out: BigUint64Array, at: number): void {
  for (let j = 0; j < count; j++) out[at + j] |= ((da[base + j] >> 32n) & mask) * up;
}

/**
 * p = v ^ w on the low words [from, high), ((v ^ w) & low) | constant on the high words
 * [high, to); w &= low on the high words (in place: the AND's operand); x = v ^ w.
 */
function groupOperands(v: BigUint64Array, w: BigUint64Array, from: number, high: number, to: number, low: bigint, constant: bigint, p: BigUint64Array, x: BigUint64Array): void {
  // v ^ w is computed twice rather than kept: V8 compiles a computed BigInt used twice to a
  // heap BigInt (measured 22 ns a word, against 2.6 ns with the loads reused; carry-tree.ts says so too).
  for (let i = from; i < high; i++) {
    const vi = v[i], wi = w[i];
    x[i] = vi ^ wi;
    p[i] = vi ^ wi;
  }
  for (let i = high; i < to; i++) {
    const vi = v[i], wi = w[i];
    x[i] = vi ^ wi;
    p[i] = ((vi ^ wi) & low) | constant;
    w[i] = wi & low;
  }
}
