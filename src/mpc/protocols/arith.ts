/**
 * Multiplication and inner products (Araki et al., CCS'16; ABY3 §5.2 for dot products).
 *
 * Party i computes z_i = x_i*y_i + x_i*y_{i+1} + x_{i+1}*y_i + alpha_i, where alpha is a
 * zero-sharing from the pairwise PRGs; the z_i form a 3-out-of-3 sharing of x*y, and one
 * reshare (send z_i to party i-1) makes it replicated again. One round, 8 bytes per product.
 * A dot product sums the local terms first, so it costs one reshare per output whatever its
 * length.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';
import { addProductTerms } from './inner-terms.js';
import { mulInBlocks, streamsInBlocks } from './mul-blocks.js';

/** The local 3-out-of-3 share of x*y, masked by the zero-sharing (no communication). */
export function mulLocal(s: Session, x: AShare, y: AShare): BigUint64Array {
  if (x.length !== y.length) throw new UsageError(`mul: operands differ in length (${x.length} vs ${y.length})`);
  return addLocalTerms(s.zeroShare(x.length), x, y);
}

/** z += the cross terms x_i·y_i + x_i·y_{i+1} + x_{i+1}·y_i (z holds the zero-sharing). */
function addLocalTerms(z: BigUint64Array, x: AShare, y: AShare): BigUint64Array {
  const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
  for (let i = 0; i < z.length; i++) z[i] += xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
  return z;
}

/**
 * Element-wise product. One round, 8 bytes per element. A vector longer than one row block is
 * computed and sent block by block (mul-blocks.ts: the same words, the peers' work overlaps).
 *
 * `into`, when given (at least 2n words), holds the output's two components (words [0, n) and
 * [n, 2n)) instead of two fresh vectors: a caller that consumes the product before its next
 * multiplication (a loop of them, the benchmark) reuses one buffer, so no 16 MiB per 2^20
 * multiplication is new external memory to V8, whose growth starts the collections that promote
 * and then mark-compact the share vectors (docs/benchmarks.md, s13-mul). The buffer is the
 * caller's again when the promise settles (every block sent from it has been written).
 */
export async function mul(s: Session, x: AShare, y: AShare, into?: BigUint64Array): Promise<AShare> {
  if (x.length !== y.length) throw new UsageError(`mul: operands differ in length (${x.length} vs ${y.length})`);
  const n = x.length;
  if (into && into.length < 2 * n) throw new UsageError(`mul: the output buffer holds ${into.length} words, the product needs ${2 * n}`);
  if (streamsInBlocks(n)) return mulInBlocks(s, x, y, into);
  if (into === undefined) {
    const z = mulLocal(s, x, y);
    return new AShare(z, await s.reshareKept(z));
  }
  const z = s.zeroShareInto(into.subarray(0, n));
  addLocalTerms(z, x, y);
  // Caller's memory, reused after this returns: sent on the copying path, as mulPairs' `into`.
  return new AShare(z, await s.reshareInto(z, into.subarray(n, 2 * n), false));
}

/**
 * Every element-wise product left[i] · right[j] (out[i * right.length + j]), as one batched
 * multiplication without concatenating copies of the operands. One round, 8 bytes per element.
 *
 * `into`, when given, holds the outputs' components (2 words per product): a caller that drops
 * the products soon (one-hot.ts, per block) lends memory from the scratch pool, so that no fresh
 * vector outlives a round and has to be collected by a full garbage collection.
 */
export async function mulPairs(s: Session, left: readonly AShare[], right: readonly AShare[], into?: BigUint64Array): Promise<AShare[]> {
  const n = left.length > 0 ? left[0].length : 0;
  for (const v of [...left, ...right]) if (v.length !== n) throw new UsageError(`mulPairs: vectors differ in length (${v.length} vs ${n})`);
  const m = n * left.length * right.length;
  if (into && into.length < 2 * m) throw new UsageError(`mulPairs: the output buffer holds ${into.length} words, the products need ${2 * m}`);
  const z = into ? s.zeroShareInto(into.subarray(0, m)) : s.zeroShare(m);
  addProductTerms(z, left, right, n);
  // With `into`, z is pool memory the caller reuses once it is done with the products: sent on
  // the copying path (never lent), and the next party's component received straight into `into`.
  const b = into ? await s.reshareInto(z, into.subarray(m, 2 * m), false) : await s.reshareKept(z);
  const out: AShare[] = [];
  for (let k = 0; k < left.length * right.length; k++) out.push(new AShare(z.subarray(k * n, (k + 1) * n), b.subarray(k * n, (k + 1) * n)));
  return out;
}

/**
 * `groups` dot products of length `m` each: x and y hold groups*m elements, group g being
 * elements [g*m, (g+1)*m). One round, 8 bytes per output.
 */
export async function dot(s: Session, x: AShare, y: AShare, m: number): Promise<AShare> {
  if (x.length !== y.length) throw new UsageError(`dot: operands differ in length (${x.length} vs ${y.length})`);
  if (m <= 0 || x.length % m !== 0) throw new UsageError(`dot: length ${x.length} is not a whole number of groups of ${m}`);
  const groups = x.length / m;
  const z = s.zeroShare(groups);
  const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
  const acc = new BigUint64Array(1);
  for (let g = 0; g < groups; g++) {
    acc[0] = z[g];
    const end = (g + 1) * m;
    for (let i = g * m; i < end; i++) acc[0] += xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
    z[g] = acc[0];
  }
  return new AShare(z, await s.reshareKept(z));
}

/**
 * The inner product of each pair (x, y) of equal-length vectors, one output element per pair,
 * all in one round: dot without copying the pairs into one vector first (a whole table's Σx² of
 * several columns reads the columns in place: at 1M rows × 5 columns the copy was 80 MB).
 */
export async function dots(s: Session, pairs: readonly (readonly [AShare, AShare])[]): Promise<AShare> {
  for (const [x, y] of pairs) if (x.length !== y.length) throw new UsageError(`dots: operands differ in length (${x.length} vs ${y.length})`);
  const z = s.zeroShare(pairs.length);
  const acc = new BigUint64Array(1);
  pairs.forEach(([x, y], g) => {
    acc[0] = z[g];
    crossTerms(acc, x.a, x.b, y.a, y.b);
    z[g] = acc[0];
  });
  return new AShare(z, await s.reshare(z));
}

/** acc[0] += the local cross terms xa·(ya + yb) + xb·ya over every element. */
function crossTerms(acc: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array): void {
  for (let i = 0; i < xa.length; i++) acc[0] += xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
}

/**
 * Matrix product of X (rows x inner, row-major) and Y (inner x cols, row-major).
 * One round, 8 bytes per output element, whatever `inner` is.
 */
export async function matmul(s: Session, x: AShare, y: AShare, rows: number, inner: number, cols: number): Promise<AShare> {
  if (x.length !== rows * inner || y.length !== inner * cols) {
    throw new UsageError(`matmul: shapes ${rows}x${inner} and ${inner}x${cols} need ${rows * inner} and ${inner * cols} elements, got ${x.length} and ${y.length}`);
  }
  const z = matmulLocal(x, y, rows, inner, cols);
  const alpha = s.zeroShare(rows * cols);
  for (let i = 0; i < z.length; i++) z[i] += alpha[i];
  return new AShare(z, await s.reshareKept(z));
}

/** Local cross terms of a matrix product: Xa*(Ya+Yb) + Xb*Ya, loop order i-k-j for locality. */
function matmulLocal(x: AShare, y: AShare, rows: number, inner: number, cols: number): BigUint64Array {
  const out = new BigUint64Array(rows * cols);
  const ysum = new BigUint64Array(inner * cols);
  for (let i = 0; i < ysum.length; i++) ysum[i] = y.a[i] + y.b[i];
  const xa = x.a, xb = x.b, ya = y.a;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let k = 0; k < inner; k++) {
      const p = xa[r * inner + k];
      const q = xb[r * inner + k];
      const yo = k * cols;
      for (let c = 0; c < cols; c++) out[o + c] += p * ysum[yo + c] + q * ya[yo + c];
    }
  }
  return out;
}
