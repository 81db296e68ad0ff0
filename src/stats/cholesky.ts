/**
 * Float64 Cholesky factorisation of a small symmetric positive-definite matrix, and solves with
 * it: the recipient's last Newton step and the covariance of logistic regression and the Cox
 * model (logit-fit.ts, cox-fit.ts). The caller says how small a pivot may be before the matrix
 * counts as singular, since that depends on the fixed-point noise of the opened matrix.
 */

export type CholeskyResult = { readonly factor: number[][] } | { readonly singularAt: number };

/** Lower-triangular L with L Lᵀ = h, or the first column whose pivot is not above `pivotFloor(j)`. */
export function cholesky(h: readonly (readonly number[])[], pivotFloor: (j: number) => number): CholeskyResult {
  const d = h.length;
  const l: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    let diagonal = h[j][j];
    for (let k = 0; k < j; k++) diagonal -= l[j][k] ** 2;
    if (!(diagonal > pivotFloor(j))) return { singularAt: j };
    l[j][j] = Math.sqrt(diagonal);
    for (let i = j + 1; i < d; i++) {
      let v = h[i][j];
      for (let k = 0; k < j; k++) v -= l[i][k] * l[j][k];
      l[i][j] = v / l[j][j];
    }
  }
  return { factor: l };
}

/** x with L Lᵀ x = b (forward, then back substitution). */
export function solveCholesky(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const d = b.length;
  const y = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= l[i][k] * y[k];
    y[i] = v / l[i][i];
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let v = y[i];
    for (let k = i + 1; k < d; k++) v -= l[k][i] * x[k];
    x[i] = v / l[i][i];
  }
  return x;
}

/** (L Lᵀ)⁻¹, column by column (symmetric). */
export function inverseFromCholesky(l: readonly (readonly number[])[]): number[][] {
  return l.map((_, c) => solveCholesky(l, l.map((__, i) => (i === c ? 1 : 0))));
}

/** h⁻¹ for a positive-definite h (float64 references and benchmarks' checks); throws when h is not. */
export function inverseSpd(h: readonly (readonly number[])[]): number[][] {
  const result = cholesky(h, () => 0);
  if ('singularAt' in result) throw new RangeError(`the matrix is not positive definite (pivot ${result.singularAt})`);
  return inverseFromCholesky(result.factor);
}
