/**
 * solveSpd: Δ = H⁻¹ g for a small secret symmetric positive-definite H (d × d) and secret g, in
 * fixed point, for the Newton steps of logistic regression and the Cox model (issue 10).
 *
 * Method: Gauss–Jordan elimination on the augmented rows [H | g] without pivoting, which is
 * stable for positive-definite H (every pivot is a Schur complement's diagonal entry, hence
 * positive and at least H's smallest eigenvalue). For pivot c: r = 1/m[c][c] (reciprocal.ts, one
 * secret reciprocal on the declared pivot range), the pivot row times r, then every other row
 * minus its c-th entry times the new pivot row, the d - 1 row updates in one batch.
 *
 * Rounds: d × (reciprocal rounds + 2 product-with-truncation rounds); 36 + 6 = 42 per pivot
 * for pivots in [2^-8, 2^16] at 24 fraction bits. Bytes per party: d reciprocals (about 240
 * each) plus d² (d + 1) products with truncation (about 24 bytes each).
 *
 * roughInverseSpd (below): a start for H⁻¹ in 30 rounds per pivot (rough reciprocals, the next
 * pivot's reciprocal beside the row updates), for callers that refine it by Newton–Schulz.
 *
 * Accuracy: each pivot's reciprocal is within 2^-19 relative (reciprocalErrorBound) and each
 * product rounds by one unit 2^-f; the error of Δ grows with H's condition number, so callers
 * use it only for iterates whose last step is taken again by the recipient in float64 from
 * opened g and H (or converge to a fixed point where small step errors do not matter).
 * A pivot outside [pivotMin, pivotMax] gives a wrong reciprocal silently: callers bound H's
 * diagonal from declared ranges (standardised predictors) and check the opened H.
 */

import type { Session } from '../../session.js';
import { concatA, splitA, subA, type AShare } from '../../shares.js';
import { publicA } from '../../sharing.js';
import { mulTruncMany } from './ops.js';
import { parallel } from './parallel.js';
import { reciprocal } from './reciprocal.js';

export interface SpdSolveOptions {
  /** Fraction bits of H, g and the result. */
  readonly fractionBits: number;
  /** Smallest pivot (real, > 0): at most H's smallest eigenvalue. */
  readonly pivotMin: number;
  /** Largest pivot (real): at least H's largest diagonal entry. */
  readonly pivotMax: number;
}

const element = (x: AShare, i: number): AShare => splitA(x, [i, 1, x.length - i - 1])[1];
const repeat = (x: AShare, times: number): AShare => concatA(Array.from({ length: times }, () => x));

/** h: d × d row-major, g: length d, both with `fractionBits` fraction bits; returns H⁻¹g. */
export async function solveSpd(s: Session, h: AShare, g: AShare, d: number, options: SpdSolveOptions): Promise<AShare> {
  if (h.length !== d * d || g.length !== d) throw new RangeError(`solveSpd: H has ${h.length} entries and g ${g.length} for d = ${d}`);
  return solveSpdColumns(s, h, g, d, 1, options);
}

/**
 * H⁻¹B for k right-hand sides at once (b: d × k row-major), in the same rounds as one: the rows
 * [H_i | B_i] are eliminated together (B = [I | g] gives H⁻¹ and H⁻¹g, for ops/logit.ts).
 * Bytes: the d reciprocals plus d (d − 1 + 1)(d + k) products with truncation.
 */
export async function solveSpdColumns(s: Session, h: AShare, b: AShare, d: number, k: number, options: SpdSolveOptions): Promise<AShare> {
  if (h.length !== d * d || b.length !== d * k) throw new RangeError(`solveSpdColumns: H has ${h.length} entries and B ${b.length} for d = ${d}, k = ${k}`);
  const f = options.fractionBits;
  const width = d + k;
  const rows = Array.from({ length: d }, (_, i) => concatA([splitA(h, [i * d, d, d * d - i * d - d])[1], splitA(b, [i * k, k, d * k - i * k - k])[1]]));
  for (let c = 0; c < d; c++) {
    const inverse = await reciprocal(s, element(rows[c], c), { min: options.pivotMin, max: options.pivotMax, fractionBits: f });
    const [pivotRow] = await mulTruncMany(s, [[rows[c], repeat(inverse, width)]], f);
    const others = rows.map((_, i) => i).filter((i) => i !== c);
    const updates = await mulTruncMany(s, others.map((i) => [repeat(element(rows[i], c), width), pivotRow] as const), f);
    others.forEach((i, t) => (rows[i] = subA(rows[i], updates[t])));
    rows[c] = pivotRow;
  }
  return concatA(rows.map((row) => splitA(row, [d, k])[1]));
}

/**
 * A START for H⁻¹ (d × d, row-major), to be refined by Newton–Schulz (newton-schulz.ts
 * refineInverse) before it is trusted: Gauss–Jordan on [H | I] as solveSpdColumns, with two
 * changes that cut the rounds in sequence from 42 to 30 per pivot:
 * - each pivot's reciprocal keeps its quadratic start (reciprocal.ts, iterations 0: relative
 *   error 1.01e-2, 27 rounds instead of 36), so the result X has a residual I − HX of about
 *   1e-2 that each refinement step squares;
 * - the next pivot is started before the row updates end: m'[c+1][c+1] = m[c+1][c+1] −
 *   (m[c+1][c] m[c][c+1]) r_c, the product in brackets formed while r_c is computed and times
 *   r_c in the same batch as the pivot row, then its reciprocal runs side by side with the other
 *   rows' updates (fixmath/parallel.ts). It differs from the updated row's entry by the
 *   truncations' few units, which the refinement absorbs like the reciprocal's error.
 * Rounds: d × (27 + 3), and 3 for the last pivot's row updates (d > 1): 333 at d = 11, where
 * solveSpdColumns takes 462. Bytes: as solveSpdColumns with k = d, plus 2 d products.
 * `groups` systems stacked (H: G × d × d; the per-group logit, ops/logit.ts with `by`) are
 * eliminated side by side: the rounds of one, the bytes G times, and a pivot out of range
 * spoils only its own system.
 */
export async function roughInverseSpd(s: Session, h: AShare, d: number, options: SpdSolveOptions, groups = 1): Promise<AShare> {
  if (h.length !== groups * d * d) throw new RangeError(`roughInverseSpd: H has ${h.length} entries for ${groups} × d² (d = ${d})`);
  const f = options.fractionBits;
  const width = 2 * d;
  const identityRow = (i: number): AShare => publicA(s.me, BigUint64Array.from({ length: d }, (_, j) => (i === j ? 1n << BigInt(f) : 0n)));
  // systems[g][i]: row i of [H_g | I].
  const systems = Array.from({ length: groups }, (_, g) => Array.from({ length: d }, (__, i) => concatA([h.slice((g * d + i) * d, (g * d + i + 1) * d), identityRow(i)])));
  /** Entry (i, j) of every system, one element each. */
  const entries = (i: number, j: number): AShare => concatA(systems.map((rows) => element(rows[i], j)));
  const invert = (t: Session, pivots: AShare): Promise<AShare> => reciprocal(t, pivots, { min: options.pivotMin, max: options.pivotMax, fractionBits: f, iterations: 0 });
  // m[c+1][c] m[c][c+1] from the rows as they stand before pivot c's updates.
  const cross = async (t: Session, c: number): Promise<AShare | undefined> => (c + 1 < d ? (await mulTruncMany(t, [[entries(c + 1, c), entries(c, c + 1)]], f))[0] : undefined);
  let [inverse, product] = await parallel(s, (t) => invert(t, entries(0, 0)), (t) => cross(t, 0));
  for (let c = 0; c < d; c++) {
    const scale = [concatA(systems.map((rows) => rows[c])), concatA(systems.map((_, g) => repeat(element(inverse, g), width)))] as const;
    const batch = await mulTruncMany(s, product ? [scale, [product, inverse]] : [scale], f);
    const pivotRows = splitA(batch[0], systems.map(() => width));
    const others = Array.from({ length: d }, (_, i) => i).filter((i) => i !== c);
    const update = async (t: Session): Promise<AShare | undefined> => {
      const pairs = systems.flatMap((rows, g) => others.map((i) => [repeat(element(rows[i], c), width), pivotRows[g]] as const));
      const updates = pairs.length > 0 ? await mulTruncMany(t, pairs, f) : [];
      systems.forEach((rows, g) => {
        others.forEach((i, k) => (rows[i] = subA(rows[i], updates[g * others.length + k])));
        rows[c] = pivotRows[g];
      });
      return cross(t, c + 1);
    };
    if (c + 1 < d) {
      const next = subA(entries(c + 1, c + 1), batch[1]);
      [inverse, product] = await parallel(s, (t) => invert(t, next), update);
    } else await update(s);
  }
  return concatA(systems.flatMap((rows) => rows.map((row) => splitA(row, [d, d])[1])));
}
