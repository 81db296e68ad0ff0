/**
 * `decimal`: a number with a fixed number of decimal digits (its scale), stored exactly as
 * value × 10^scale. Bounds are kept in stored units, so range checks are exact integer compares.
 */

import { SchemaError } from '../../errors.js';
import { decimalText, formatScaled, scaledFromDecimalText } from '../text-grammar.js';
import { DEFAULT_MAGNITUDE, checkBounds, refuseUnknownFields, type TypeFields, type ValueEncoder } from './common.js';

/** 10^18 < 2^62 - 1 < 10^19: a larger scale could not hold even the value 1. */
export const MAX_DECIMAL_SCALE = 18;

export interface DecimalType {
  readonly kind: 'decimal';
  readonly scale: number;
  /** Bounds in stored units (value × 10^scale). */
  readonly min: bigint;
  readonly max: bigint;
}

export interface DecimalTypeJson {
  readonly type: 'decimal';
  readonly scale: number;
  /** Exact decimal text with exactly `scale` fraction digits. */
  readonly min: string;
  readonly max: string;
}

export function pow10(scale: number): bigint {
  return 10n ** BigInt(scale);
}

export function parseDecimalType(fields: TypeFields, column: string): DecimalType {
  refuseUnknownFields(fields, ['type', 'scale', 'min', 'max'], column);
  const scale = fields.scale;
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > MAX_DECIMAL_SCALE) {
    throw new SchemaError(`column '${column}': a decimal needs a scale, an integer from 0 to ${MAX_DECIMAL_SCALE} (the number of digits after the decimal point)`);
  }
  const show = (v: bigint): string => formatScaled(v, scale);
  const min = fields.min === undefined ? -DEFAULT_MAGNITUDE : readDecimalBound(fields.min, scale, 'min', column);
  const max = fields.max === undefined ? DEFAULT_MAGNITUDE : readDecimalBound(fields.max, scale, 'max', column);
  checkBounds(min, max, column, show);
  return { kind: 'decimal', scale, min, max };
}

function readDecimalBound(value: unknown, scale: number, what: string, column: string): bigint {
  const encoded = decimalEncoder(scale)(value);
  if (typeof encoded === 'bigint') return encoded;
  if (encoded === 'precision') throw new SchemaError(`column '${column}': ${what} has more decimal digits than the scale ${scale}`);
  throw new SchemaError(`column '${column}': ${what} must be a decimal number (a number, a bigint, or text such as "-12.50")`);
}

export function decimalTypeToJson(t: DecimalType): DecimalTypeJson {
  return { type: 'decimal', scale: t.scale, min: formatScaled(t.min, t.scale), max: formatScaled(t.max, t.scale) };
}

/**
 * Numbers are accepted when they are the double nearest to some decimal with `scale` digits:
 * d = round(x·10^s) and d / 10^s === x. The file reader applies the very same two IEEE
 * operations to DOUBLE columns, so both paths accept and produce the same values.
 */
export function decimalEncoder(scale: number): ValueEncoder {
  const factor = 10 ** scale;
  const bigFactor = pow10(scale);
  return (value) => {
    if (typeof value === 'bigint') return value * bigFactor;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'parse';
      const d = Math.round(value * factor);
      return d / factor === value ? BigInt(d) : 'precision';
    }
    if (typeof value === 'string') return decimalText.test(value) ? scaledFromDecimalText(value, scale) : 'parse';
    return 'parse';
  };
}

/** Decodes to the double nearest to the exact value (exact whenever |stored| <= 2^53). */
export function decimalToNumber(signed: bigint, scale: number): number {
  return Number(signed) / 10 ** scale;
}

export function describeDecimalRange(t: DecimalType): string {
  return `[${formatScaled(t.min, t.scale)}, ${formatScaled(t.max, t.scale)}]`;
}

