/** mean(column) = sum / count over valid rows where the column is not null; NaN when there are none (or, with noise, when the noisy count is not positive). */

import type { AggregateFunction } from './aggregate-function.js';
import { asNumberIfSafe, numericRule, part } from './aggregate-function.js';

export const mean: AggregateFunction = {
  name: 'mean',
  description: 'mean of an integer, decimal or boolean column over its non-null values (its sum and count open)',
  column: 'required',
  typeRule: numericRule('mean'),
  terms: (c) => [
    { part: 'sum', of: 'values' },
    { part: 'count', of: c?.nullable ? 'present' : 'rows' },
  ],
  decode: (parts, scale) => {
    const s = part(parts, 'sum');
    const n = Number(part(parts, 'count'));
    // A count with differentially private noise can open at or below 0: no mean then.
    return { value: n <= 0 ? Number.NaN : Number(s) / 10 ** scale / n, sum: scale > 0 ? Number(s) / 10 ** scale : asNumberIfSafe(s), count: n };
  },
};
