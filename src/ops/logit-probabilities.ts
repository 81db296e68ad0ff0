/**
 * σ(η) and σ(−η) for secret η, each to its own RELATIVE precision (the piecewise sigmoid of
 * fixmath/sigmoid.ts has an absolute error of 2.6e-4, far too coarse for a Newton step; see
 * docs/fixmath.md): with s = [η < 0], S = 1 − 2s and e = exp(−S η) = exp(−|η|) in (0, 1] (never
 * overflowing), r = 1/(1 + e) on [1, 2] is the probability of the likelier outcome and r·e the
 * other's; s swaps them. Also returns −S and e for the log-likelihood (logit-loglik.ts: −|η| =
 * −S η there, summed as an inner product).
 *
 * Cost per element and party: the sign by a 36-bit comparison (compare-split.ts; |η| 2^24 < 2^35
 * wherever exp's declared range holds) and one injection giving −S and s (10 rounds, ~26 bytes),
 * exp with the product by −S fused into its first truncation (fixmath/exp.ts expOfSigned: 22
 * rounds), the reciprocal on [1, 2] without normalisation (fixmath/reciprocal-unit.ts: 13
 * rounds, ~85 bytes), one product with truncation, one product: about 300 bytes, 52 rounds. (The
 * 64-bit comparison, its injection and a separate product for −|η| took 20 bytes and a round more:
 * s9-logit in docs/benchmarks.md.)
 * Accuracy at f fraction bits: exp within 2^-18 + 2^-f relative and the reciprocal within
 * 2^-(f-3) + 2^-f relative (docs/fixmath.md), so p and q within about 2^-15 relative each.
 * (predict, which needs p only and as a decimal, takes a shorter path: predict-probability.ts.)
 */

import { mul } from '../mpc/protocols/arith.js';
import { ltSplit } from '../mpc/protocols/compare-split.js';
import { sigmoid } from '../mpc/protocols/fixmath/index.js';
import { expOfSigned } from '../mpc/protocols/fixmath/exp.js';
import { reciprocalOneToTwo } from '../mpc/protocols/fixmath/reciprocal-unit.js';
import { mulTruncMany } from '../mpc/protocols/fixmath/ops.js';
import { injectLinear } from '../mpc/protocols/inject.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, scaleA, subA } from '../mpc/shares.js';
import { addConstA } from '../mpc/sharing.js';
import { LOGIT_FRACTION_BITS } from '../plan/check-logit.js';

/**
 * The last iterations of a fit, which take the precise probabilities; the ones before (but the
 * first, at β = 0) take the rough ones. Three: the rough iterates end within about 1e-3 of the
 * maximum likelihood (standardised units), two precise Newton steps bring that to ~1e-8 even with
 * the refined inverse's residual (~5e-3 at 100K rows), and the last iteration's g and H, opened,
 * are then precise at a β where the recipient's exact step and the standard errors meet 1e-5.
 */
export const LOGIT_PRECISE_ITERATIONS = 3;

/** Smallest −|η| declared to exp: beyond it σ is 1 or 0 to far below 2^-f anyway. */
export const LOGIT_EXP_MIN = -1000;

/** Bits of the sign comparison of η (24 fraction bits): |η| < 2^11, beyond exp's declared 1000, with a bit for the sign. */
const SIGN_BITS = 36;

export interface Probabilities {
  readonly p: AShare;
  readonly q: AShare;
  /** −S = 2[η < 0] − 1 (so −|η| = −S η) and exp(−|η|). */
  readonly minusSign: AShare;
  readonly e: AShare;
}

export async function probabilities(s: Session, eta: AShare, f: number): Promise<Probabilities> {
  const negative = await ltSplit(s, eta, AShare.zeros(eta.length), SIGN_BITS);
  const [minusSign, swapBit] = await injectLinear(s, [negative], [{ terms: [[0, 2n]], constant: -1n }, { terms: [[0, 1n]] }]);
  const e = await expOfSigned(s, minusSign, eta, { min: LOGIT_EXP_MIN, max: 0, fractionBits: f });
  const r = await reciprocalOneToTwo(s, addConstA(s.me, e, 1n << BigInt(f)), f);
  const [re] = await mulTruncMany(s, [[r, e]], f);
  const swap = await mul(s, swapBit, subA(re, r));
  return { p: addA(r, swap), q: subA(re, swap), minusSign, e };
}

/**
 * |η| declared to the rough sigmoid: its circuit then works on 25 bit planes at LOGIT_ROUGH_BITS
 * instead of 64. A row beyond it (only when the iterates run off, as under
 * separation; the precise exp is declared for 1000) gets the sigmoid of a wrapped η, a wrong p
 * in [0, 1] that can only steer the rough iterates: nothing opened is computed from it, and the
 * precise iterations and the recipient's checks decide the fit whatever path led there.
 */
export const LOGIT_ROUGH_BOUND = 2 ** 11;

/**
 * Fraction bits of η and p in the rough iterations: f/2 of the fit's f = 24. The sigmoid's own
 * error (2.4e-4) is already 2^-12, so p at 2^-12 loses little (absolute 2.43e-4 + 2^-12 + 2^-20 =
 * 4.9e-4 instead of 2.4e-4, and the extra unit is the final truncation's, not a bias of σ), while
 * η at 12 bits makes the sigmoid's circuit work on 24 bit planes instead of 36, and w = p(1 − p)
 * comes out at 24 bits as one exact product, without a truncation.
 */
export const LOGIT_ROUGH_BITS = LOGIT_FRACTION_BITS / 2;

/**
 * The rough probabilities of the early iterations (ops/logit.ts), for η with LOGIT_ROUGH_BITS
 * fraction bits: p = σ(η) by the piecewise-cubic sigmoid at those bits (fixmath/sigmoid.ts:
 * absolute error 2.43e-4 + 2^-12 + 2^-20 for |η| < LOGIT_ROUGH_BOUND, 16 rounds), y − p and the
 * weight w = p(1 − p), both returned at 2·LOGIT_ROUGH_BITS = 24 fraction bits (w one exact
 * product: 1 round, 8 bytes): 16 rounds and ~104 bytes per row, against the precise path's ~55
 * rounds and ~355 bytes (and 19 rounds and ~119 bytes with η and p at 24 bits, before s9-logit).
 * Iterates computed with them converge towards the β where the ROUGH gradient vanishes, within
 * about 1e-3 of the maximum likelihood in standardised units; the last iterations then use the
 * precise probabilities (see ops/logit.ts).
 */
export async function roughResidualAndWeight(s: Session, y: AShare, eta: AShare): Promise<{ residual: AShare; w: AShare }> {
  const f = LOGIT_ROUGH_BITS;
  const p = await sigmoid(s, eta, { fractionBits: f, bound: LOGIT_ROUGH_BOUND });
  const w = await mul(s, p, addConstA(s.me, scaleA(p, -1n), 1n << BigInt(f)));
  return { residual: scaleA(subA(scaleA(y, 1n << BigInt(f)), p), 1n << BigInt(f)), w };
}
