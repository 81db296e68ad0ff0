/**
 * Type inference, for columns the data owner did not declare. Only the type is inferred, never a
 * range (a range taken from the data would publish its minimum and maximum) and never
 * nullability (that would publish whether any value is missing): inferred columns get the
 * default range and are not nullable unless the caller says otherwise.
 *
 * Text columns are summarised into TextColumnStats, by a JS loop here or by SQL in the file
 * reader, and one function turns the summary into a type, so both paths infer alike.
 */

import { TypeInferenceError } from '../errors.js';
import { parseIsoDate } from './civil-date.js';
import type { ColumnType } from './column-type.js';
import { inferBooleanText, inferDecimalText, inferIntegerText } from './text-grammar.js';
import { DEFAULT_MAGNITUDE } from './types/common.js';
import { MAX_DECIMAL_SCALE } from './types/decimal.js';
import { MAX_DATE_DAYS, MIN_DATE_DAYS } from './civil-date.js';

export interface TextColumnStats {
  /** Number of non-null values. */
  readonly nonNull: number;
  /** Every value matches INFER_INTEGER_TEXT. */
  readonly allInteger: boolean;
  /** Every value matches INFER_INTEGER_TEXT or INFER_DECIMAL_TEXT. */
  readonly allNumeric: boolean;
  /** The most digits after a decimal point, as written (a format property, not a value). */
  readonly maxFractionDigits: number;
  readonly allBoolean: boolean;
  /** Every value is an existing ISO date. */
  readonly allDate: boolean;
}

export function defaultIntegerType(): ColumnType {
  return { kind: 'integer', min: -DEFAULT_MAGNITUDE, max: DEFAULT_MAGNITUDE };
}

export function defaultDecimalType(scale: number, column: string): ColumnType {
  if (scale > MAX_DECIMAL_SCALE) {
    throw new TypeInferenceError(`column '${column}' has numbers with more than ${MAX_DECIMAL_SCALE} digits after the point; declare it as a decimal with a scale of at most ${MAX_DECIMAL_SCALE} after rounding the data`, column);
  }
  return { kind: 'decimal', scale, min: -DEFAULT_MAGNITUDE, max: DEFAULT_MAGNITUDE };
}

export function defaultDateType(): ColumnType {
  return { kind: 'date', min: MIN_DATE_DAYS, max: MAX_DATE_DAYS };
}

export function noValuesError(column: string): TypeInferenceError {
  return new TypeInferenceError(`column '${column}' has no values to infer a type from; declare its type`, column);
}

export function typeFromTextStats(column: string, stats: TextColumnStats): ColumnType {
  if (stats.nonNull === 0) throw noValuesError(column);
  if (stats.allInteger) return defaultIntegerType();
  if (stats.allNumeric) return defaultDecimalType(stats.maxFractionDigits, column);
  if (stats.allBoolean) return { kind: 'boolean' };
  if (stats.allDate) return defaultDateType();
  throw new TypeInferenceError(
    `column '${column}' holds text that is not all numbers, true/false or ISO dates (numbers with leading zeros count as text); ` +
      `declare it as { type: 'category', dictionary: [...] } for a known set of values, or { type: 'identifier' } for keys such as patient numbers`,
    column,
  );
}

export function textStats(values: readonly string[]): TextColumnStats {
  let allInteger = true;
  let allNumeric = true;
  let allBoolean = true;
  let allDate = true;
  let maxFractionDigits = 0;
  for (const v of values) {
    const isInteger = inferIntegerText.test(v);
    const isDecimal = !isInteger && inferDecimalText.test(v);
    allInteger &&= isInteger;
    allNumeric &&= isInteger || isDecimal;
    if (isDecimal) maxFractionDigits = Math.max(maxFractionDigits, v.length - v.indexOf('.') - 1);
    allBoolean &&= inferBooleanText.test(v);
    allDate &&= parseIsoDate(v) !== undefined;
  }
  return { nonNull: values.length, allInteger, allNumeric, maxFractionDigits, allBoolean, allDate };
}

/**
 * The smallest scale s <= 18 at which every number is the double nearest to an s-digit decimal
 * (the same test the decimal encoder applies), or undefined if there is none.
 */
export function smallestExactScale(numbers: readonly number[]): number | undefined {
  for (let s = 0; s <= MAX_DECIMAL_SCALE; s++) {
    const factor = 10 ** s;
    if (numbers.every((x) => Number.isFinite(x) && Math.round(x * factor) / factor === x)) return s;
  }
  return undefined;
}

/** Infers the type of an in-memory column of JS values (see the module comment for the rules). */
export function inferColumnType(column: string, values: ArrayLike<unknown>): ColumnType {
  const texts: string[] = [];
  const numbers: number[] = [];
  let bigints = 0;
  let booleans = 0;
  let dates = 0;
  let others = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') texts.push(v);
    else if (typeof v === 'number') numbers.push(v);
    else if (typeof v === 'bigint') bigints++;
    else if (typeof v === 'boolean') booleans++;
    else if (v instanceof Date) dates++;
    else others++;
  }
  const kinds = [texts.length, numbers.length + bigints, booleans, dates, others].filter((n) => n > 0).length;
  if (kinds === 0) throw noValuesError(column);
  if (kinds > 1 || others > 0) {
    throw new TypeInferenceError(`column '${column}' mixes kinds of JS values (text, numbers, booleans, Dates); give it one kind, or declare its type`, column);
  }
  if (texts.length > 0) return typeFromTextStats(column, textStats(texts));
  if (booleans > 0) return { kind: 'boolean' };
  if (dates > 0) return defaultDateType();
  if (numbers.every((x) => Number.isInteger(x))) return defaultIntegerType();
  const scale = smallestExactScale(numbers);
  if (scale === undefined) {
    throw new TypeInferenceError(`column '${column}' has numbers that are not finite or have more than ${MAX_DECIMAL_SCALE} decimal digits; declare it as a decimal with a scale`, column);
  }
  return defaultDecimalType(scale, column);
}
