/**
 * distinct: one row per distinct combination of values of the chosen columns (nulls equal to
 * each other, as in SQL's SELECT DISTINCT).
 *
 * 1. The selected columns are sorted by themselves (ops/sort.ts, keeping the ring keys of the
 *    sort layout: equal keys mean equal values and null flags), invalid rows last.
 * 2. Adjacent rows are compared: one batched equality of every key chunk against the previous
 *    row's (7 rounds), the chunks' results ANDed, injected to 0/1 (2 rounds). A row starts a
 *    group when it differs from its predecessor; the first row of each group is kept, if valid
 *    (one multiplication with a secret validity).
 * 3. reveal-count (the default) compacts the kept rows (mpc/oblivious/compact.ts: shuffle, open
 *    the shuffled flags): public, how many distinct rows there are; the rows come out in a
 *    random order. oblivious keeps every sorted row with the flag as its secret validity.
 */

import { compact } from '../mpc/oblivious/compact.js';
import { mul } from '../mpc/protocols/arith.js';
import { andBits } from '../mpc/protocols/binary.js';
import { eq } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import type { Session } from '../mpc/session.js';
import { AShare, concatA, sliceBits } from '../mpc/shares.js';
import { publicA } from '../mpc/sharing.js';
import type { CheckedDistinct } from '../plan/check-distinct.js';
import { ALL_VALID, SecretTable } from '../secret/secret-table.js';
import { sortTable } from './sort.js';
import { columnsFromVectors, tableVectors } from '../secret/column-vectors.js';

export interface Distinct {
  readonly table: SecretTable;
  /** The distinct rows, when the mode opens their number (reveal-count). */
  readonly rows?: number;
}

export async function distinct(s: Session, node: CheckedDistinct, input: SecretTable): Promise<Distinct> {
  const selected = input.select(node.columns.map((c) => c.name));
  const n = selected.rows;
  if (n === 0) return node.mode === 'reveal-count' ? { table: selected.withValidity(ALL_VALID), rows: 0 } : { table: selected };
  const keys = node.columns.map((column) => ({ column, descending: false, nullsFirst: false }));
  const sorted = await sortTable(s, keys, selected, { keepChunks: true });
  const table = sorted.table;
  const first = await groupStarts(s, sorted.chunks ?? [], n);
  const keep = table.validity.kind === 'secret' ? await mul(s, first, table.validity.share) : first;
  if (node.mode === 'oblivious') return { table: table.withValidity({ kind: 'secret', share: keep }) };
  const kept = await compact(s, tableVectors(table.columns), keep);
  const columns = columnsFromVectors(table.columns, kept.columns);
  return { table: new SecretTable(kept.count, columns, ALL_VALID), rows: kept.count };
}

/** 1 where a row's keys differ from the previous row's (always 1 for row 0), as 0/1 shares. */
export async function groupStarts(s: Session, chunks: readonly AShare[], n: number): Promise<AShare> {
  const ones = publicA(s.me, new BigUint64Array(n).fill(1n));
  // No key chunks (every selected column constant): all rows are one group.
  if (chunks.length === 0 || n === 1) {
    const start = AShare.zeros(n);
    start.a[0] = ones.a[0];
    start.b[0] = ones.b[0];
    return start;
  }
  const m = n - 1;
  const bits = await eq(s, concatA(chunks.map((c) => c.slice(1, n))), concatA(chunks.map((c) => c.slice(0, m))));
  let same = sliceBits(bits, 0, m);
  for (let c = 1; c < chunks.length; c++) same = await andBits(s, same, sliceBits(bits, c * m, m));
  const continues = await bitInject(s, same);
  // start = 1 - [0, continues...]
  const start = new AShare(ones.a.slice(), ones.b.slice());
  for (let i = 1; i < n; i++) {
    start.a[i] -= continues.a[i - 1];
    start.b[i] -= continues.b[i - 1];
  }
  return start;
}
