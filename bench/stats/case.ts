/**
 * One case of `npm run bench -- --suite stats` (bench/stats-suite.ts): one statistic at one size.
 * A case module (bench/stats/<name>-cases.ts) exports `cases: StatsCase[]`; bench/stats/cases.ts
 * lists the modules, so a new statistic is one import there. For each case the suite:
 *
 *   1. generates its tables as CSV (`BenchTable`, the relational suite's shape) and uploads them
 *      through the SDK (a table already uploaded by an earlier case, same name and schema, is reused);
 *   2. asks the node for the plan's estimated rounds (`rounds`), then times `run` (submission to
 *      the statistic on the recipient's side, everything through the SDK over three TLS nodes);
 *   3. hands the statistic to `verify`, which compares it with a float64 reference computed here
 *      from the same generated rows, and returns the first difference (the suite then stops) or undefined.
 */

import type { Tessera } from '../../src/client/tessera.js';
import type { BenchTable } from '../relational/case.js';

export type { BenchTable } from '../relational/case.js';

export interface StatsRun {
  /** The first difference from the float64 reference, or undefined. */
  verify(): string | undefined;
}

export interface StatsCase {
  /** The suite's op name (issue 10's table): ols, ttest, describe, median, ... */
  readonly op: string;
  /** Rows of the case's table (one line per size). */
  readonly rows: number;
  /** One line: what the case computes. */
  readonly description: string;
  /** Target seconds at this size (issue 10's table). */
  readonly target: number;
  /** Why the target is missed when it is (profiled), printed beside the figure. */
  readonly why: string;
  tables(): readonly BenchTable[];
  /** The plan's estimated rounds, by the node's check (nothing runs). */
  rounds(client: Tessera, recipient: string): Promise<number>;
  /** Runs the statistic and opens it to `recipient` (the client is that recipient). */
  run(client: Tessera, recipient: string): Promise<StatsRun>;
}

export interface StatsCaseModule {
  readonly cases: readonly StatsCase[];
}

/** A deterministic value in [0, 1) of (row, column): replayable data without storing it. */
export function uniform(row: number, column: number): number {
  let h = (row * 0x9e3779b1 + column * 0x85ebca77 + 0x165667b1) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 2 ** 32;
}

/** |a − b| ≤ rel·|b|, or a description of the difference. */
export function relativeDifference(what: string, got: number, want: number, rel: number): string | undefined {
  return Math.abs(got - want) <= rel * Math.abs(want) ? undefined : `${what}: ${got}, the float64 reference ${want} (relative difference ${(Math.abs(got - want) / Math.abs(want)).toExponential(2)} > ${rel})`;
}

/** What a fitted model's bench case opens and checks: coefficients with standard errors. */
interface FittedCoefficients {
  readonly coefficients: readonly { readonly term: string; readonly estimate: number; readonly stdError: number }[];
}

/** The first coefficient (estimate or standard error) of `fit` not within `rel` of the reference's, or undefined; `label` prefixes it. */
export function coefficientsDifference(fit: FittedCoefficients, want: { readonly coef: readonly number[]; readonly se: readonly number[] }, rel: number, label = ''): string | undefined {
  if (fit.coefficients.length !== want.coef.length) return `${label}${fit.coefficients.length} coefficients opened, the reference has ${want.coef.length}`;
  for (const [j, c] of fit.coefficients.entries()) {
    const difference = relativeDifference(`${label}${c.term} coefficient`, c.estimate, want.coef[j], rel) ?? relativeDifference(`${label}${c.term} standard error`, c.stdError, want.se[j], rel);
    if (difference !== undefined) return difference;
  }
  return undefined;
}

/**
 * A model case's `rounds` and `run`: the plan's estimate, then the fit opened to the recipient and
 * checked coefficient by coefficient (estimate and standard error) against a float64 reference
 * within `rel`.
 */
export function fittedModelCase<F extends FittedCoefficients>(
  model: (client: Tessera) => { explain(o: { to: string[] }): Promise<{ readonly cost: { readonly rounds: number } }>; open(o: { to: string[] }): Promise<F> },
  reference: () => { readonly coef: readonly number[]; readonly se: readonly number[] },
  rel: number,
): Pick<StatsCase, 'rounds' | 'run'> {
  return {
    rounds: async (client, recipient) => (await model(client).explain({ to: [recipient] })).cost.rounds,
    run: async (client, recipient) => {
      const fit = await model(client).open({ to: [recipient] });
      return {
        verify: () => {
          return coefficientsDifference(fit, reference(), rel);
        },
      };
    },
  };
}
