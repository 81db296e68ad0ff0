/**
 * Exact-enough real arithmetic for the noise tables (privacy/noise-tables.ts): non-negative
 * fixed-point numbers with FRACTION_BITS bits after the point, held in bigints. Every node builds
 * the same tables from the same plan, so the arithmetic must be deterministic everywhere (bigint
 * arithmetic is; Math.exp is not specified to the last bit), and precise far beyond the 2^-64
 * resolution of the sampler's uniform words. Each operation here truncates (rounds down) and
 * errs by less than 2^-FRACTION_BITS; the tables' error analysis (docs/statistics.md) adds them up.
 */

export const FRACTION_BITS = 192n;
export const ONE = 1n << FRACTION_BITS;

/** a · b (both fixed point), rounded down. */
export function mulFixed(a: bigint, b: bigint): bigint {
  return (a * b) >> FRACTION_BITS;
}

/** a / b (both fixed point, b > 0), rounded down. */
export function divFixed(a: bigint, b: bigint): bigint {
  return (a << FRACTION_BITS) / b;
}

/** The exact rational value of a finite, non-negative double: numerator / 2^exponent. */
export function rationalOf(x: number): { readonly numerator: bigint; readonly denominator: bigint } {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`not a finite non-negative number: ${x}`);
  let denominator = 1n;
  let scaled = x;
  // Doubles are m · 2^e with a 53-bit m: doubling until the value is whole is exact and ends.
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    denominator *= 2n;
  }
  return { numerator: BigInt(scaled), denominator };
}

/** numerator / denominator in fixed point, rounded down. */
export function fixedOf(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n || numerator < 0n) throw new RangeError('a fixed-point value is a non-negative fraction');
  return (numerator << FRACTION_BITS) / denominator;
}

/**
 * exp(−x) for a fixed-point x ≥ 0: halve x until it is below 2^-16, sum the Taylor series of
 * exp(−y) to below 2^-FRACTION_BITS, square back. Relative error below 2^(k+8-FRACTION_BITS)
 * after k squarings (k ≤ 80 for any x the tables use), i.e. far below 2^-100.
 */
export function expNegFixed(x: bigint): bigint {
  if (x < 0n) throw new RangeError('expNegFixed takes x ≥ 0');
  let halvings = 0n;
  const small = ONE >> 16n;
  while (x >> halvings > small) halvings += 1n;
  const y = x >> halvings;
  // The halving truncated y by less than 2^-FRACTION_BITS: exp moves by at most as much.
  let sum = ONE;
  let term = ONE;
  for (let n = 1n; term > 0n; n++) {
    term = mulFixed(term, y) / n;
    sum = n % 2n === 1n ? sum - term : sum + term;
  }
  let result = sum;
  for (let i = 0n; i < halvings; i++) result = mulFixed(result, result);
  return result;
}

/** A fixed-point value as a double (for reports; never for the tables). */
export function toNumber(x: bigint): number {
  return Number(x >> (FRACTION_BITS - 64n)) / 2 ** 64;
}
