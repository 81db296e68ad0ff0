/**
 * Exact quantiles (plan/functions/quantile.ts), of whole tables and per group on the one-hot
 * path. A whole table's column whose count of values is public (no nulls, no filter) is selected
 * without a sort (ops/quantile-selection.ts). Otherwise, for each column, a secret sort (whole: ops/sort.ts, invalid rows and nulls last; per
 * group: by (group index, value), rows without a value last), then oblivious selection of the two
 * order statistics each quantile needs.
 *
 * Counts stay secret. Group g's values sit at sorted positions s_g … s_g + n_g − 1, where s_g is
 * the count of the groups before it (0 for a whole table). For p = A/D (D = 10^6) the lower
 * statistic is at s_g + ⌊(n_g − 1)·A / D⌋, the last position i with i·D ≤ T_g = s_g·D + (n_g − 1)·A:
 * ONE comparison vector ind_i = [i·D ≤ T_g] over the rows finds it, and the differences
 * ind_i − ind_{i+1} (a one-hot vector) select x_lo by an inner product; ind_{i−1} − ind_i selects
 * x_{lo+1}. lo = Σ ind − 1 is then linear, and so is the interpolation weight r = T_g − lo·D ∈
 * [0, D). The upper statistic is x_{lo+1} only where r > 0 (else x_lo: a row beyond the quantile
 * never opens), and every part is multiplied by [n_g > 0] so an empty group opens zeros, never
 * another row's value.
 *
 * Cost per column (N rows, k quantiles of it, d groups): one sort, k·d·N + d comparisons (8
 * rounds) and their injection (2 rounds), one inner-product round for all selections, one
 * comparison of k·d values and two multiplication rounds; per group also the weight and key
 * (one multiplication round) and the counts (one one-hot pass). Reveals nothing; opens lower,
 * upper, r and [n_g > 0] per quantile and group.
 */

import { dot, mul } from '../mpc/protocols/arith.js';
import { lt } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { sortByKey } from '../mpc/protocols/sort.js';
import { groupByDomain } from '../mpc/oblivious/one-hot.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA, sumA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import { FRACTION_UNIT } from '../plan/functions/quantile.js';
import { bitLength } from '../plan/sort-layout.js';
import type { ColumnFacts } from '../plan/types.js';
import type { SecretTable } from '../secret/secret-table.js';
import { quantilesBySelection, selectable } from './quantile-selection.js';
import { sortTable } from './sort.js';

export interface QuantileRequest {
  readonly column: ColumnFacts;
  /** p in millionths. */
  readonly fraction: bigint;
}

/** One element per group (one for a whole table): the parts a quantile opens (functions/quantile.ts). */
export interface QuantileParts {
  readonly lower: AShare;
  readonly upper: AShare;
  readonly fraction: AShare;
  /** [n > 0]: the quantile exists. */
  readonly present: AShare;
}

/** The rows' group index in [0, d) (d for rows that are not valid: ops/group-key.ts), per group. */
export interface QuantileGroups {
  readonly index: AShare;
  readonly d: number;
}

export async function quantiles(s: Session, table: SecretTable, requests: readonly QuantileRequest[], groups?: QuantileGroups): Promise<QuantileParts[]> {
  const out = new Array<QuantileParts>(requests.length);
  // A public count (ops/quantile-selection.ts): every such column's ranks in one selection, no sort.
  const chosen = groups ? [] : requests.map((r, i) => ({ r, i })).filter(({ r }) => selectable(table, r.column));
  if (chosen.length > 0) (await quantilesBySelection(s, table, chosen.map(({ r }) => r))).forEach((p, k) => (out[chosen[k].i] = p));
  const names = [...new Set(requests.filter((_, i) => out[i] === undefined).map((r) => r.column.name))];
  for (const name of names) {
    const mine = requests.map((r, i) => ({ r, i })).filter(({ r }) => r.column.name === name);
    const parts = await columnQuantiles(s, table, mine[0].r.column, mine.map(({ r }) => r.fraction), groups);
    mine.forEach(({ i }, k) => (out[i] = parts[k]));
  }
  return out;
}

async function columnQuantiles(s: Session, table: SecretTable, column: ColumnFacts, fractions: readonly bigint[], groups: QuantileGroups | undefined): Promise<QuantileParts[]> {
  const d = groups?.d ?? 1;
  if (table.rows === 0) return fractions.map(() => ({ lower: AShare.zeros(d), upper: AShare.zeros(d), fraction: AShare.zeros(d), present: AShare.zeros(d) }));
  const { values, counts } = groups ? await sortedByGroup(s, table, column, groups) : await sortedWhole(s, table, column);
  return selectOrderStatistics(s, values, counts, fractions);
}

/** The column sorted ascending, invalid rows and nulls last, and the count of valid non-null rows. */
async function sortedWhole(s: Session, table: SecretTable, column: ColumnFacts): Promise<{ values: AShare; counts: AShare }> {
  const key = { column, descending: false, nullsFirst: false };
  const values = (await sortTable(s, [key], table.select([column.name]))).table.column(column.name).values;
  const c = table.column(column.name);
  if (table.validity.kind === 'all') return { values, counts: c.present ? sumA(c.present) : publicA(s.me, BigUint64Array.of(BigInt(table.rows))) };
  const valid = table.validity.share;
  return { values, counts: await dot(s, valid, c.present ?? valid, table.rows) };
}

/**
 * The column sorted by (group index, value), rows without a value (null, or not valid) last, and
 * each group's count of values. Key: w·(index·span + v − min) + (1 − w)·d·span with w = valid ·
 * present (the index puts rows that are not valid at d, so the counts leave them out).
 */
async function sortedByGroup(s: Session, table: SecretTable, column: ColumnFacts, groups: QuantileGroups): Promise<{ values: AShare; counts: AShare }> {
  const { index, d } = groups;
  const c = table.column(column.name);
  const span = column.max - column.min + 1n;
  const outside = BigInt(d) * span;
  const placed = addA(scaleA(index, span), addConstA(s.me, c.values, -column.min));
  // Rows without a value (null, or not valid: their values may be anything) sort last: w·(placed − d·span) + d·span.
  const valid = table.validity.kind === 'secret' ? table.validity.share : undefined;
  const weight = valid && c.present ? await mul(s, valid, c.present) : (valid ?? c.present);
  const key = weight ? addConstA(s.me, await mul(s, weight, addConstA(s.me, placed, -outside)), outside) : placed;
  const sorted = await sortByKey(s, key, [c.values], { keyBits: bitLength(outside) });
  const counted = await groupByDomain(s, index, d, c.present ? [c.present] : []);
  return { values: sorted.payload[0], counts: c.present ? counted.sums[0] : counted.counts };
}

/** Per quantile, per group: the two order statistics, the weight and [n > 0] (see the header). */
async function selectOrderStatistics(s: Session, values: AShare, counts: AShare, fractions: readonly bigint[]): Promise<QuantileParts[]> {
  const rows = values.length;
  const d = counts.length;
  const k = fractions.length;
  const D = FRACTION_UNIT;
  // s_g: the values of the groups before g (a local prefix sum).
  const starts = AShare.zeros(d);
  for (let g = 1; g < d; g++) {
    starts.a[g] = starts.a[g - 1] + counts.a[g - 1];
    starts.b[g] = starts.b[g - 1] + counts.b[g - 1];
  }
  // T_{j,g} = s_g·D + (n_g − 1)·A_j, quantile-major.
  const thresholds = fractions.map((a) => addA(scaleA(starts, D), scaleA(addConstA(s.me, counts, -1n), a)));
  const each = (t: AShare): AShare[] => splitA(t, Array.from({ length: d }, () => 1));
  const cells = thresholds.flatMap(each);
  const positions = publicA(s.me, BigUint64Array.from({ length: rows }, (_, i) => BigInt(i) * D));
  const left = concatA([...cells.map(() => positions), AShare.zeros(d)]);
  const right = concatA([...cells.map((t) => broadcast(addConstA(s.me, t, 1n), rows)), counts]);
  const bits = splitA(await bitInject(s, await lt(s, left, right)), [...cells.map(() => rows), d]);
  const nonEmpty = bits[cells.length];
  const indicators = bits.slice(0, cells.length);
  // One-hot at lo (ind_i − ind_{i+1}) and at lo + 1 (ind_{i−1} − ind_i, with ind_{−1} = 1).
  const selectors = indicators.flatMap((ind) => {
    const after = concatA([ind.slice(1, rows), AShare.zeros(1)]);
    const before = concatA([publicA(s.me, BigUint64Array.of(1n)), ind.slice(0, rows - 1)]);
    return [subA(ind, after), subA(before, ind)];
  });
  const picked = splitA(await dot(s, concatA(selectors), concatA(selectors.map(() => values)), rows), selectors.map(() => 1));
  const lower = concatA(picked.filter((_, i) => i % 2 === 0));
  const next = concatA(picked.filter((_, i) => i % 2 === 1));
  // r = T − lo·D with lo = Σ ind − 1: the weight of x_{lo+1}, in millionths.
  const weights = concatA(cells.map((t, c) => subA(t, scaleA(addConstA(s.me, sumA(indicators[c]), -1n), D))));
  const inside = await bitInject(s, await lt(s, AShare.zeros(k * d), weights));
  const upper = addA(lower, await mul(s, inside, subA(next, lower)));
  const present = concatA(fractions.map(() => nonEmpty));
  const gated = splitA(await mul(s, concatA([present, present, present]), concatA([lower, upper, weights])), [k * d, k * d, k * d]);
  return fractions.map((_, j) => ({
    lower: gated[0].slice(j * d, (j + 1) * d),
    upper: gated[1].slice(j * d, (j + 1) * d),
    fraction: gated[2].slice(j * d, (j + 1) * d),
    present: nonEmpty,
  }));
}

/** One shared element repeated `n` times (a local copy of its components). */
function broadcast(x: AShare, n: number): AShare {
  return new AShare(new BigUint64Array(n).fill(x.a[0]), new BigUint64Array(n).fill(x.b[0]));
}
