/**
 * Checks an open root's `privacy` (privacy/spec.ts) against the checked plan and fixes the noise:
 * which result columns get it, each one's sensitivity, and the public threshold table every node
 * builds identically from the plan (privacy/noise-tables.ts). docs/statistics.md, "Differential
 * privacy", states the rules; in short:
 *
 * - Only aggregates open: count, sum and mean (its sum and its count) over a whole table, per
 *   group of a one-hot group-by, or per crosstab cell. Group keys open as they are (every
 *   declared combination is listed whatever the data, so they say nothing about it).
 * - Sensitivity (neighbouring data: one individual's rows added or removed, at most
 *   `contributions` = c of them): a count column c; a sum column c·max(|lo|, |hi|) for the summed
 *   column's declared range [lo, hi] (stored units). Groups are disjoint, so the c rows change a
 *   column's cells by at most that much in L1 (and in L2) together.
 * - Composition: the query's ε (or ρ) is split equally over its K noisy columns (basic
 *   composition for ε; zCDP adds its ρ's), so each column's cells get noise for ε/K (ρ/K).
 * - Nothing else may be opened while the data flow: every operator below must reveal nothing at
 *   run time (oblivious filters and distincts, no join, no append table, no sorting group-by),
 *   and crosstab suppression and margins are refused (suppression decides on the true counts;
 *   margins are sums the recipient can form from the noisy cells).
 */

import { PlanError } from '../errors.js';
import { gaussianTable, laplaceTable, MAX_GAUSSIAN_THRESHOLDS, type NoiseTable } from '../privacy/noise-tables.js';
import { rationalOf } from '../privacy/exact-real.js';
import type { PrivacySpec } from '../privacy/spec.js';
import type { PrivacyReport } from '../wire/api.js';
import type { CheckedTable } from './check.js';
import { RING_LIMIT, type ColumnFacts } from './types.js';

/** The most comparisons (cells × thresholds) one query's noise may take. */
export const MAX_NOISE_COMPARISONS = 1 << 21;

const NOISY_FUNCTIONS = ['count', 'sum', 'mean'];

export interface NoisyColumn {
  /** The result column (its values vector gets the noise). */
  readonly column: string;
  readonly cells: number;
  readonly table: NoiseTable;
}

export interface CheckedPrivacy {
  readonly spec: PrivacySpec;
  readonly columns: readonly NoisyColumn[];
  readonly report: PrivacyReport;
}

export function checkPrivacy(spec: PrivacySpec, input: CheckedTable, path: string): CheckedPrivacy {
  const at = `${path}/privacy`;
  const source = aggregatedInput(input, at);
  refuseRevealingOperators(source, at);
  const cells = input.type.maxRows;
  const noisy = input.type.columns.filter((c) => c.aggregate);
  if (noisy.length === 0) throw new PlanError(at, 'the result has no aggregate column to add noise to');
  for (const c of noisy) {
    const fn = c.aggregate!.fn;
    if (!NOISY_FUNCTIONS.includes(fn)) throw new PlanError(at, `'${c.aggregate!.output}' is a ${fn}: differentially private noise is added to count, sum and mean (open ${fn} without privacy, or compute it from noisy sums and counts)`);
  }
  const c = BigInt(spec.contributions ?? 1);
  const k = BigInt(noisy.length);
  const amount = rationalOf(spec.mechanism === 'laplace' ? spec.epsilon! : spec.rho!);
  const share = (spec.mechanism === 'laplace' ? spec.epsilon! : spec.rho!) / noisy.length;
  let comparisons = 0;
  const columns: NoisyColumn[] = [];
  const reported: PrivacyReport['columns'][number][] = [];
  for (const col of noisy) {
    const a = col.aggregate!;
    const sensitivity = c * unitSensitivity(col, source);
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
    columns.push({ column: col.name, cells, table });
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
  };
  return { spec, columns, report };
}

/** The aggregate node whose results open, and its input; refuses anything else at the root. */
function aggregatedInput(input: CheckedTable, at: string): CheckedTable {
  if (input.op === 'aggregate') return input.input;
  if (input.op === 'group-by') {
    if (input.group.method === 'sort') throw new PlanError(at, `this group-by has ${input.group.width} key combinations and would reveal which groups have rows; with privacy, group by keys of at most 256 combinations (every combination is listed, empty ones included)`);
    return input.input;
  }
  if (input.op === 'crosstab') {
    if (input.suppressBelow !== undefined) throw new PlanError(at, 'suppress_below decides on the true counts, which is not differentially private: leave it out (the noise protects small cells; the recipient may hide noisy counts below a threshold)');
    if (input.margins) throw new PlanError(at, 'margins would be noisy cells of their own (spending more of the budget): leave them out and add up the noisy cells after opening');
    return input.input;
  }
  throw new PlanError(at, `privacy applies to aggregates (count, sum, mean; whole, per group or per crosstab cell), not to a ${input.op === 'scan' ? 'table of rows' : `'${input.op}' result`}; aggregate the rows before opening them`);
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
    case 'concat':
      for (const i of node.inputs) refuseRevealingOperators(i, at);
      return;
    default:
      return refuseRevealingOperators(node.input, at);
  }
}

/** A row's largest change of the column (stored units): 1 for counts, max(|lo|, |hi|) of the summed column. */
function unitSensitivity(col: ColumnFacts, source: CheckedTable): bigint {
  const a = col.aggregate!;
  if (a.part === 'count') return 1n;
  const summed = source.type.columns.find((c) => c.name === a.column);
  if (!summed) throw new RangeError(`the summed column '${a.column}' is not in the aggregate's input`);
  const abs = (v: bigint): bigint => (v < 0n ? -v : v);
  const bound = abs(summed.min) > abs(summed.max) ? abs(summed.min) : abs(summed.max);
  return bound === 0n ? 1n : bound;
}

/** What explain() shows: the mechanism, what the query spends, and each column's noise. */
export function describePrivacy(p: CheckedPrivacy): string {
  const r = p.report;
  const spent = r.mechanism === 'laplace' ? `ε = ${r.epsilon} (pure ε-DP up to δ ≤ ${r.delta!.toExponential(1)} from the noise's 2^-40 truncation)` : `ρ = ${r.rho} (ρ-zCDP; sampled within total variation ${r.totalVariation.toExponential(1)} of the ideal noise)`;
  const columns = r.columns.map((c) => `${c.column}: sensitivity ${c.sensitivity}, ${c.epsilon !== undefined ? `ε ${c.epsilon}` : `ρ ${c.rho}`}, noise sd ${c.standardDeviation.toPrecision(3)}`).join('; ');
  return `discrete ${r.mechanism === 'laplace' ? 'Laplace' : 'Gaussian'} noise added inside MPC, spending ${spent}, ${r.contributions} row${r.contributions === 1 ? '' : 's'} per individual: ${columns}`;
}
