/**
 * Min and max of whole columns by a tournament: each level compares the first half of the
 * remaining values with the second half (one batched less-than for every column: 8 rounds,
 * ~32 bytes per pair), injects the bits (2 rounds, 8 bytes) and selects (1 round, 8 bytes), so
 * n - 1 comparisons and ceil(log2 n) levels of 11 rounds in all (a segmented scan would compare
 * n per level). Nothing is opened. Exact when any two values of a column differ by less than
 * 2^63 (compare.ts lt). An empty column has no extreme: the caller supplies what stands for it.
 */

import { UsageError } from '../../errors.js';
import { mul } from '../protocols/arith.js';
import { lt } from '../protocols/compare.js';
import { bitInject } from '../protocols/convert.js';
import type { Session } from '../session.js';
import { AShare, addA, concatA, splitA, subA } from '../shares.js';
import type { ScanColumn } from './segmented-scan.js';

/** One element per column: its least ('min') or greatest ('max') value. Columns of equal length ≥ 1. */
export async function columnExtremes(s: Session, columns: readonly ScanColumn[]): Promise<AShare> {
  if (columns.length === 0) return AShare.zeros(0);
  const n = columns[0].values.length;
  if (n === 0 || columns.some((c) => c.values.length !== n)) throw new UsageError(`columnExtremes: columns of equal length of at least 1 row (got ${columns.map((c) => c.values.length).join(', ')})`);
  let x = columns.map((c) => c.values);
  let m = n;
  while (m > 1) {
    const h = Math.floor(m / 2);
    const first = x.map((v) => v.slice(0, h)), second = x.map((v) => v.slice(h, 2 * h));
    // take[i] = 1 when the second value wins: second < first (min) or first < second (max).
    const left = concatA(columns.map((c, k) => (c.op === 'min' ? second[k] : first[k])));
    const right = concatA(columns.map((c, k) => (c.op === 'min' ? first[k] : second[k])));
    const take = await bitInject(s, await lt(s, left, right));
    const deltas = splitA(await mul(s, take, concatA(columns.map((_, k) => subA(second[k], first[k])))), columns.map(() => h));
    x = x.map((v, k) => {
      const winners = addA(first[k], deltas[k]);
      return m % 2 === 1 ? concatA([winners, v.slice(2 * h, m)]) : winners;
    });
    m = h + (m % 2);
  }
  return concatA(x);
}
