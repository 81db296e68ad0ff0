/**
 * Exact division of a secret value by a public constant, as a circuit (expr-circuit.ts): casts
 * to fewer decimal digits, decimal → integer, and `x / c`.
 *
 * floor(y / D) for y in [0, B]: the ring's truncation divides by powers of two only (and may be
 * one too high), so take M ≈ 2^k / D with y·M < 2^62 and q0 = trunc(y·M, k). Then
 * |q0 − y/D| ≤ e + 1 with e = B·|2^k − M·D| / (D·2^k), and the remainder r = y − D·q0 lies in
 * [−E, E], E = ⌈D(e + 1)⌉, publicly bounded. floor(y/D) = q0 + floor(r/D): when r's range spans
 * few multiples of D, floor(r/D) is a constant plus the comparisons [r ≥ j·D] (one batched lt);
 * otherwise it is the same problem on the much smaller range of r (a next stage). For ranges of
 * up to ~2^40 stored units this takes one or two truncations (3 rounds each) and one batch of
 * comparisons (8 + 2 rounds); ranges for which MAX_STAGES do not suffice are refused.
 *
 * Rounding (documented in docs/plan.md): the nearest value, halves toward +∞, i.e.
 * floor(x·P/Q + 1/2) = floor((2·P·x + Q) / (2Q)). Exact: no error at all.
 */

import { PlanError } from '../errors.js';
import { constant, linear, lt, scale, sub, trunc, type Gate } from './expr-circuit.js';
import { checkRange } from './expr-types.js';

const MAX_STAGES = 6;
/** At most this many comparisons settle the remainder; a wider remainder takes another stage. */
const MAX_CORRECTIONS = 3;
const LIMIT = 1n << 62n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** round(x·P/Q), halves toward +∞, for x in [lo, hi], P ≠ 0, Q > 0. */
export function roundDivide(x: Gate, lo: bigint, hi: bigint, p: bigint, q: bigint, path: string, what: string): Gate {
  const [nlo, nhi] = p >= 0n ? [2n * p * lo + q, 2n * p * hi + q] : [2n * p * hi + q, 2n * p * lo + q];
  checkRange(nlo, nhi, path, `${what} (2·${p}·x + ${q}, before dividing by ${2n * q})`);
  return floorDivide(scale(x, 2n * p, q), nlo, nhi, 2n * q, path, what);
}

/** floor(x / d) for x in [lo, hi], d > 0. */
export function floorDivide(x: Gate, lo: bigint, hi: bigint, d: bigint, path: string, what: string): Gate {
  const base = d * floorDiv(lo, d);
  const y = linear([[x, 1n]], -base);
  return linear([[nonNegative(y, hi - base, d, path, what, 1), 1n]], base / d);
}

function nonNegative(y: Gate, b: bigint, d: bigint, path: string, what: string, stage: number): Gate {
  if (b < d) return constant(0n);
  if (stage > MAX_STAGES) throw new PlanError(path, `${what}: dividing a value of range [0, ${b}] by ${d} exactly would take more than ${MAX_STAGES} stages; declare narrower ranges`);
  // The largest k with M = round(2^k / d) ≥ 1 and b·M < 2^62.
  let k = 62;
  let m = 0n;
  for (; k >= 1; k--) {
    m = ((1n << BigInt(k)) + d / 2n) / d;
    if (m >= 1n && b * m < LIMIT) break;
  }
  if (k < 1) throw new PlanError(path, `${what}: a value of range [0, ${b}] is too wide to divide by ${d} exactly; declare narrower ranges`);
  const twoK = 1n << BigInt(k);
  const q0 = trunc(scale(y, m), k);
  const gap = twoK > m * d ? twoK - m * d : m * d - twoK;
  const bound = (b * gap + d * twoK + twoK - 1n) / twoK; // E = ⌈(b·|2^k − M·d| + d·2^k) / 2^k⌉
  const r = sub(y, scale(q0, d));
  const low = floorDiv(-bound, d), high = floorDiv(bound, d);
  if (high - low <= BigInt(MAX_CORRECTIONS)) {
    // floor(r/d) = low + Σ_{j = low+1..high} [r ≥ j·d], and [r ≥ j·d] = 1 − [r < j·d].
    const terms: [Gate, bigint][] = [[q0, 1n]];
    let c = low;
    for (let j = low + 1n; j <= high; j++) {
      terms.push([lt(r, constant(j * d)), -1n]);
      c += 1n;
    }
    return linear(terms, c);
  }
  // r + shift lies in [0, E + shift] (shift ≥ E, a multiple of d): the same problem on a range
  // smaller by a factor of about 2^62 / b.
  const lowMultiple = floorDiv(bound, d) + 1n; // make the shift a multiple of d
  const shift = lowMultiple * d;
  const z = linear([[r, 1n]], shift);
  return linear([[q0, 1n], [nonNegative(z, bound + shift, d, path, what, stage + 1), 1n]], -lowMultiple);
}
