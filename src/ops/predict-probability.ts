/**
 * predict's probabilities as decimal(6) (ops/predict.ts): P = round-down(σ(η) 10^6) within a few
 * units, for η with f = 24 fraction bits and |η| ≤ PREDICT_ETA_LIMIT (plan/check-predict.ts
 * refuses inputs that could exceed it).
 *
 * The fits' probabilities (logit-probabilities.ts) return p and q = 1 − p at 2^-f each; predict
 * needs only p, already scaled, so it takes a shorter path:
 *   s = [η < 0] by a 36-bit comparison (compare-split.ts: |η| 2^24 < 2^34; 8 rounds, ~15 bytes,
 *       instead of the 64-bit one's ~27), injected;
 *   a = −|η| = 2sη − η, e = exp(a) in (0, 1] (fixmath/exp.ts);
 *   r = 1/(1 + e) (fixmath/reciprocal-unit.ts), and beside it t = 1 + s(e − 1) (1 if η ≥ 0,
 *       e if η < 0; one product with the 0/1 share s: exact), so that σ(η) = r t;
 *   P = r t 10^6: t is kept as t 15625 2^24 (exact: 10^6 = 2^6 15625) and the product is
 *       truncated once by 24 + 18 bits (below 2^61.94 < 2^62, as trunc.ts requires).
 * This replaces the product r e (3 rounds, 16 bytes), the swap (1, 8) and the scaled truncation
 * (3, 13.3) of the general path by one truncated product (3, 16) and a product run beside the
 * reciprocal (8 bytes, no round).
 *
 * Accuracy: r within 2^-21 relative plus 2^-24 (reciprocal-unit.ts), e within 2^-18 relative
 * plus 2^-24 (exp at 24 bits: W = 20), and the final truncation one unit: |P − σ(η) 10^6| ≤
 * 10^6 σ(η) (2^-21 + 2^-18) + 10^6 2^-23 + 1, i.e. 2^-15 relative plus 1.2 units (the declared
 * slack of the decimal, PREDICT_PROBABILITY_SLACK = 4 units, holds near P = 10^6).
 *
 * Cost per row and party: the comparison and its injection (10 rounds, ~23 bytes), the product
 * for a (1, 8), exp (25 rounds, ~171 bytes), the reciprocal (13, ~85) beside the product for t
 * (8), the final product (3, 16): 52 rounds and 314 bytes (measured at 100K; the fits' path
 * with the scaled truncation: 59 rounds, 350 bytes).
 */

import { mul } from '../mpc/protocols/arith.js';
import { ltSplit } from '../mpc/protocols/compare-split.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { exp } from '../mpc/protocols/fixmath/exp.js';
import { linearA, mulTruncMany } from '../mpc/protocols/fixmath/ops.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import { reciprocalOneToTwo } from '../mpc/protocols/fixmath/reciprocal-unit.js';
import type { Session } from '../mpc/session.js';
import { AShare, scaleA, subA } from '../mpc/shares.js';
import { addConstA } from '../mpc/sharing.js';
import { LOGIT_FRACTION_BITS } from '../plan/check-logit.js';
import { PREDICT_ETA_LIMIT, PREDICT_PROBABILITY_SCALE } from '../plan/check-predict.js';

/** Bits of the sign comparison: |η| 2^24 ≤ 1000 2^24 + 1 < 2^34, with a bit to spare. */
const SIGN_BITS = 36;
/** 10^6 = 2^6 · 15625: t carries the odd factor, the truncation the power of two. */
const ODD_FACTOR = 15625n;
const TWO_FACTOR_BITS = 6;
if (ODD_FACTOR << BigInt(TWO_FACTOR_BITS) !== 10n ** BigInt(PREDICT_PROBABILITY_SCALE) || LOGIT_FRACTION_BITS !== 24) {
  throw new Error('predict-probability.ts is written for decimal(6) probabilities of η with 24 fraction bits');
}

/** σ(η) 10^6 (decimal(6) raw values) for η with 24 fraction bits, |η| ≤ PREDICT_ETA_LIMIT. */
export async function predictedProbabilities(s: Session, eta: AShare): Promise<AShare> {
  const f = LOGIT_FRACTION_BITS;
  const one = 1n << BigInt(f);
  const negative = await bitInject(s, await ltSplit(s, eta, AShare.zeros(eta.length), SIGN_BITS));
  const a = subA(scaleA(await mul(s, negative, eta), 2n), eta);
  const e = await exp(s, a, { min: -PREDICT_ETA_LIMIT, max: 0, fractionBits: f });
  const [r, chosen] = await parallel(
    s,
    (sub) => reciprocalOneToTwo(sub, addConstA(sub.me, e, one), f),
    // s (e − 1) 15625 2^24, exact: s is 0 or 1.
    (sub) => mul(sub, negative, linearA(sub.me, e.length, [[e, ODD_FACTOR]], -one * ODD_FACTOR)),
  );
  const t = addConstA(s.me, chosen, one * ODD_FACTOR);
  const [scaled] = await mulTruncMany(s, [[r, t]], f + f - TWO_FACTOR_BITS);
  return scaled;
}
