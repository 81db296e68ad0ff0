/**
 * What one aggregate is, as a registry entry (plan/registry.ts): its name, which column it takes
 * (type rule), how it is computed in MPC, and how its opened parts decode. Its range rule follows
 * from its terms: every term is a sum over rows, so its range is the column's range (or [0, 1])
 * times the bound on the rows, checked against the ring at plan time.
 */

import { IntegrityError } from '../../errors.js';
import type { ColumnFacts } from '../types.js';

/**
 * One term of an aggregate over the valid rows of the input (or of a group), its implementation
 * hook. Linear terms are sums (ops/aggregate.ts evaluates all of a node's in one batch):
 *   rows: the number of valid rows; present: valid rows where the column is not null;
 *   values: the column's values over valid rows (nulls are 0, so they add nothing).
 * The others need the group-by kernels (ops/group-by.ts):
 *   squares: the sum of the squared values (one batched multiplication first);
 *   min / max: the least / greatest non-null value, null where there is none (a segmented scan);
 *   distinct: the number of distinct non-null values (ops/distinct-marks.ts: a sort by group and
 *   value, then a sum of the rows that start a run of equal values);
 *   quantile-lower / -upper / -fraction: the two order statistics a quantile interpolates between
 *   and the weight of the upper one (ops/quantiles.ts: a sort, then oblivious selection).
 */
export interface LinearTerm {
  readonly part: string;
  readonly of: TermKind;
}

export type TermKind = 'rows' | 'present' | 'values' | 'squares' | 'min' | 'max' | 'distinct' | 'quantile-lower' | 'quantile-upper' | 'quantile-fraction'
  | 'pair-count' | 'pair-x' | 'pair-y' | 'pair-xy' | 'pair-xx' | 'pair-yy';

/** Whether a term is a plain sum over rows (count, sum, mean), computable without a kernel. */
export function isLinearTerm(t: LinearTerm): boolean {
  return t.of === 'rows' || t.of === 'present' || t.of === 'values';
}

/** An opened aggregate, decoded for a person or a program. */
export interface DecodedValue {
  /** A number; integer sums beyond 2^53 as a bigint; NaN for a mean, min, max, var or std of nothing (SQL's null; client/result.ts makes it null in a result's table). */
  readonly value: number | bigint;
  /** The exact value as decimal text, where there is one (counts, sums). */
  readonly exact?: string;
  /** The parts a quotient was made of (a mean's sum and count). */
  readonly sum?: number | bigint;
  readonly count?: number;
}

export interface AggregateFunction {
  readonly name: string;
  /** One line, for help texts and the API description. */
  readonly description: string;
  /** Whether the aggregate takes a column. */
  readonly column: 'none' | 'optional' | 'required';
  /**
   * A quantile's fraction p in millionths (functions/quantile.ts): fixed (median: 500000), or
   * 'argument' when the plan gives it (the aggregate spec's `p`). Absent for everything else.
   */
  readonly fraction?: bigint | 'argument';
  /** Whether it takes a second column (the aggregate spec's `other`): corr, covar_samp. */
  readonly pair?: boolean;
  /** Type rule: undefined when the column's type fits, else what is wrong and what would fit. */
  typeRule(column: ColumnFacts): string | undefined;
  /** MPC implementation: the sums it opens. */
  terms(column: ColumnFacts | undefined): readonly LinearTerm[];
  /** Decoding: from the opened parts (signed ring values) and the column's scale. */
  decode(parts: ReadonlyMap<string, bigint>, scale: number): DecodedValue;
}

/** Integer, decimal and boolean columns: the kinds whose values add up to something meaningful. */
export function numericRule(fn: string): (column: ColumnFacts) => string | undefined {
  return (c) => (c.kind === 'integer' || c.kind === 'decimal' || c.kind === 'boolean' ? undefined : `cannot ${fn} column '${c.name}': it is a ${c.kind} column (${fn} works on integer, decimal and boolean columns; count works on any)`);
}

export function part(parts: ReadonlyMap<string, bigint>, name: string): bigint {
  const v = parts.get(name);
  if (v === undefined) throw new IntegrityError(`the opened result lacks its '${name}' part`);
  return v;
}

/** An integer as a number when it is exactly one, else as a bigint. */
export function asNumberIfSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
