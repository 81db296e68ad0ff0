/**
 * A secret column as the list of share vectors that row-moving operators (compact, sort, join,
 * slice) carry along: its values, a text column's further words, then its present bits. Taking
 * columns apart and putting them back through these two functions keeps every part with its row.
 */

import type { AShare } from '../mpc/shares.js';
import type { SecretColumn } from './secret-table.js';

export function columnVectors(c: SecretColumn): AShare[] {
  return [c.values, ...(c.words ?? []), ...(c.present ? [c.present] : [])];
}

/** Every column's vectors, in column order. */
export function tableVectors(columns: readonly SecretColumn[]): AShare[] {
  return columns.flatMap(columnVectors);
}

/** Columns shaped like `like` (same schemas, words and nullability) from vectors in tableVectors order. */
export function columnsFromVectors(like: readonly SecretColumn[], vectors: readonly AShare[]): SecretColumn[] {
  let k = 0;
  return like.map((c): SecretColumn => {
    const values = vectors[k++];
    const words = c.words?.map(() => vectors[k++]);
    const present = c.present ? vectors[k++] : undefined;
    return { schema: c.schema, values, ...(words ? { words } : {}), ...(present ? { present } : {}) };
  });
}

/** The same column with every vector mapped (e.g. sliced), its schema kept. */
export function mapColumnVectors(c: SecretColumn, f: (v: AShare) => AShare): SecretColumn {
  return { schema: c.schema, values: f(c.values), ...(c.words ? { words: c.words.map(f) } : {}), ...(c.present ? { present: f(c.present) } : {}) };
}

/** A column's values, or a text column's word k (0: the first, in `values`). */
export function columnWord(c: SecretColumn, k: number): AShare {
  const w = k === 0 ? c.values : c.words?.[k - 1];
  if (!w) throw new RangeError(`column '${c.schema.name}' has no text word ${k}`);
  return w;
}
