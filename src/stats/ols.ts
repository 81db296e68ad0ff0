/**
 * `ols(frame, { y, x, weights?, ridge? })`: linear regression on a secret table.
 *
 *   const fit = await ols(t.table('cars'), { y: 'mpg', x: ['wt', 'hp', 'cyl'] }).open({ to: ['St. Mary Hospital'] });
 *   console.log(fit.text());   // statsmodels' summary table
 *
 * ONE plan (ols-design.ts) derives the products of the predictors and the response inside MPC
 * and opens their exact integer sums, the augmented Gram matrix; the recipient solves it exactly
 * (ols-fit.ts). What the recipient learns is that matrix: n, the sums, and so the means,
 * variances and covariances of every predictor and the response (per level of a category: its
 * row count and the response's mean there). `explain()` says so beside the node's own account.
 * With `by`, the same plan under a one-hot group-by opens one such matrix per declared group and
 * each group is fitted, or refused with its own reason (ols-groups.ts).
 */

import { UsageError } from '../errors.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { Explanation } from '../client/explain.js';
import type { QueryResult } from '../client/result.js';
import { provenance, type Provenance } from './frame-groups.js';
import { buildDesign, checkSpec, columnTypes, type Design, type OlsSpec } from './ols-design.js';
import { fitOls, type GramSums, type OlsFit } from './ols-fit.js';
import { groupFits } from './ols-groups.js';
import type { GroupFits } from './model-groups.js';
import { olsSummaryText } from './ols-summary.js';
import { explainModelPlan, openModelPlan } from './plan-refusal.js';

export type { OlsSpec } from './ols-design.js';
export type { GroupFits, ModelGroup } from './model-groups.js';

export interface OlsResult extends OlsFit, Provenance {
  /** Per category predictor, the reference level (the first declared level that has rows). */
  readonly reference: Readonly<Record<string, string>>;
  /** Dummies left out because no row (or no weight) has their level. */
  readonly emptyLevels: readonly string[];
  /** statsmodels' summary table. */
  text(): string;
}

export interface OlsExplanation extends Explanation {
  /** What the recipients learn beyond the coefficients. */
  readonly reveals: string;
}

export interface OlsModel {
  /** The node's check of the plan (what it opens, its cost), plus what the opened sums reveal. */
  explain(open: OpenOptions): Promise<OlsExplanation>;
  /** Runs the plan, opens the sums to `to` (the caller must be one of them), and fits. */
  open(open: OpenOptions & { readonly level?: number }): Promise<OlsResult>;
}

export const OLS_REVEALS =
  'the recipients learn the Gram matrix of [1, predictors, response]: the row count, and every sum, sum of squares and sum of products, ' +
  'so the means, variances and covariances of the predictors and the response (for a category: each level\'s row count and the sums over its rows)';

/** One fit per group of `by` (ols-groups.ts): a result per declared group, each a fit or its refusal. */
export interface OlsGroupsModel {
  explain(open: OpenOptions): Promise<OlsExplanation>;
  open(open: OpenOptions & { readonly level?: number }): Promise<GroupFits<OlsFitResult>>;
}

/** One group's fit (its provenance is the grouped result's). */
export type OlsFitResult = Omit<OlsResult, keyof Provenance>;

export const OLS_GROUPS_REVEALS = `per declared group of the group column (empty groups as zeros), ${OLS_REVEALS.replace('the recipients learn ', '')}; nothing else (a one-hot group-by opens no count of groups)`;

export function ols<C extends string>(frame: LazyFrame<C>, spec: OlsSpec<C> & { readonly by: C }): OlsGroupsModel;
export function ols<C extends string>(frame: LazyFrame<C>, spec: OlsSpec<C>): OlsModel;
export function ols<C extends string>(frame: LazyFrame<C>, spec: OlsSpec<C>): OlsModel | OlsGroupsModel {
  const columns = checkSpec(spec);
  if (spec.by !== undefined) return olsByGroup(frame, spec, columns);
  const design = async (open: OpenOptions): Promise<Design<C>> => buildDesign(frame, spec, await columnTypes(frame, columns, open));
  return {
    async explain(open) {
      const d = await design(open);
      return explainModelPlan(d.frame, open, 'the regression', OLS_REVEALS);
    },
    async open(open) {
      const d = await design(open);
      const result = await openModelPlan(d.frame, open);
      return fitFromResult(d, result, open.level);
    },
  };
}

function olsByGroup<C extends string>(frame: LazyFrame<C>, spec: OlsSpec<C>, columns: C[]): OlsGroupsModel {
  const design = async (open: OpenOptions): Promise<Design<C>> => buildDesign(frame, spec, await columnTypes(frame, columns, open));
  return {
    async explain(open) {
      const d = await design(open);
      return explainModelPlan(d.frame, open, 'the regressions', OLS_GROUPS_REVEALS);
    },
    async open(open) {
      const d = await design(open);
      const result = await openModelPlan(d.frame, open);
      return groupFits(d, result, (value) => fitFromSums(d, value, open.level));
    },
  };
}

/** The opened sums as the Gram matrix of the kept columns, then the fit. */
export function fitFromResult<C extends string>(design: Design<C>, result: QueryResult, level?: number): OlsResult {
  return { ...fitFromSums(design, (name) => exactInteger(result, name), level), ...provenance(result) };
}

/** The fit from the opened sums, each read by name as the exact integer of its stored units (`value`). */
export function fitFromSums<C extends string>(design: Design<C>, value: (name: string) => bigint, level?: number): Omit<OlsResult, keyof Provenance> {
  const q = design.columns.length;
  const full: bigint[][] = Array.from({ length: q + 1 }, () => new Array<bigint>(q + 1).fill(0n));
  for (let i = 0; i <= q; i++) {
    for (let j = i; j <= q; j++) {
      const out = design.gramOutput(i, j);
      full[i][j] = full[j][i] = 'zero' in out ? 0n : value(out.name);
    }
  }
  // Treatment coding: per category, drop the first level with rows; drop the empty ones.
  const reference: Record<string, string> = {};
  const emptyLevels: string[] = [];
  const keep: number[] = [0];
  design.columns.forEach((c, k) => {
    const index = k + 1;
    if (c.level === undefined) return void keep.push(index);
    if (full[0][index] === 0n) return void emptyLevels.push(c.term);
    if (reference[c.column] === undefined) reference[c.column] = c.level;
    else keep.push(index);
  });
  for (const x of new Set(design.columns.filter((c) => c.level !== undefined).map((c) => c.column))) {
    if (!design.columns.some((c, k) => c.column === x && keep.includes(k + 1))) {
      throw new UsageError(`the category '${x}' has rows in only one level${reference[x] !== undefined ? ` ('${reference[x]}')` : ''}: it is constant on these rows, leave it out`);
    }
  }
  const y = q; // the response is the last design column
  const terms = ['Intercept', ...keep.slice(1).filter((i) => i !== y).map((i) => design.columns[i - 1].term)];
  const order = [...keep.filter((i) => i !== y), y];
  const sums: GramSums = {
    terms,
    scales: [0, ...order.slice(1, -1).map((i) => design.columns[i - 1].scale)],
    response: design.spec.y,
    responseScale: design.columns[q - 1].scale,
    weightScale: design.weightScale,
    gram: order.map((i) => order.map((j) => full[i][j])),
    rows: Number(value('n')),
    weighted: design.weighted,
  };
  const fit = fitOls(sums, { ...(design.spec.ridge !== undefined ? { ridge: design.spec.ridge } : {}), ...(level !== undefined ? { level } : {}) });
  return { ...fit, reference, emptyLevels, text: () => olsSummaryText(fit) };
}

/** An opened count or sum as the exact integer of its stored units (its exact decimal text without the point). */
function exactInteger(result: QueryResult, name: string): bigint {
  const out = result.outputs[name];
  if (out === undefined) throw new UsageError(`the opened result lacks '${name}'`);
  if (out.exact !== undefined) return BigInt(out.exact.replace('.', ''));
  if (typeof out.value === 'bigint') return out.value;
  if (Number.isSafeInteger(out.value)) return BigInt(out.value);
  throw new UsageError(`'${name}' did not open as an exact integer`);
}
