/** How results and tables read on the command line. */

import type { DecodedOutput, QueryResult } from '../client/result.js';
import type { TableInfo } from '../wire/api.js';
import type { ColumnSchemaJson } from '../table/schema.js';
import { formatCount, formatNumber } from './output.js';

/** "sum(patients) = 5,066", "mean(systolic) = 128.43 (sum 128,433 / count 1,000)"; every output of a plan, one per line. */
export function describeResult(r: QueryResult): string {
  return Object.values(r.outputs).map(describeOutput).join('\n  ');
}

/** A quotient (it opens as its sum and count) shows both; anything else its exact text when it has one. */
function describeOutput(o: DecodedOutput): string {
  const what = `${o.fn}(${o.column ?? '*'})`;
  const label = o.name === o.fn ? what : `${o.name} = ${what}`;
  if (o.sum !== undefined && o.count !== undefined) {
    const value = typeof o.value === 'number' && Number.isNaN(o.value) ? 'undefined (nothing counted)' : formatNumber(Number(o.value), 4);
    return `${label} = ${value} (sum ${formatValue(o.sum)} / count ${formatCount(o.count)})`;
  }
  return `${label} = ${o.exact !== undefined && !/^-?\d+$/.test(o.exact) ? o.exact : formatValue(o.value)}`;
}

export function formatValue(v: number | bigint): string {
  return typeof v === 'bigint' || Number.isInteger(v) ? formatCount(v) : formatNumber(v, 6);
}

/** "age integer [0, 120]", "blood category(4)?" */
export function describeColumn(c: ColumnSchemaJson): string {
  const fields = c as unknown as Record<string, unknown>;
  let type = String(fields.type);
  if (type === 'decimal') type += `(${String(fields.scale)})`;
  if (type === 'category') type += `(${(fields.dictionary as unknown[]).length})`;
  const declared = fields.min !== undefined && fields.max !== undefined && !isDefaultRange(String(fields.min), String(fields.max));
  const range = declared ? ` [${String(fields.min)}, ${String(fields.max)}]` : '';
  return `${c.name} ${type}${c.nullable ? '?' : ''}${range}`;
}

/** The range a column gets when none is declared: ±(2^53 − 1) stored units (docs/ingest.md). */
function isDefaultRange(min: string, max: string): boolean {
  return min.replace('.', '') === '-9007199254740991' && max.replace('.', '') === '9007199254740991';
}

export function describeTableColumns(t: TableInfo): string {
  return t.schema.columns.map(describeColumn).join(', ');
}
