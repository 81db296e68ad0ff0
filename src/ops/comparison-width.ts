/**
 * How many bits a batch of less-thans needs (mpc/protocols/compare-narrow.ts): the difference of
 * two operands lies within their declared ranges' spread, so its sign is bit `bits - 1` of the
 * difference mod 2^bits once |left - right| < 2^(bits - 1). A nullable column's range is widened
 * to hold 0, the value of a null cell in a valid row (its comparison is then ANDed with the
 * present bit anyway). Rows with a secret validity of 0 may hold anything; their comparison bits
 * are ANDed with the validity, so a wrong bit there changes nothing.
 */

import type { CheckedOperand } from '../plan/check-predicate.js';
import { bitLength } from '../plan/sort-layout.js';

function bounds(o: CheckedOperand): [bigint, bigint] {
  if (o.kind === 'constant') return [o.value, o.value];
  const c = o.column;
  return c.nullable ? [c.min < 0n ? c.min : 0n, c.max > 0n ? c.max : 0n] : [c.min, c.max];
}

/** The bits that hold every left - right of these pairs with its sign (at least 2). */
export function comparisonBits(pairs: readonly { readonly left: CheckedOperand; readonly right: CheckedOperand }[]): number {
  let widest = 0n;
  for (const { left, right } of pairs) {
    const [lmin, lmax] = bounds(left), [rmin, rmax] = bounds(right);
    for (const d of [lmin - rmax, lmax - rmin]) widest = d < 0n ? (-d > widest ? -d : widest) : d > widest ? d : widest;
  }
  return Math.max(2, bitLength(widest) + 1);
}
