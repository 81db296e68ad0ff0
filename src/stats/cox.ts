/**
 * `cox(frame, { time, event, x })`: the Cox proportional hazards model (Breslow ties) on a
 * secret table.
 *
 *   const fit = await cox(t.table('ovarian'), { time: 'futime', event: 'fustat', x: ['age', 'rx'] }).open({ to: ['Registry'] });
 *   console.log(fit.text());   // R's summary(coxph(...))
 *
 * ONE plan: a cox node (plan/check-cox.ts) over the frame runs Newton–Raphson inside MPC
 * (ops/cox.ts) and opens the last iterate, the score and information there, the log partial
 * likelihoods, a convergence bit and the counts; the recipient takes the final Newton step in
 * float64 (cox-fit.ts). `explain()` lists what is opened, from the node's own account.
 */

import { UsageError } from '../errors.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { Explanation } from '../client/explain.js';
import type { QueryResult } from '../client/result.js';
import { coxOutputNames, COX_FRACTION_BITS, DEFAULT_COX_ITERATIONS } from '../plan/check-cox.js';
import { columnTypes } from './ols-design.js';
import { fitCox, type CoxFit, type CoxOpened } from './cox-fit.js';
import { coxSummaryText } from './cox-summary.js';
import { openFrame, type Provenance } from './frame-groups.js';
import type { QueryOutputInfo } from '../wire/api.js';

export interface CoxSpec<C extends string> {
  /** The survival (or censoring) time: an integer, decimal or date column. */
  readonly time: C;
  /** 1 (true) for an event, 0 (false) for a censored row. */
  readonly event: C;
  /** The covariates: integer, decimal or boolean columns. */
  readonly x: readonly C[];
  /** Newton iterations inside MPC (default 6, at most 25). */
  readonly iterations?: number;
  /** Bound on every row's |log relative hazard| against the ranges' centres (default 8, below 9.7). */
  readonly maxLogHazard?: number;
}

export interface CoxResult extends CoxFit, Provenance {
  /** R's summary(coxph(...)). */
  text(): string;
}

export interface CoxModel {
  /** The node's check of the plan: what it opens, its cost. */
  explain(open: OpenOptions): Promise<Explanation>;
  /** Runs the plan, opens the statistics to `to` (the caller must be one of them), and fits. */
  open(open: OpenOptions & { readonly level?: number }): Promise<CoxResult>;
}

export function cox<C extends string>(frame: LazyFrame<C>, spec: CoxSpec<C>): CoxModel {
  checkSpec(spec);
  const model = frame.coxStatistics({
    time: spec.time,
    event: spec.event,
    x: [...spec.x],
    ...(spec.iterations !== undefined ? { iterations: spec.iterations } : {}),
    ...(spec.maxLogHazard !== undefined ? { max_log_hazard: spec.maxLogHazard } : {}),
  });
  return {
    explain: (open) => model.explain(open),
    async open(open) {
      const types = await columnTypes(frame, spec.x, open);
      const result = await openFrame(model, open);
      const opened = decodeCox(result, spec.x, spec.x.map((x) => unitsOf(types.get(x), x)), spec.iterations ?? DEFAULT_COX_ITERATIONS);
      const fit = fitCox(opened, open.level);
      return { ...fit, plan: result.plan, query: result.query, text: () => coxSummaryText(fit) };
    },
  };
}

function checkSpec<C extends string>(spec: CoxSpec<C>): void {
  const example = "cox(frame, { time: 'futime', event: 'fustat', x: ['age', 'rx'] })";
  if (typeof spec?.time !== 'string' || spec.time.length === 0) throw new UsageError(`name the time column: ${example}`);
  if (typeof spec.event !== 'string' || spec.event.length === 0) throw new UsageError(`name the event column: ${example}`);
  if (!Array.isArray(spec.x) || spec.x.length === 0) throw new UsageError(`name at least one covariate: ${example}`);
}

/**
 * Original units per standardised unit of a covariate: z = (x − c)/2^k in stored units, so a
 * coefficient b on z is b · 10^scale / 2^k per unit of x (the same standardisation as
 * plan/check-cox.ts, from the same declared range).
 */
export function coxUnits(min: bigint, max: bigint, scale: number): number {
  const centre = (min + max) >> 1n;
  const half = max - centre > centre - min ? max - centre : centre - min;
  const shift = half <= 1n ? 0 : (half - 1n).toString(2).length;
  return 2 ** shift / 10 ** scale;
}

function unitsOf(info: QueryOutputInfo | undefined, name: string): number {
  const type = info?.type;
  if (!type) throw new UsageError(`the covariate '${name}' has no declared type here`);
  if (type.type === 'boolean') return 1;
  if (type.type !== 'integer' && type.type !== 'decimal') throw new UsageError(`the covariate '${name}' is a ${type.type} column; covariates are integer, decimal or boolean columns`);
  const scale = type.type === 'decimal' ? type.scale : 0;
  return coxUnits(storedUnits(type.min, scale), storedUnits(type.max, scale), scale);
}

/** A declared bound ("-12.5", 3) in stored units at `scale` digits (-1250 at scale 2). */
function storedUnits(v: string | number, scale: number): bigint {
  const text = String(v);
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const units = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
  return negative ? -units : units;
}

/** The cox node's one opened row as numbers (standardised units). */
export function decodeCox(result: QueryResult, terms: readonly string[], units: readonly number[], iterations: number): CoxOpened {
  const row = result.table.rows[0];
  if (row === undefined) throw new UsageError('the cox model opened no row');
  const names = coxOutputNames(terms.length);
  const raw = (name: string): bigint => {
    if (!names.includes(name)) throw new RangeError(`cox: no output ${name}`);
    const v = row[name];
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    throw new UsageError(`the cox output '${name}' did not open as an integer`);
  };
  return decodeCoxRaw(raw, terms, units, iterations);
}

/** From raw outputs by name (fixed point with COX_FRACTION_BITS for β, g, H and ℓ). */
export function decodeCoxRaw(raw: (name: string) => bigint, terms: readonly string[], units: readonly number[], iterations: number): CoxOpened {
  const d = terms.length;
  const fixed = (name: string): number => Number(raw(name)) / 2 ** COX_FRACTION_BITS;
  const index = Array.from({ length: d }, (_, j) => j + 1);
  const information = index.map((j) => index.map((l) => fixed(`information_${Math.min(j, l)}_${Math.max(j, l)}`)));
  return {
    terms,
    units,
    beta: index.map((j) => fixed(`beta_${j}`)),
    score: index.map((j) => fixed(`score_${j}`)),
    information,
    logLikelihoodNull: fixed('loglik_null'),
    logLikelihood: fixed('loglik'),
    converged: raw('converged') === 1n,
    saturated: raw('saturated') === 1n,
    events: Number(raw('events')),
    rows: Number(raw('rows')),
    iterations,
  };
}
