/**
 * A float64 least-squares fit for the tests' references, independent of the code under test:
 * modified Gram–Schmidt QR of the design [1, x₁ … x_k] (no normal equations, so no squaring of
 * the condition number), β = R⁻¹Qᵀy, standard errors σ·‖row j of R⁻¹‖, R² and F.
 */
export interface PlainOls {
  readonly coef: number[];
  readonly se: number[];
  readonly r2: number;
  readonly sigma: number;
  readonly f: number;
}

export function plainOls(x: readonly (readonly number[])[], y: readonly number[]): PlainOls {
  const n = y.length, p = x[0].length + 1;
  const columns = Array.from({ length: p }, (_, j) => x.map((row) => (j === 0 ? 1 : row[j - 1])));
  const q: number[][] = [];
  const r = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    const v = [...columns[j]];
    for (let i = 0; i < j; i++) {
      r[i][j] = q[i].reduce((s, qi, t) => s + qi * v[t], 0);
      for (let t = 0; t < n; t++) v[t] -= r[i][j] * q[i][t];
    }
    r[j][j] = Math.hypot(...v);
    q.push(v.map((e) => e / r[j][j]));
  }
  const qty = q.map((qi) => qi.reduce((s, e, t) => s + e * y[t], 0));
  const coef = new Array<number>(p).fill(0);
  for (let j = p - 1; j >= 0; j--) coef[j] = (qty[j] - coef.reduce((s, c, k) => (k > j ? s + r[j][k] * c : s), 0)) / r[j][j];
  // R⁻¹ by back substitution, column by column.
  const inverse = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let c = 0; c < p; c++) {
    for (let j = p - 1; j >= 0; j--) {
      let s = j === c ? 1 : 0;
      for (let k = j + 1; k < p; k++) s -= r[j][k] * inverse[k][c];
      inverse[j][c] = s / r[j][j];
    }
  }
  const fitted = x.map((row, t) => coef[0] + row.reduce((s, v, k) => s + v * coef[k + 1], 0) + 0 * t);
  const rss = y.reduce((s, v, t) => s + (v - fitted[t]) ** 2, 0);
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const sigma = Math.sqrt(rss / (n - p));
  const se = inverse.map((row) => sigma * Math.hypot(...row));
  return { coef, se, r2: 1 - rss / tss, sigma, f: ((tss - rss) / (p - 1)) / (rss / (n - p)) };
}
