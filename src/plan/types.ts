/**
 * What the checker knows about the data flowing between operators: per column its kind,
 * fixed-point scale, declared range (stored units) and nullability; per table a bound on its rows.
 * Ranges propagate from the stored schemas, so a possible overflow of the 64-bit ring is found
 * at plan time, never wrapped silently.
 */

import { UsageError } from '../errors.js';
import type { ColumnKind, ColumnType } from '../table/column-type.js';
import { storedRange } from '../table/column-type.js';
import type { ColumnSchema, TableSchema } from '../table/schema.js';
import { MAX_TEXT_WORD, type TextType } from '../table/types/text.js';

export interface ColumnFacts {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Digits after the point (decimals); 0 otherwise. */
  readonly scale: number;
  /** Declared range in stored units: every value of a valid, present cell lies in [min, max]. */
  readonly min: bigint;
  readonly max: bigint;
  readonly nullable: boolean;
  /** A category column's dictionary (its codes mean these words). */
  readonly dictionary?: readonly string[];
  /**
   * A text column's bound in UTF-8 bytes (table/types/text.ts). Its range [min, max] is that of
   * each of its ceil(maxBytes / 7) words, [0, 2^56 - 1]; a text is no number, so only the text
   * rules (expr-text.ts) take it.
   */
  readonly maxBytes?: number;
  /**
   * Set on columns an aggregate made: which output, registry function and part (plan/registry.ts).
   * An output of one part is one column named like the output; an output of several parts (mean)
   * is one column per part, named "<output>.<part>", which later operators cannot name (a name
   * with a dot is not a column name): they can only be opened, and the recipient's client decodes
   * the parts together.
   */
  readonly aggregate?: { readonly output: string; readonly fn: string; readonly part: string; readonly column?: string };
}

export interface TableType {
  readonly columns: readonly ColumnFacts[];
  /** At most this many rows (exact for uploaded tables; for append tables the rows stored here). */
  readonly maxRows: number;
}

/** Largest magnitude a value may have in the ring without being mistaken for another: 2^63 - 1. */
export const RING_LIMIT = (1n << 63n) - 1n;

/** The declared range in stored units; categories are dictionary indices, identifiers 62-bit hashes, text words 7 bytes. */
export function declaredRange(t: ColumnType): { min: bigint; max: bigint } {
  const r = storedRange(t);
  if (r) return r;
  if (t.kind === 'category') return { min: 0n, max: BigInt(t.dictionary.length - 1) };
  if (t.kind === 'text') return { min: 0n, max: MAX_TEXT_WORD };
  return { min: 0n, max: (1n << 62n) - 1n };
}

export function columnFacts(c: ColumnSchema): ColumnFacts {
  const { min, max } = declaredRange(c.type);
  return {
    name: c.name,
    kind: c.type.kind,
    scale: c.type.kind === 'decimal' ? c.type.scale : 0,
    min,
    max,
    nullable: c.nullable,
    ...(c.type.kind === 'category' ? { dictionary: c.type.dictionary } : {}),
    ...(c.type.kind === 'text' ? { maxBytes: c.type.maxBytes } : {}),
  };
}

export function tableType(schema: TableSchema, maxRows: number): TableType {
  return { columns: schema.columns.map(columnFacts), maxRows };
}

/** "integer", "decimal(2)", "category(4)": how a column's type reads in messages. */
export function describeFacts(c: ColumnFacts): string {
  if (c.kind === 'decimal') return `decimal(${c.scale})`;
  if (c.kind === 'category') return `category(${c.dictionary?.length ?? 0})`;
  if (c.kind === 'text') return `text(${c.maxBytes ?? 0})`;
  return c.kind;
}

/** The column type these facts stand for (its declared range, scale and dictionary), e.g. to decode opened values. */
export function factsToType(c: ColumnFacts): ColumnType {
  switch (c.kind) {
    case 'integer': return { kind: 'integer', min: c.min, max: c.max };
    case 'decimal': return { kind: 'decimal', scale: c.scale, min: c.min, max: c.max };
    case 'boolean': return { kind: 'boolean' };
    case 'date': return { kind: 'date', min: Number(c.min), max: Number(c.max) };
    case 'category': {
      if (!c.dictionary) throw new UsageError(`category column '${c.name}' has no dictionary`);
      return { kind: 'category', dictionary: c.dictionary };
    }
    case 'identifier': return { kind: 'identifier' };
    case 'text': return textTypeOf(c);
  }
}

/** The text type of text facts (their bound in bytes). */
export function textTypeOf(c: { readonly name?: string; readonly maxBytes?: number }): TextType {
  if (c.maxBytes === undefined) throw new UsageError(`text column '${c.name ?? '?'}' has no bound in bytes`);
  return { kind: 'text', maxBytes: c.maxBytes };
}
