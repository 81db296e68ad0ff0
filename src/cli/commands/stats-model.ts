/**
 * What `tessera stats ols|logit|cox` do once their model is built: `--explain` prints the nodes'
 * account of the plan (and what the fit reveals); otherwise the connected party, which must be
 * among the recipients because it finishes the fit from what opens, opens the model and prints
 * its summary (or its JSON).
 */

import { UsageError } from '../../errors.js';
import type { PlanCheckResponse } from '../../wire/api.js';
import { describeExplanation } from '../format-explain.js';
import type { Console } from '../output.js';
import { resultJson } from './stats-flags.js';

export interface ModelCommand<R extends { text(): string; readonly plan: string; readonly query: string }> {
  explain(options: { to: string[] }): Promise<PlanCheckResponse & { readonly reveals?: string }>;
  open(options: { to: string[]; level?: number }): Promise<R>;
}

export interface ModelWording<R> {
  /** "the fit" or "the fits" (per group). */
  readonly fit: string;
  /** What the recipient finishes the fit from: "the opened sums", "the opened state", … */
  readonly from: string;
  /** Printed with the explanation: `label: reveals` ("the regression", "the regressions"), when the model reports what it reveals. */
  readonly label?: string;
  /** Lines printed after the summary (before the plan line). */
  readonly notes?: (result: R) => string[];
}

export async function explainOrOpenModel<R extends { text(): string; readonly plan: string; readonly query: string }>(
  io: Console,
  flags: { readonly explain?: boolean; readonly json?: boolean },
  connected: { readonly party: string },
  to: string[],
  level: number | undefined,
  model: ModelCommand<R>,
  wording: ModelWording<R>,
): Promise<void> {
  if (flags.explain) {
    const explained = await model.explain({ to });
    const reveals = wording.label !== undefined && explained.reveals !== undefined ? `\n${wording.label}: ${explained.reveals}` : '';
    io.line(flags.json ? JSON.stringify(explained) : `${describeExplanation(explained, io.style)}${reveals}`);
    return;
  }
  if (!to.includes(connected.party)) throw new UsageError(`${wording.fit} ${wording.fit.endsWith('s') ? 'are' : 'is'} computed by a recipient from ${wording.from}, and ${connected.party} is not among --to: add it, or run this as a recipient`);
  const result = await model.open({ to, ...(level !== undefined ? { level } : {}) });
  if (flags.json) {
    io.line(resultJson(result));
    return;
  }
  io.line(result.text());
  for (const note of wording.notes?.(result) ?? []) io.line(note);
  io.line(`plan ${result.plan}, query ${result.query}`);
}
