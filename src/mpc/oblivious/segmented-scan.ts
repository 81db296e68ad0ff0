/**
 * Segmented inclusive scans (sum, min, max) over rows grouped into contiguous segments, by the
 * Hillis–Steele doubling scan (Hillis & Steele 1986) with the segment flags carried along, as in
 * Sharemind's and ORQ's aggregation networks.
 *
 * State per row: the partial aggregate x[i] over rows max(start(i), i - w + 1)..i, and
 * g[i] = 1 when row i - w still lies in row i's segment (w = the window, doubling every level;
 * initially g = "continues", w = 1). A level of step d updates the rows i >= d:
 *   sum:      x[i] += g[i] * x[i-d]
 *   min/max:  x[i] += g[i] * c[i] * (x[i-d] - x[i]),  c[i] = [x[i-d] < x[i]] (min) or [x[i] < x[i-d]] (max)
 *   flags:    g[i]  = g[i] * g[i-d]
 * After ceil(log2 n) levels, every row holds the aggregate of its segment up to itself, so the
 * last row of each segment holds the segment's aggregate.
 *
 * Per level, all columns travel together: sums alone take 1 round (8 bytes per row and column,
 * plus 8 for the flags); with min/max columns, one batched less-than (8 rounds, ~32 bytes per row
 * and column), its bit injection (2 rounds, 8 bytes), the products with g (1 round, sums
 * included) and the selection (1 round): 12 rounds. ceil(log2 n) levels in all. Nothing is opened.
 *
 * Ranges: sums wrap mod 2^64 (the caller bounds them); min/max compare with lt, exact when any
 * two values of a column differ by less than 2^63, e.g. all in [-2^62, 2^62).
 */

import { UsageError } from '../../errors.js';
import { mul } from '../protocols/arith.js';
import { lt } from '../protocols/compare.js';
import { bitInject } from '../protocols/convert.js';
import type { Session } from '../session.js';
import { AShare, concatA, splitA, subA } from '../shares.js';

export type ScanOp = 'sum' | 'min' | 'max';

export interface ScanColumn {
  readonly values: AShare;
  readonly op: ScanOp;
}

/**
 * Inclusive segmented scans of each column. `continues[i]` is an arithmetic 0/1 share: 1 when
 * row i belongs to the segment of row i-1 (group-flags.ts computes it for sorted keys).
 */
export async function segmentedScan(s: Session, continues: AShare, columns: readonly ScanColumn[]): Promise<AShare[]> {
  const n = continues.length;
  for (const c of columns) if (c.values.length !== n) throw new UsageError(`segmentedScan: a column has ${c.values.length} rows, the flags ${n}`);
  const x = columns.map((c) => copy(c.values));
  const extremes = columns.map((c, k) => (c.op === 'sum' ? -1 : k)).filter((k) => k >= 0);
  const sums = columns.map((c, k) => (c.op === 'sum' ? k : -1)).filter((k) => k >= 0);
  let g = copy(continues);
  for (let d = 1; d < n; d *= 2) {
    const m = n - d;
    const own = (v: AShare): AShare => v.slice(d, n);
    const back = (v: AShare): AShare => v.slice(0, m);
    const lastLevel = 2 * d >= n;
    // Which rows take their neighbour's extreme: [x[i-d] < x[i]] for min, [x[i] < x[i-d]] for max.
    let better: AShare[] = [];
    if (extremes.length > 0) {
      const left = concatA(extremes.map((k) => (columns[k].op === 'min' ? back(x[k]) : own(x[k]))));
      const right = concatA(extremes.map((k) => (columns[k].op === 'min' ? own(x[k]) : back(x[k]))));
      better = splitA(await bitInject(s, await lt(s, left, right)), extremes.map(() => m));
    }
    // One round: g times (the better bits, the neighbours' sums, the neighbours' flags).
    const gi = own(g);
    const rights = [...better, ...sums.map((k) => back(x[k])), ...(lastLevel ? [] : [back(g)])];
    const products = splitA(await mul(s, concatA(rights.map(() => gi)), concatA(rights)), rights.map(() => m));
    sums.forEach((k, j) => addInto(x[k], d, products[extremes.length + j]));
    if (extremes.length > 0) {
      // One round: the selection x[i] += take[i] * (x[i-d] - x[i]).
      const take = concatA(products.slice(0, extremes.length));
      const diffs = concatA(extremes.map((k) => subA(back(x[k]), own(x[k]))));
      const deltas = splitA(await mul(s, take, diffs), extremes.map(() => m));
      extremes.forEach((k, j) => addInto(x[k], d, deltas[j]));
    }
    if (!lastLevel) {
      const next = AShare.zeros(n);
      next.a.set(products[products.length - 1].a, d);
      next.b.set(products[products.length - 1].b, d);
      g = next;
    }
  }
  return x;
}

function copy(x: AShare): AShare {
  return new AShare(x.a.slice(), x.b.slice());
}

/** x[d + i] += y[i] for all i (in place). */
function addInto(x: AShare, d: number, y: AShare): void {
  const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
  for (let i = 0; i < ya.length; i++) {
    xa[d + i] += ya[i];
    xb[d + i] += yb[i];
  }
}
