/**
 * What `explain()` returns: the node's check of a plan (POST /v1/plans/check) and a readable
 * text of it: the tables read, the outputs and their recipients, the estimated cost, and every
 * value the plan makes public with its place in the plan.
 */

import type { PlanCheckResponse, QueryOutputInfo } from '../wire/api.js';

export interface Explanation extends PlanCheckResponse {
  /** The explanation as plain text, for a terminal or a log. */
  text(): string;
}

/** "n = count(*)", "avg_age = mean(age)"; a plain column by its name. */
export function describeOutputInfo(o: QueryOutputInfo): string {
  return o.fn === 'column' ? o.name : `${o.name} = ${o.fn}(${o.column ?? '*'})`;
}

export function formatByteCount(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** The summary lines (without the disclosures), shared by `text()` and the CLI. */
export function explanationSummary(e: PlanCheckResponse): string[] {
  const grouped = new Intl.NumberFormat('en-US');
  return [
    `plan ${e.planHash} (checked at ${e.node}, not run)`,
    `reads: ${e.tables.map((t) => `${t.name} (${t.kind === 'append' ? 'append table' : 'table'}, ${grouped.format(t.rows)} rows)`).join(', ')}`,
    `opens: ${e.outputs.map(describeOutputInfo).join(', ')} to ${e.recipients.join(', ')} only`,
    `estimated cost: ${grouped.format(e.cost.rounds)} rounds, ${formatByteCount(e.cost.bytesPerParty)} sent per node`,
    ...(e.privacy ? [`privacy: ${e.privacy.mechanism === 'laplace' ? `ε = ${e.privacy.epsilon}` : `ρ = ${e.privacy.rho}`} spent (discrete ${e.privacy.mechanism === 'laplace' ? 'Laplace' : 'Gaussian'} noise on ${e.privacy.columns.map((c) => c.column).join(', ')})`] : []),
  ];
}

export function explanationText(e: PlanCheckResponse): string {
  const width = Math.max(...e.disclosures.map((d) => d.path.length), 0);
  return [...explanationSummary(e), 'made public:', ...e.disclosures.map((d) => `  ${d.path.padEnd(width)}  ${d.what}`)].join('\n');
}
