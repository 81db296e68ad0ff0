/**
 * How a text column opens: its first word as part 'value' (column "<name>"), each further word k
 * as part "w<k>" (column "<name>.w<k>"), so a text opens as ceil(maxBytes / 7) ring values a row
 * whatever its length (table/types/text.ts); ops/open.ts reads them, the client joins them.
 */

import { textWordCount } from '../table/types/text.js';
import type { ColumnFacts } from './types.js';

export const TEXT_WORD_PART = /^w([1-9][0-9]*)$/;

export function textWordParts(c: ColumnFacts): { column: string; part: string }[] {
  if (c.kind !== 'text' || c.maxBytes === undefined) return [];
  return Array.from({ length: textWordCount(c.maxBytes) - 1 }, (_, k) => ({ column: `${c.name}.w${k + 1}`, part: `w${k + 1}` }));
}

/** The word index (1 …) of a part name "w<k>", or undefined for any other part. */
export function textWordIndex(part: string): number | undefined {
  const m = TEXT_WORD_PART.exec(part);
  return m ? Number(m[1]) : undefined;
}
