/**
 * `npm run bench -- --suite stats [--ops median,describe] [--rows 1048576] [--json]`: issue 10's
 * statistics end to end on a local TLS cluster through the SDK, each result checked against
 * DuckDB. The cases have the relational suite's form (bench/relational/case.ts) and run through
 * its runner; each statistic keeps its cases in its own file under bench/stats/ (order
 * statistics: bench/stats/order-cases.ts), listed here.
 */

import type { RelationalCase } from './relational/case.js';
import { ORDER_CASES } from './stats/order-cases.js';

export const STATS_CASES: readonly RelationalCase[] = [...ORDER_CASES];

/** Every op of issue 10's table; those without a case yet are refused by name. */
export const STATS_OPS = ['describe', 'ols', 'logreg', 'predict', 'median', 'kaplan_meier', 'cox', 'ttest'];
