/**
 * How sort keys become 64-bit ring keys (ops/sort.ts sorts by them with the stable
 * shuffle-then-sort of mpc/protocols/sort.ts, which orders by a signed 64-bit key).
 *
 * Each sort key contributes parts, most significant first:
 *   - a null flag (1 bit) for a nullable column: 1 - present for nulls last, present for nulls first;
 *   - a text column's words (table/types/text.ts), each a part of 56 bits, first word first, so
 *     the order is the lexicographic order of the UTF-8 bytes (descending: 2^56 - 1 - word);
 *   - its value, shifted into [0, hi - lo] (ascending: v - lo; descending: hi - v), where
 *     [lo, hi] is the declared range widened to hold 0, the value a null cell has in a valid row
 *     (secret-table.ts invariant 3), so no multiplication by the present bit is needed.
 * A secret validity column adds a part before all others: 1 - valid, so invalid rows sort last.
 *
 * Parts are packed greedily, in order, into chunks of at most 63 bits: a chunk is a
 * non-negative value below 2^63, so the signed order of the ring key is the order of its parts.
 * Declared ranges lie within ±(2^62 - 1), so one value part is at most 63 bits wide and always
 * fits a chunk. When everything fits one chunk the table is sorted once; otherwise once per
 * chunk, from the least significant chunk to the most (stable sorts compose, as in radix sort).
 * Every chunk is a linear combination of shares plus a constant: local, no communication, except
 * that a secret validity multiplies the first chunk (invalid rows carry values outside every
 * range, which must not spill into the validity part): one multiplication of one vector.
 */

import type { ColumnFacts } from './types.js';
import { MAX_TEXT_WORD, textWordCount } from '../table/types/text.js';

export interface SortKeyFacts {
  readonly column: ColumnFacts;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** One part: value(row) = sign * x(row) + constant, in [0, 2^width), placed at `shift` in its chunk. */
export type SortPart =
  | { readonly kind: 'validity'; readonly width: 1; readonly shift: number }
  | { readonly kind: 'null-flag'; readonly column: string; readonly nullsFirst: boolean; readonly width: 1; readonly shift: number }
  | { readonly kind: 'value'; readonly column: string; readonly sign: 1n | -1n; readonly constant: bigint; readonly width: number; readonly shift: number; readonly word?: number };

export interface SortChunk {
  readonly parts: readonly SortPart[];
  /** Total width in bits (at most 63). */
  readonly width: number;
}

export interface SortLayout {
  /** Most significant first; the table is sorted by the last chunk first. */
  readonly chunks: readonly SortChunk[];
}

export const CHUNK_BITS = 63;

export function bitLength(v: bigint): number {
  let n = 0;
  while (v > 0n) {
    v >>= 1n;
    n++;
  }
  return n;
}

/** A part before packing: the same without its shift. */
type Unplaced = SortPart extends infer P ? (P extends SortPart ? Omit<P, 'shift'> : never) : never;

export function sortLayout(keys: readonly SortKeyFacts[], secretValidity: boolean): SortLayout {
  const parts: Unplaced[] = [];
  if (secretValidity) parts.push({ kind: 'validity', width: 1 });
  for (const k of keys) {
    const c = k.column;
    if (c.nullable) parts.push({ kind: 'null-flag', column: c.name, nullsFirst: k.nullsFirst, width: 1 });
    if (c.kind === 'text') {
      for (let word = 0; word < textWordCount(c.maxBytes ?? 0); word++) {
        const width = bitLength(MAX_TEXT_WORD);
        parts.push(k.descending ? { kind: 'value', column: c.name, word, sign: -1n, constant: MAX_TEXT_WORD, width } : { kind: 'value', column: c.name, word, sign: 1n, constant: 0n, width });
      }
      continue;
    }
    const lo = c.nullable && c.min > 0n ? 0n : c.min;
    const hi = c.nullable && c.max < 0n ? 0n : c.max;
    const width = bitLength(hi - lo);
    // A constant column (width 0) orders nothing.
    if (width === 0) continue;
    parts.push(k.descending ? { kind: 'value', column: c.name, sign: -1n, constant: hi, width } : { kind: 'value', column: c.name, sign: 1n, constant: -lo, width });
  }
  const groups: Unplaced[][] = [];
  let used = CHUNK_BITS;
  for (const p of parts) {
    if (used + p.width > CHUNK_BITS) {
      groups.push([]);
      used = 0;
    }
    groups[groups.length - 1].push(p);
    used += p.width;
  }
  const chunks = groups.map((g): SortChunk => {
    const width = g.reduce((n, p) => n + p.width, 0);
    let shift = width;
    return { width, parts: g.map((p) => ({ ...p, shift: (shift -= p.width) }) as SortPart) };
  });
  return { chunks };
}
