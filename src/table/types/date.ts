/** `date`: a calendar date stored as whole days since 1970-01-01 (negative before 1970). */

import { SchemaError } from '../../errors.js';
import { MAX_DATE_DAYS, MIN_DATE_DAYS, daysFromUtcMidnight, formatIsoDate, parseIsoDate } from '../civil-date.js';
import { refuseUnknownFields, type TypeFields, type ValueEncoder } from './common.js';

export interface DateType {
  readonly kind: 'date';
  /** Bounds in days since 1970-01-01. */
  readonly min: number;
  readonly max: number;
}

export interface DateTypeJson {
  readonly type: 'date';
  /** ISO dates "YYYY-MM-DD". */
  readonly min: string;
  readonly max: string;
}

export function parseDateType(fields: TypeFields, column: string): DateType {
  refuseUnknownFields(fields, ['type', 'min', 'max'], column);
  const min = fields.min === undefined ? MIN_DATE_DAYS : readDateBound(fields.min, 'min', column);
  const max = fields.max === undefined ? MAX_DATE_DAYS : readDateBound(fields.max, 'max', column);
  if (min > max) throw new SchemaError(`column '${column}': empty range, min ${formatIsoDate(min)} is after max ${formatIsoDate(max)}`);
  return { kind: 'date', min, max };
}

function readDateBound(value: unknown, what: string, column: string): number {
  const days = dateEncoder()(value);
  if (typeof days === 'bigint') return Number(days);
  throw new SchemaError(`column '${column}': ${what} must be an ISO date "YYYY-MM-DD" between 0001-01-01 and 9999-12-31, or a Date at UTC midnight`);
}

export function dateTypeToJson(t: DateType): DateTypeJson {
  return { type: 'date', min: formatIsoDate(t.min), max: formatIsoDate(t.max) };
}

export function dateEncoder(): ValueEncoder {
  return (value) => {
    let days: number | undefined;
    if (typeof value === 'string') days = parseIsoDate(value);
    else if (value instanceof Date) days = daysFromUtcMidnight(value);
    if (days === undefined) return 'parse';
    // Dates outside years 1..9999 exist for Date objects; no declared range can include them.
    return days < MIN_DATE_DAYS || days > MAX_DATE_DAYS ? 'range' : BigInt(days);
  };
}

export function describeDateRange(t: DateType): string {
  return `[${formatIsoDate(t.min)}, ${formatIsoDate(t.max)}]`;
}
