/**
 * Secret counts compared with secret ranks, from the counts' injected addends: for each output
 * o, the count c_o (arithmetic, replicated) and [k_o >= c_o] (binary), nothing opened. The
 * radix search's per-level step (radix-select.ts), after its popcounts' trees.
 *
 * The count's injection (inject-sum.ts, injectWeightedAddends, round 1: the bits' split from Q
 * to R) leaves c = T_P + T_R, each addend known to one party. The comparison wants d = k − c as
 * two binary-shared addends (compare-narrow.ts: the sign of v + w lane by lane), and k's three
 * components split between the same two parties do that: P holds (k_P, k_Q), R holds (k_R,
 * k_P), so
 *     v = k_P + k_Q − T_P (known to P),   w = k_R − T_R (known to R),   v + w = k − c.
 * Each party packs its v or w (mod 2^lane) into the lanes of the outputs where it is P or R,
 * zero elsewhere; the three packed vectors XOR to the lanes of v (and of w), so one binary
 * reshare of them (a zero-sharing, to the previous party) makes v and w binary-shared. The same
 * message carries the reshare of the count's addends (c replicated, for the rank's update).
 *
 * Rounds (after round 1 of the injection): 1 (the reshare) + 1 + log2(lane) (compare-narrow.ts,
 * g and the carry tree) = 7 at counts of 2^20 rows (22 bits, 32-bit lanes). The path before
 * (inject-sum's second round to replicated c, then compare-narrow.ts's split into v + w): 8.
 * Bytes per party: 24 per output in the reshare (the count and the words of v and w that hold
 * lanes: min(n, N) each, the rest of the carry tree's padding is 0 in every share), against
 * 8 per output and a third of N = 1024 words (the padding) for the reshare and the split; the
 * injection's round 1 as before.
 *
 * Views: the reshare is masked by a zero-sharing (arithmetic for c, binary for the lanes) whose
 * stream shared with the sender's next party the receiver does not hold; the rest is
 * compare-narrow.ts. Nothing depends on the values but what is masked.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare, BShare, type BitShare } from '../shares.js';
import { notBits } from '../sharing.js';
import { paddedWords } from './carry-tree.js';
import { laneSumBelowZero, NARROW_MAX_BITS } from './compare-narrow.js';
import type { WeightedAddends } from './inject-sum.js';
import { laneWidth, packLanes } from './lanes.js';

/**
 * Per output: its count c (from `counts`, injectWeightedAddends) and [k >= c], k from `ranks`,
 * exact when |k − c| < 2^(bits − 1), 2 ≤ bits ≤ 32. 2 + log2(lane) rounds.
 */
export async function countsAgainstRanks(s: Session, counts: WeightedAddends, ranks: AShare, bits: number): Promise<{ count: AShare; atLeast: BitShare }> {
  const n = counts.sums.length;
  if (ranks.length !== n) throw new UsageError(`countsAgainstRanks: ${n} counts and ${ranks.length} ranks`);
  if (!Number.isInteger(bits) || bits < 2 || bits > NARROW_MAX_BITS) throw new UsageError(`countsAgainstRanks: bits must be 2 to ${NARROW_MAX_BITS} (got ${bits})`);
  const lane = laneWidth(bits);
  const N = paddedWords(n, lane);
  // This party's v (as P) and w (as R) per output, 0 where it is not; then packed into lanes.
  const mine = new BigUint64Array(2 * n);
  const v = mine.subarray(0, n), w = mine.subarray(n, 2 * n);
  addendsOf(counts.sums, counts.roles, ranks.a, ranks.b, v, w);
  // Lane q of word i holds output q·N + i: only the first u = min(n, N) words hold any. The
  // words past them are 0 in every party's v and w, so shares of 0 there cost no message.
  const u = Math.min(n, N);
  const work = s.party.scratch.take(10 * N);
  try {
    const part = (k: number): BigUint64Array => work.subarray((6 + k) * N, (7 + k) * N);
    const va = part(0), vb = part(1), wa = part(2), wb = part(3);
    packLanes(v, undefined, lane, N, va);
    packLanes(w, undefined, lane, N, wa);
    // One message: the count's addends (arithmetic zero-sharing) and the used words of v and w
    // (binary zero-sharing).
    const sent = new BigUint64Array(n + 2 * u);
    const countPart = sent.subarray(0, n);
    s.zeroShareInto(countPart);
    for (let o = 0; o < n; o++) countPart[o] += counts.sums[o];
    s.zeroShareXorInto(sent.subarray(n));
    xorInto(sent, n, va, u);
    xorInto(sent, n + u, wa, u);
    const received = await s.reshare(sent);
    va.set(sent.subarray(n, n + u));
    wa.set(sent.subarray(n + u, n + 2 * u));
    vb.fill(0n).set(received.subarray(n, n + u));
    wb.fill(0n).set(received.subarray(n + u, n + 2 * u));
    const count = new AShare(countPart, received.subarray(0, n));
    const below = await laneSumBelowZero(s, new BShare(va, vb), new BShare(wa, wb), n, bits, work.subarray(0, 6 * N));
    return { count, atLeast: notBits(s.me, below) };
  } finally {
    s.party.scratch.give(work);
  }
}

/** out[at + i] ^= x[i] for i < u. */
function xorInto(out: BigUint64Array, at: number, x: BigUint64Array, u: number): void {
  for (let i = 0; i < u; i++) out[at + i] ^= x[i];
}

/** v = k_a + k_b − T where this party is P (role 0), w = k_a − T where it is R (role 2). */
function addendsOf(sums: BigUint64Array, roles: Uint8Array, ka: BigUint64Array, kb: BigUint64Array, v: BigUint64Array, w: BigUint64Array): void {
  for (let o = 0; o < sums.length; o++) {
    if (roles[o] === 0) v[o] = ka[o] + kb[o] - sums[o];
    else if (roles[o] === 2) w[o] = ka[o] - sums[o];
  }
}
