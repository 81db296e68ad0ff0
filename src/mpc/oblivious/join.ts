/**
 * Primary-key to foreign-key join, sort-based (ORQ, SOSP'25; the same idea as Asharov et al.
 * and MRR20's oblivious joins): no node learns which rows matched.
 *
 * 1. Stack the two tables: the primary table's rows, then the foreign table's, with a public
 *    origin column (0 primary, 1 foreign) and each side's payload padded with zeros on the other.
 * 2. Sort by key (sort.ts sortByKey). The sort is stable and primary rows come first in the stack,
 *    so within a key the primary row (if any) precedes its foreign rows.
 * 3. Group flags of the sorted keys (group-flags.ts: 9 rounds).
 * 4. One segmented sum (segmented-scan.ts, 1 round per level) of "is primary" and of the primary
 *    payload: as the primary payload is zero on foreign rows and at most one primary row leads a
 *    group, the running sum copies the primary row's payload down to its foreign rows, and
 *    "is primary" summed says whether the group has its primary row.
 * 5. The declared uniqueness of the primary key is checked, not trusted: the number of primary
 *    rows that follow a primary row of the same key is one inner product, opened (2 rounds); a
 *    duplicate is refused (UsageError) instead of summing two rows' payloads into a wrong answer.
 *    This opens 0 when the data keep the declaration.
 * 6. matched = is foreign AND its group has a primary row (1 round). An inner join keeps the
 *    matched foreign rows, a left join (the foreign table on the left) keeps every foreign row,
 *    with zeros for the primary payload and matched = 0 where there was no primary row.
 * 7. Either compaction (compact.ts, 4 rounds: reveals the output row count), or all
 *    n_primary + n_foreign rows with a secret validity column (reveals nothing).
 *
 * Cost: one sort of n_primary + n_foreign rows carrying both payloads, the flags (~24 bytes per
 * row), ceil(log2 n) scan levels of 8 bytes per row and primary payload column, and 3 rounds.
 */

import { UsageError } from '../../errors.js';
import { mul } from '../protocols/arith.js';
import { innerProducts } from '../protocols/inner-products.js';
import { open } from '../protocols/io.js';
import { sortByKey } from '../protocols/sort.js';
import { publicA } from '../sharing.js';
import type { Session } from '../session.js';
import { AShare, concatA } from '../shares.js';
import { compact } from './compact.js';
import { groupFlags } from './group-flags.js';
import { segmentedScan } from './segmented-scan.js';

export interface JoinSide {
  readonly key: AShare;
  readonly payload: readonly AShare[];
}

export type JoinHow = 'inner' | 'left';
export type JoinMode = 'reveal-count' | 'oblivious';

export interface Joined {
  readonly key: AShare;
  /** The primary table's payload on each output row (zeros where no primary row matched). */
  readonly primary: AShare[];
  readonly foreign: AShare[];
  /** 1 where the foreign row found its primary row (a left join's null marker). */
  readonly matched: AShare;
  /** 'oblivious' only: 1 on the output rows, 0 on the others. */
  readonly valid?: AShare;
  /** 'reveal-count' only: the number of output rows (public). */
  readonly count?: number;
}

export async function pkFkJoin(s: Session, primary: JoinSide, foreign: JoinSide, how: JoinHow, mode: JoinMode): Promise<Joined> {
  const nP = primary.key.length, nF = foreign.key.length, n = nP + nF;
  for (const [side, t] of [['primary', primary], ['foreign', foreign]] as const) {
    for (const c of t.payload) if (c.length !== t.key.length) throw new UsageError(`pkFkJoin: a ${side} payload column has ${c.length} rows, its key ${t.key.length}`);
  }
  const origin = new BigUint64Array(n).fill(1n, nP);
  const isPrimary = publicA(s.me, new BigUint64Array(n).fill(1n, 0, nP));
  const pad = (c: AShare, before: number, after: number): AShare => concatA([AShare.zeros(before), c, AShare.zeros(after)]);
  const sorted = await sortByKey(s, concatA([primary.key, foreign.key]), [
    isPrimary,
    publicA(s.me, origin),
    ...primary.payload.map((c) => pad(c, 0, nF)),
    ...foreign.payload.map((c) => pad(c, nP, 0)),
  ]);
  const [sortedPrimary, sortedForeign, ...payloads] = sorted.payload;
  const flags = await groupFlags(s, sorted.key);
  const [hasPrimary, ...copied] = await segmentedScan(s, flags.continues, [sortedPrimary, ...payloads.slice(0, primary.payload.length)].map((values) => ({ values, op: 'sum' as const })));
  const duplicates = (await open(s, await innerProducts(s, [flags.continues], [sortedPrimary])))[0];
  if (duplicates !== 0n) throw new UsageError(`pkFkJoin: the primary key is not unique (${duplicates} rows repeat a key of the primary table); deduplicate it or join it as many-to-many`);
  const matched = await mul(s, sortedForeign, hasPrimary);
  const valid = how === 'inner' ? matched : sortedForeign;
  const columns = [sorted.key, ...copied, ...payloads.slice(primary.payload.length), matched];
  const split = (cols: AShare[]): Omit<Joined, 'valid' | 'count'> => ({
    key: cols[0],
    primary: cols.slice(1, 1 + primary.payload.length),
    foreign: cols.slice(1 + primary.payload.length, cols.length - 1),
    matched: cols[cols.length - 1],
  });
  if (mode === 'oblivious') return { ...split(columns), valid };
  const kept = await compact(s, columns, valid);
  return { ...split(kept.columns), count: kept.count };
}
