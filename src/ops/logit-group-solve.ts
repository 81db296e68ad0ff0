/**
 * The Newton steps of G independent logistic fits (ops/logit-groups.ts) in the rounds of one:
 * the same algorithms as fixmath/spd-solve.ts (Gauss–Jordan elimination of [H | B] without
 * pivoting) and fixmath/newton-schulz.ts (X ← X(2I − HX), Xg), with every secret operation of a
 * step taken for all G systems in one batch: G reciprocals side by side instead of one, G times
 * the products. Rounds are those of one d × d system; bytes G times.
 *
 * Matrices are stacked by group: H (G × d × d, each row-major), B (G × d × k). A group whose H
 * has a pivot outside [pivotMin, pivotMax] (no rows, too few, collinear) gets a wrong step for
 * itself only: nothing here mixes groups, and its fit is refused by the recipient from the
 * opened state (stats/logit-fit.ts), as a single fit's would be.
 */

import type { Session } from '../mpc/session.js';
import { AShare, concatA, scaleA, subA } from '../mpc/shares.js';
import { reciprocal, type SpdSolveOptions } from '../mpc/protocols/fixmath/index.js';
import { mulTruncMany, sumOfProducts } from '../mpc/protocols/fixmath/ops.js';

const repeat = (x: AShare, times: number): AShare => concatA(Array.from({ length: times }, () => x));

/** H_g⁻¹ B_g for every group g at once. */
export async function solveSpdGroups(s: Session, h: AShare, b: AShare, groups: number, d: number, k: number, options: SpdSolveOptions): Promise<AShare> {
  if (h.length !== groups * d * d || b.length !== groups * d * k) throw new RangeError(`solveSpdGroups: H has ${h.length} entries and B ${b.length} for ${groups} groups, d = ${d}, k = ${k}`);
  const f = options.fractionBits;
  const width = d + k;
  const rows = Array.from({ length: groups }, (_, g) =>
    Array.from({ length: d }, (__, i) => concatA([h.slice((g * d + i) * d, (g * d + i + 1) * d), b.slice((g * d + i) * k, (g * d + i + 1) * k)])),
  );
  for (let c = 0; c < d; c++) {
    const inverse = await reciprocal(s, concatA(rows.map((m) => m[c].slice(c, c + 1))), { min: options.pivotMin, max: options.pivotMax, fractionBits: f });
    const pivots = await mulTruncMany(s, rows.map((m, g) => [m[c], repeat(inverse.slice(g, g + 1), width)] as const), f);
    const others = Array.from({ length: d }, (_, i) => i).filter((i) => i !== c);
    const updates = await mulTruncMany(s, rows.flatMap((m, g) => others.map((i) => [repeat(m[i].slice(c, c + 1), width), pivots[g]] as const)), f);
    rows.forEach((m, g) => {
      others.forEach((i, t) => (m[i] = subA(m[i], updates[g * others.length + t])));
      m[c] = pivots[g];
    });
  }
  return concatA(rows.flatMap((m) => m.map((row) => row.slice(d, d + k))));
}

/** The entries of x at the given indices (a local rearrangement). */
function gather(x: AShare, indices: readonly number[]): AShare {
  return new AShare(BigUint64Array.from(indices, (i) => x.a[i]), BigUint64Array.from(indices, (i) => x.b[i]));
}

/** A_g B_g for A (G × r × k) and B (G × k × c), truncated by f bits: 3 rounds. */
async function productTruncGroups(s: Session, a: AShare, b: AShare, groups: number, r: number, k: number, c: number, f: number): Promise<AShare> {
  const pairs = Array.from({ length: k }, (_, t) => {
    const left: number[] = [], right: number[] = [];
    for (let g = 0; g < groups; g++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) { left.push((g * r + i) * k + t); right.push((g * k + t) * c + j); }
    return [gather(a, left), gather(b, right)] as const;
  });
  return sumOfProducts(s, pairs, f);
}

/** X_g (2I − H_g X_g), `steps` times, for every group. */
export async function refineInverseGroups(s: Session, h: AShare, x: AShare, groups: number, d: number, steps: number, f: number): Promise<AShare> {
  for (let k = 0; k < steps; k++) {
    const hx = await productTruncGroups(s, h, x, groups, d, d, d, f);
    x = subA(scaleA(x, 2n), await productTruncGroups(s, x, hx, groups, d, d, d, f));
  }
  return x;
}

/** X_g g_g for every group. */
export function matVecTruncGroups(s: Session, x: AShare, g: AShare, groups: number, d: number, f: number): Promise<AShare> {
  return productTruncGroups(s, x, g, groups, d, d, 1, f);
}
