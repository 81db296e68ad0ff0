/**
 * Group-by on a key of any domain (identifiers, large ranges): sort, then segmented scans
 * (the sort-based aggregation of Sharemind and of ORQ, SOSP'25).
 *
 * 1. Sort the rows by the key, carrying the aggregated columns (sort.ts sortByKey: shuffle,
 *    then quicksort on opened comparisons of shuffled rows; reveals nothing).
 * 2. Group flags from the equality of adjacent keys (group-flags.ts: 9 rounds).
 * 3. One segmented scan for the count (a column of public ones), the sums, mins and maxes
 *    (segmented-scan.ts): the last row of each group holds the group's aggregates.
 * 4. Either compaction on the "last row of its group" bit (compact.ts: 4 rounds), which reveals
 *    the number of groups and yields one row per group in a random order; or, obliviously, all n
 *    rows with a secret validity column (1 on each group's last row) and nothing revealed.
 *
 * Cost: one sort of n rows, ~16 + 8 bytes per row for the flags, and ceil(log2 n) scan levels
 * (1 round each with sums only, 12 with min/max). What is revealed: nothing, or the number of
 * groups (mode 'reveal-groups').
 */

import { sortByKey } from '../protocols/sort.js';
import { publicA } from '../sharing.js';
import type { Session } from '../session.js';
import type { AShare } from '../shares.js';
import { compact } from './compact.js';
import { groupFlags } from './group-flags.js';
import { segmentedScan, type ScanColumn } from './segmented-scan.js';

export type GroupMode = 'reveal-groups' | 'oblivious';

export interface KeyedGroups {
  /** One row per group ('reveal-groups'), or every row ('oblivious'). */
  readonly key: AShare;
  readonly count: AShare;
  /** One column per requested aggregate, in the order asked. */
  readonly aggregates: AShare[];
  /** 'oblivious' only: 1 on the rows that hold a group's result, 0 elsewhere. */
  readonly valid?: AShare;
  /** 'reveal-groups' only: the number of groups (public). */
  readonly groups?: number;
}

export async function groupByKey(s: Session, key: AShare, aggregates: readonly ScanColumn[], mode: GroupMode): Promise<KeyedGroups> {
  const n = key.length;
  const sorted = await sortByKey(s, key, aggregates.map((c) => c.values));
  const flags = await groupFlags(s, sorted.key);
  const ones = publicA(s.me, new BigUint64Array(n).fill(1n));
  const scanned = await segmentedScan(s, flags.continues, [{ values: ones, op: 'sum' }, ...aggregates.map((c, k) => ({ values: sorted.payload[k], op: c.op }))]);
  const [count, ...results] = scanned;
  if (mode === 'oblivious') return { key: sorted.key, count, aggregates: results, valid: flags.last };
  const kept = await compact(s, [sorted.key, count, ...results], flags.last);
  const [k, c, ...rest] = kept.columns;
  return { key: k, count: c, aggregates: rest, groups: kept.count };
}
