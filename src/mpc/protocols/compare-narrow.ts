/**
 * Less-than on arithmetic shares whose difference is known to be small: |x - y| < 2^(bits - 1)
 * for bits <= 32 (declared ranges tell the plan so, ops/predicate.ts). The sign of x - y is then
 * bit bits-1 of (x - y) mod 2^bits, and reducing shares mod 2^bits is local, so everything runs
 * on lanes of 8, 16 or 32 bits (the narrowest that holds `bits`), 8, 4 or 2 elements per word:
 *
 *   1. d = x - y, each component reduced mod 2^lane and packed into lanes (local);
 *   2. v + w = d lane by lane (compare.ts splitAddends with lane addition: 1 round, 8 bytes per
 *      word, i.e. 1, 2 or 4 bytes per element);
 *   3. g = v AND w on the carry group, bits 0..bits-2 of each lane (1 round, one word per word);
 *   4. a carry tree of the lane's width over that group, the bits above it set to propagate
 *      (p = 1, g = 0) so the carry passes through them (carry-tree.ts: log2(lane) rounds);
 *   5. sign = v_{bits-1} XOR w_{bits-1} XOR carry (local).
 *
 * Steps 3 to 5 are laneSumBelowZero, for callers that have v and w some other way
 * (count-compare.ts: from two single-party addends, one reshare).
 *
 * Rounds: 5, 6 or 7 (lanes of 8, 16, 32). Bytes per element: ~7 at 8-bit lanes, ~7.5 at 16 (the
 * filter's 15-bit comparisons; ~20 with the 32-bit lanes and 64-bit addends used before), ~15 at
 * 32, against 8 rounds and ~32 bytes for the 64-bit lt.
 */

import { UsageError } from '../../errors.js';
import { gatherBit, halves } from '../../ring/bitops.js';
import { wordsFor } from '../../ring/bits.js';
import type { Session } from '../session.js';
import { AShare, BitShare, BShare } from '../shares.js';
import { andWords } from './binary.js';
import { carryTrees, paddedWords } from './carry-tree.js';
import { splitAddends } from './compare.js';
import { everyLane, laneWidth, packLanes, type LaneWidth } from './lanes.js';

export const NARROW_MAX_BITS = 32;

/**
 * Writes d mod 2^lane of every compared element into lanes (lanes.ts layout: lane q of word i is
 * element q * N + i) of both components, all other lanes zero.
 */
export type LanePacker = (lane: LaneWidth, N: number, a: BigUint64Array, b: BigUint64Array) => void;

/** x < y (x < 0 when y is omitted), exact when |x - y| < 2^(bits - 1), 2 <= bits <= 32. */
export async function ltNarrow(s: Session, x: AShare, y: AShare | undefined, bits: number): Promise<BitShare> {
  if (y && y.length !== x.length) throw new UsageError(`comparison operands differ in length (${x.length} vs ${y.length})`);
  return ltNarrowPacked(s, x.length, bits, (lane, N, a, b) => {
    packLanes(x.a, y?.a, lane, N, a);
    packLanes(x.b, y?.b, lane, N, b);
  });
}

/** d < 0 for n differences that `pack` writes straight into lanes (ops/predicate.ts: from the operands). */
export async function ltNarrowPacked(s: Session, n: number, bits: number, pack: LanePacker): Promise<BitShare> {
  if (!Number.isInteger(bits) || bits < 2 || bits > NARROW_MAX_BITS) throw new UsageError(`ltNarrow: bits must be 2 to ${NARROW_MAX_BITS} (got ${bits})`);
  const lane = laneWidth(bits);
  const N = paddedWords(n, lane);
  const TOPS = everyLane(1n << BigInt(lane - 1), lane);
  // Working memory that stays in this party (mpc/scratch.ts): packed d, which the addend split
  // copies, so that p, w AND LOW and v ^ w reuse its words afterwards.
  // The addends v, w (4 words per packed word) live only in this function too: the last 4N words.
  const scratch = s.party.scratch.take(10 * N);
  try {
    const da = scratch.subarray(0, N), db = scratch.subarray(N, 2 * N);
    pack(lane, N, da, db);
    const [v, w] = await splitAddends(s, new AShare(da, db), undefined, TOPS, scratch.subarray(6 * N, 10 * N));
    return await laneSumBelowZero(s, v, w, n, bits, scratch.subarray(0, 6 * N));
  } finally {
    s.party.scratch.give(scratch);
  }
}

/**
 * Steps 3 to 5: the sign of v + w lane by lane (d mod 2^lane in the lanes of laneWidth(bits),
 * element e in lane q of word i, e = q·N + i, N = paddedWords(n, lane)), from its two binary
 * shared addends: 1 + log2(lane) rounds. `work`: 6N words of this party's scratch, overwritten.
 */
export async function laneSumBelowZero(s: Session, v: BShare, w: BShare, n: number, bits: number, work: BigUint64Array): Promise<BitShare> {
  const lane = laneWidth(bits);
  const N = paddedWords(n, lane);
  if (v.a.length !== N || w.a.length !== N || work.length < 6 * N) throw new UsageError(`laneSumBelowZero: addends of ${v.a.length} and ${w.a.length} words, ${work.length} words of work, for ${N} words`);
  const laneMask = (1n << BigInt(lane)) - 1n;
  const low = (1n << BigInt(bits - 1)) - 1n;
  const LOW = everyLane(low, lane), HIGH = everyLane(laneMask ^ low, lane);
  // p = (v ^ w) on the group, 1 above it: a public 1 goes into XOR component 0 (party 0's a,
  // party 2's b). g = v AND (w on the group): masking one operand masks the product.
  const part = (k: number): BigUint64Array => work.subarray(k * N, (k + 1) * N);
  const pa = part(0), pb = part(1), wa = part(2), wb = part(3), xa = part(4), xb = part(5);
  operandKernel(v.a, w.a, LOW, s.me === 0 ? HIGH : 0n, pa, wa, xa);
  operandKernel(v.b, w.b, LOW, s.me === 2 ? HIGH : 0n, pb, wb, xb);
  const [ga, gb] = await andWords(s, v.a, v.b, wa, wb);
  const [tree] = await carryTrees(s, [{ g: new BShare(ga, gb), p: new BShare(pa, pb), n, width: lane }]);
  // The sign bit: bit bits-1 of v XOR w in each lane, XOR the carry into it.
  xorSignBits(tree.g.a, xa, lane, bits - 1, n, N);
  xorSignBits(tree.g.b, xb, lane, bits - 1, n, N);
  return tree.g;
}

/** p = ((v ^ w) & low) | constant, wLow = w & low, x = v ^ w. */
function operandKernel(v: BigUint64Array, w: BigUint64Array, low: bigint, constant: bigint, p: BigUint64Array, wLow: BigUint64Array, x: BigUint64Array): void {
  for (let i = 0; i < v.length; i++) {
    const vi = v[i], wi = w[i];
    x[i] = vi ^ wi;
    p[i] = ((vi ^ wi) & low) | constant;
    wLow[i] = wi & low;
  }
}

/** target ^= bit `bit` of every lane of x, in element order (lane q of word i is element q * N + i). */
export function xorSignBits(target: BigUint64Array, x: BigUint64Array, lane: number, bit: number, n: number, N: number): void {
  const signs = new BigUint64Array(target.length);
  const src = halves(x), dst = halves(signs);
  for (let q = 0, from = 0; from < n; q++, from += N) gatherBit(src, 0, Math.min(N, n - from), q * lane + bit, dst, from);
  for (let i = 0; i < wordsFor(n); i++) target[i] ^= signs[i];
}
