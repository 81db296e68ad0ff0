/**
 * sqrt(x) for 0 <= x <= max and rsqrt(x) = 1/sqrt(x) for min <= x <= max, fixed point.
 *
 * Method: normalisation by the leading one (Catrina and Saxena, FC 2010; normalize.ts) with an
 * even shift: for x < 2^l' (l' >= l of the same parity as f), e = l'-1-p, k = floor(e/2), and
 * b = x 2^(2k) / 2^l' lies in [1/2, 1) when e is even and in [1/4, 1/2) when e is odd. The bits
 * of k and the parity of e are injected, u = 2^k is a product of linear factors in the bits of
 * k, and b = (x u) u. Then 1/sqrt(b) is refined by Newton's iteration from a cubic minimax start
 * (relative error 4.8e-4 on [1/2, 1]; sqrt(2) p(2b) on [1/4, 1/2), the two selected by the
 * parity bit inside the start's single truncated sum of products):
 *   g = b H, R = 1 - g H, H += H R / 2     (R: 9.6e-4 -> 6.9e-7 -> 3.6e-13).
 * Finally 1/sqrt(x) = H u 2^((3f-l')/2) and sqrt(x) = x (1/sqrt(x)) = (x u) H 2^((f-l')/2),
 * each one product fused with the truncation to f fraction bits; x = 0 gives exactly 0.
 *
 * Bit budget (F = min(23, 60 - l') for sqrt, min(23, 60 - kmax) for rsqrt): x u < 2^l' and
 * (x u) u < 2^l' (k <= the shift that brings x to 2^l'); b^2 <= 2^(2F) before its truncation;
 * b^3 <= 2^(2F); the start's sum stays below 2^(2F+14) <= 2^60; Newton's products < 2^(2F+2);
 * (x u) H < 2^(l'+F+1) <= 2^61 and u H <= 2^(kmax+F+1) <= 2^61. Ranges that would leave F
 * under 14 bits are refused.
 *
 * Cost (max 2^16, f = 16, so l' = 34; measured): circuit on 34 planes with 244 AND gates (32
 * bytes), 6 injections (48), the tree for u, x u and b (56 together), b^2, b^3 and the start
 * (40), three Newton products (48), the final product (16): 239.9 bytes per element and party,
 * 42 rounds (pinned by the tests). Since the truncation's top-bit messages travel in W-bit words
 * (trunc.ts), measured: 214.0 bytes.
 *
 * Accuracy: |sqrt - sqrt(x)| <= 2^-(F-4) sqrt(x) + 2^-f (2^-19 relative for F = 23): the start
 * error after one Newton step (R/2 = 2^-21.5) and the truncations to F bits (of b, g, g H and
 * H R, each at most 2^-(F-1) relative); the same form for rsqrt (rootErrorBound).
 */

import { UsageError } from '../../../errors.js';
import type { Session } from '../../session.js';
import { AShare, scaleA } from '../../shares.js';
import { mul } from '../arith.js';
import { RSQRT_INITIAL } from './coefficients.js';
import { injectLinear } from '../inject.js';
import { leadingOne } from './normalize.js';
import { fixedConstant, linearA, mulTruncMany, productTree, sumOfProducts } from './ops.js';
import { bitLength, bound, fractionBits, rawBound, type FixedPointOptions } from './params.js';

export interface SqrtOptions extends FixedPointOptions {
  /** Largest x (real); x must be >= 0. */
  readonly max: number;
}

export interface RsqrtOptions extends SqrtOptions {
  /** Smallest x (real, > 0). */
  readonly min: number;
}

const START_BITS = 12;
const MAX_WORKING_BITS = 23;
const MIN_WORKING_BITS = 14;

export type Want = 'sqrt' | 'rsqrt';

interface RootPlan {
  readonly f: number;
  readonly want: Want;
  /** x < 2^lp (raw), lp + f even. */
  readonly lp: number;
  readonly kBits: number;
  /** Working fraction bits. */
  readonly F: number;
  readonly iterations: number;
}

function planRoot(want: Want, options: SqrtOptions | RsqrtOptions): RootPlan {
  const f = fractionBits(want, options, 1, 30);
  const max = bound(want, 'max', options.max, 0, 2 ** 40);
  if (want === 'rsqrt') {
    const min = bound('rsqrt', 'min', (options as RsqrtOptions).min, 0, max);
    if (min < 2 ** -f) throw new UsageError(`rsqrt: min ${min} is below the resolution 2^-${f} of the input`);
    if (2 ** f / Math.sqrt(min) >= 2 ** 61) throw new UsageError(`rsqrt: 1/sqrt(min) does not fit 61 bits with ${f} fraction bits`);
  }
  const l = Math.max(1, bitLength(rawBound(max, f)));
  const lp = l + ((l + f) % 2); // l' >= l with l' + f even
  const kMax = (lp - 1) >> 1;
  const kBits = bitLength(BigInt(kMax));
  const F = Math.min(MAX_WORKING_BITS, want === 'sqrt' ? 60 - lp : 60 - kMax);
  if (F < MIN_WORKING_BITS) throw new UsageError(`${want}: max ${max} with ${f} fraction bits leaves ${F} working bits; at least ${MIN_WORKING_BITS} are needed`);
  // R shrinks as R' = 3/4 R^2 (+ R^3/4) from 9.6e-4; stop once R/2 is below 2^-(F-3).
  let iterations = 1;
  while (0.5 * 0.75 ** (2 ** iterations - 1) * 9.6e-4 ** (2 ** iterations) > 2 ** -(F - 3)) iterations++;
  return { f, want, lp, kBits, F, iterations };
}

/** The documented error bound: |result - root(x)| <= relative root(x) + absolute. */
export function rootErrorBound(want: Want, options: SqrtOptions | RsqrtOptions): { relative: number; absolute: number } {
  const p = planRoot(want, options);
  return { relative: 2 ** -(p.F - 4), absolute: 2 ** -p.f };
}

async function rootWith(s: Session, x: AShare, p: RootPlan): Promise<AShare> {
  const n = x.length;
  const { f, want, lp, kBits, F, iterations } = p;

  // Bits of e = l'-1-p: bit 0 is the parity, bits 1.. are k.
  const lead = await leadingOne(s, x, lp, false, [{ width: kBits + 1, value: (i) => lp - 1 - i }]);
  // The parity as 0/1 and the factors 1 + k_j (2^(2^j) - 1) of 2^k, straight from the injection.
  const [parity, ...factors] = await injectLinear(s, lead.values[0], [
    { terms: [[0, 1n]] },
    ...Array.from({ length: kBits }, (_, j) => ({ terms: [[j + 1, (1n << (1n << BigInt(j))) - 1n] as const], constant: 1n })),
  ]);
  const u = kBits > 0 ? await productTree(s, factors) : linearA(s.me, n, [], 1n); // 2^k

  // b = x 2^(2k) / 2^l' with F fraction bits.
  const xu = await mul(s, x, u);
  const b = F >= lp ? scaleA(await mul(s, xu, u), 1n << BigInt(F - lp)) : await sumOfProducts(s, [[xu, u]], lp - F);

  // Start: p(b) for even e, sqrt(2) p(2b) for odd e, selected by the parity inside one sum at
  // 2F + START_BITS fraction bits (b at F, b^2 truncated to F, b^3 = b^2 b at 2F).
  const [b2] = await mulTruncMany(s, [[b, b]], F);
  const b3 = await mul(s, b2, b);
  const high = RSQRT_INITIAL;
  const low = high.map((c, d) => c * Math.SQRT2 * 2 ** d);
  const scales = [2 * F + START_BITS, F + START_BITS, F + START_BITS, START_BITS];
  const C = (c: readonly number[], d: number): bigint => fixedConstant(c[d], scales[d]);
  const powers = [b, b2, b3];
  const base = linearA(s.me, n, powers.map((q, i) => [q, C(high, i + 1)] as const), C(high, 0));
  const change = linearA(s.me, n, powers.map((q, i) => [q, C(low, i + 1) - C(high, i + 1)] as const), C(low, 0) - C(high, 0));
  let H = await sumOfProducts(s, [[parity, change]], F + START_BITS, base);

  // Newton for 1/sqrt(b): g = b H, R = 1 - g H, H += H R / 2.
  const unit = 1n << BigInt(F);
  for (let k = 0; k < iterations; k++) {
    const [g] = await mulTruncMany(s, [[b, H]], F);
    const [gh] = await mulTruncMany(s, [[g, H]], F);
    const R = linearA(s.me, n, [[gh, -1n]], unit);
    const [HR] = await mulTruncMany(s, [[H, R]], F + 1);
    H = linearA(s.me, n, [
      [H, 1n],
      [HR, 1n],
    ]);
  }

  // rsqrt: out = H_raw u 2^((3f-l')/2 - F); sqrt: out = H_raw (x u) 2^((f-l')/2 - F).
  const [other, shift] = want === 'sqrt' ? [xu, F - (f - lp) / 2] : [u, F - (3 * f - lp) / 2];
  if (shift >= 1) return sumOfProducts(s, [[H, other]], shift);
  return scaleA(await mul(s, H, other), 1n << BigInt(-shift));
}

/** sqrt(x) for 0 <= x <= max (real). */
export async function sqrt(s: Session, x: AShare, options: SqrtOptions): Promise<AShare> {
  return rootWith(s, x, planRoot('sqrt', options));
}

/** 1/sqrt(x) for min <= x <= max (real, min > 0). */
export async function rsqrt(s: Session, x: AShare, options: RsqrtOptions): Promise<AShare> {
  return rootWith(s, x, planRoot('rsqrt', options));
}
