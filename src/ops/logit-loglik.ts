/**
 * Twice the log-likelihood of a logistic fit at the current β, inside MPC, from what the
 * probabilities already computed (logit-probabilities.ts): per row
 *
 *   log L_i = y η − softplus(η) = y η − max(η, 0) − log(1 + e^(−|η|)) = y η − (η − a)/2 − log1p(e)
 *
 * with a = −|η| and e = exp(a), so max(η, 0) = (η + |η|)/2 = (η − a)/2 is linear. Summed:
 * 2 log L = 2 Σ y η − Σ η + Σ a − 2 Σ v log1p(e) (v the validity: a row that is not valid has
 * η = a = 0 and y = 0, and would add −log 2), with Σ y η and Σ v log1p(e) one inner product each
 * (one reshare of one element). log1p(e) for e in (0, 1] is a degree-8 polynomial in u = 2e − 1
 * (least squares on Chebyshev nodes, max error 3.4e-8 on [0, 1]) by Horner's rule: 8 products
 * with truncation in sequence (24 rounds, 128 bytes per row and party).
 *
 * Error bound per row at f = 24: 3.4e-8 (approximation) + 8 · 2^-24 (Horner's truncations, |u| ≤ 1)
 * + 9 · 2^-25 (rounded coefficients) + |Δe| (e's own error, expErrorBound: 2^-18 relative +
 * 2^-24, and log1p' ≤ 1) + 2^-23 (η, a): below 3.9e-6 + 1.0e-6 per row, so |Δ log L| ≤ 4.9e-6 n
 * (docs/statistics.md, "Logistic regression").
 */

import { dot } from '../mpc/protocols/arith.js';
import { expErrorBound } from '../mpc/protocols/fixmath/index.js';
import { LOGIT_EXP_MIN } from './logit-probabilities.js';
import { fixedConstant, mulTruncMany } from '../mpc/protocols/fixmath/ops.js';
import type { Session } from '../mpc/session.js';
import { addA, AShare, concatA, scaleA, splitA, subA, sumA } from '../mpc/shares.js';
import { addConstA } from '../mpc/sharing.js';

/** log1p((u + 1) / 2) ≈ Σ c_k u^k on u in [−1, 1]. */
const LOG1P_COEFFICIENTS = [
  0.4054651037929903, 0.3333330830293394, -0.05555534205672169, 0.012348968954747963, -0.0030881011461960004, 0.0008114790472693964,
  -0.0002240365944477646, 8.002991117934102e-5, -2.402918343577598e-5,
] as const;

/** The bound on |Δ log L| over n rows at f fraction bits (see the header). */
export function logLikelihoodErrorBound(n: number, f: number): number {
  const e = expErrorBound({ min: LOGIT_EXP_MIN, max: 0, fractionBits: f });
  return n * (e.relative + e.absolute + 3.4e-8 + 8 * 2 ** -f + 9 * 2 ** -(f + 1) + 2 * 2 ** -f);
}

/** log1p(e) for e in (0, 1] at f fraction bits. */
export async function log1pUnit(s: Session, e: AShare, f: number): Promise<AShare> {
  const u = addConstA(s.me, scaleA(e, 2n), -(1n << BigInt(f)));
  const c = LOG1P_COEFFICIENTS.map((k) => fixedConstant(k, f));
  let acc = addConstA(s.me, AShare.zeros(e.length), c[c.length - 1]);
  for (let k = c.length - 2; k >= 0; k--) {
    [acc] = await mulTruncMany(s, [[acc, u]], f);
    acc = addConstA(s.me, acc, c[k]);
  }
  return acc;
}

/**
 * 2 log L at f fraction bits (one element). y: the 0/1 response (0 where not valid); valid: the
 * secret validity, or undefined when every row is valid.
 */
export async function twiceLogLikelihood(s: Session, y: AShare, eta: AShare, a: AShare, e: AShare, valid: AShare | undefined, f: number): Promise<AShare> {
  const log1p = await log1pUnit(s, e, f);
  const n = eta.length;
  const [yEta, vLog] = valid ? splitA(await dot(s, concatA([y, valid]), concatA([eta, log1p]), n), [1, 1]) : [await dot(s, y, eta, n), sumA(log1p)];
  return addA(subA(scaleA(yEta, 2n), sumA(eta)), subA(sumA(a), scaleA(vLog, 2n)));
}
