/** How results and tables read on the command line. */

import type { QueryResult } from '../client/result.js';
import type { TableInfo } from '../wire/api.js';
import type { ColumnSchemaJson } from '../table/schema.js';
import { formatCount, formatNumber } from './output.js';

/** "sum(patients) = 5,066", "mean(systolic) = 128.43 (sum 128,433 / count 1,000)". */
export function describeResult(r: QueryResult): string {
  const what = `${r.op}(${r.column ?? '*'})`;
  if (r.op === 'mean') {
    const value = typeof r.value === 'number' && Number.isNaN(r.value) ? 'undefined (nothing counted)' : formatNumber(Number(r.value), 4);
    return `${what} = ${value} (sum ${formatValue(r.sum ?? 0)} / count ${formatCount(r.count ?? 0)})`;
  }
  return `${what} = ${r.exact !== undefined && !/^-?\d+$/.test(r.exact) ? r.exact : formatValue(r.value)}`;
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
