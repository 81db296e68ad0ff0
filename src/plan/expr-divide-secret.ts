/**
 * Exact division by a secret value, as a circuit (expr-circuit.ts): `a / b` with both operands
 * secret, rounded to the nearest value at the result's scale, halves toward +∞ (the rule of
 * division by a constant, expr-divide.ts), and null where b = 0 (DuckDB's x / 0 is NULL).
 *
 * With A = |a|·P, B = |b|·Q (P, Q the powers of ten that bring a/b to the result's scale) and
 * neg = [the quotient is negative], round-half-up(±A/B) = ±floor(N / D) with
 *   N = 2A + B − neg,  D = 2B
 * (for a negative quotient −t, floor(−t + 1/2) = −ceil(t − 1/2) = −floor((2A + B − 1) / 2B)).
 * floor(N / D) is then computed exactly by long division in radix 4 over the quotient's declared
 * bit width: per digit one batch of at most 3 comparisons of the remainder r with j·2^i·D
 * (j = 1, 2, 3; the digit is the number that hold) and one multiplication r −= 2^i·D·digit.
 * No approximation anywhere, so the result is exact for every pair of the declared ranges.
 * A comparison j·2^i·D could leave ±2^62 (where the ring's comparison is exact) only when
 * j·2^i·D > max N ≥ r, i.e. when its answer is known to be 0: such rows are flagged up front
 * ([|b| > ⌊max N / (j·2^i·2Q)⌋], comparisons of b itself) and the flag zeroes the digit there.
 *
 * Cost: one comparison batch for the signs, b ≠ 0 and those flags (10 rounds), one
 * multiplication (the absolute values), then 11 rounds per quotient digit (2 bits), then one
 * multiplication for the sign. E.g. a quotient of up to 2^34 stored units: 17 digits, ~200 rounds.
 */

import { PlanError } from '../errors.js';
import { constant, linear, lt, mul, scale, sub, type Gate } from './expr-circuit.js';
import { checkRange } from './expr-types.js';

/** Digits of more than this many bits would be refused (the plan's circuit would be too deep). */
const MAX_QUOTIENT_BITS = 62;

export interface SecretDivision {
  /** round(a·P / (b·Q)), halves toward +∞, where b ≠ 0; 0 where b = 0. */
  readonly value: Gate;
  /** 1 where b = 0 (then the result is null), or undefined when the range of b excludes 0. */
  readonly zero?: Gate;
  /** The result's range (it includes 0 when b may be 0). */
  readonly min: bigint;
  readonly max: bigint;
}

/** a in [alo, ahi], b in [blo, bhi] (stored units), P, Q > 0 powers of ten. */
export function divideSecret(a: Gate, alo: bigint, ahi: bigint, b: Gate, blo: bigint, bhi: bigint, p: bigint, q: bigint, path: string): SecretDivision {
  if (blo === 0n && bhi === 0n) throw new PlanError(path, 'the divisor is always 0 (its declared range is [0, 0]): every quotient would be null');
  const [min, max] = quotientRange(alo, ahi, blo, bhi, p, q);
  checkRange(min, max, path, 'the quotient');
  const aMax = greatest(abs(alo), abs(ahi));
  const bMax = greatest(abs(blo), abs(bhi));
  const nMax = 2n * aMax * p + bMax * q;
  checkRange(0n, nMax, path, `the quotient's numerator (2·|a|·${p} + |b|·${q})`);
  const bMin = smallestMagnitude(blo, bhi);
  const dMin = 2n * bMin * q;
  const quotientMax = nMax / dMin;
  const bits = quotientMax.toString(2).length;
  if (bits > MAX_QUOTIENT_BITS) throw new PlanError(path, `the quotient could need ${bits} bits; declare narrower ranges`);
  const digits = Math.ceil(bits / 2);

  // Step 1 (one comparison batch): the signs, b ≠ 0, and the flags of the comparisons whose
  // right side could leave the ring's exact range.
  const aNeg = alo >= 0n ? constant(0n) : ahi < 0n ? constant(1n) : lt(a, constant(0n));
  const bNeg = blo >= 0n ? constant(0n) : bhi < 0n ? constant(1n) : lt(b, constant(0n));
  const bPos = blo > 0n ? constant(1n) : bhi <= 0n ? constant(0n) : lt(constant(0n), b);
  const mayBeZero = blo <= 0n && 0n <= bhi;
  const zero = mayBeZero ? linear([[bNeg, -1n], [bPos, -1n]], 1n) : undefined;
  /** [|b| > k] for k ≥ 0: [b > k] + [b < −k] (they exclude each other). */
  const beyond = (k: bigint): Gate => {
    const terms: [Gate, bigint][] = [];
    if (bhi > k) terms.push([bhi < 0n || blo > k ? constant(1n) : lt(constant(k), b), 1n]);
    if (blo < -k) terms.push([blo > 0n || bhi < -k ? constant(1n) : lt(b, constant(-k)), 1n]);
    return linear(terms);
  };

  // Step 2 (one multiplication batch): |a|, |b| (1 where b = 0), the sign of the quotient.
  const absA = linear([[a, 1n], [mul(aNeg, a), -2n]]);
  const absB = linear([[b, 1n], [mul(bNeg, b), -2n], ...(zero ? [[zero, 1n] as [Gate, bigint]] : [])]);
  const negBoth = mul(aNeg, bNeg);
  const neg = linear([[aNeg, 1n], [bNeg, 1n], [negBoth, -2n]]);
  const n = linear([[absA, 2n * p], [absB, q], [neg, -1n]]);
  const d = scale(absB, 2n * q);

  // Long division, radix 4: r < 4·2^i·D holds before digit i (2^(2·digits)·dMin > nMax).
  let r = n;
  const quotient: [Gate, bigint][] = [];
  for (let k = digits - 1; k >= 0; k--) {
    const step = 1n << BigInt(2 * k);
    const holds: Gate[] = [];
    const flagged: { ge: Gate; keep: Gate }[] = [];
    for (let j = 1n; j <= 3n; j++) {
      const m = j * step;
      if (m * dMin > nMax) break; // r ≥ m·D never holds
      const ge = linear([[lt(r, scale(d, m)), -1n]], 1n);
      if (m * 2n * bMax * q <= nMax) holds.push(ge);
      else {
        // m·D ≤ nMax < 2^62 exactly where |b| ≤ ⌊nMax / (2·m·Q)⌋; elsewhere the comparison may wrap and its answer is 0.
        const keep = linear([[beyond(nMax / (2n * m * q)), -1n]], 1n);
        flagged.push({ ge, keep });
      }
    }
    if (holds.length + flagged.length === 0) continue;
    // digit = Σ holds + Σ ge·keep; r −= 2^i·D·digit.
    const plain = linear(holds.map((g) => [g, 1n] as [Gate, bigint]));
    const kept = flagged.map(({ ge, keep }) => mul(ge, keep));
    const digit = linear([[plain, 1n], ...kept.map((g) => [g, 1n] as [Gate, bigint])]);
    const removed: [Gate, bigint][] = [];
    if (holds.length > 0) removed.push([mul(plain, d), step]);
    flagged.forEach(({ ge, keep }) => removed.push([mul(ge, mul(keep, d)), step]));
    r = sub(r, linear(removed));
    quotient.push([digit, step]);
  }
  const magnitude = linear(quotient);
  // The sign, and 0 where b = 0: (1 − 2·neg)·(1 − zero), where b = 0 makes neg = [a < 0].
  const factor = zero ? linear([[neg, -2n], [zero, -1n], [mul(aNeg, zero), 2n]], 1n) : linear([[neg, -2n]], 1n);
  return { value: mul(magnitude, factor), ...(zero ? { zero } : {}), min, max };
}

/** round(a·P / (b·Q)) over the declared ranges (b ≠ 0), with 0 when b may be 0. */
export function quotientRange(alo: bigint, ahi: bigint, blo: bigint, bhi: bigint, p: bigint, q: bigint): [bigint, bigint] {
  const divisors: bigint[] = [];
  if (bhi >= 1n) divisors.push(greatest(blo, 1n), bhi);
  if (blo <= -1n) divisors.push(blo, least(bhi, -1n));
  const ends = divisors.flatMap((b) => [alo, ahi].map((a) => roundHalfUpSigned(a * p, b * q)));
  if (blo <= 0n && 0n <= bhi) ends.push(0n);
  return [ends.reduce(least), ends.reduce(greatest)];
}

/** round(n / d), halves toward +∞, d ≠ 0. */
export function roundHalfUpSigned(n: bigint, d: bigint): bigint {
  if (d < 0n) [n, d] = [-n, -d];
  const t = 2n * n + d, u = 2n * d;
  const f = t / u;
  return t % u !== 0n && t < 0n ? f - 1n : f;
}

function smallestMagnitude(lo: bigint, hi: bigint): bigint {
  if (lo <= 0n && 0n <= hi) return 1n; // 0 itself is replaced by 1 (and its result nulled)
  return least(abs(lo), abs(hi));
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const least = (x: bigint, y: bigint): bigint => (x < y ? x : y);
const greatest = (x: bigint, y: bigint): bigint => (x > y ? x : y);
