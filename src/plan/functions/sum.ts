/** sum(column): the column's values over valid rows; nulls add nothing. */

import { formatScaled } from '../../table/text-grammar.js';
import type { AggregateFunction } from './aggregate-function.js';
import { asNumberIfSafe, numericRule, part } from './aggregate-function.js';

export const sum: AggregateFunction = {
  name: 'sum',
  description: 'sum of an integer, decimal or boolean column (nulls add nothing)',
  column: 'required',
  typeRule: numericRule('sum'),
  terms: () => [{ part: 'sum', of: 'values' }],
  decode: (parts, scale) => {
    const s = part(parts, 'sum');
    return { value: scale > 0 ? Number(s) / 10 ** scale : asNumberIfSafe(s), exact: formatScaled(s, scale) };
  },
};
