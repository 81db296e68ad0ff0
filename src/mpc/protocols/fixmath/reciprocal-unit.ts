/**
 * 1/x for x in [1, 2] (a public, narrow range: no normalisation), for the probabilities of
 * logistic regression, r = 1/(1 + e^(−|η|)) (ops/logit-probabilities.ts, ops/predict-probability.ts).
 *
 * Method: b = x/2 lies in [1/2, 1] already, so the leading-one circuit, the injections and the
 * product tree of the general reciprocal (reciprocal.ts: 12 + 1 + 3 rounds, ~140 bytes per
 * element) are not needed. Read with F = f + 1 working bits, b's raw value is x's: b costs
 * nothing and is exact (an earlier version truncated x to F = f − 1 bits: 3 rounds, 13.3 bytes).
 * Then the same quadratic start (coefficients.ts RECIPROCAL_INITIAL, relative error 1.01e-2,
 * with 8 coefficient bits beyond F so that the start stays below 2^(2F + 10) ≤ 2^60: 2^-9 more)
 * and two Goldschmidt iterations as reciprocal.ts; 1/x = y/2, and the last iteration's
 * truncation takes the two extra bits that bring y to 1/x with f fraction bits.
 *
 * Cost per element and party: b² (1 round, 8 bytes), the start (3, 13.3), d = b y (3, 16), two
 * iterations (6, 48): 13 rounds and ~85 bytes (the general reciprocal on [1, 2] at f = 24: 36
 * rounds, ~240 bytes); fewer where a truncation is by at most 32 bits, whose top-bit messages
 * travel in 16- or 32-bit words (trunc.ts).
 * Accuracy: the Goldschmidt error (1.2e-2)^4 = 2e-8 plus a unit of F per truncation,
 * |result − 1/x| ≤ 2^-(F − 4) |1/x| + 2^-f: 2^-(f − 3) relative (2^-21 at f = 24).
 * Input slightly above 2 (an e of exp just above 1) stays within Goldschmidt's convergence.
 */

import { UsageError } from '../../../errors.js';
import type { Session } from '../../session.js';
import type { AShare } from '../../shares.js';
import { reciprocalOfHalfToOne } from './reciprocal.js';

const ITERATIONS = 2;
/** Coefficient bits of the start beyond F: 2F + 8 + 2 ≤ 60 for F ≤ 25. */
const START_BITS = 8;

/** The documented error bound at f fraction bits (see the header). */
export function reciprocalOneToTwoErrorBound(f: number): { relative: number; absolute: number } {
  return { relative: 2 ** -(f + 1 - 4), absolute: 2 ** -f };
}

/** 1/x for x in [1, 2] with f fraction bits (18 ≤ f ≤ 24), the result with f fraction bits. */
export async function reciprocalOneToTwo(s: Session, x: AShare, f: number): Promise<AShare> {
  if (!Number.isInteger(f) || f < 18 || f > 24) throw new UsageError(`reciprocalOneToTwo: ${f} fraction bits; 18 to 24 are supported`);
  const F = f + 1;
  // b = x/2 with F = f + 1 fraction bits: b_raw = x_raw 2^(F − f − 1) = x_raw.
  // y ≈ 1/b = 2/x with F bits; (1/x) 2^f = y_raw 2^(f − 1 − F) = y_raw / 4: the last step drops 2 more bits.
  return reciprocalOfHalfToOne(s, x, F, ITERATIONS, START_BITS, 2);
}
