/**
 * One-way analysis of variance from group summaries (moments.ts): the between-group and
 * within-group sums of squares, F = (SSB / (k − 1)) / (SSW / (N − k)) and its upper-tail p-value.
 */

import { UsageError } from '../errors.js';
import { fisherUpper } from './distributions.js';
import type { Summary } from './moments.js';

export interface AnovaResult {
  readonly groups: number;
  readonly n: number;
  readonly sumSquaresBetween: number;
  readonly sumSquaresWithin: number;
  readonly dfBetween: number;
  readonly dfWithin: number;
  readonly f: number;
  readonly p: number;
}

export function oneWayAnova(groups: readonly Summary[]): AnovaResult {
  const used = groups.filter((g) => g.n > 0);
  if (used.length < 2) throw new UsageError(`an analysis of variance needs at least two non-empty groups, it has ${used.length}`);
  const n = used.reduce((a, g) => a + g.n, 0);
  if (n <= used.length) throw new UsageError(`an analysis of variance needs more values (${n}) than groups (${used.length})`);
  const grand = used.reduce((a, g) => a + g.n * g.mean, 0) / n;
  const between = used.reduce((a, g) => a + g.n * (g.mean - grand) ** 2, 0);
  const within = used.reduce((a, g) => a + (g.n > 1 ? (g.n - 1) * g.variance : 0), 0);
  const dfBetween = used.length - 1, dfWithin = n - used.length;
  if (!(within > 0)) throw new UsageError('every group is constant: the F statistic is undefined');
  const f = between / dfBetween / (within / dfWithin);
  return { groups: used.length, n, sumSquaresBetween: between, sumSquaresWithin: within, dfBetween, dfWithin, f, p: fisherUpper(f, dfBetween, dfWithin) };
}
