/**
 * Types of value expressions at plan time: a value's kind, decimal scale, declared range (stored
 * units) and nullability, as for columns (types.ts), and how a literal reads in a type. Every
 * value a derived expression produces must lie within ±(2^62 − 1), the bound stored columns keep
 * (table/types/common.ts): then any difference of two values stays below 2^63 and the ring's
 * comparisons, truncations and sums over rows stay exact.
 */

import { PlanError } from '../errors.js';
import { MAX_DATE_DAYS, MIN_DATE_DAYS, parseIsoDate } from '../table/civil-date.js';
import type { ColumnType } from '../table/column-type.js';
import { MAX_SCALED } from '../table/types/common.js';
import { MAX_DECIMAL_SCALE } from '../table/types/decimal.js';
import type { LiteralValue } from './plan.js';
import type { ColumnFacts } from './types.js';
import { textTypeOf } from './types.js';

/** A value's type: a column's facts without its name. */
export type ValueType = Omit<ColumnFacts, 'name'>;

export function describeType(t: ValueType): string {
  if (t.kind === 'decimal') return `decimal(${t.scale})`;
  if (t.kind === 'category') return `category(${t.dictionary?.length ?? 0})`;
  if (t.kind === 'text') return `text(${t.maxBytes ?? 0})`;
  return t.kind;
}

export function isNumeric(t: ValueType): boolean {
  return t.kind === 'integer' || t.kind === 'decimal' || t.kind === 'boolean';
}

/** Refuses a range beyond ±(2^62 − 1), naming what would overflow and what to do. */
export function checkRange(min: bigint, max: bigint, path: string, what: string): void {
  if (min < -MAX_SCALED || max > MAX_SCALED) {
    throw new PlanError(path, `${what} could reach [${min}, ${max}] in stored units, beyond ±(2^62 − 1) where the 64-bit ring stays exact; declare narrower ranges for its columns or cast to fewer decimal digits first`);
  }
}

export function checkScale(scale: number, path: string, what: string): void {
  if (scale > MAX_DECIMAL_SCALE) throw new PlanError(path, `${what} would have ${scale} decimal digits (at most ${MAX_DECIMAL_SCALE}); cast an operand to fewer digits first`);
}

export function checkDateRange(min: bigint, max: bigint, path: string): void {
  if (min < BigInt(MIN_DATE_DAYS) || max > BigInt(MAX_DATE_DAYS)) throw new PlanError(path, `the date could fall outside 0001-01-01 … 9999-12-31 for the declared ranges; declare narrower ranges`);
}

/** The bounds of x·k for x in [lo, hi]. */
export function scaledRange(lo: bigint, hi: bigint, k: bigint): [bigint, bigint] {
  return k >= 0n ? [lo * k, hi * k] : [hi * k, lo * k];
}

export function productRange(a: readonly [bigint, bigint], b: readonly [bigint, bigint]): [bigint, bigint] {
  const ps = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
  return [ps.reduce((m, v) => (v < m ? v : m)), ps.reduce((m, v) => (v > m ? v : m))];
}

/** A number or numeric text read on its own: integer, or decimal with the digits written. */
export function numericLiteral(value: LiteralValue, path: string): { value: bigint; type: ValueType } | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      if (!Number.isSafeInteger(value)) throw new PlanError(path, `${value} is beyond the safe integers; write it as a text of digits`);
      text = String(value);
    } else {
      text = String(value);
      if (/e/i.test(text)) throw new PlanError(path, `write ${value} as a decimal text such as "0.000001"`);
    }
  } else if (typeof value === 'string' && /^[+-]?[0-9]{1,20}(\.[0-9]{1,18})?$/.test(value)) text = value;
  else return undefined;
  const [whole, fraction = ''] = text.replace(/^\+/, '').split('.');
  const stored = BigInt(whole + fraction); // "-0.5" reads as -05, i.e. -5 tenths
  checkRange(stored, stored, path, `the literal ${text}`);
  const kind = fraction.length > 0 ? 'decimal' : 'integer';
  return { value: stored, type: { kind, scale: fraction.length, min: stored, max: stored, nullable: false } };
}

/** A literal read with the type of the value it meets (dates, categories, booleans, numbers). */
export function literalIn(value: LiteralValue, t: ValueType, path: string): { value: bigint; type: ValueType } {
  const refuse = (what: string): never => {
    throw new PlanError(path, `${JSON.stringify(value)} meets a ${describeType(t)} value: ${what}`);
  };
  const exact = (v: bigint): { value: bigint; type: ValueType } => ({ value: v, type: { ...t, min: v, max: v, nullable: false } });
  switch (t.kind) {
    case 'date': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return numericLiteral(value, path)!; // days, as in date + 7
      const days = typeof value === 'string' ? parseIsoDate(value) : undefined;
      return days === undefined ? refuse('write an ISO date that exists, such as "2024-02-29"') : exact(BigInt(days));
    }
    case 'category': {
      const words = t.dictionary ?? [];
      const index = typeof value === 'string' ? words.indexOf(value) : -1;
      return index < 0 ? refuse(`write one of its words (${words.slice(0, 8).map((w) => JSON.stringify(w)).join(', ')}${words.length > 8 ? ', …' : ''})`) : exact(BigInt(index));
    }
    case 'boolean':
      if (typeof value === 'boolean') return exact(value ? 1n : 0n);
      break;
    case 'identifier':
      return refuse('identifiers are keyed hashes; compare two identifier columns');
  }
  if (typeof value === 'boolean') return exact(value ? 1n : 0n);
  const n = numericLiteral(value, path);
  return n ?? refuse('write a number (or an exact decimal text such as "12.50")');
}

/** The column type a derived value is stored with (its declared range is the computed one). */
export function columnTypeOf(t: ValueType): ColumnType {
  switch (t.kind) {
    case 'integer': return { kind: 'integer', min: t.min, max: t.max };
    case 'decimal': return { kind: 'decimal', scale: t.scale, min: t.min, max: t.max };
    case 'boolean': return { kind: 'boolean' };
    case 'date': return { kind: 'date', min: Number(t.min), max: Number(t.max) };
    case 'category': return { kind: 'category', dictionary: t.dictionary ?? [] };
    case 'identifier': return { kind: 'identifier' };
    case 'text': return textTypeOf(t);
  }
}
