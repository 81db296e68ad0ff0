/**
 * Kaplan–Meier results printed as R prints them: summary(survfit(...)) (the event times of each
 * curve), print(survfit(...)) (n, events, the median and its limits) and survdiff(...). Numbers
 * are formatted as R's print does a matrix column at its default 3 significant digits: each
 * value rounded to 3 significant digits, the column sharing the most decimals any value needs.
 */

import type { ResultCell } from '../client/result.js';
import type { LogRankResult } from './log-rank.js';
import { survivalAt, type ConfidenceType, type SurvivalCurve } from './survival-curve.js';

export interface KaplanMeierPrintable {
  readonly by?: string;
  readonly groups: readonly { readonly label: ResultCell; readonly curve: SurvivalCurve }[];
  readonly logRank?: LogRankResult;
  readonly logRankRefused?: string;
  readonly level: number;
  readonly confidence: ConfidenceType;
}

export interface KaplanMeierTextOptions {
  /** Print the curves at these times only, as R's summary(fit, times = …); every event time by default. */
  readonly times?: readonly number[];
}

export function kaplanMeierText(km: KaplanMeierPrintable, options: KaplanMeierTextOptions = {}): string {
  const name = (label: ResultCell): string => (km.by === undefined ? '' : `${km.by}=${String(label)}`);
  const percent = `${Number((km.level * 100).toPrecision(6))}%`;
  const out: string[] = [];
  for (const g of km.groups) {
    const steps = options.times !== undefined ? survivalAt(g.curve, options.times) : g.curve.steps.filter((s) => s.events > 0);
    if (km.by !== undefined) out.push(`${' '.repeat(16)}${name(g.label)} `);
    if (steps.length === 0) {
      out.push(' (no events: the curve stays at 1)', '');
      continue;
    }
    out.push(
      ...table(
        ['time', 'n.risk', 'n.event', 'survival', 'std.err', `lower ${percent} CI`, `upper ${percent} CI`],
        [steps.map((s) => s.time), steps.map((s) => s.atRisk), steps.map((s) => s.events), steps.map((s) => s.survival), steps.map((s) => s.standardError), steps.map((s) => s.lower), steps.map((s) => s.upper)],
        'NaN',
      ).map((l) => ` ${l}`),
      '',
    );
  }
  const level = Number(km.level.toPrecision(6));
  out.push(
    ...labelled(
      km.groups.map((g) => name(g.label)),
      ['n', 'events', 'median', `${level}LCL`, `${level}UCL`],
      [km.groups.map((g) => g.curve.rows), km.groups.map((g) => g.curve.events), km.groups.map((g) => g.curve.median), km.groups.map((g) => g.curve.medianLower), km.groups.map((g) => g.curve.medianUpper)],
    ),
  );
  if (km.confidence !== 'log') out.push(`(confidence intervals on the ${km.confidence} scale)`);
  if (km.logRank !== undefined) {
    const t = km.logRank;
    out.push(
      '',
      ...labelled(
        km.groups.map((g) => name(g.label)),
        ['N', 'Observed', 'Expected', '(O-E)^2/E', '(O-E)^2/V'],
        [t.groups.map((g) => g.rows), t.groups.map((g) => g.observed), t.groups.map((g) => g.expected), t.groups.map((g) => (g.observed - g.expected) ** 2 / g.expected), t.groups.map((g) => (g.observed - g.expected) ** 2 / g.variance)],
      ),
      '',
      ` Chisq= ${String(Number(t.statistic.toFixed(1)))}  on ${t.df} degrees of freedom, p= ${formatP(t.p)} `,
    );
  } else if (km.logRankRefused !== undefined) out.push('', `log-rank test: not computed (${km.logRankRefused})`);
  return out.join('\n');
}

/** R's format.pval at one significant digit (survdiff's print). */
function formatP(p: number): string {
  if (p < 2.2e-16) return '<2e-16';
  return String(Number(p.toPrecision(1)));
}

function labelled(labels: readonly string[], headers: readonly string[], columns: readonly (readonly number[])[]): string[] {
  const width = Math.max(0, ...labels.map((l) => l.length));
  return table(headers, columns).map((line, i) => `${(i === 0 ? '' : labels[i - 1]).padEnd(width)}${width > 0 ? ' ' : ''}${line}`);
}

function table(headers: readonly string[], columns: readonly (readonly number[])[], missing = 'NA'): string[] {
  const cells = columns.map((c) => formatColumn(c, missing));
  const widths = headers.map((h, j) => Math.max(h.length, ...cells[j].map((c) => c.length)));
  const rows = columns[0]?.length ?? 0;
  const lines = [headers.map((h, j) => h.padStart(widths[j])).join(' ')];
  for (let i = 0; i < rows; i++) lines.push(cells.map((c, j) => c[i].padStart(widths[j])).join(' '));
  return lines;
}

/** Values at 3 significant digits, with the most decimals any of them needs; NaN as `missing` (R: NA for a median never reached, NaN for the error of a curve at 0). */
function formatColumn(values: readonly number[], missing: string): string[] {
  const decimals = Math.max(0, ...values.filter((v) => Number.isFinite(v) && v !== 0).map((v) => decimalsFor(v)));
  return values.map((v) => (Number.isFinite(v) ? v.toFixed(Math.min(decimals, 15)) : missing));
}

function decimalsFor(v: number): number {
  const rounded = Number(v.toPrecision(3));
  const text = String(rounded);
  if (text.includes('e')) return Math.max(0, 2 - Math.floor(Math.log10(Math.abs(rounded))));
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}
