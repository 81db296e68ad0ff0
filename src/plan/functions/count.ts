/** count(): valid rows; count(column): valid rows where the column is not null. */

import type { AggregateFunction } from './aggregate-function.js';
import { part } from './aggregate-function.js';

export const count: AggregateFunction = {
  name: 'count',
  description: 'number of rows (with a column: rows where it is not null)',
  column: 'optional',
  typeRule: () => undefined,
  terms: (c) => [{ part: 'count', of: c?.nullable ? 'present' : 'rows' }],
  decode: (parts) => {
    const n = part(parts, 'count');
    return { value: Number(n), exact: n.toString() };
  },
};
