/**
 * What min and max share (functions/min.ts, functions/max.ts): the type rule, and decoding of the
 * one opened part, which is null where the group had no non-null value (its present bit is 0).
 *
 * The segmented scan compares values with a less-than that is exact when any two values differ by
 * less than 2^63 (mpc/oblivious/segmented-scan.ts), and empty groups carry a sentinel one step
 * outside the declared range: so the declared range must lie inside [-2^62, 2^62 - 1].
 */

import { formatScaled } from '../../table/text-grammar.js';
import type { ColumnFacts } from '../types.js';
import type { AggregateFunction } from './aggregate-function.js';
import { asNumberIfSafe, part } from './aggregate-function.js';

export const EXTREME_LIMIT = 1n << 62n;

export function extreme(fn: 'min' | 'max'): AggregateFunction {
  return {
    name: fn,
    description: `${fn === 'min' ? 'least' : 'greatest'} non-null value of an integer, decimal or boolean column (null when there is none)`,
    column: 'required',
    typeRule: (c: ColumnFacts) => {
      if (c.kind !== 'integer' && c.kind !== 'decimal' && c.kind !== 'boolean') return `cannot take the ${fn} of column '${c.name}': it is a ${c.kind} column (${fn} works on integer, decimal and boolean columns)`;
      if (c.min < -EXTREME_LIMIT || c.max >= EXTREME_LIMIT) return `cannot take the ${fn} of column '${c.name}': its declared range [${c.min}, ${c.max}] (stored units) exceeds [-2^62, 2^62 - 1], where comparisons are exact; declare a narrower range`;
      return undefined;
    },
    terms: () => [{ part: fn, of: fn }],
    decode: (parts, scale) => {
      if (parts.get('present') === 0n) return { value: Number.NaN };
      const v = part(parts, fn);
      return { value: scale > 0 ? Number(v) / 10 ** scale : asNumberIfSafe(v), exact: formatScaled(v, scale) };
    },
  };
}
