/**
 * What each column of an opened table is, for writing it out with its type (client/write-result.ts):
 * plain columns by their declared type, aggregates by what they decode to (count, sum, min and max
 * exactly, as integers or decimals of the column's scale; mean, var and std as doubles). Decimal
 * cells are doubles in `table.rows` (what a program computes with); their exact text is kept beside
 * them, because a double cannot hold every 18-digit decimal.
 */

import { IntegrityError } from '../errors.js';
import type { QueryOutputInfo } from '../wire/api.js';
import { formatScaled } from '../table/text-grammar.js';
import { decodeOutput } from './result.js';
import { cellColumn, keptRows } from './result-columns.js';

/** A result column's type: how its cells were decoded. 'double' is an inexact aggregate (mean, var, std). */
export type ResultColumnType =
  | { readonly kind: 'integer' }
  | { readonly kind: 'decimal'; readonly scale: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'category'; readonly dictionary: readonly string[] }
  | { readonly kind: 'identifier' }
  | { readonly kind: 'text'; readonly maxBytes: number }
  | { readonly kind: 'double' };

/** Aggregates whose value is exact (an integer, or a decimal of the column's scale). */
const EXACT_AGGREGATES: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max']);

export function resultColumnType(out: QueryOutputInfo): ResultColumnType {
  if (out.fn !== 'column') {
    if (!EXACT_AGGREGATES.has(out.fn)) return { kind: 'double' };
    return out.scale > 0 && out.fn !== 'count' ? { kind: 'decimal', scale: out.scale } : { kind: 'integer' };
  }
  const t = out.type;
  if (!t) throw new IntegrityError(`the result's column '${out.name}' has no type`);
  switch (t.type) {
    case 'integer': return { kind: 'integer' };
    case 'decimal': return { kind: 'decimal', scale: t.scale };
    case 'boolean': return { kind: 'boolean' };
    case 'date': return { kind: 'date' };
    case 'category': return { kind: 'category', dictionary: t.dictionary };
    case 'identifier': return { kind: 'identifier' };
    case 'text': return { kind: 'text', maxBytes: t.maxBytes };
  }
}

/**
 * The exact text of every decimal column (null where the cell is null), row for row as in the
 * decoded table: rows the plan's validity marked invalid are left out the same way.
 */
export function exactDecimalColumns(outputs: readonly QueryOutputInfo[], columns: ReadonlyMap<string, BigUint64Array>, rows: number): Record<string, (string | null)[]> {
  return lazyExactDecimals(outputs, columns, rows)();
}

/**
 * exactDecimalColumns in two steps: the checks now (the validity, every decimal output's parts),
 * the texts when the returned function is first called (then kept): openResult's exactDecimals.
 */
export function lazyExactDecimals(outputs: readonly QueryOutputInfo[], columns: ReadonlyMap<string, BigUint64Array>, rows: number): () => Record<string, (string | null)[]> {
  const kept = keptRows(columns, rows);
  const cells: [string, (row: number) => string | null][] = [];
  for (const out of outputs) {
    const type = resultColumnType(out);
    if (type.kind === 'decimal') cells.push([out.name, exactCell(out, type.scale, columns)]);
  }
  let exact: Record<string, (string | null)[]> | undefined;
  return () => (exact ??= Object.fromEntries(cells.map(([name, cell]) => [name, cellColumn(cell, rows, kept) as (string | null)[]])));
}

function exactCell(out: QueryOutputInfo, scale: number, columns: ReadonlyMap<string, BigUint64Array>): (row: number) => string | null {
  const partColumn = (part: string): BigUint64Array | undefined => {
    const p = out.parts.find((x) => x.part === part);
    return p ? columns.get(p.column) : undefined;
  };
  const present = partColumn('present');
  if (out.fn === 'column') {
    const values = partColumn('value');
    if (!values) throw new IntegrityError(`the result lacks the value of '${out.name}'`);
    return (row) => (present && present[row] === 0n ? null : formatScaled(BigInt.asIntN(64, values[row]), scale));
  }
  return (row) => {
    if (present && present[row] === 0n) return null;
    return decodeOutput(out, columns, row).exact ?? null;
  };
}
