/** Shared vocabulary of the column types: limits, failure codes, and JSON field readers. */

import { SchemaError } from '../../errors.js';

/**
 * Every encoded numeric value v satisfies |v| <= 2^62 - 1: two's complement in 64 bits with a
 * spare bit, so that a sum or difference of two inputs cannot wrap before a range is re-derived.
 */
export const MAX_SCALED = (1n << 62n) - 1n;

/** The default declared range of integers and (scaled) decimals: the JS safe integers. */
export const DEFAULT_MAGNITUDE = (1n << 53n) - 1n;

/** Why one value could not be encoded. The column layer turns it into a typed error. */
export type EncodeFailure = 'parse' | 'precision' | 'range' | 'unknown-category' | 'too-long';

/** Encodes one JS value to its signed integer form (before reduction mod 2^64), or says why not. */
export type ValueEncoder = (value: unknown) => bigint | EncodeFailure;

/** A decoded cell. Which one a column yields is fixed by its type (see decode.ts). */
export type DecodedValue = number | bigint | boolean | string;

/** A JSON-ish object with the column's type fields (name and nullable already taken out). */
export type TypeFields = Readonly<Record<string, unknown>>;

export function refuseUnknownFields(fields: TypeFields, allowed: readonly string[], column: string): void {
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      throw new SchemaError(`column '${column}': unknown field '${key}' for type '${String(fields.type)}' (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** Reads an integer bound given as bigint, safe-integer number, or integer text. */
export function readIntegerBound(value: unknown, what: string, column: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[+-]?[0-9]{1,25}$/.test(value)) return BigInt(value);
  throw new SchemaError(`column '${column}': ${what} must be an integer (a safe-integer number, a bigint, or a string of digits)`);
}

export function checkBounds(min: bigint, max: bigint, column: string, show: (v: bigint) => string): void {
  if (min > max) throw new SchemaError(`column '${column}': empty range, min ${show(min)} is greater than max ${show(max)}`);
  if (min < -MAX_SCALED || max > MAX_SCALED) {
    throw new SchemaError(`column '${column}': range [${show(min)}, ${show(max)}] does not fit the encoding, whose limit is ±${show(MAX_SCALED)} (2^62 - 1 in stored units)`);
  }
}

/** A (min, max) range in stored units, for the range check shared by the numeric types. */
export interface StoredRange {
  readonly min: bigint;
  readonly max: bigint;
}
