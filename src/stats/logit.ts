/**
 * `logit(frame, { y, x }).fit()`: logistic regression on a secret table.
 *
 *   const fit = await logit(t.table('cars'), { y: 'am', x: ['hp', 'wt'] }).fit().open({ to: ['St. Mary Hospital'] });
 *   console.log(fit.text());   // statsmodels' Logit summary
 *
 * ONE plan (logit-design.ts) runs the Newton iterations inside MPC (plan node `logit`,
 * ops/logit.ts) and opens their final state to the recipients: the last iterate β, the gradient
 * g and information matrix H there, the log-likelihood, n, Σy and the convergence bit. The
 * recipient finishes exactly (logit-fit.ts). `explain()` says what opens beside the node's own
 * account. With `by`, every group's fit runs in the same Newton rounds and each is finished, or
 * refused with its own reason (logit-groups.ts).
 */

import type { Explanation } from '../client/explain.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { StoreHandle, StoreOptions } from '../client/store-handle.js';
import type { QueryResult, ResultCell } from '../client/result.js';
import { logitOutputNames } from '../plan/check-logit.js';
import { DEFAULT_LOGIT_ITERATIONS } from '../plan/parse-logit.js';
import type { Provenance } from './frame-groups.js';
import { buildLogitDesign, checkLogitSpec, type LogitDesign, type LogitSpec } from './logit-design.js';
import { fitLogit, fromFixed, type LogitFit, type LogitState } from './logit-fit.js';
import { logitSummaryText } from './logit-summary.js';
import { explainModelPlan, openModelPlan } from './plan-refusal.js';
import { logitByGroup, type LogitGroupFit } from './logit-groups.js';
import type { GroupFits } from './model-groups.js';
import { UsageError } from '../errors.js';

export type { LogitSpec } from './logit-design.js';
export type { LogitGroupFit } from './logit-groups.js';

export interface LogitResult extends LogitFit, Provenance {
  /** Per category predictor, the reference level (its first declared level). */
  readonly reference: Readonly<Record<string, string>>;
  /** statsmodels' summary table. */
  text(): string;
}

export interface LogitExplanation extends Explanation {
  /** What the recipients learn beyond the coefficients. */
  readonly reveals: string;
}

export interface LogitModel {
  /** The node's check of the plan (what it opens, its cost), plus what the opened state reveals. */
  explain(open: OpenOptions): Promise<LogitExplanation>;
  /** Runs the plan, opens the Newton state to `to` (the caller must be one of them), and fits. */
  open(open: OpenOptions & { readonly level?: number }): Promise<LogitResult>;
  /**
   * Fits inside MPC and stores the model at the nodes as the derived table `name` (plan/logit-model.ts):
   * the coefficients stay secret (never opened), the standardisation is public in its schema. Use it
   * with storedLogit(t.table(name)).predict(other). Predictors are numeric or boolean columns, not nullable.
   */
  store(name: string, options?: StoreOptions): Promise<StoreHandle>;
}

export interface LogitFitOptions {
  /** Newton steps inside MPC (default 10, at most 25). */
  readonly iterations?: number;
}

export const LOGIT_REVEALS =
  'the recipients learn the final coefficients, the gradient and the information matrix Σ p(1−p) z zᵀ at them (so the covariance of the estimates), ' +
  'the log-likelihood, the row count, the number of rows with y = 1, and whether the iterations converged; never an iterate or a row';

export const LOGIT_GROUPS_REVEALS = `per declared group of the group column (empty groups included, each fitted on its own rows), ${LOGIT_REVEALS.replace('the recipients learn ', '')}`;

/** One fit per group of `by` (logit-groups.ts): a result per declared group, each a fit or its refusal. */
export interface LogitGroupsModel {
  explain(open: OpenOptions): Promise<LogitExplanation>;
  open(open: OpenOptions & { readonly level?: number }): Promise<GroupFits<LogitGroupFit>>;
}

export function logit<C extends string>(frame: LazyFrame<C>, spec: LogitSpec<C> & { readonly by: C }): { fit(options?: LogitFitOptions): LogitGroupsModel };
export function logit<C extends string>(frame: LazyFrame<C>, spec: LogitSpec<C>): { fit(options?: LogitFitOptions): LogitModel };
export function logit<C extends string>(frame: LazyFrame<C>, spec: LogitSpec<C>): { fit(options?: LogitFitOptions): LogitModel | LogitGroupsModel } {
  if (spec.by !== undefined) return { fit: (options = {}) => logitByGroup(frame, spec, options) };
  return {
    fit(options = {}) {
      checkLogitSpec(spec, options.iterations);
      const design = (open: OpenOptions): Promise<LogitDesign> => buildLogitDesign(frame, spec, open, options.iterations);
      return {
        async explain(open) {
          const d = await design(open);
          return explainModelPlan(d.frame, open, 'the regression', LOGIT_REVEALS);
        },
        async open(open) {
          const d = await design(open);
          const result = await openModelPlan(d.frame, open);
          return logitFromResult(d, result, options.iterations ?? DEFAULT_LOGIT_ITERATIONS, open.level);
        },
        store(name, storeOptions) {
          return frame.logitState(spec.y, spec.x, options.iterations, true).store(name, storeOptions);
        },
      };
    },
  };
}

/** The opened Newton state as numbers, then the fit. */
export function logitFromResult(design: LogitDesign, result: QueryResult, iterations: number, level?: number): LogitResult {
  const state = logitState(result, design.terms.length + 1, iterations);
  const fit = fitLogit(state, design.terms, design.response, level !== undefined ? { level } : {});
  return { ...fit, reference: design.reference, plan: result.plan, query: result.query, text: () => logitSummaryText(fit) };
}

export function logitState(result: QueryResult, d: number, iterations: number): LogitState {
  const row = result.table.rows[0];
  if (row === undefined) throw new UsageError('the opened result has no row: it is not a logit state');
  return logitStateOfRow(row, d, iterations);
}

/** One row of an opened logit state (a whole-table fit's only row, or one group's) as numbers. */
export function logitStateOfRow(row: Readonly<Record<string, ResultCell>>, d: number, iterations: number): LogitState {
  const names = logitOutputNames(d);
  const integer = (name: string): bigint => {
    const v = row[name];
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    throw new UsageError(`the opened result's '${name}' is not an integer: it is not a logit state`);
  };
  const fixed = (name: string): number => fromFixed(integer(name));
  return {
    rows: Number(integer('n')),
    positives: Number(integer('y_sum')),
    beta: names.beta.map(fixed),
    gradient: names.g.map(fixed),
    information: names.h.map((r) => r.map(fixed)),
    twiceLogLikelihood: fixed('twice_loglik'),
    converged: row.converged === true,
    iterations,
  };
}
