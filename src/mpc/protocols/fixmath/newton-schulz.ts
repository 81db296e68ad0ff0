/**
 * Newton–Schulz refinement of a secret approximate inverse, and a secret matrix–vector product,
 * both in fixed point, for the Newton steps of logistic regression (ops/logit.ts) after the first.
 *
 * refineInverse: X ← X (2I − H X), `steps` times. With E = I − H X the residual, the new
 * residual is E², so the error squares at every step whenever the spectral radius of E is
 * below 1 (eigenvalues of H X in (0, 2)); from X = H_prev⁻¹ for a nearby H this holds when
 * H < 2 H_prev. When it does not, the iterate is wrong but finite: callers must not trust it
 * blindly (the logit recipient refuses a fit whose last steps did not settle, whatever the path).
 * Each step is two products of d × d matrices, each a sum of d products per entry with one fused
 * truncation (ops.ts sumOfProducts): 6 rounds and 32 d² bytes per party and step.
 *
 * matVecTrunc: X g, one sum of products per entry and one truncation: 3 rounds, 16 d bytes.
 *
 * Both take `groups` independent systems stacked (the per-group logit, ops/logit.ts with `by`; 1
 * for one fit): every product of a step is taken for all of them in one batch, so the rounds are
 * those of one system and the bytes G times. Nothing mixes two systems.
 *
 * Bit budget: every truncated sum must lie in (−2^62, 2^62) before truncation by f: |(H X)_ij|
 * and |(X P)_ij| stay below 2^(62 − 2f) (2^14 at f = 24), so |X| ≤ 2^13 (H's smallest eigenvalue
 * at least 2^-13); the ring wraps the individual products exactly.
 * Accuracy: each truncated entry rounds by one unit 2^-f; the fixed point of the refinement
 * has a residual of about d ‖H‖ 2^-f, which is what limits a Newton step taken with X.
 */

import type { Session } from '../../session.js';
import { AShare, scaleA, subA } from '../../shares.js';
import { sumOfProducts } from './ops.js';

/** The entries of x at the given indices (a local rearrangement). */
function gather(x: AShare, indices: readonly number[]): AShare {
  return new AShare(
    BigUint64Array.from(indices, (i) => x.a[i]),
    BigUint64Array.from(indices, (i) => x.b[i]),
  );
}

/** A_g B_g for G stacked pairs, A (G × r × k) and B (G × k × c), row-major, truncated by f bits: 3 rounds. */
async function productTrunc(s: Session, a: AShare, b: AShare, r: number, k: number, c: number, f: number, groups: number): Promise<AShare> {
  const pairs = Array.from({ length: k }, (_, t) => {
    const left: number[] = [], right: number[] = [];
    for (let g = 0; g < groups; g++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) { left.push((g * r + i) * k + t); right.push((g * k + t) * c + j); }
    return [gather(a, left), gather(b, right)] as const;
  });
  return sumOfProducts(s, pairs, f);
}

/**
 * X (2I − H X) `steps` times; h, x: d × d row-major with f fraction bits, or `groups` of them
 * stacked (G × d × d), each refined with its own H in the same rounds (bytes G times).
 */
export async function refineInverse(s: Session, h: AShare, x: AShare, d: number, steps: number, f: number, groups = 1): Promise<AShare> {
  if (h.length !== groups * d * d || x.length !== groups * d * d) throw new RangeError(`refineInverse: H has ${h.length} and X ${x.length} entries for ${groups} × d² (d = ${d})`);
  for (let k = 0; k < steps; k++) {
    const hx = await productTrunc(s, h, x, d, d, d, f, groups);
    x = subA(scaleA(x, 2n), await productTrunc(s, x, hx, d, d, d, f, groups));
  }
  return x;
}

/** X g for X (d × d row-major) and g (d), or `groups` of each stacked, truncated by f bits. */
export function matVecTrunc(s: Session, x: AShare, g: AShare, d: number, f: number, groups = 1): Promise<AShare> {
  if (x.length !== groups * d * d || g.length !== groups * d) throw new RangeError(`matVecTrunc: X has ${x.length} and g ${g.length} entries for ${groups} systems of d = ${d}`);
  return productTrunc(s, x, g, d, d, 1, f, groups);
}
