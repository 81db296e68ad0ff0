/**
 * Σ_k c_k x_k for secret vectors x_k (the columns of a matrix held by columns) and secret scalars
 * c_k: a matrix–vector product X c whose output has one element per row, as ABY3 §5.2's inner
 * products (the local 3-term products summed before one reshare per output: 1 round, 8 bytes per
 * row, whatever the number of columns).
 *
 * Why not matmul (arith.ts) on a row-major copy: with one output column its innermost loop runs
 * once per term, and the copy is a transpose of the whole design; here each column is one tight
 * pass of two 64-bit products per element, with the scalar's components in registers (ops/logit.ts
 * forms η = Xβ this way at every iteration; predict-eta.ts does the same for a stored model).
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';

/** Σ_k coefficients[k] · columns[k], every column of `rows` elements. */
export async function combineColumns(s: Session, columns: readonly AShare[], coefficients: AShare, rows: number): Promise<AShare> {
  if (columns.length !== coefficients.length) throw new UsageError(`combineColumns: ${columns.length} columns need as many coefficients, got ${coefficients.length}`);
  const z = s.zeroShare(rows);
  columns.forEach((x, k) => {
    if (x.length !== rows) throw new UsageError(`combineColumns: a column of ${x.length} elements where ${rows} rows were given`);
    addScaledTerms(z, x.a, x.b, BigInt.asUintN(64, coefficients.a[k] + coefficients.b[k]), coefficients.a[k]);
  });
  return new AShare(z, await s.reshare(z));
}

/** z += xa·(ca + cb) + xb·ca (mod 2^64): this party's terms of one column times one scalar; its own small loop, so that V8 optimises it on its own. */
function addScaledTerms(z: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, both: bigint, ca: bigint): void {
  for (let i = 0; i < z.length; i++) z[i] += xa[i] * both + xb[i] * ca;
}
