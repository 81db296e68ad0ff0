/**
 * SQL that parses, checks and encodes one column inside DuckDB, mirroring the table layer's
 * encoders rule for rule (same text patterns, same digit arithmetic, same IEEE steps for
 * doubles). Everything is vectorised native code; JS only copies the resulting BIGINTs.
 *
 * For each column the reader gets two expressions, evaluated in the same pass:
 *  - failure: NULL for a good cell, else the 1-based index of its failure in CELL_FAILURES;
 *  - value:   the stored value as BIGINT (meaningful where failure is NULL; NULL for null cells).
 * A value expression must never raise on bad input (TRY_CAST, guarded products): a bad cell is
 * reported through `failure`, and a raised DuckDB error would lose which row and why.
 */

import { ColumnTypeError } from '../errors.js';
import { CELL_FAILURES, type CellFailure } from '../table/cell-errors.js';
import type { ColumnType } from '../table/column-type.js';
import type { ColumnSchema } from '../table/schema.js';
import { BOOLEAN_TEXT, DATE_TEXT, DECIMAL_TEXT, INTEGER_TEXT, TRUE_TEXT } from '../table/text-grammar.js';
import { pow10 } from '../table/types/decimal.js';
import type { SourceKind } from './source-kind.js';
import { TEXT_WORD_BYTES, textWordCount } from '../table/types/text.js';

export interface SourceColumn {
  /** SQL reference to the raw column, e.g. src."column3". */
  readonly ref: string;
  readonly kind: SourceKind;
  /** DuckDB's name for the storage type, for error messages. */
  readonly typeName: string;
  /** The scale of a DECIMAL storage type. */
  readonly decimalScale?: number | undefined;
}

export interface ColumnSql {
  readonly failure: string;
  readonly value: string;
  /** True where the cell is not null (the validity bit of nullable columns). */
  readonly present: string;
  /** A text column's further words (1 to W - 1) as BIGINT, beside `value` (word 0). */
  readonly words?: readonly string[];
  /** A LEFT JOIN that a category column needs (its dictionary table), if any. */
  readonly join?: string;
  /** Name of the dictionary table to create and fill, for category columns. */
  readonly dictionaryTable?: string;
}

/** Named parameters the identifier expression uses; bound to the HMAC pads, never written into SQL. */
export const IDENTIFIER_INNER_PARAM = 'identifier_inner';
export const IDENTIFIER_OUTER_PARAM = 'identifier_outer';

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function hugeint(v: bigint): string {
  return `CAST('${v}' AS HUGEINT)`;
}

function matches(text: string, pattern: string): string {
  return `regexp_full_match(${text}, ${sqlString(pattern)})`;
}

function code(failure: CellFailure): number {
  return CELL_FAILURES.indexOf(failure) + 1;
}

/** Predicates (true = the cell fails) and the stored value, before assembly into a CASE. */
interface Checks {
  readonly parse?: string;
  readonly precision?: string;
  readonly range?: string;
  readonly unknownCategory?: string;
  readonly tooLong?: string;
  readonly value: string;
  readonly words?: readonly string[];
}

/** True when `scaled` is NULL (overflowed) or outside [min, max]; `scaled` is evaluated once. */
function outside(scaled: string, min: bigint, max: bigint): string {
  return `COALESCE(NOT (${scaled} BETWEEN ${hugeint(min)} AND ${hugeint(max)}), true)`;
}

/**
 * Decimal text → value × 10^scale, exactly. The string steps mirror scaledFromDecimalText. For
 * scales up to 9 a faster route goes through DuckDB's DECIMAL(18, s) parser (exact for text that
 * passed the grammar and precision checks): whole part × 10^s + fraction × 10^s, both BIGINT;
 * where it overflows (more than 18 digits) it yields NULL and the string steps take over
 * (COALESCE evaluates them only for those rows). Beyond scale 9 the fraction product would need
 * 128-bit decimals, which are slower than the string steps.
 */
function decimalTextChecks(text: string, scale: number, min: bigint, max: bigint): Checks {
  const whole = `split_part(${text}, '.', 1)`;
  const fraction = `split_part(${text}, '.', 2)`;
  const sign = `(CASE WHEN starts_with(${text}, '-') THEN '-' ELSE '' END)`;
  const exact = `TRY_CAST(${sign} || '0' || ltrim(${whole}, '+-') || rpad(${fraction}, ${scale}, '0') AS HUGEINT)`;
  const decimal = `TRY_CAST(${text} AS DECIMAL(18, ${scale}))`;
  const fast = `(CAST(trunc(${decimal}) AS BIGINT) * ${pow10(scale)} + CAST((${decimal} - trunc(${decimal})) * ${pow10(scale)} AS BIGINT))`;
  const scaled = scale <= 9 ? `COALESCE(${fast}, ${exact})` : exact;
  return {
    parse: `NOT ${matches(text, DECIMAL_TEXT)}`,
    // Digits past the scale must all be zeros (same rule as significantFractionDigits).
    precision: `NOT ${matches(text, `^[^.]*([.][0-9]{0,${scale}}0*)?$`)}`,
    range: outside(scaled, min, max),
    value: `TRY_CAST(${scaled} AS BIGINT)`,
  };
}

/** Doubles: d = round(x·10^s), exact iff d / 10^s = x (FLOAT compares in FLOAT). */
function floatingChecks(x: string, kind: 'double' | 'float', scale: number, min: bigint, max: bigint): Checks {
  const factor = `CAST(${pow10(scale)} AS DOUBLE)`;
  const d = `round(CAST(${x} AS DOUBLE) * ${factor})`;
  const back = kind === 'float' ? `CAST(${d} / ${factor} AS FLOAT)` : `(${d} / ${factor})`;
  const scaled = `TRY_CAST(${d} AS HUGEINT)`;
  return {
    parse: `NOT isfinite(${x})`,
    precision: `${back} <> ${x}`,
    range: outside(scaled, min, max),
    value: `TRY_CAST(${scaled} AS BIGINT)`,
  };
}

function identifierValue(text: string): string {
  const inner = `sha256($${IDENTIFIER_INNER_PARAM} || encode(${text}))`;
  const digest = `sha256($${IDENTIFIER_OUTER_PARAM} || unhex(${inner}))`;
  return `CAST(CAST('0x' || left(${digest}, 16) AS UBIGINT) >> 2 AS BIGINT)`;
}

function unsupported(column: ColumnSchema, source: SourceColumn): never {
  throw new ColumnTypeError(
    `column '${column.name}' is stored as ${source.typeName} in the file and cannot be read as ${column.type.kind}; declare a type that fits, or convert the column`,
    column.name,
  );
}

function checksFor(column: ColumnSchema, source: SourceColumn, index: number): Checks & { join?: string; dictionaryTable?: string } {
  const t: ColumnType = column.type;
  const x = source.ref;
  const k = source.kind;
  // Columns stored as text (and text-like views of other storage) go through the text grammar.
  const text = k === 'text' ? `CAST(${x} AS VARCHAR)` : k === 'integer' || k === 'decimal' ? `CAST(${x} AS VARCHAR)` : undefined;
  switch (t.kind) {
    case 'integer':
      if (k === 'text') {
        const scaled = `COALESCE(TRY_CAST(${text} AS BIGINT), TRY_CAST(${text} AS HUGEINT))`;
        return { parse: `NOT ${matches(`${text}`, INTEGER_TEXT)}`, range: outside(scaled, t.min, t.max), value: `TRY_CAST(${scaled} AS BIGINT)` };
      }
      if (k === 'integer') {
        const scaled = `TRY_CAST(${x} AS HUGEINT)`;
        return { range: outside(scaled, t.min, t.max), value: `TRY_CAST(${scaled} AS BIGINT)` };
      }
      if (k === 'decimal') return decimalTextChecks(`${text}`, 0, t.min, t.max);
      if (k === 'double' || k === 'float') return floatingChecks(x, k, 0, t.min, t.max);
      return unsupported(column, source);
    case 'decimal':
      if (k === 'text' || k === 'decimal') return decimalTextChecks(`${text}`, t.scale, t.min, t.max);
      if (k === 'integer') {
        // Compare before scaling, and scale only what is in range, so the product cannot overflow.
        const unscaled = `TRY_CAST(${x} AS HUGEINT)`;
        const factor = pow10(t.scale);
        const lo = -floorDiv(-t.min, factor);
        const hi = floorDiv(t.max, factor);
        const value = `CASE WHEN ${unscaled} BETWEEN ${hugeint(lo)} AND ${hugeint(hi)} THEN CAST(${unscaled} * ${hugeint(factor)} AS BIGINT) END`;
        return { range: outside(unscaled, lo, hi), value };
      }
      if (k === 'double' || k === 'float') return floatingChecks(x, k, t.scale, t.min, t.max);
      return unsupported(column, source);
    case 'boolean':
      if (k === 'text') return { parse: `NOT ${matches(`${text}`, BOOLEAN_TEXT)}`, value: `CAST(${matches(`${text}`, TRUE_TEXT)} AS BIGINT)` };
      if (k === 'integer') return { parse: `${x} NOT IN (0, 1)`, value: `TRY_CAST(${x} AS BIGINT)` };
      if (k === 'boolean') return { value: `CAST(${x} AS BIGINT)` };
      return unsupported(column, source);
    case 'date': {
      if (k !== 'text' && k !== 'date') return unsupported(column, source);
      const date = k === 'text' ? `TRY_CAST(${text} AS DATE)` : x;
      const days = k === 'text' ? `CAST(${date} - DATE '1970-01-01' AS HUGEINT)` : `(CASE WHEN isfinite(${x}) THEN CAST(${x} - DATE '1970-01-01' AS HUGEINT) END)`;
      const parse = k === 'text' ? `(NOT ${matches(`${text}`, DATE_TEXT)} OR ${date} IS NULL)` : `NOT isfinite(${x})`;
      return { parse, range: outside(days, BigInt(t.min), BigInt(t.max)), value: `TRY_CAST(${days} AS BIGINT)` };
    }
    case 'category': {
      if (k !== 'text' && k !== 'integer') return unsupported(column, source);
      const table = `dictionary_${index}`;
      return {
        unknownCategory: `${table}.code IS NULL`,
        value: `${table}.code`,
        join: `LEFT JOIN ${table} ON ${table}.value = ${text}`,
        dictionaryTable: table,
      };
    }
    case 'identifier':
      if (k !== 'text' && k !== 'integer') return unsupported(column, source);
      return { value: identifierValue(`${text}`) };
    case 'text':
      if (k !== 'text' && k !== 'integer') return unsupported(column, source);
      return textChecks(`${text}`, t.maxBytes);
  }
}

/**
 * Text → its words (table/types/text.ts): the UTF-8 bytes as hex, padded with zeros to 14 hex
 * digits a word, each 14-digit slice read as an unsigned integer (< 2^56, so a BIGINT). U+0000
 * is refused as the in-memory encoder refuses it; DuckDB holds only valid UTF-8.
 */
function textChecks(text: string, maxBytes: number): Checks {
  const words = textWordCount(maxBytes);
  const digits = 2 * TEXT_WORD_BYTES;
  const hex = `rpad(hex(encode(${text})), ${words * digits}, '0')`;
  const word = (k: number): string => `CAST(CAST('0x' || substr(${hex}, ${k * digits + 1}, ${digits}) AS UBIGINT) AS BIGINT)`;
  const fits = `octet_length(encode(${text})) <= ${maxBytes}`;
  // Values too long would not fit the padded hex: guard the casts so that they never raise.
  const guarded = (k: number): string => `(CASE WHEN ${fits} THEN ${word(k)} END)`;
  return {
    parse: `contains(${text}, chr(0))`,
    tooLong: `NOT (${fits})`,
    value: guarded(0),
    words: Array.from({ length: words - 1 }, (_, k) => guarded(k + 1)),
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

export function columnSql(column: ColumnSchema, source: SourceColumn, index: number): ColumnSql {
  const checks = checksFor(column, source, index);
  const branches = [`WHEN ${source.ref} IS NULL THEN ${column.nullable ? 'NULL' : code('null')}`];
  if (checks.parse) branches.push(`WHEN ${checks.parse} THEN ${code('parse')}`);
  if (checks.precision) branches.push(`WHEN ${checks.precision} THEN ${code('precision')}`);
  if (checks.range) branches.push(`WHEN ${checks.range} THEN ${code('range')}`);
  if (checks.unknownCategory) branches.push(`WHEN ${checks.unknownCategory} THEN ${code('unknown-category')}`);
  if (checks.tooLong) branches.push(`WHEN ${checks.tooLong} THEN ${code('too-long')}`);
  return {
    failure: `(CASE ${branches.join(' ')} END)`,
    value: checks.value,
    ...(checks.words !== undefined ? { words: checks.words } : {}),
    present: `(${source.ref} IS NOT NULL)`,
    ...(checks.join !== undefined ? { join: checks.join } : {}),
    ...(checks.dictionaryTable !== undefined ? { dictionaryTable: checks.dictionaryTable } : {}),
  };
}

export function failureFromCode(n: number): CellFailure {
  const failure = CELL_FAILURES[n - 1];
  if (failure === undefined) throw new RangeError(`unknown failure code ${n}`);
  return failure;
}
