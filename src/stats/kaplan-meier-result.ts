/**
 * Kaplan–Meier results from what a kaplanMeier() plan opened (kaplan-meier.ts): each group's rows
 * and events per time (from a group-by's rows, or from the interval sums of
 * kaplan-meier-intervals.ts), then the curves and the log-rank test on the recipient's side.
 */

import { UsageError } from '../errors.js';
import type { QueryResult, ResultCell } from '../client/result.js';
import { compareLabels, type Provenance } from './frame-groups.js';
import { logRank, type LogRankResult } from './log-rank.js';
import { survivalCurve, type ConfidenceType, type SurvivalCurve, type TimeCount } from './survival-curve.js';
import { kaplanMeierText, type KaplanMeierTextOptions } from './survival-text.js';

export interface KaplanMeierGroup {
  /** The group's label (null without `by`). */
  readonly label: ResultCell;
  readonly curve: SurvivalCurve;
}

export interface KaplanMeierResult extends Provenance {
  readonly by?: string;
  readonly groups: readonly KaplanMeierGroup[];
  /** With `by` and two or more groups with events expected. */
  readonly logRank?: LogRankResult;
  /** Why there is no log-rank test although `by` was given. */
  readonly logRankRefused?: string;
  readonly level: number;
  readonly confidence: ConfidenceType;
  /** R's summary(survfit) (at `times` only, if given), print(survfit) and survdiff, one after the other. */
  text(options?: KaplanMeierTextOptions): string;
}

export interface KaplanMeierOptions {
  /** Confidence level of the intervals; 0.95 by default. */
  readonly level?: number;
  /** 'log' (R's default) or 'log-log'. */
  readonly confidence?: ConfidenceType;
}

/** From a group-by of (by, time or interval) with the row and event counts `rows` and `events`. */
export function estimateFromGroups(result: QueryResult, layout: { readonly by?: string; readonly timeKey: string; readonly breaks?: readonly number[]; readonly rows: string; readonly events: string }, options: KaplanMeierOptions): KaplanMeierResult {
  const perGroup = new Map<ResultCell, TimeCount[]>();
  for (const row of result.table.rows) {
    const rows = Number(row[layout.rows] ?? 0);
    if (rows === 0) continue;
    const label = layout.by !== undefined ? row[layout.by] : null;
    if (layout.by !== undefined && label === null) continue; // R leaves out rows whose group is NA
    const key = row[layout.timeKey];
    if (key === null) continue;
    const time = layout.breaks !== undefined ? layout.breaks[Number(key)] : Number(key);
    const list = perGroup.get(label) ?? [];
    list.push({ time, rows, events: Number(row[layout.events] ?? 0) });
    perGroup.set(label, list);
  }
  return estimateFromCounts(perGroup, layout.by, result, options);
}

/** The curves (groups in sorted label order) and, with `by`, the log-rank test, from each group's counts per time. */
export function estimateFromCounts(perGroup: ReadonlyMap<ResultCell, readonly TimeCount[]>, by: string | undefined, provenance: Provenance, options: KaplanMeierOptions): KaplanMeierResult {
  const level = options.level ?? 0.95, confidence = options.confidence ?? 'log';
  const curveOptions = { level, confidence };
  const labels = [...perGroup.keys()].filter((label) => perGroup.get(label)!.some((c) => c.rows > 0)).sort(compareLabels);
  const groups = labels.map((label) => ({ label, curve: survivalCurve(perGroup.get(label)!, curveOptions) }));
  let test: Pick<KaplanMeierResult, 'logRank' | 'logRankRefused'> = {};
  if (by !== undefined) {
    try {
      test = { logRank: logRank(labels.map((label) => perGroup.get(label)!.filter((c) => c.rows > 0))) };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      test = { logRankRefused: error.message };
    }
  }
  const out = { ...(by !== undefined ? { by } : {}), groups, ...test, level, confidence, plan: provenance.plan, query: provenance.query };
  return { ...out, text: (textOptions) => kaplanMeierText(out, textOptions) };
}

export function openedCount(result: QueryResult, name: string): number {
  const out = result.outputs[name];
  if (out === undefined) throw new UsageError(`the opened result lacks '${name}'`);
  const v = Number(out.value);
  if (!Number.isSafeInteger(v)) throw new UsageError(`'${name}' did not open as a count`);
  return v;
}
