/**
 * Checks an open root's `privacy` (privacy/spec.ts) against the checked plan and fixes the noise:
 * which result columns get it, each one's sensitivity, and the public threshold table every node
 * builds identically from the plan (privacy/noise-tables.ts). docs/statistics.md, "Differential
 * privacy", states the rules; in short:
 *
 * - Only aggregates open: every aggregate of the registry (each of its terms a noisy column) over
 *   a whole table, per group of a one-hot group-by, or per crosstab cell. Group keys open as they
 *   are (every declared combination is listed whatever the data, so they say nothing about it).
 * - Sensitivity per term: privacy/sensitivity.ts (sums: c times a row's largest term; min, max
 *   and quantile parts: the width of their public interval, an empty group taking its lower end).
 * - Composition: the query's ε (or ρ) is split equally over its K noisy columns (basic
 *   composition for ε; zCDP adds its ρ's), so each column's cells get noise for ε/K (ρ/K).
 * - Nothing else may be opened while the data flow: every operator below must reveal nothing at
 *   run time (oblivious filters and distincts, no join, no append table, no sorting group-by),
 *   and crosstab suppression and margins are refused (suppression decides on the true counts;
 *   margins are sums the recipient can form from the noisy cells). `suppress_below` in the spec
 *   suppresses on the noisy count instead (post-processing, ops/noise.ts).
 */

import { PlanError } from '../errors.js';
import { gaussianTable, laplaceTable, MAX_GAUSSIAN_THRESHOLDS, type NoiseTable } from '../privacy/noise-tables.js';
import { rationalOf } from '../privacy/exact-real.js';
import { boundedInterval, isBoundedTerm, termSensitivity, type TermSource } from '../privacy/sensitivity.js';
import type { PrivacySpec } from '../privacy/spec.js';
import type { PrivacyReport } from '../wire/api.js';
import type { CheckedOutput, CheckedTable } from './check.js';
import { RING_LIMIT, type ColumnFacts } from './types.js';

/** The most comparisons (cells × thresholds) one query's noise may take. */
export const MAX_NOISE_COMPARISONS = 1 << 21;

export interface NoisyColumn {
  /** The result column (its values vector gets the noise). */
  readonly column: string;
  readonly cells: number;
  readonly table: NoiseTable;
  /**
   * A bounded term (min, max, a quantile's part): where the group has no value, the column takes
   * `value` (its interval's lower end) before the noise, decided by the present bits of the
   * column `presentOf`, which then open as all 1 (privacy/sensitivity.ts).
   */
  readonly empty?: { readonly value: bigint; readonly presentOf: string };
}

export interface CheckedPrivacy {
  readonly spec: PrivacySpec;
  readonly columns: readonly NoisyColumn[];
  /** suppress_below: the noisy count column groups are suppressed on, and the threshold. */
  readonly suppress?: { readonly column: string; readonly below: number };
  readonly report: PrivacyReport;
}

export function checkPrivacy(spec: PrivacySpec, input: CheckedTable, path: string): CheckedPrivacy {
  const at = `${path}/privacy`;
  const source = aggregatedInput(input, at);
  refuseRevealingOperators(source, at);
  const cells = input.type.maxRows;
  const noisy = input.type.columns.filter((c) => c.aggregate);
  if (noisy.length === 0) throw new PlanError(at, 'the result has no aggregate column to add noise to');
  const outputs = input.op === 'aggregate' || input.op === 'group-by' ? input.outputs : [];
  const sources = new Map(noisy.map((col) => [col.name, termSource(col, outputs)]));
  const c = BigInt(spec.contributions ?? 1);
  const k = BigInt(noisy.length);
  const amount = rationalOf(spec.mechanism === 'laplace' ? spec.epsilon! : spec.rho!);
  const share = (spec.mechanism === 'laplace' ? spec.epsilon! : spec.rho!) / noisy.length;
  let comparisons = 0;
  const columns: NoisyColumn[] = [];
  const reported: PrivacyReport['columns'][number][] = [];
  for (const col of noisy) {
    const a = col.aggregate!;
    const term = sources.get(col.name)!;
    const sensitivity = termSensitivity(term, c, cells);
    let table: NoiseTable;
    try {
      table = spec.mechanism === 'laplace'
        ? laplaceTable(amount.numerator, amount.denominator * k * sensitivity) // a = exp(−(ε/K)/Δ)
        : gaussianTable(amount.numerator, amount.denominator * k * sensitivity * sensitivity); // 1/(2σ²) = (ρ/K)/Δ²
    } catch (e) {
      throw new PlanError(at, `the noise for '${col.name}' (sensitivity ${sensitivity} stored units, ρ = ${share} of this query's ${spec.rho}) is too wide to sample: ${(e as Error).message} (at most ${MAX_GAUSSIAN_THRESHOLDS}); use the Laplace mechanism, a larger ρ, or declare a narrower range for '${a.column ?? col.name}'`);
    }
    if (col.min - table.bound < -RING_LIMIT || col.max + table.bound > RING_LIMIT) {
      throw new PlanError(at, `'${col.name}' plus its noise (up to ±${table.bound} stored units for sensitivity ${sensitivity}) could leave the 64-bit range; declare a narrower range for '${a.column ?? col.name}' or spend a larger ${spec.mechanism === 'laplace' ? 'ε' : 'ρ'}`);
    }
    comparisons += cells * table.comparisons;
    const empty = isBoundedTerm(term) ? { value: boundedInterval(term).lo, presentOf: presentColumn(col, noisy) } : undefined;
    columns.push({ column: col.name, cells, table, ...(empty ? { empty } : {}) });
    const scale = 10 ** col.scale;
    reported.push({
      column: col.name, output: a.output, part: a.part, sensitivity: sensitivity.toString(),
      ...(spec.mechanism === 'laplace' ? { epsilon: share } : { rho: share }),
      standardDeviation: table.standardDeviation / scale,
    });
  }
  if (comparisons > MAX_NOISE_COMPARISONS) {
    throw new PlanError(at, `the noise takes ${comparisons} comparisons (${cells} cell${cells === 1 ? '' : 's'} × ${noisy.length} column${noisy.length === 1 ? '' : 's'}), more than ${MAX_NOISE_COMPARISONS}; open fewer cells or columns per query, spend a larger ${spec.mechanism === 'laplace' ? 'ε' : 'ρ'} or use the Laplace mechanism`);
  }
  const totalVariation = columns.reduce((s, col) => s + col.cells * col.table.tv, 0);
  const report: PrivacyReport = {
    mechanism: spec.mechanism,
    ...(spec.mechanism === 'laplace' ? { epsilon: spec.epsilon!, delta: columns.reduce((s, col) => s + (1 + Math.exp(share)) * col.cells * col.table.tv, 0) } : { rho: spec.rho! }),
    contributions: Number(c),
    totalVariation,
    columns: reported,
    ...(spec.suppress_below !== undefined ? { suppressBelow: spec.suppress_below } : {}),
  };
  const suppress = spec.suppress_below === undefined ? undefined : { column: suppressColumn(input, at), below: spec.suppress_below };
  return { spec, columns, report, ...(suppress ? { suppress } : {}) };
}

/** What a result column's sensitivity follows from: its term's kind and the aggregated column(s). A crosstab's count counts rows. */
function termSource(col: ColumnFacts, outputs: readonly CheckedOutput[]): TermSource {
  const a = col.aggregate!;
  const output = outputs.find((o) => o.name === a.output);
  if (!output) return { of: 'rows' };
  const term = output.terms.find((t) => t.part === a.part);
  if (!term) throw new RangeError(`aggregate '${a.output}' has no part '${a.part}'`);
  return { of: term.of, ...(output.column ? { column: output.column } : {}), ...(output.other ? { other: output.other } : {}) };
}

/** The column whose present bits say a bounded term's group has a value: its own, or a quantile's lower part's. */
function presentColumn(col: ColumnFacts, columns: readonly ColumnFacts[]): string {
  if (col.nullable) return col.name;
  const a = col.aggregate!;
  const carrier = columns.find((c) => c.aggregate?.output === a.output && c.nullable);
  if (!carrier) throw new RangeError(`no part of '${a.output}' carries its present bits`);
  return carrier.name;
}

/** suppress_below needs groups and a noisy count of each group's rows to decide on. */
function suppressColumn(input: CheckedTable, at: string): string {
  if (input.op === 'crosstab') return input.type.columns[input.type.columns.length - 1].name;
  if (input.op !== 'group-by' || input.group.method === 'whole') throw new PlanError(`${at}/suppress_below`, 'suppress_below suppresses groups: it applies to a group-by or a crosstab, not to a whole-table aggregate');
  const counts = input.outputs.filter((o) => o.fn.name === 'count' && o.column === undefined);
  if (counts.length === 0) throw new PlanError(`${at}/suppress_below`, "groups are suppressed on their noisy row count: add count() to the group-by's aggregates");
  return counts[0].name;
}

/** The aggregate node whose results open, and its input; refuses anything else at the root. */
function aggregatedInput(input: CheckedTable, at: string): CheckedTable {
  if (input.op === 'aggregate') return input.input;
  if (input.op === 'group-by') {
    if (input.group.method === 'sort') throw new PlanError(at, `this group-by has ${input.group.width} key combinations and would reveal which groups have rows; with privacy, group by keys of at most 256 combinations (every combination is listed, empty ones included)`);
    return input.input;
  }
  if (input.op === 'crosstab') {
    if (input.suppressBelow !== undefined) throw new PlanError(at, "the crosstab's suppress_below decides on the true counts, which is not differentially private: give suppress_below in privacy instead (it suppresses on the noisy counts inside MPC)");
    if (input.margins) throw new PlanError(at, 'margins would be noisy cells of their own (spending more of the budget): leave them out and add up the noisy cells after opening');
    return input.input;
  }
  if (input.op === 'logit' || input.op === 'cox') throw new PlanError(at, modelRefusal(input.op));
  throw new PlanError(at, `privacy applies to aggregates (whole, per group or per crosstab cell), not to a ${input.op === 'scan' ? 'table of rows' : `'${input.op}' result`}; aggregate the rows before opening them`);
}

/**
 * Why a model fitted by Newton iterations inside MPC takes no noise in this release: what it
 * opens (β, the gradient and information matrix there, the log-likelihood) is a function of
 * every row through the iterates, with no per-row bound derived from the declared ranges, so
 * no sensitivity (and no ε) can be stated for it. OLS differs: its opened Gram sums are plain
 * sums of per-row products, each bounded by the ranges.
 */
export function modelRefusal(op: 'logit' | 'cox'): string {
  const model = op === 'logit' ? 'a logistic regression' : 'a Cox model';
  return `${model} opens the end of its Newton iterations (coefficients, gradient, information matrix, log-likelihood), which depend on every row with no per-row bound this release derives, so no noise can be calibrated for them: open it without privacy to approved recipients (a policy's approval governs who sees it), fit a linear model with ols (its Gram sums take noise), or open noisy aggregates instead`;
}

/** Every operator under the aggregate must open nothing at run time (what it opened would not be protected). */
function refuseRevealingOperators(node: CheckedTable, at: string): void {
  const refuse = (why: string): never => {
    throw new PlanError(at, `${node.path}: ${why}; with privacy nothing may be opened but the noisy results`);
  };
  switch (node.op) {
    case 'scan':
      if (node.table.kind === 'append') refuse(`append table '${node.table.name}' opens how many rows its range check excluded`);
      return;
    case 'filter':
    case 'distinct':
      if (node.mode !== 'oblivious') refuse(`this ${node.op} opens how many rows it keeps (mode 'reveal-count'): use mode 'oblivious'`);
      return refuseRevealingOperators(node.input, at);
    case 'join':
      return refuse('a join can repeat one individual\'s row many times, so the contribution bound would not hold; aggregate each table on its own');
    case 'aggregate':
    case 'group-by':
    case 'crosstab':
      return refuse('an aggregate under the noisy aggregate has no sensitivity this release derives');
    case 'limit':
      return refuse('a limit lets one individual\'s rows push other rows out, so a row can change the result by more than its own value');
    case 'rank':
      return refuse('a rank depends on every other row (one added row shifts the ranks of all rows above it), so a row can change a sum of ranks by far more than its own rank; aggregate the values, not their ranks');
    case 'logit':
    case 'cox':
      return refuse(modelRefusal(node.op));
    case 'concat':
      for (const i of node.inputs) refuseRevealingOperators(i, at);
      return;
    default:
      return refuseRevealingOperators(node.input, at);
  }
}

/** What explain() shows: the mechanism, what the query spends, and each column's noise. */
export function describePrivacy(p: CheckedPrivacy): string {
  const r = p.report;
  const spent = r.mechanism === 'laplace' ? `ε = ${r.epsilon} (pure ε-DP up to δ ≤ ${r.delta!.toExponential(1)} from the noise's 2^-40 truncation)` : `ρ = ${r.rho} (ρ-zCDP; sampled within total variation ${r.totalVariation.toExponential(1)} of the ideal noise)`;
  const columns = r.columns.map((c) => `${c.column}: sensitivity ${c.sensitivity}, ${c.epsilon !== undefined ? `ε ${c.epsilon}` : `ρ ${c.rho}`}, noise sd ${c.standardDeviation.toPrecision(3)}`).join('; ');
  const suppressed = r.suppressBelow !== undefined ? `; groups whose noisy count is below ${r.suppressBelow} are suppressed inside MPC (the recipient sees which, never their counts)` : '';
  return `discrete ${r.mechanism === 'laplace' ? 'Laplace' : 'Gaussian'} noise added inside MPC, spending ${spent}, ${r.contributions} row${r.contributions === 1 ? '' : 's'} per individual: ${columns}${suppressed}`;
}
