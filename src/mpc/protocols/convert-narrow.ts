/**
 * Arithmetic to binary sharing of values known to lie in [0, 2^bits), bits <= 32 (a group index
 * below its declared number of levels, ops/group-key.ts): the value is its residue mod 2^bits,
 * and reducing shares mod 2^lane is local, so the whole conversion runs on packed lanes of 8, 16
 * or 32 bits (lanes.ts: 8, 4 or 2 elements per word) instead of one 64-bit word per element:
 *
 *   1. each component reduced mod 2^lane and packed (local);
 *   2. v + w = x lane by lane (compare.ts splitAddends with lane addition: 1 round, 8 bytes per word);
 *   3. a Kogge-Stone adder inside the lanes: G = v AND w (1 round), then for s = 1, 2, .., lane/2
 *      G ^= P AND (G << s), P &= P << s, both in one round, the shifted words masked so that no
 *      bit crosses into the next lane (masking is local on XOR shares); sum = v ^ w ^ (G << 1);
 *   4. the lanes unpacked into one word per element (local).
 *
 * Rounds: 2 + log2(lane) (5 for 8-bit lanes) against 8; bytes per element at 8-bit lanes ~2.6
 * (1 for the split, 1 for G, 2 words per level of 8 elements) against 104 for a2b.
 * A value outside [0, 2^lane) would come out as its residue: callers pass `bits` only where
 * the table's invariants guarantee the range.
 */

import { UsageError } from '../../errors.js';
import { POW2 } from '../../ring/bitops.js';
import type { Session } from '../session.js';
import { lanePlanes } from '../../ring/planes.js';
import { AShare, BShare, BitShare } from '../shares.js';
import { andWords } from './binary.js';
import { splitAddends } from './compare.js';
import { everyLane, laneWidth, packLanes, unpackLanes, type LaneWidth } from './lanes.js';

export const NARROW_A2B_MAX_BITS = 32;

/** Binary sharing (one word per element, bits >= lane zero) of x in [0, 2^bits). 2 + log2(lane) rounds. */
export async function a2bNarrow(s: Session, x: AShare, bits: number): Promise<BShare> {
  const sum = await laneSum(s, x, bits);
  try {
    return new BShare(unpackLanes(sum.a, sum.lane, x.length, sum.N), unpackLanes(sum.b, sum.lane, x.length, sum.N));
  } finally {
    s.party.scratch.give(sum.memory);
  }
}

/**
 * a2bNarrow as bit planes 0..bits-1 (ring/planes.ts), read straight from the packed lanes: the
 * layout bit circuits over the bits want (one-hot.ts, group-indicators.ts), without the vector of
 * one word per element and its transposition. Same rounds and bytes.
 */
export async function a2bNarrowPlanes(s: Session, x: AShare, bits: number): Promise<BitShare[]> {
  const sum = await laneSum(s, x, bits);
  const n = x.length;
  try {
    const pa = lanePlanes(sum.a, sum.lane, n, sum.N, bits), pb = lanePlanes(sum.b, sum.lane, n, sum.N, bits);
    return pa.map((a, t) => new BitShare(a, pb[t], n));
  } finally {
    s.party.scratch.give(sum.memory);
  }
}

/**
 * The binary sum's components in packed lanes (lane q of word i: element q · N + i), in `memory`,
 * pooled memory the caller gives back once it has read them. Every other array here dies inside
 * this call: the carries and each level's products are pooled too (sent without `transfer`, so
 * the link has copied them), the messages received are given back to the link once read: fresh
 * ones were ~16 bytes per element of what V8 counts towards its next full collection.
 */
async function laneSum(s: Session, x: AShare, bits: number): Promise<{ a: BigUint64Array; b: BigUint64Array; lane: LaneWidth; N: number; memory: BigUint64Array }> {
  if (!Number.isInteger(bits) || bits < 1 || bits > NARROW_A2B_MAX_BITS) throw new UsageError(`a2bNarrow: bits must be 1 to ${NARROW_A2B_MAX_BITS} (got ${bits})`);
  const n = x.length;
  const lane = laneWidth(bits);
  const N = Math.max(1, Math.ceil(n / (64 / lane)));
  const scratch = s.party.scratch.take(2 * N);
  // The addends v and w (4N words) are read until the generate bits are formed: pooled too.
  const addends = s.party.scratch.take(4 * N);
  let v: BShare, w: BShare;
  try {
    const da = scratch.subarray(0, N), db = scratch.subarray(N, 2 * N);
    packLanes(x.a, undefined, lane, N, da);
    packLanes(x.b, undefined, lane, N, db);
    [v, w] = await splitAddends(s, new AShare(da, db), undefined, everyLane(1n << BigInt(lane - 1), lane), addends);
  } catch (e) {
    s.party.scratch.give(addends);
    throw e;
  } finally {
    s.party.scratch.give(scratch);
  }
  // The sum (returned) and the carries G, one pooled buffer: [sumA, sumB, ga].
  const memory = s.party.scratch.take(3 * N);
  const sumA = xorOf(v.a, w.a, memory.subarray(0, N)), sumB = xorOf(v.b, w.b, memory.subarray(N, 2 * N));
  /** The messages received and products taken that are still read: given back once they are not. */
  let held: { z: BigUint64Array; received: BigUint64Array } | undefined;
  try {
    let ga: BigUint64Array, gb: BigUint64Array;
    try {
      [ga, gb] = await andWords(s, v.a, v.b, w.a, w.b, memory.subarray(2 * N, 3 * N));
    } finally {
      s.party.scratch.give(addends);
    }
    let pa = sumA, pb = sumB;
    for (let shift = 1; shift < lane; shift <<= 1) {
      // Bits that a shift by `shift` would carry out of a lane are cleared.
      const keep = everyLane(((1n << BigInt(lane)) - 1n) ^ ((1n << BigInt(shift)) - 1n), lane);
      const last = 2 * shift >= lane; // the last level needs no new P
      const m = last ? N : 2 * N;
      // The operands stay in this party: scratch memory (mpc/scratch.ts), fully overwritten.
      const operands = s.party.scratch.take(4 * m);
      let za: BigUint64Array, zb: BigUint64Array;
      try {
        const la = operands.subarray(0, m), lb = operands.subarray(m, 2 * m), ra = operands.subarray(2 * m, 3 * m), rb = operands.subarray(3 * m, 4 * m);
        levelOperands(pa, ga, POW2[shift], keep, la, ra, last);
        levelOperands(pb, gb, POW2[shift], keep, lb, rb, last);
        // The previous level's P is read: its products go back.
        if (held) giveBack(s, held);
        held = undefined;
        const z = s.party.scratch.take(m);
        [za, zb] = await andWords(s, la, lb, ra, rb, z);
        held = { z, received: zb };
      } finally {
        s.party.scratch.give(operands);
      }
      xorInto(ga, za, N);
      xorInto(gb, zb, N);
      if (!last) {
        pa = za.subarray(N);
        pb = zb.subarray(N);
      }
    }
    addCarries(sumA, ga, everyLane(((1n << BigInt(lane)) - 1n) ^ 1n, lane));
    addCarries(sumB, gb, everyLane(((1n << BigInt(lane)) - 1n) ^ 1n, lane));
    s.releaseWords(s.next, gb);
  } catch (e) {
    s.party.scratch.give(memory);
    throw e;
  } finally {
    if (held) giveBack(s, held);
  }
  return { a: sumA, b: sumB, lane, N, memory };
}

/** A level's products: the pooled local part back to the pool, the received part to the link. */
function giveBack(s: Session, level: { z: BigUint64Array; received: BigUint64Array }): void {
  s.party.scratch.give(level.z);
  s.releaseWords(s.next, level.received);
}

function xorOf(a: BigUint64Array, b: BigUint64Array, out: BigUint64Array): BigUint64Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** l = [P, P], r = [(G << s) & keep, (P << s) & keep] (only the first halves when `last`). */
function levelOperands(p: BigUint64Array, g: BigUint64Array, up: bigint, keep: bigint, l: BigUint64Array, r: BigUint64Array, last: boolean): void {
  const N = p.length;
  for (let i = 0; i < N; i++) {
    l[i] = p[i];
    r[i] = (g[i] * up) & keep;
  }
  if (last) return;
  for (let i = 0; i < N; i++) {
    l[N + i] = p[i];
    r[N + i] = (p[i] * up) & keep;
  }
}

function xorInto(target: BigUint64Array, src: BigUint64Array, n: number): void {
  for (let i = 0; i < n; i++) target[i] ^= src[i];
}

/** sum ^= (G << 1) within lanes: G_i is the carry out of bit i, into bit i + 1. */
function addCarries(sum: BigUint64Array, g: BigUint64Array, keep: bigint): void {
  for (let i = 0; i < sum.length; i++) sum[i] ^= (g[i] * 2n) & keep;
}
