/**
 * What the frame statistics (frame-tests.ts, describe.ts) share: opening one plan to the named
 * recipients, and reading per-group summaries from its opened table. The nodes open only the
 * aggregates the plan names (counts, sums and sums of squares per group); every test statistic
 * and p-value is then computed here, on the recipient's side.
 */

import { UsageError } from '../errors.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { QueryResult, ResultCell } from '../client/result.js';
import type { PrivacyReport } from '../wire/api.js';
import type { Summary } from './moments.js';

/** Which query and plan a statistic came from (the plan's id is its canonical hash, as every node computes it). */
export interface Provenance {
  readonly plan: string;
  readonly query: string;
  /** The differentially private noise the statistic was computed from: ε (ρ) spent, each opened column's sensitivity and noise. */
  readonly privacy?: PrivacyReport;
}

/** A statistic's provenance from the result it was computed from. */
export function provenance(result: QueryResult): Provenance {
  return { plan: result.plan, query: result.query, ...(result.privacy ? { privacy: result.privacy } : {}) };
}

/** A group's label (its key's value, as a result table decodes it) and its summary. */
export interface GroupSummary extends Summary {
  readonly label: ResultCell;
}

/** Runs the frame's plan and opens its result (the caller must be one of `to`). */
export async function openFrame<C extends string>(frame: LazyFrame<C>, options: OpenOptions): Promise<QueryResult> {
  return (await frame.open(options)).result();
}

/**
 * One summary per non-null group of `by`, from a groupBy(by).agg({ n: count(v), m: mean(v), v: var(v) })
 * result, in the sorted order of the labels (as R's factor levels); groups with no value left
 * out. Rows whose key is null are left out, as R's and pandas' tests leave out NA groups.
 */
export function groupSummaries(result: QueryResult, by: string): GroupSummary[] {
  return result.table.rows
    .filter((row) => row[by] !== null && Number(row.n) > 0)
    .map((row) => ({ label: row[by], n: Number(row.n), mean: Number(row.m), variance: row.v === null ? Number.NaN : Number(row.v) }))
    .sort((a, b) => compareLabels(a.label, b.label));
}

export function compareLabels(a: ResultCell, b: ResultCell): number {
  if (typeof a === 'number' || typeof a === 'bigint' || typeof a === 'boolean') return Number(a) - Number(b);
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function checkColumn(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new UsageError(`${what} names a column: { ${what}: 'age' }`);
  return name;
}
