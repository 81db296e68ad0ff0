/** `integer`: a whole number in a declared range, stored as itself. */

import { integerText } from '../text-grammar.js';
import { DEFAULT_MAGNITUDE, checkBounds, readIntegerBound, refuseUnknownFields, type TypeFields, type ValueEncoder } from './common.js';

export interface IntegerType {
  readonly kind: 'integer';
  readonly min: bigint;
  readonly max: bigint;
}

export interface IntegerTypeJson {
  readonly type: 'integer';
  readonly min: string;
  readonly max: string;
}

export function parseIntegerType(fields: TypeFields, column: string): IntegerType {
  refuseUnknownFields(fields, ['type', 'min', 'max'], column);
  const min = fields.min === undefined ? -DEFAULT_MAGNITUDE : readIntegerBound(fields.min, 'min', column);
  const max = fields.max === undefined ? DEFAULT_MAGNITUDE : readIntegerBound(fields.max, 'max', column);
  checkBounds(min, max, column, String);
  return { kind: 'integer', min, max };
}

export function integerTypeToJson(t: IntegerType): IntegerTypeJson {
  return { type: 'integer', min: t.min.toString(), max: t.max.toString() };
}

export function integerEncoder(): ValueEncoder {
  return (value) => {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : 'parse';
    if (typeof value === 'string') return integerText.test(value) ? BigInt(value) : 'parse';
    return 'parse';
  };
}

/** Decodes to a number when every value of the declared range is a safe integer, else to a bigint. */
export function integerDecoder(t: IntegerType): (signed: bigint) => number | bigint {
  const safe = t.min >= -DEFAULT_MAGNITUDE && t.max <= DEFAULT_MAGNITUDE;
  return safe ? (signed) => Number(signed) : (signed) => signed;
}

export function describeIntegerRange(t: IntegerType): string {
  return `[${t.min}, ${t.max}]`;
}
