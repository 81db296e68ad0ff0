/**
 * The design of a linear regression as ONE plan on a frame: which columns enter (numeric ones as
 * they are, a category as one 0/1 dummy per declared level), the complete-case filter, the
 * products of every pair of them (derived exactly inside MPC, in stored units), and one
 * aggregate that opens the exact sums: n, Σw, Σw·zᵢ and Σw·zᵢ·zⱼ for z = [x₁ … x_k, y], the
 * augmented Gram matrix. The plan checker bounds each product and each sum by the declared
 * ranges and the row bound, and refuses one that could leave the 64-bit ring, naming it.
 *
 * Every level of a category gets a dummy here, the reference level too: which levels have rows
 * is known only once the sums open (their diagonal entries), and the recipient then drops the
 * first level that has rows (R's and statsmodels' treatment coding) and the empty ones. Opening
 * the reference level's sum adds nothing: it is n minus the others.
 */

import { UsageError } from '../errors.js';
import { count, sum, type AggregateExpr } from '../client/aggregates.js';
import { col, type Expression } from '../client/expr.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { MAX_AGGREGATES } from '../plan/parse.js';
import type { QueryOutputInfo } from '../wire/api.js';
import { groupLevelCount } from './group-domain.js';

/** Design columns (predictors, one per category level) whose Gram sums fit one plan's aggregates. */
export const MAX_DESIGN_COLUMNS = 20;

export interface OlsSpec<C extends string> {
  /** The response: an integer, decimal or boolean column. */
  readonly y: C;
  /** The predictors: integer, decimal or boolean columns, and category columns (dummy coded). */
  readonly x: readonly C[];
  /** Weights (weighted least squares): a numeric column with a declared minimum ≥ 0. */
  readonly weights?: C;
  /** Ridge penalty λ ≥ 0 on the non-intercept coefficients (data units; the intercept is not penalised). */
  readonly ridge?: number;
  /**
   * One fit per group of this column (a category, boolean or integer column of at most 256
   * declared values, stats/group-domain.ts): the same sums per group of a one-hot group-by.
   */
  readonly by?: C;
}

/** One design column: a numeric column, or one level's dummy of a category. */
export interface DesignColumn {
  /** The name in the coefficient table: the column, or `column[T.level]` (statsmodels' spelling). */
  readonly term: string;
  readonly column: string;
  /** The level a dummy stands for; absent for a numeric column. */
  readonly level?: string;
  readonly levelIndex?: number;
  readonly scale: number;
  /** A 0/1 column (boolean or dummy): its square is itself. */
  readonly binary: boolean;
}

/** The design and the frame whose one-row result holds the Gram sums. */
export interface Design<C extends string> {
  /** x's design columns, then y's (the last). */
  readonly columns: readonly DesignColumn[];
  readonly weightScale: number;
  readonly weighted: boolean;
  readonly frame: LazyFrame<string>;
  /** The number of declared groups of `spec.by` (a null level included); absent for a whole-table fit. */
  readonly groups?: number;
  /** The aggregate output holding Σ w·zᵢ·zⱼ (i, j ≥ 1 index `columns` from 1; 0 is the intercept). */
  gramOutput(i: number, j: number): { readonly name: string } | { readonly zero: true };
  readonly spec: OlsSpec<C>;
}

/** The columns' types, by the connected node's check of a plan that would open them (nothing runs). */
export async function columnTypes<C extends string>(frame: LazyFrame<C>, columns: readonly C[], open: OpenOptions): Promise<Map<string, QueryOutputInfo>> {
  // Only the columns' types are wanted: checked without the noise (which applies to the Gram sums, not to rows).
  const { privacy: _noise, ...plain } = open;
  const checked = await frame.select(...columns).explain(plain);
  return new Map(checked.outputs.map((o) => [o.name, o]));
}

export function checkSpec<C extends string>(spec: OlsSpec<C>): C[] {
  if (typeof spec?.y !== 'string' || spec.y.length === 0) throw new UsageError("name the response: ols(frame, { y: 'mpg', x: ['wt', 'hp'] })");
  if (!Array.isArray(spec.x) || spec.x.length === 0) throw new UsageError("name at least one predictor: ols(frame, { y: 'mpg', x: ['wt', 'hp'] })");
  const all = [...spec.x, spec.y, ...(spec.weights !== undefined ? [spec.weights] : []), ...(spec.by !== undefined ? [spec.by] : [])];
  all.forEach((c, i) => {
    if (typeof c !== 'string' || c.length === 0) throw new UsageError('columns are named by strings');
    if (all.indexOf(c) !== i) throw new UsageError(`column '${c}' appears twice among the response, predictors, weights and group column: each enters once`);
  });
  if (spec.ridge !== undefined && (typeof spec.ridge !== 'number' || !Number.isFinite(spec.ridge) || spec.ridge < 0)) {
    throw new UsageError(`the ridge penalty is a finite number ≥ 0, not ${String(spec.ridge)}`);
  }
  return all;
}

export function buildDesign<C extends string>(frame: LazyFrame<C>, spec: OlsSpec<C>, types: ReadonlyMap<string, QueryOutputInfo>): Design<C> {
  const typeOf = (c: string): QueryOutputInfo => {
    const t = types.get(c);
    if (!t?.type) throw new UsageError(`column '${c}' is not in the frame`);
    return t;
  };
  const numeric = (c: string, role: string): DesignColumn => {
    const t = typeOf(c).type!;
    if (t.type === 'integer') return { term: c, column: c, scale: 0, binary: false };
    if (t.type === 'decimal') return { term: c, column: c, scale: t.scale, binary: false };
    if (t.type === 'boolean') return { term: c, column: c, scale: 0, binary: true };
    throw new UsageError(`the ${role} '${c}' is a ${t.type} column: a regression's ${role} is an integer, decimal or boolean column${role === 'predictor' ? ' (or a category, dummy coded)' : ''}`);
  };
  const columns: DesignColumn[] = [];
  for (const x of spec.x) {
    const t = typeOf(x).type!;
    if (t.type === 'category') {
      if (t.dictionary.length < 2) throw new UsageError(`the category '${x}' declares one level: it is constant, leave it out`);
      t.dictionary.forEach((level, k) => columns.push({ term: `${x}[T.${level}]`, column: x, level, levelIndex: k, scale: 0, binary: true }));
    } else columns.push(numeric(x, 'predictor'));
  }
  columns.push(numeric(spec.y, 'response'));
  const groups = spec.by !== undefined ? groupLevelCount(spec.by, types.get(spec.by)) : undefined;
  const sumCount = 2 + (columns.length * (columns.length + 3)) / 2;
  if (sumCount > MAX_AGGREGATES) {
    throw new UsageError(`${columns.length - 1} design columns (a category counts one per level) need ${sumCount} opened sums, more than a plan's ${MAX_AGGREGATES}: use at most ${MAX_DESIGN_COLUMNS} design columns, or merge a category's levels`);
  }
  let weightScale = 0;
  if (spec.weights !== undefined) {
    const w = numeric(spec.weights, 'weights column');
    const t = typeOf(spec.weights).type!;
    const min = t.type === 'boolean' ? 0 : Number(t.type === 'integer' || t.type === 'decimal' ? t.min : -1);
    if (min < 0) throw new UsageError(`the weights column '${spec.weights}' declares values below 0 (min ${min}): weights are ≥ 0; declare a minimum of 0 or more`);
    weightScale = w.scale;
  }

  let f: LazyFrame<string> = frame;
  const used = [...new Set([...spec.x, spec.y, ...(spec.weights !== undefined ? [spec.weights] : [])])];
  const nullable: string[] = used.filter((c) => typeOf(c).parts.some((p) => p.part === 'present'));
  if (nullable.length > 0) {
    // Complete cases, as R's lm and statsmodels' missing='drop': a row with any null leaves. Oblivious: nothing opens.
    const [first, ...rest] = nullable.map((c) => col(c).isNotNull());
    f = f.filter(rest.length > 0 ? first.and(...rest) : first, { mode: 'oblivious' });
  }
  // z₁ … z_q: columns as they are, dummies derived (a comparison with the level's word). After the
  // complete-case filter a nullable column is filled with 0 (free: its stored value is 0 where null),
  // so every product below is a plain product of two non-nullable columns, which the executor sums
  // as inner products without materialising them (ops/product-sums.ts).
  const isNullable = (c: string): boolean => nullable.includes(c);
  const z: string[] = [];
  const firstStep: Record<string, Expression<string>> = {};
  columns.forEach((c, i) => {
    if (c.level === undefined) {
      if (!isNullable(c.column)) return void z.push(c.column);
      const name = derivedName(`ols_v_${c.column}`, `${i}`, 'ols_v');
      firstStep[name] = col(c.column).fillNull(0);
      return void z.push(name);
    }
    const name = derivedName(`ols_${c.column}_${c.levelIndex}`, `${i}`, 'ols_d');
    firstStep[name] = isNullable(c.column) ? col(c.column).eq(c.level).fillNull(false) : col(c.column).eq(c.level);
    z.push(name);
  });
  let weightColumn: string | undefined = spec.weights;
  if (spec.weights !== undefined && isNullable(spec.weights)) {
    weightColumn = derivedName(`ols_v_${spec.weights}`, 'w', 'ols_v');
    firstStep[weightColumn] = col(spec.weights).fillNull(0);
  }
  if (Object.keys(firstStep).length > 0) f = f.withColumns(firstStep);
  // With weights: w·zᵢ first, so each product is one more multiplication.
  const weighted = spec.weights !== undefined ? z.map((name, i) => derivedName(`ols_w_${name}`, `${i}`, 'ols_w')) : z;
  if (weightColumn !== undefined) {
    const w = weightColumn;
    f = f.withColumns(Object.fromEntries(weighted.map((name, i) => [name, col(w).mul(col(z[i]))])));
  }
  const sameCategory = (i: number, j: number): boolean => columns[i].level !== undefined && columns[i].column === columns[j].column;
  const products: Record<string, Expression<string>> = {};
  const aggregates: Record<string, AggregateExpr<string>> = { n: count(), s0: weightColumn !== undefined ? sum(weightColumn) : count() };
  const outputs = new Map<string, { name: string } | { zero: true }>();
  const key = (i: number, j: number): string => (i <= j ? `${i},${j}` : `${j},${i}`);
  for (let i = 0; i < z.length; i++) {
    const single = `g0_${i + 1}`;
    aggregates[single] = sum(weighted[i]);
    outputs.set(key(0, i + 1), { name: single });
    for (let j = i; j < z.length; j++) {
      if (i !== j && sameCategory(i, j)) {
        outputs.set(key(i + 1, j + 1), { zero: true });
        continue;
      }
      if (i === j && columns[i].binary) {
        // w·z² = w·z for a 0/1 column: the single sum already holds it.
        outputs.set(key(i + 1, j + 1), { name: single });
        continue;
      }
      const product = derivedName(`ols_${z[i]}_x_${z[j]}`, `${i}_${j}`, 'ols_p');
      products[product] = col(weighted[i]).mul(col(z[j]));
      const output = `g${i + 1}_${j + 1}`;
      aggregates[output] = sum(product);
      outputs.set(key(i + 1, j + 1), { name: output });
    }
  }
  if (Object.keys(products).length > 0) f = f.withColumns(products);
  outputs.set(key(0, 0), { name: 's0' });
  // Per group: the same sums under a group-by of at most 256 declared groups (one-hot: nothing opens but the sums).
  return {
    columns,
    weightScale,
    weighted: spec.weights !== undefined,
    frame: spec.by !== undefined ? f.groupBy(spec.by).agg(aggregates) : f.agg(aggregates),
    ...(groups !== undefined ? { groups } : {}),
    gramOutput: (i, j) => outputs.get(key(i, j))!,
    spec,
  };
}

/** A readable derived column name (it appears in the plan checker's refusals), or an indexed one when too long. */
function derivedName(readable: string, index: string, prefix: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(readable) ? readable : `${prefix}${index}`;
}
