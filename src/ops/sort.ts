/**
 * sort: the rows of a secret table ordered by its sort keys, stably, with invalid rows last.
 *
 * The keys become one or more 63-bit ring keys (plan/sort-layout.ts: validity, null flags and
 * values shifted into their declared ranges, packed most significant first), computed locally
 * from the shares (one multiplication when the validity is secret). The table is then sorted
 * by each chunk with mpc/protocols/sort.ts (shuffle, a2b, quicksort with opened comparisons of
 * (key, row index)), from the least significant chunk to the most: each pass is stable, so the
 * passes compose like a radix sort. Every column (values and present bits), the validity and
 * the chunks still to sort by travel as payload.
 *
 * Each chunk's width goes to the sort (`keyBits`): when the chunk and the row index fit one
 * 64-bit word (or 32 bits), each comparison is one word of that width instead of a 64-bit key
 * plus a 32-bit index.
 *
 * Public: nothing. The opened comparisons are of shuffled rows whose (key, index) pairs are
 * distinct, i.e. the order of a uniformly random permutation (see protocols/sort.ts).
 */

import { mul } from '../mpc/protocols/arith.js';
import { sortByKey } from '../mpc/protocols/sort.js';
import type { Session } from '../mpc/session.js';
import { addA, AShare, scaleA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import { sortLayout, type SortChunk, type SortKeyFacts, type SortPart } from '../plan/sort-layout.js';
import { SecretTable, type Validity } from '../secret/secret-table.js';
import { columnWord, columnsFromVectors, tableVectors } from '../secret/column-vectors.js';

export interface Sorted {
  readonly table: SecretTable;
  /** The ring keys, in sorted order (only when asked for: distinct compares neighbours by them). */
  readonly chunks?: readonly AShare[];
}

export async function sortTable(s: Session, keys: readonly SortKeyFacts[], table: SecretTable, options: { keepChunks?: boolean } = {}): Promise<Sorted> {
  const validity = table.validity.kind === 'secret' ? table.validity.share : undefined;
  const layout = sortLayout(keys, validity !== undefined);
  const chunks = await chunkValues(s, layout.chunks, table, validity);
  // Payload: every column's values and present bits, then the validity.
  let payload: AShare[] = tableVectors(table.columns);
  if (validity) payload.push(validity);
  const carried = payload.length;
  let keyChunks = chunks;
  for (let c = chunks.length - 1; c >= 0; c--) {
    // Chunks still to sort by (and, for distinct, all of them) ride along with this pass.
    const others = keyChunks.map((k, i) => ({ k, i })).filter(({ i }) => i !== c && (i < c || options.keepChunks === true));
    // A chunk lies in [0, 2^width): the comparisons cost bits of the declared ranges, not 64.
    const out = await sortByKey(s, keyChunks[c], [...payload, ...others.map((o) => o.k)], { keyBits: layout.chunks[c].width });
    payload = out.payload.slice(0, carried);
    const next = [...keyChunks];
    next[c] = out.key;
    others.forEach((o, j) => (next[o.i] = out.payload[carried + j]));
    keyChunks = next;
  }
  const columns = columnsFromVectors(table.columns, payload);
  const sortedValidity: Validity = validity ? { kind: 'secret', share: payload[carried - 1] } : table.validity;
  return { table: new SecretTable(table.rows, columns, sortedValidity), ...(options.keepChunks ? { chunks: keyChunks } : {}) };
}

/** Each chunk's ring key per row: a linear combination of shares, the first times the validity. */
async function chunkValues(s: Session, chunks: readonly SortChunk[], table: SecretTable, validity: AShare | undefined): Promise<AShare[]> {
  const n = table.rows;
  const out = chunks.map((chunk) => {
    let acc = AShare.zeros(n);
    for (const p of chunk.parts) if (p.kind !== 'validity') acc = addA(acc, scaleA(partValue(s, p, table), 1n << BigInt(p.shift)));
    return acc;
  });
  const top = chunks[0]?.parts[0];
  if (validity && top?.kind === 'validity') {
    // valid ? rest : 2^shift, i.e. valid * (rest - 2^shift) + 2^shift: invalid rows carry
    // values outside every range, which must not reach the validity part.
    const bit = 1n << BigInt(top.shift);
    out[0] = addConstA(s.me, await mul(s, validity, addConstA(s.me, out[0], -bit)), bit);
  }
  return out;
}

function partValue(s: Session, p: SortPart, table: SecretTable): AShare {
  if (p.kind === 'null-flag') {
    const present = table.column(p.column).present!;
    // Nulls first: present (a null's 0 sorts first); nulls last: 1 - present.
    return p.nullsFirst ? present : addConstA(s.me, scaleA(present, -1n), 1n);
  }
  if (p.kind === 'value') return addConstA(s.me, scaleA(columnWord(table.column(p.column), p.word ?? 0), p.sign), p.constant);
  return publicA(s.me, new BigUint64Array(table.rows));
}
