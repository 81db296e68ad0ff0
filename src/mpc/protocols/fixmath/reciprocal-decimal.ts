/**
 * ±10^k / x as an integer (units of 10^-k) for x in [1, 2] with f fraction bits and a shared
 * sign of 1 or −1: what predict's probabilities need (ops/predict-probability.ts), where the
 * general path (reciprocal-unit.ts) returns 1/x at 2^-f and the caller then pays a truncated
 * product for the decimal scale (3 rounds, 16 bytes) and a product for the sign (1, 8).
 *
 * Method: reciprocal-unit.ts's, b = x/2 read at F = f + 1 bits (exact, free), the quadratic
 * start y0 ≈ 1/b (coefficients.ts RECIPROCAL_INITIAL, relative error 1.01e-2) and two Goldschmidt
 * steps m = 2 − d, y ← y m, d ← d m from d0 = b y0, with three changes:
 *   - the sign enters y0 (y0s = sign y0, an exact product in the round of d0's truncated one:
 *     no round of its own); every later y is ±, d and m are not;
 *   - the first step keeps y1 and d1 at Y = F − 2 bits (its truncation takes 2 bits more, at no
 *     cost), so that the last product y1 · (m1 · 5^k) stays below 2^(2Y + 1.01 + log2 5^k) —
 *     2^60.95 for k = 6 at f = 24 — within the truncation's 2^62;
 *   - the last product carries the decimal scale: 10^k = 2^k 5^k, 5^k multiplies m1 (local) and
 *     2^k comes off the truncation, 2Y + 1 − k bits (the 1: 1/x = y/2).
 *
 * Cost per element and party: b² (1 round, 8 bytes), the start (3, ~13.3), d0 (3, 16) beside
 * sign y0 (8), the first step (3, 2 × 16), the last (3, 16): 13 rounds and ~101 bytes, where
 * reciprocal-unit.ts's 13 rounds and ~85 bytes are followed by 4 rounds and 24 bytes.
 * Accuracy: the Goldschmidt error (1.02e-2)^4 = 1.1e-8 (2^-26.4), the truncation of d0 at 2^-F
 * (y0's own truncation is corrected: d0 is formed from the truncated y0), of y1 and d1 at 2^-Y
 * (y1 ≥ 1 and m1 ≈ 1: 2^-Y relative each), and the last unit: |result ∓ 10^k/x| ≤
 * 10^k 2^-(Y − 2) / x + 1 (2^-21 relative plus one unit at f = 24).
 */

import { UsageError } from '../../../errors.js';
import type { Session } from '../../session.js';
import { AShare, scaleA } from '../../shares.js';
import { linearA, mulMany, mulTruncMany, truncShare } from './ops.js';
import { parallel } from './parallel.js';
import { reciprocalStartTerms } from './reciprocal.js';

/** Coefficient bits of the start beyond F: 2F + 8 + 2 ≤ 60 for F ≤ 25 (as reciprocal-unit.ts). */
const START_BITS = 8;
/** Bits the first step's y and d give up so that the last, scaled product fits. */
const Y_DROP = 2;

/** The documented error bound: |result − sign 10^k/x| ≤ relative 10^k/x + absolute units. */
export function decimalReciprocalErrorBound(f: number): { relative: number; absolute: number } {
  return { relative: 2 ** -(f + 1 - Y_DROP - 2), absolute: 1 };
}

/** sign 10^digits / x (integer units of 10^-digits) for x in [1, 2] with f fraction bits (18 ≤ f ≤ 24), sign 1 or −1. */
export async function decimalReciprocalOneToTwo(s: Session, x: AShare, sign: AShare, f: number, digits: number): Promise<AShare> {
  if (!Number.isInteger(f) || f < 18 || f > 24) throw new UsageError(`decimalReciprocalOneToTwo: ${f} fraction bits; 18 to 24 are supported`);
  const F = f + 1;
  const Y = F - Y_DROP;
  if (!Number.isInteger(digits) || digits < 0) throw new UsageError(`decimalReciprocalOneToTwo: ${digits} decimal digits; a whole number ≥ 0 is needed`);
  const odd = 5n ** BigInt(digits);
  // y1 < 2^(Y+1), m1 < 2^(Y+0.01): the last product must stay below 2^62.
  if (2 * Y + 1.01 + Math.log2(Number(odd)) >= 62 || 2 * Y + 1 - digits < 1) {
    throw new UsageError(`decimalReciprocalOneToTwo: 10^${digits} does not fit the last product at ${f} fraction bits; use fewer digits`);
  }
  const n = x.length;
  // b = x/2 with F fraction bits: b_raw = x_raw.
  const b = x;
  const [b2] = await mulMany(s, [[b, b]]);
  const y0 = await truncShare(s, reciprocalStartTerms(s.me, n, b, b2, F, START_BITS), F + START_BITS);
  const [[d0], [y0s]] = await parallel(
    s,
    (sub) => mulTruncMany(sub, [[b, y0]], F),
    (sub) => mulMany(sub, [[sign, y0]]),
  );
  const m0 = linearA(s.me, n, [[d0, -1n]], 2n << BigInt(F));
  const [y1, d1] = await mulTruncMany(
    s,
    [
      [y0s, m0],
      [d0, m0],
    ],
    F + Y_DROP,
  );
  // m1 5^k at Y bits, then y1 m1 5^k 2^k / 2 at 2Y bits: the result in units of 10^-k.
  const m1 = scaleA(linearA(s.me, n, [[d1, -1n]], 2n << BigInt(Y)), odd);
  const [result] = await mulTruncMany(s, [[y1, m1]], 2 * Y + 1 - digits);
  return result;
}
