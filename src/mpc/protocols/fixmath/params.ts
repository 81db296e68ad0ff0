/**
 * Checks of the public parameters of the fixed-point functions. A parameter set for which the
 * bit budget cannot be proven is refused with a UsageError naming the limit, never computed
 * with a silent overflow.
 */

import { UsageError } from '../../../errors.js';
import { DEFAULT_FRACTION_BITS } from '../../../ring/fixed.js';

export interface FixedPointOptions {
  /** Fraction bits f of inputs and outputs (default 16). */
  readonly fractionBits?: number;
}

export function fractionBits(what: string, options: FixedPointOptions, min: number, max: number): number {
  const f = options.fractionBits ?? DEFAULT_FRACTION_BITS;
  if (!Number.isInteger(f) || f < min || f > max) throw new UsageError(`${what}: fractionBits must be an integer in [${min}, ${max}], got ${f}`);
  return f;
}

/** A declared bound that must be a finite number in (lower, upper]. */
export function bound(what: string, name: string, value: number | undefined, lower: number, upper: number): number {
  if (value === undefined || !Number.isFinite(value) || !(value > lower) || value > upper) {
    throw new UsageError(`${what}: ${name} must be a number in (${lower}, ${upper}], got ${String(value)}`);
  }
  return value;
}

/** Number of bits of a positive integer (bitLength(1) = 1, bitLength(2^k) = k + 1). */
export function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/** The raw integer magnitude bound ceil(|value| * 2^f) of a declared real bound. */
export function rawBound(value: number, f: number): bigint {
  return BigInt(Math.ceil(Math.abs(value) * 2 ** f));
}
