/**
 * The design of a logistic regression as ONE plan on a frame: the complete-case filter (oblivious,
 * as R's glm and statsmodels' missing='drop'), a category as 0/1 dummies of every declared level
 * but the first (the reference: unlike OLS the Newton iterations need a full-rank design before
 * anything opens), and the logit node over the response and the design columns. Each predictor
 * is standardised by the nodes from its DECLARED range (plan/check-logit.ts), which this side
 * recomputes to convert the coefficients back.
 */

import { UsageError } from '../errors.js';
import { col, type Expression } from '../client/expr.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { logitStandardisation } from '../plan/check-logit.js';
import { MAX_LOGIT_ITERATIONS, MAX_LOGIT_PREDICTORS } from '../plan/parse-logit.js';
import { parseColumnType, storedRange, type ColumnTypeJson } from '../table/column-type.js';
import type { QueryOutputInfo } from '../wire/api.js';
import type { LogitTerm } from './logit-fit.js';
import { groupLevelCount } from './group-domain.js';
import { columnTypes } from './ols-design.js';

export interface LogitSpec<C extends string> {
  /** The response: a boolean column, or an integer column declared within [0, 1]. */
  readonly y: C;
  /** The predictors: integer, decimal or boolean columns, and category columns (dummy coded). */
  readonly x: readonly C[];
  /** One fit per group of this column (category, boolean or integer, at most 256 declared values), all in the same Newton rounds. */
  readonly by?: C;
}

export interface LogitDesign {
  readonly terms: readonly LogitTerm[];
  readonly response: string;
  /** The one-row frame of the Newton state (plan.ts LogitNode). */
  readonly frame: LazyFrame<string>;
  /** Per category predictor, its reference level. */
  readonly reference: Readonly<Record<string, string>>;
}

export function checkLogitSpec<C extends string>(spec: LogitSpec<C>, iterations: number | undefined): C[] {
  if (typeof spec?.y !== 'string' || spec.y.length === 0) throw new UsageError("name the response: logit(frame, { y: 'am', x: ['hp', 'wt'] })");
  if (!Array.isArray(spec.x) || spec.x.length === 0) throw new UsageError("name at least one predictor: logit(frame, { y: 'am', x: ['hp', 'wt'] })");
  const all = [...spec.x, spec.y, ...(spec.by !== undefined ? [spec.by] : [])];
  all.forEach((c, i) => {
    if (typeof c !== 'string' || c.length === 0) throw new UsageError('columns are named by strings');
    if (all.indexOf(c) !== i) throw new UsageError(`column '${c}' appears twice among the response, predictors and group column: each enters once`);
  });
  if (iterations !== undefined && (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_LOGIT_ITERATIONS)) {
    throw new UsageError(`iterations is a whole number from 1 to ${MAX_LOGIT_ITERATIONS}, not ${String(iterations)}`);
  }
  return all;
}

/**
 * The design on `frame`. The standardisation is computed from the declared ranges of the design
 * columns as the nodes see them (a filled or derived column's range is the node's to derive), so
 * both sides use the same centres and powers of two.
 */
export async function buildLogitDesign<C extends string>(frame: LazyFrame<C>, spec: LogitSpec<C>, open: OpenOptions, iterations: number | undefined): Promise<LogitDesign> {
  const types = await columnTypes(frame, [...spec.x, spec.y, ...(spec.by !== undefined ? [spec.by] : [])], open);
  if (spec.by !== undefined) groupLevelCount(spec.by, types.get(spec.by));
  const typeOf = (c: string): QueryOutputInfo & { type: NonNullable<QueryOutputInfo['type']> } => {
    const t = types.get(c);
    if (!t?.type) throw new UsageError(`column '${c}' is not in the frame`);
    return t as QueryOutputInfo & { type: NonNullable<QueryOutputInfo['type']> };
  };
  const y = typeOf(spec.y).type;
  const yRange = rangeOf(y, spec.y);
  if (!(y.type === 'boolean' || (y.type === 'integer' && yRange !== undefined && yRange.min >= 0n && yRange.max <= 1n))) {
    throw new UsageError(`the response '${spec.y}' is a ${y.type} column${yRange ? ` declared in [${yRange.min}, ${yRange.max}]` : ''}: a logistic regression's response is 0/1 (a boolean, or an integer declared within [0, 1]); derive one first, e.g. withColumns({ high: col('${spec.y}').gt(...) })`);
  }
  const nullable: string[] = [...spec.x, spec.y].filter((c) => typeOf(c).parts.some((p) => p.part === 'present'));
  let f: LazyFrame<string> = frame;
  if (nullable.length > 0) {
    const [first, ...rest] = nullable.map((c) => col(c).isNotNull());
    f = f.filter(rest.length > 0 ? first.and(...rest) : first, { mode: 'oblivious' });
  }
  const derived: Record<string, Expression<string>> = {};
  const design: { term: string; column: string }[] = [];
  const reference: Record<string, string> = {};
  const isNullable = (c: string): boolean => nullable.includes(c);
  const add = (term: string, column: string): void => void design.push({ term, column });
  spec.x.forEach((x, i) => {
    const t = typeOf(x).type;
    if (t.type === 'category') {
      if (t.dictionary.length < 2) throw new UsageError(`the category '${x}' declares one level: it is constant, leave it out`);
      reference[x] = t.dictionary[0];
      t.dictionary.slice(1).forEach((level, k) => {
        const name = derivedName(`logit_${x}_${k + 1}`, `${i}_${k + 1}`);
        derived[name] = isNullable(x) ? col(x).eq(level).fillNull(false) : col(x).eq(level);
        add(`${x}[T.${level}]`, name);
      });
      return;
    }
    if (t.type !== 'integer' && t.type !== 'decimal' && t.type !== 'boolean') {
      throw new UsageError(`the predictor '${x}' is a ${t.type} column: predictors are integer, decimal, boolean or category columns`);
    }
    let name: string = x;
    if (isNullable(x)) {
      name = derivedName(`logit_v_${x}`, `${i}`);
      derived[name] = col(x).fillNull(t.type === 'boolean' ? false : 0);
    }
    add(x, name);
  });
  if (design.length > MAX_LOGIT_PREDICTORS) {
    throw new UsageError(`${design.length} design columns (a category counts one per level but its first) are more than a logit's ${MAX_LOGIT_PREDICTORS}: leave some out or merge a category's levels`);
  }
  let response = spec.y as string;
  if (isNullable(spec.y)) {
    response = derivedName(`logit_v_${spec.y}`, 'y');
    derived[response] = col(spec.y).fillNull(y.type === 'boolean' ? false : 0);
  }
  if (Object.keys(derived).length > 0) f = f.withColumns(derived);
  const designTypes = Object.keys(derived).length > 0 ? await columnTypes(f, design.map((c) => c.column), open) : types;
  const terms = design.map(({ term, column }): LogitTerm => {
    const t = designTypes.get(column)?.type;
    const range = t ? rangeOf(t, column) : undefined;
    if (!t || !range) throw new UsageError(`the design column '${column}' has no declared range`);
    const s = logitStandardisation(range.min, range.max);
    if ('refusal' in s) throw new UsageError(`the predictor '${term}' cannot enter: ${s.refusal}`);
    return { term, center: s.center, shift: s.shift, scale: t.type === 'decimal' ? t.scale : 0 };
  });
  return { terms, response: spec.y, reference, frame: f.logitState(response, design.map((c) => c.column), iterations, false, spec.by) };
}

/** A column's declared range in stored units, from its type as the node describes it. */
function rangeOf(t: ColumnTypeJson, name: string): { min: bigint; max: bigint } | undefined {
  return storedRange(parseColumnType(t as unknown as Parameters<typeof parseColumnType>[0], name));
}

function derivedName(readable: string, index: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(readable) ? readable : `logit_c${index}`;
}
