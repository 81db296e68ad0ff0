/**
 * A text key as a small integer: each row's dense rank among the texts of the rows ranked
 * together (0 for the smallest text, equal texts equal ranks, null its own rank after every
 * text), in the rows' own order. Joins and group-bys pack integer keys into one 63-bit sort key
 * (plan/check-join.ts, plan/check-group-by.ts); a text of W words does not fit, its rank among
 * n rows does (n levels).
 *
 * 1. sort the text with its row index riding along (ops/sort.ts: one pass per 56-bit word, plus
 *    the null flag), keeping the sorted words;
 * 2. run starts by one batched equality of adjacent words (ops/distinct.ts groupStarts);
 * 3. rank = prefix sum of the starts − 1: local (a sum of shares is a share of the sum);
 * 4. sort back by the row index, carrying the rank (indices are distinct: one 32-bit pass).
 * Nothing is opened but the comparisons of the two sorts, made on shuffled rows with distinct
 * keys (the order of a random permutation). Cost: two sorts of n rows and one equality per
 * adjacent pair and word.
 */

import { sortByKey } from '../mpc/protocols/sort.js';
import type { Session } from '../mpc/session.js';
import { AShare, concatA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import type { PartyId } from '../mpc/party.js';
import { bitLength } from '../plan/sort-layout.js';
import { columnFacts } from '../plan/types.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { textWordCount } from '../table/types/text.js';
import { groupStarts } from './distinct.js';
import { sortTable } from './sort.js';

const ROW = '$row';

/** Each row's dense rank of its text (a text column, nullable or not). */
export async function textRanks(s: Session, column: SecretColumn): Promise<AShare> {
  const n = column.values.length;
  if (n === 0) return AShare.zeros(0);
  const rows = BigUint64Array.from({ length: n }, (_, i) => BigInt(i));
  const index: SecretColumn = { schema: { name: ROW, type: { kind: 'integer', min: 0n, max: BigInt(n - 1) }, nullable: false }, values: publicA(s.me, rows) };
  const table = new SecretTable(n, [column, index], ALL_VALID);
  const sorted = await sortTable(s, [{ column: columnFacts(column.schema), descending: false, nullsFirst: false }], table, { keepChunks: true });
  const starts = await groupStarts(s, sorted.chunks ?? [], n);
  const rank = addConstA(s.me, prefixSum(starts), -1n);
  const back = await sortByKey(s, sorted.table.column(ROW).values, [rank], { keyBits: Math.max(1, bitLength(BigInt(n - 1))) });
  return back.payload[0];
}

/** Ranks of two text columns ranked together (a join's key pair), split back per side. */
export async function jointTextRanks(s: Session, left: SecretColumn, right: SecretColumn): Promise<[AShare, AShare]> {
  const both = concatTextColumns(s.me, left, right);
  const ranks = await textRanks(s, both);
  const nL = left.values.length;
  return [ranks.slice(0, nL), ranks.slice(nL, ranks.length)];
}

function prefixSum(x: AShare): AShare {
  const a = x.a.slice(), b = x.b.slice();
  for (let i = 1; i < a.length; i++) {
    a[i] = BigInt.asUintN(64, a[i] + a[i - 1]);
    b[i] = BigInt.asUintN(64, b[i] + b[i - 1]);
  }
  return new AShare(a, b);
}

/** Two text columns' rows stacked, the shorter bound's missing words as 0 (its padding). */
function concatTextColumns(me: PartyId, x: SecretColumn, y: SecretColumn): SecretColumn {
  const bytes = (c: SecretColumn): number => (c.schema.type.kind === 'text' ? c.schema.type.maxBytes : 0);
  const maxBytes = Math.max(bytes(x), bytes(y));
  const words = textWordCount(maxBytes);
  const word = (c: SecretColumn, k: number): AShare => (k === 0 ? c.values : c.words?.[k - 1] ?? AShare.zeros(c.values.length));
  const stacked = Array.from({ length: words }, (_, k) => concatA([word(x, k), word(y, k)]));
  const nullable = x.present !== undefined || y.present !== undefined;
  const ones = (c: SecretColumn): AShare => c.present ?? publicA(me, new BigUint64Array(c.values.length).fill(1n));
  return {
    schema: { name: x.schema.name, type: { kind: 'text', maxBytes }, nullable },
    values: stacked[0],
    ...(words > 1 ? { words: stacked.slice(1) } : {}),
    ...(nullable ? { present: concatA([ones(x), ones(y)]) } : {}),
  };
}
