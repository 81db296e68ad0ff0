/**
 * Twice the log-likelihood of a logistic fit at the current β, inside MPC, from what the
 * probabilities already computed (logit-probabilities.ts): per row
 *
 *   log L_i = y η − softplus(η) = y η − max(η, 0) − log(1 + e^(−|η|)) = y η − (η − a)/2 − log1p(e)
 *
 * with a = −|η| and e = exp(a), so max(η, 0) = (η + |η|)/2 = (η − a)/2. With S = 1 − 2[η < 0]
 * (the probabilities' sign), a = −S η, so 2yη − η + a = (2y − 1 − S) η: one product of a local
 * combination with η. Summed over a fit's rows (mask e_g: the validity, or a group's indicator):
 * 2 log L_g = Σ e_g ((2y − 1 − S) η − 2 log1p(e)), one inner product per fit (one reshare of one
 * element each); without a mask Σ (2y − 1 − S) η − 2 Σ log1p(e), all local but the first sum
 * (one inner product). log1p(e) for e in (0, 1] is a degree-8 polynomial in u = 2e − 1
 * (least squares on Chebyshev nodes, max error 3.4e-8 on [0, 1]) by Horner's rule: 8 products
 * with truncation in sequence (24 rounds, 128 bytes per row and party).
 *
 * Error bound per row at f = 24: 3.4e-8 (approximation) + 8 · 2^-24 (Horner's truncations, |u| ≤ 1)
 * + 9 · 2^-25 (rounded coefficients) + |Δe| (e's own error, expErrorBound: 2^-18 relative +
 * 2^-24, and log1p' ≤ 1) + 2^-23 (η, a): below 3.9e-6 + 1.0e-6 per row, so |Δ log L| ≤ 4.9e-6 n
 * (docs/statistics.md, "Logistic regression").
 */

import { dot, mul } from '../mpc/protocols/arith.js';
import { innerProducts } from '../mpc/protocols/inner-products.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import { expErrorBound } from '../mpc/protocols/fixmath/index.js';
import { LOGIT_EXP_MIN } from './logit-probabilities.js';
import { fixedConstant, mulTruncMany } from '../mpc/protocols/fixmath/ops.js';
import type { Session } from '../mpc/session.js';
import { addA, AShare, concatA, scaleA, subA, sumA } from '../mpc/shares.js';
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
 * Per fit, 2 log L at f fraction bits and Σ y over its rows: the first G entries and the last G.
 * masks: each fit's 0/1 row mask (the secret validity of a single fit, or a per-group fit's group
 * indicators), or undefined for one fit of every row, where both sums are local but Σ y η (one
 * inner product). With masks, per row 2 log L_r = 2yη − η + a − 2 log1p(e) (y η exact, y is
 * 0/1: one product beside log1p's), then one inner product per fit and sum: the rows of one
 * fit never enter another's sums.
 */
export async function twiceLogLikelihoods(s: Session, masks: readonly AShare[] | undefined, y: AShare, last: { eta: AShare; minusSign: AShare; e: AShare }, f: number): Promise<AShare> {
  const { eta, minusSign, e } = last;
  // 2yη − η + a = (2y − 1 − S) η with a = −|η| = −S η: one product (or inner product) for all three.
  const linear = addConstA(s.me, addA(scaleA(y, 2n), minusSign), -1n);
  if (!masks) {
    const [log1p, linearEta] = await parallel(s, (t) => log1pUnit(t, e, f), (t) => dot(t, linear, eta, eta.length));
    return concatA([subA(linearEta, scaleA(sumA(log1p), 2n)), sumA(y)]);
  }
  const [linearEta, log1p] = await parallel(s, (t) => mul(t, linear, eta), (t) => log1pUnit(t, e, f));
  const terms = subA(linearEta, scaleA(log1p, 2n));
  const sums = await innerProducts(s, masks, [terms, y]); // fit g: [2 log L_g, Σ_g y] at 2g
  const pick = (r: number): AShare => concatA(masks.map((_, g) => sums.slice(2 * g + r, 2 * g + r + 1)));
  return concatA([pick(0), pick(1)]);
}
