/**
 * count_distinct(column): the number of distinct non-null values over valid rows (SQL's
 * count(DISTINCT column)); 0 when there are none. Computed by the group kernels (ops/distinct-marks.ts):
 * sort by (group, value), mark each row whose value differs from its predecessor's, sum the marks.
 *
 * Any column kind works (equal stored values are equal values); a text of more than one word is
 * counted by its dense rank among the rows (ops/text-rank.ts), since its words do not fit one key. The sort key is
 * (value - min + 1) for non-null valid rows and 0 otherwise, so the declared range must have
 * fewer than 2^63 - 1 values (every declared range does, identifiers' 2^62 hashes included).
 */

import { RING_LIMIT, type ColumnFacts } from '../types.js';
import type { AggregateFunction } from './aggregate-function.js';
import { part } from './aggregate-function.js';

export const countDistinct: AggregateFunction = {
  name: 'count_distinct',
  description: 'number of distinct non-null values of a column (SQL count(DISTINCT column))',
  column: 'required',
  // A text's range is that of one word: a one-word text is counted by its word, a longer one by its rank (ops/distinct-marks.ts).
  typeRule: (c: ColumnFacts) => (c.max - c.min + 1n >= RING_LIMIT ? `cannot count the distinct values of column '${c.name}': its declared range [${c.min}, ${c.max}] (stored units) holds 2^63 - 1 values or more; declare a narrower range` : undefined),
  terms: () => [{ part: 'count', of: 'distinct' }],
  decode: (parts) => {
    const n = part(parts, 'count');
    return { value: Number(n), exact: n.toString() };
  },
};
