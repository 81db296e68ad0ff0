/**
 * Signed fixed-point numbers in Z_2^64: a real x is stored as round(x * 2^f) in two's complement.
 *
 * The codec refuses, at encode time, any value outside its declared range, so that later bit
 * budgets (products, sums) can be proven rather than hoped for.
 */

import { RangeCheckError } from '../errors.js';

export interface FixedPointOptions {
  /** Number of fraction bits f; the resolution is 2^-f. */
  readonly fractionBits: number;
  /** Smallest and largest real values accepted by encode (inclusive). */
  readonly min?: number;
  readonly max?: number;
}

export const DEFAULT_FRACTION_BITS = 16;

export class FixedPointCodec {
  readonly fractionBits: number;
  readonly scale: number;
  readonly min: number;
  readonly max: number;

  constructor(options: Partial<FixedPointOptions> = {}) {
    const f = options.fractionBits ?? DEFAULT_FRACTION_BITS;
    if (!Number.isInteger(f) || f < 0 || f > 52) {
      throw new RangeError(`fractionBits must be an integer in [0, 52], got ${f}`);
    }
    this.fractionBits = f;
    this.scale = 2 ** f;
    // The widest range whose encodings are exact in a double and fit a signed 64-bit integer.
    const limit = Math.min(2 ** (62 - f), 2 ** (53 - f));
    this.min = options.min ?? -limit;
    this.max = options.max ?? limit;
    if (!(this.min <= this.max)) throw new RangeError(`empty range [${this.min}, ${this.max}]`);
    if (this.min < -limit || this.max > limit) {
      throw new RangeError(`range [${this.min}, ${this.max}] does not fit 64-bit fixed point with ${f} fraction bits (limit ±${limit})`);
    }
  }

  /** Encodes one real number; throws RangeCheckError for NaN, infinities or out-of-range values. */
  encodeOne(x: number): bigint {
    if (!Number.isFinite(x) || x < this.min || x > this.max) {
      throw new RangeCheckError(`a value is outside the declared range [${this.min}, ${this.max}] (or is not a finite number)`);
    }
    return BigInt.asUintN(64, BigInt(Math.round(x * this.scale)));
  }

  encode(values: ArrayLike<number>): BigUint64Array {
    const out = new BigUint64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.encodeOne(values[i]);
    return out;
  }

  decodeOne(v: bigint): number {
    return Number(BigInt.asIntN(64, v)) / this.scale;
  }

  decode(v: BigUint64Array): Float64Array {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(BigInt.asIntN(64, v[i])) / this.scale;
    return out;
  }
}
