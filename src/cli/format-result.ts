/** How results and tables read on the command line. */

import type { DecodedOutput, QueryResult, ResultCell, ResultTable } from '../client/result.js';
import type { PrivacyReport, TableInfo } from '../wire/api.js';
import type { ColumnSchemaJson } from '../table/schema.js';
import { formatCount, formatNumber } from './output.js';

/** Rows of a table result the command line prints; `--json` gives every row. */
export const PRINTED_ROWS = 50;

/**
 * A one-row result of aggregates: "sum(patients) = 5,066", "mean(systolic) = 128.43 (sum 128,433
 * / count 1,000)", one output per line. Any other result: an aligned table of its first rows.
 */
export function describeResult(r: QueryResult): string {
  const outputs = Object.values(r.outputs);
  const text = outputs.length > 0 && outputs.length === r.table.columns.length ? outputs.map(describeOutput).join('\n  ') : describeTable(r.table);
  const noised = r.privacy ? `${text}\n  ${describePrivacyReport(r.privacy)}` : text;
  return r.design ? `${DUMMY_MARK}\n  ${noised}` : noised;
}

/** "noise: discrete Laplace, ε = 0.5 spent (n: sd 2.83; total: sd 340)". */
export function describePrivacyReport(p: PrivacyReport): string {
  const spent = p.mechanism === 'laplace' ? `ε = ${p.epsilon}` : `ρ = ${p.rho}`;
  return `noise: discrete ${p.mechanism === 'laplace' ? 'Laplace' : 'Gaussian'}, ${spent} spent (${p.columns.map((c) => `${c.column}: sd ${c.standardDeviation.toPrecision(3)}`).join('; ')})`;
}

/** How a design-mode result is marked wherever the command line shows one. */
export const DUMMY_MARK = 'DUMMY DATA (design mode: computed on dummy tables, not on real data)';

/** An aligned text table: header, rule, up to PRINTED_ROWS rows, and how many more there are. */
export function describeTable(t: ResultTable): string {
  const shown = t.rows.slice(0, PRINTED_ROWS);
  const cells = [t.columns.slice(), ...shown.map((row) => t.columns.map((c) => formatCell(row[c] ?? null)))];
  const widths = t.columns.map((_, k) => Math.max(...cells.map((line) => line[k].length)));
  const numeric = t.columns.map((c) => shown.length > 0 && shown.every((row) => typeof row[c] === 'number' || typeof row[c] === 'bigint' || row[c] === null));
  const line = (values: readonly string[]): string => values.map((v, k) => (numeric[k] ? v.padStart(widths[k]) : v.padEnd(widths[k]))).join('  ').trimEnd();
  const out = [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
  const more = t.rows.length - shown.length;
  out.push(more > 0 ? `(${formatCount(t.rows.length)} rows; ${formatCount(more)} not shown: --json prints all)` : `(${formatCount(t.rows.length)} row${t.rows.length === 1 ? '' : 's'})`);
  return out.join('\n  ');
}

function formatCell(v: ResultCell): string {
  if (v === null) return 'null';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (typeof v === 'number' || typeof v === 'bigint') return formatValue(v);
  return String(v);
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
  if (type === 'text') type += `(${String(fields.maxBytes)})`;
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
