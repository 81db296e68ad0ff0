/**
 * The rows count_distinct counts (plan/functions/count-distinct.ts): per column, 1 on the first
 * valid non-null row of each run of equal (group, value), 0 elsewhere, in an order of the rows
 * sorted by (group index, value). A group's count_distinct is the sum of its rows' marks.
 *
 * 1. weight = present · valid (0/1; one multiplication when both are secret), and the value key
 *    weight · (v − min + 1): in [1, span − 1] for the rows that count, 0 for nulls and rows that
 *    are not valid (whose values may be anything), so they never share a run with a counted row.
 * 2. A stable sort (mpc/protocols/sort.ts) by index · span + value key when that fits 63 bits,
 *    else by the value key and then by the index (stable passes compose like a radix sort).
 * 3. Run starts: one batched equality of adjacent keys (ops/distinct.ts groupStarts), times the
 *    weight (one multiplication).
 *
 * Text (plan/functions/count-distinct.ts): a one-word text (maxBytes ≤ 7) is its word, a value
 * in [0, 2^56) like any integer. A text of W > 1 words is first replaced by its dense rank among
 * the n rows (ops/text-rank.ts: equal texts, equal ranks), an integer in [0, n − 1]; rows that
 * are not valid and nulls are ranked too, but their weight is 0 as above, so they are not counted.
 *
 * The marks' order is sorted by the group index, so its index sequence is the same plaintext as
 * any other stable sort by that index: the group-by kernels sum the marks with the flags and
 * one-hot indicators of their own sort (ops/group-by.ts). Nothing is opened but the sort's
 * comparisons of shuffled rows (a uniformly random permutation).
 */

import { mul } from '../mpc/protocols/arith.js';
import { sortByKey } from '../mpc/protocols/sort.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, scaleA } from '../mpc/shares.js';
import { addConstA } from '../mpc/sharing.js';
import { bitLength } from '../plan/sort-layout.js';
import { RING_LIMIT, type ColumnFacts } from '../plan/types.js';
import type { SecretColumn, SecretTable } from '../secret/secret-table.js';
import { textWordCount } from '../table/types/text.js';
import { groupStarts } from './distinct.js';
import { textRanks } from './text-rank.js';

export interface GroupIndex {
  /** Each row's group, in [0, width] (width: a row that is not valid). */
  readonly share: AShare;
  readonly width: bigint;
}

export interface DistinctMarks {
  /** The group index in the marks' order (ascending), when grouped. */
  readonly index?: AShare;
  /** Per column, the 0/1 marks. */
  readonly marks: AShare[];
}

export async function distinctMarks(s: Session, columns: readonly ColumnFacts[], table: SecretTable, group?: GroupIndex): Promise<DistinctMarks> {
  const n = table.rows;
  if (n === 0) return { ...(group ? { index: AShare.zeros(0) } : {}), marks: columns.map(() => AShare.zeros(0)) };
  const valid = table.validity.kind === 'secret' ? table.validity.share : undefined;
  let index: AShare | undefined;
  const marks: AShare[] = [];
  for (const facts of columns) {
    const c = table.column(facts.name);
    const { values, min, max } = await distinctValue(s, c, facts);
    const weight = valid && c.present ? await mul(s, valid, c.present) : (valid ?? c.present);
    const shifted = addConstA(s.me, values, 1n - min);
    const valueKey = weight ? await mul(s, weight, shifted) : shifted;
    const span = max - min + 2n;
    const carried = weight ? [weight] : [];
    let chunks: AShare[];
    let rest: AShare[];
    if (!group) {
      const out = await sortByKey(s, valueKey, carried, { keyBits: bitLength(span - 1n) });
      chunks = [out.key];
      rest = out.payload;
    } else if ((group.width + 1n) * span - 1n <= RING_LIMIT) {
      const key = addA(scaleA(group.share, span), valueKey);
      const out = await sortByKey(s, key, [group.share, ...carried], { keyBits: bitLength((group.width + 1n) * span - 1n) });
      chunks = [out.key];
      index = out.payload[0];
      rest = out.payload.slice(1);
    } else {
      const byValue = await sortByKey(s, valueKey, [group.share, ...carried], { keyBits: bitLength(span - 1n) });
      const byGroup = await sortByKey(s, byValue.payload[0], [byValue.key, ...byValue.payload.slice(1)], { keyBits: bitLength(group.width) });
      chunks = [byGroup.key, byGroup.payload[0]];
      index = byGroup.key;
      rest = byGroup.payload.slice(1);
    }
    const starts = await groupStarts(s, chunks, n);
    marks.push(weight ? await mul(s, starts, rest[0]) : starts);
  }
  return { ...(group ? { index: index ?? group.share } : {}), marks };
}

/** The value whose runs count: the column's own (a one-word text: its word), or a longer text's dense rank. */
async function distinctValue(s: Session, c: SecretColumn, facts: ColumnFacts): Promise<{ values: AShare; min: bigint; max: bigint }> {
  if (facts.kind !== 'text' || textWordCount(facts.maxBytes ?? 0) <= 1) return { values: c.values, min: facts.min, max: facts.max };
  return { values: await textRanks(s, c), min: 0n, max: BigInt(Math.max(0, c.values.length - 1)) };
}
