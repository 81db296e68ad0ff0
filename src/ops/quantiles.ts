/**
 * Exact quantiles of whole tables (plan/functions/quantile.ts): for each column, a secret sort
 * (ops/sort.ts: invalid rows and nulls last, so the n non-null valid values come first in
 * ascending order), then oblivious selection of the two order statistics each quantile needs.
 *
 * The count n stays secret. For p = A/D (D = 10^6) the lower index is ⌊(n − 1)·A / D⌋, the last
 * sorted position i with i·D ≤ T = (n − 1)·A: ONE comparison vector ind_i = [i·D ≤ T] over the
 * rows finds it, and the differences ind_i − ind_{i+1} (a one-hot vector) select x_lo by an inner
 * product; ind_{i−1} − ind_i selects x_{lo+1}. lo = Σ ind − 1 is then linear, and so is the
 * interpolation weight r = T − lo·D ∈ [0, D). The upper statistic is x_{lo+1} only where r > 0
 * (else x_lo: a row beyond the quantile never opens), and every part is multiplied by [n > 0]
 * so an empty input opens zeros, never a filtered-out row's value.
 *
 * Cost per column (N rows, k quantiles of it): one sort, k·N + k comparisons (8 rounds), their
 * injection (2 rounds), one inner-product round for all selections, one comparison of k values
 * and two multiplication rounds. Reveals nothing; opens lower, upper, r and [n > 0] per quantile.
 */

import { dot, mul } from '../mpc/protocols/arith.js';
import { lt } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA, sumA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import { FRACTION_UNIT } from '../plan/functions/quantile.js';
import type { ColumnFacts } from '../plan/types.js';
import type { SecretTable } from '../secret/secret-table.js';
import { sortTable } from './sort.js';

export interface QuantileRequest {
  readonly column: ColumnFacts;
  /** p in millionths. */
  readonly fraction: bigint;
}

/** One element each: the parts a quantile opens (functions/quantile.ts). */
export interface QuantileParts {
  readonly lower: AShare;
  readonly upper: AShare;
  readonly fraction: AShare;
  /** [n > 0]: the quantile exists. */
  readonly present: AShare;
}

export async function quantiles(s: Session, table: SecretTable, requests: readonly QuantileRequest[]): Promise<QuantileParts[]> {
  const out = new Array<QuantileParts>(requests.length);
  const names = [...new Set(requests.map((r) => r.column.name))];
  for (const name of names) {
    const mine = requests.map((r, i) => ({ r, i })).filter(({ r }) => r.column.name === name);
    const parts = await columnQuantiles(s, table, mine[0].r.column, mine.map(({ r }) => r.fraction));
    mine.forEach(({ i }, k) => (out[i] = parts[k]));
  }
  return out;
}

async function columnQuantiles(s: Session, table: SecretTable, column: ColumnFacts, fractions: readonly bigint[]): Promise<QuantileParts[]> {
  const rows = table.rows;
  const k = fractions.length;
  if (rows === 0) return fractions.map(() => ({ lower: AShare.zeros(1), upper: AShare.zeros(1), fraction: AShare.zeros(1), present: AShare.zeros(1) }));
  const key = { column, descending: false, nullsFirst: false };
  const values = (await sortTable(s, [key], table.select([column.name]))).table.column(column.name).values;
  const n = await nonNullCount(s, table, column.name);
  const D = FRACTION_UNIT;
  // T = (n − 1)·A per quantile; ind_i = [i·D < T + 1] over the sorted positions, and [0 < n].
  const thresholds = fractions.map((a) => scaleA(addConstA(s.me, n, -1n), a));
  const positions = publicA(s.me, BigUint64Array.from({ length: rows }, (_, i) => BigInt(i) * D));
  const left = concatA([...fractions.map(() => positions), AShare.zeros(k)]);
  const right = concatA([...thresholds.map((t) => broadcast(addConstA(s.me, t, 1n), rows)), ...fractions.map(() => n)]);
  const bits = splitA(await bitInject(s, await lt(s, left, right)), [...fractions.map(() => rows), k]);
  const present = splitA(bits[k], fractions.map(() => 1));
  // One-hot at lo (ind_i − ind_{i+1}) and at lo + 1 (ind_{i−1} − ind_i, with ind_{−1} = 1).
  const selectors = bits.slice(0, k).flatMap((ind) => {
    const after = concatA([ind.slice(1, rows), AShare.zeros(1)]);
    const before = concatA([publicA(s.me, BigUint64Array.of(1n)), ind.slice(0, rows - 1)]);
    return [subA(ind, after), subA(before, ind)];
  });
  const picked = splitA(await dot(s, concatA(selectors), concatA(selectors.map(() => values)), rows), selectors.map(() => 1));
  // r = T − lo·D with lo = Σ ind − 1: the weight of x_{lo+1}, in millionths.
  const weights = thresholds.map((t, j) => subA(t, scaleA(addConstA(s.me, sumA(bits[j]), -1n), D)));
  const inside = await bitInject(s, await lt(s, AShare.zeros(k), concatA(weights)));
  const lower = picked.filter((_, i) => i % 2 === 0);
  const gaps = concatA(picked.map((_, i) => i).filter((i) => i % 2 === 1).map((i) => subA(picked[i], picked[i - 1])));
  const upper = splitA(addA(concatA(lower), await mul(s, inside, gaps)), fractions.map(() => 1));
  const gate = concatA([...present, ...present, ...present]);
  const gated = splitA(await mul(s, gate, concatA([...lower, ...upper, ...weights])), [k, k, k]);
  return fractions.map((_, j) => ({
    lower: gated[0].slice(j, j + 1),
    upper: gated[1].slice(j, j + 1),
    fraction: gated[2].slice(j, j + 1),
    present: present[j],
  }));
}

/** The number of valid rows where the column is not null, as one shared element. */
async function nonNullCount(s: Session, table: SecretTable, name: string): Promise<AShare> {
  const c = table.column(name);
  if (table.validity.kind === 'all') return c.present ? sumA(c.present) : publicA(s.me, BigUint64Array.of(BigInt(table.rows)));
  const valid = table.validity.share;
  return dot(s, valid, c.present ?? valid, table.rows);
}

/** One shared element repeated `n` times (a local copy of its components). */
function broadcast(x: AShare, n: number): AShare {
  return new AShare(new BigUint64Array(n).fill(x.a[0]), new BigUint64Array(n).fill(x.b[0]));
}
