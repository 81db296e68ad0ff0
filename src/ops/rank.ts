/**
 * rank (plan/check-rank.ts): the average rank of a column, and optionally each row's tie term
 * t² − 1, for rank statistics (Spearman, Mann–Whitney, Kruskal–Wallis: stats/ranks.ts).
 *
 * 1. weight w = valid · present (the rows that have a rank; one multiplication when both are
 *    secret), key = span + w·(v − min − span) with span = max − min + 1: a ranked row's key is its
 *    value shifted into [0, span), every other row's is span, so they sort last, together.
 * 2. One stable sort by the key (mpc/protocols/sort.ts), every column, the validity and w riding
 *    along; runs of equal values are runs of equal keys: group flags of adjacent keys (one batched
 *    equality, 9 rounds).
 * 3. One segmented sum scan over the flags and the flags reversed (2n rows, ⌈log2 2n⌉ rounds)
 *    counts for each row f, the rows before it in its run, and b, the rows after it. At 1-based
 *    position i the run spans [i − f, i + b]; the average rank is i + (b − f)/2, i.e. at scale 1
 *    10i + 5(b − f), and the run has t = f + b + 1 rows. All linear.
 * 4. Multiplications by w null the rank (and ties) of rows without one; t² − 1 takes one more.
 *
 * Public: nothing; the sort opens only comparisons of shuffled rows.
 */

import { mul } from '../mpc/protocols/arith.js';
import { sortByKey } from '../mpc/protocols/sort.js';
import { groupFlags } from '../mpc/oblivious/group-flags.js';
import { segmentedScan } from '../mpc/oblivious/segmented-scan.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import type { CheckedRank } from '../plan/check-rank.js';
import { bitLength } from '../plan/sort-layout.js';
import { SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';

export async function rank(s: Session, node: CheckedRank, table: SecretTable): Promise<SecretTable> {
  const n = table.rows;
  const c = table.column(node.column.name);
  const valid = table.validity.kind === 'secret' ? table.validity.share : undefined;
  const weight = valid && c.present ? await mul(s, valid, c.present) : (valid ?? c.present);
  const span = node.column.max - node.column.min + 1n;
  const shifted = addConstA(s.me, c.values, -node.column.min - span);
  const key = weight ? addConstA(s.me, await mul(s, weight, shifted), span) : addConstA(s.me, shifted, span);
  const payload = table.columns.flatMap((x) => (x.present ? [x.values, x.present] : [x.values]));
  const carried = [...payload, ...(valid ? [valid] : []), ...(weight ? [weight] : [])];
  const sorted = await sortByKey(s, key, carried, { keyBits: bitLength(span) });
  const p = sorted.payload;
  const sortedWeight = weight ? p[p.length - 1] : undefined;
  const { values: rankValues, ties } = await ranksOfRuns(s, sorted.key, sortedWeight, node.ties !== undefined);
  let k = 0;
  const columns = table.columns.map((x): SecretColumn => {
    const values = p[k++];
    return x.present ? { schema: x.schema, values, present: p[k++] } : { schema: x.schema, values };
  });
  const present = node.column.nullable ? { present: sortedWeight ?? publicA(s.me, new BigUint64Array(n).fill(1n)) } : {};
  columns.push({ schema: columnSchemaOf(node.as), values: rankValues, ...present });
  if (node.ties) columns.push({ schema: columnSchemaOf(node.ties), values: ties!, ...present });
  return new SecretTable(n, columns, valid ? { kind: 'secret', share: p[payload.length] } : table.validity);
}

/** Per row of the sorted keys: 10 × its average rank and t² − 1, both 0 where the weight is. */
async function ranksOfRuns(s: Session, key: AShare, weight: AShare | undefined, withTies: boolean): Promise<{ values: AShare; ties?: AShare }> {
  const n = key.length;
  if (n === 0) return { values: AShare.zeros(0), ...(withTies ? { ties: AShare.zeros(0) } : {}) };
  const { continues } = await groupFlags(s, key);
  // Reversed order: row j is row n − 1 − j; it continues its run when row n − j (its successor) has its key.
  const reversed = AShare.zeros(n);
  for (let j = 1; j < n; j++) {
    reversed.a[j] = continues.a[n - j];
    reversed.b[j] = continues.b[n - j];
  }
  // Row n of the doubled vector has flag 0: the two halves never share a segment.
  const flags = concatA([continues, reversed]);
  const [counts] = await segmentedScan(s, flags, [{ values: flags, op: 'sum' }]);
  const [before, after] = splitA(counts, [n, n]);
  const behind = AShare.zeros(n);
  for (let i = 0; i < n; i++) {
    behind.a[i] = after.a[n - 1 - i];
    behind.b[i] = after.b[n - 1 - i];
  }
  const positions = publicA(s.me, BigUint64Array.from({ length: n }, (_, i) => 10n * BigInt(i + 1)));
  const ranks = addA(positions, scaleA(subA(behind, before), 5n));
  const size = addConstA(s.me, addA(before, behind), 1n);
  if (!weight) {
    if (!withTies) return { values: ranks };
    return { values: ranks, ties: addConstA(s.me, await mul(s, size, size), -1n) };
  }
  const [values, weightedSize] = splitA(await mul(s, concatA([weight, weight]), concatA([ranks, size])), [n, n]);
  if (!withTies) return { values };
  // w·t² − w = w·(t² − 1): zero where the row has no rank.
  return { values, ties: subA(await mul(s, weightedSize, size), weight) };
}
