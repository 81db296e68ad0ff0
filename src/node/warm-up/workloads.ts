/**
 * What the start-up warm-up computes: small plans of the shapes the benchmarks and analysts run
 * (issues 9 and 10), each over synthetic tables (synthetic-reader.ts), chosen so that together
 * they go through the hot kernels of every operator a first query meets: the narrow and split
 * comparisons and their carry trees, count-ones, compaction and shuffles, one-hot packed sums,
 * bit injection and conversions, the sort and the order-statistics selection, multiplications,
 * inner products, truncations, exp and the reciprocal of the sigmoid, the Newton solve of a
 * logistic fit, and the opening of results. Plans go through the node's own check (checkPlan)
 * and evaluator (execute), so the warm-up follows the query path as it changes.
 */

import type { CatalogTable } from '../../plan/check.js';
import type { DrawRanges } from './synthetic-reader.js';
import { aggregateOf, openFor, scanOf } from '../../plan/build.js';
import type { Expr, Plan } from '../../plan/plan.js';
import { parseSchema, type ColumnSchemaJson } from '../../table/schema.js';

/** The one recipient of every warm-up plan (a name only: nothing is sealed to it). */
export const WARM_UP_RECIPIENT = 'warm-up';

export interface WarmUpWorkload {
  readonly name: string;
  readonly tables: readonly CatalogTable[];
  readonly plan: Plan;
  /** Columns drawn from narrower ranges than declared (synthetic-reader.ts). */
  readonly draw?: DrawRanges;
}

const col = (name: string): Expr => ({ op: 'col', name });
const lit = (value: number): Expr => ({ op: 'lit', value });
const cmp = (op: '<' | '<=' | '>' | '>=', name: string, value: number): Expr => ({ op, args: [col(name), lit(value)] });

function integer(name: string, min: number | bigint, max: number | bigint): ColumnSchemaJson {
  return { name, nullable: false, type: 'integer', min: String(min), max: String(max) };
}

function decimal(name: string, min: string, max: string): ColumnSchemaJson {
  return { name, nullable: false, type: 'decimal', scale: 2, min, max };
}

function category(name: string, levels: number): ColumnSchemaJson {
  return { name, nullable: false, type: 'category', dictionary: Array.from({ length: levels }, (_, i) => `${name}${i}`) };
}

function table(name: string, rows: number, columns: readonly ColumnSchemaJson[]): CatalogTable {
  return { name, kind: 'table', rows, schema: parseSchema({ version: 1, columns }) };
}

const LOGIT_PREDICTORS = Array.from({ length: 10 }, (_, j) => `x${j}`);
/** The fraction bits of a stored model's coefficients (plan/logit-model.ts). */
const MODEL_FRACTION_BITS = 24;

/** The workloads at `rows` rows per table (small tables for the costlier operators). */
export function warmUpWorkloads(rows: number): WarmUpWorkload[] {
  const facts = table('facts', rows, ['a', 'b', 'c', 'd', 'e'].map((n) => integer(n, 0, 9999)));
  const logitRows = Math.max(64, rows >> 2);
  const predictors = LOGIT_PREDICTORS.map((n) => decimal(n, '-10.00', '10.00'));
  const modelLimit = 2n ** 33n;
  const model = table('model', 1, [
    integer('logit_model', MODEL_FRACTION_BITS, MODEL_FRACTION_BITS),
    ...predictors,
    ...Array.from({ length: LOGIT_PREDICTORS.length + 1 }, (_, j) => integer(`beta_${j}`, -modelLimit, modelLimit)),
  ]);
  const logitTable = table('observations', logitRows, [...predictors, { name: 'y', nullable: false, type: 'boolean' }]);
  const measurements = table('measurements', rows >> 1, [decimal('u', '-1000.00', '1000.00'), decimal('v', '0.00', '500.00')]);
  const sales = table('sales', rows, [category('region', 100), integer('amount', 0, 100_000), integer('age', 0, 120)]);
  const survey = table('survey', rows, [category('a', 10), category('b', 10)]);
  const sortable = table('sortable', rows >> 1, [integer('a', 0, 999), integer('b', -50_000, 50_000), integer('p', 0, 1_000_000)]);
  const purchases = table('purchases', rows >> 1, [integer('customer', 0, 2n ** 40n - 1n), integer('amount', 0, 100_000)]);
  const to = [WARM_UP_RECIPIENT];
  return [
    {
      // The relational suite's filter: seven narrow comparisons, packed ANDs, count-ones.
      name: 'filter-count',
      tables: [facts],
      plan: openFor(
        aggregateOf(
          { op: 'filter', input: scanOf('facts', ['a', 'b', 'c', 'd', 'e']), predicate: { op: 'and', args: [cmp('>=', 'a', 100), cmp('<=', 'a', 800), cmp('>=', 'b', 2000), cmp('<', 'c', 9000), cmp('>=', 'd', 10), cmp('<=', 'd', 90), cmp('>', 'e', 5)] } },
          [{ name: 'n', fn: 'count' }],
        ),
        to,
      ),
    },
    {
      // A filter whose columns are read afterwards: compaction by shuffle, then sums and a mean.
      name: 'filter-sum',
      tables: [facts],
      plan: openFor(
        aggregateOf({ op: 'filter', input: scanOf('facts', ['a', 'b', 'c']), predicate: { op: 'or', args: [cmp('<', 'a', 5000), cmp('>', 'b', 7000)] } }, [
          { name: 's', fn: 'sum', column: 'b' },
          { name: 'm', fn: 'mean', column: 'c' },
        ]),
        to,
      ),
    },
    {
      // groupby_category: one-hot indicators, packed inner-product sums.
      name: 'groupby-category',
      tables: [sales],
      plan: openFor({ op: 'aggregate', input: scanOf('sales'), by: ['region'], aggregates: [{ name: 'n', fn: 'count' }, { name: 'total', fn: 'sum', column: 'amount' }, { name: 'avg_age', fn: 'mean', column: 'age' }] }, to),
    },
    {
      name: 'crosstab',
      tables: [survey],
      plan: openFor({ op: 'crosstab', input: scanOf('survey'), by: ['a', 'b'], suppress_below: 5, margins: true }, to),
    },
    {
      // describe(): count, mean, std and five order statistics per column (one selection).
      name: 'describe',
      tables: [measurements],
      plan: openFor(
        aggregateOf(
          scanOf('measurements'),
          ['u', 'v'].flatMap((c) => [
            { name: `${c}_n`, fn: 'count', column: c },
            { name: `${c}_mean`, fn: 'mean', column: c },
            { name: `${c}_std`, fn: 'std', column: c },
            ...[0, 0.25, 0.5, 0.75, 1].map((p, k) => ({ name: `${c}_q${k}`, fn: 'quantile', column: c, p })),
          ]),
        ),
        to,
      ),
    },
    {
      // Sort by two keys, then the top rows: the sort's comparisons and its order applied.
      name: 'sort',
      tables: [sortable],
      plan: openFor({ op: 'limit', count: 16, input: { op: 'sort', input: scanOf('sortable'), by: [{ column: 'a' }, { column: 'b', descending: true }] } }, to),
    },
    {
      // groupby_key: the sort, group flags, segmented scan and compaction.
      name: 'groupby-key',
      tables: [purchases],
      plan: openFor({ op: 'aggregate', input: scanOf('purchases'), by: ['customer'], aggregates: [{ name: 'n', fn: 'count' }, { name: 'total', fn: 'sum', column: 'amount' }] }, to),
    },
    {
      // predict: the exact η (inner products), exp's circuit and the reciprocal of the sigmoid.
      name: 'predict',
      tables: [model, logitTable],
      // Coefficients within ±1 (2^24 units): their sum stays far below the model's bound (plan/logit-model.ts).
      draw: new Map(Array.from({ length: LOGIT_PREDICTORS.length + 1 }, (_, j) => [`model.beta_${j}`, [-(1n << 24n), 1n << 24n] as const])),
      plan: openFor({ op: 'select', columns: ['p'], input: { op: 'predict', model: scanOf('model'), input: scanOf('observations', LOGIT_PREDICTORS), as: 'p' } }, to),
    },
    {
      // A logistic fit: products of pairs, the information matrix, the Newton solve (a small one: the kernels are the same).
      name: 'logit',
      tables: [logitTable],
      plan: openFor({ op: 'logit', input: scanOf('observations'), y: 'y', x: LOGIT_PREDICTORS.slice(0, 3), iterations: 1 }, to),
    },
  ];
}
