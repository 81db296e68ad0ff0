/**
 * 1/x for x in [1, 2] (a public, narrow range: no normalisation), for the probabilities of
 * logistic regression, r = 1/(1 + e^(−|η|)) (ops/logit-probabilities.ts).
 *
 * Method: b = x/2 lies in [1/2, 1] already, so the leading-one circuit, the injections and the
 * product tree of the general reciprocal (reciprocal.ts: 12 + 1 + 3 rounds, ~140 bytes per
 * element) are not needed: b is x truncated to F = 23 working bits, then the same quadratic start
 * (coefficients.ts RECIPROCAL_INITIAL, relative error 1.01e-2) and Goldschmidt iterations as
 * reciprocal.ts, and 1/x = y/2, which at f = F + 1 = 24 output bits is y's raw value (free).
 *
 * Cost per element and party: b (3 rounds, 13.3 bytes), b² (1, 8), the start (3, 13.3),
 * d = b y (3, 16), two iterations (6, 48): 16 rounds and ~99 bytes (the general reciprocal on
 * [1, 2] at f = 24: 36 rounds, ~240 bytes); fewer where a truncation is by at most 32 bits,
 * whose top-bit messages travel in 16- or 32-bit words (trunc.ts).
 * Accuracy: the general reciprocal's bound, |result − 1/x| ≤ 2^-(F − 4) |1/x| + 2^-f (b's
 * truncation is one unit 2^-F on b ≥ 1/2, within the 2^-(F−1) per truncation counted there).
 * Input slightly above 2 (an e of exp just above 1) stays within Goldschmidt's convergence.
 */

import { UsageError } from '../../../errors.js';
import type { Session } from '../../session.js';
import type { AShare } from '../../shares.js';
import { truncShare } from './ops.js';
import { reciprocalOfHalfToOne } from './reciprocal.js';

const ITERATIONS = 2;

/** The documented error bound at f fraction bits (see the header). */
export function reciprocalOneToTwoErrorBound(f: number): { relative: number; absolute: number } {
  const F = Math.min(23, f - 1);
  return { relative: 2 ** -(F - 4), absolute: 2 ** -f };
}

/** 1/x for x in [1, 2] with f fraction bits (18 ≤ f ≤ 24), the result with f fraction bits. */
export async function reciprocalOneToTwo(s: Session, x: AShare, f: number): Promise<AShare> {
  if (!Number.isInteger(f) || f < 18 || f > 24) throw new UsageError(`reciprocalOneToTwo: ${f} fraction bits; 18 to 24 are supported`);
  const F = f - 1;
  // b = x/2 with F fraction bits: b_raw = x_raw 2^(F − f − 1) = x_raw / 4.
  const b = await truncShare(s, x, f + 1 - F);
  const y = await reciprocalOfHalfToOne(s, b, F, ITERATIONS);
  // y ≈ 1/b = 2/x with F bits; 1/x = y/2 with f = F + 1 bits is y's raw value.
  return y;
}
