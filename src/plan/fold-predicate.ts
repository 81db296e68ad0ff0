/**
 * Comparisons that the declared ranges decide, folded before any MPC: in a valid row every
 * present value lies in its column's declared range (secret/secret-table.ts, invariant 2), so
 * `x >= min`, `x <= max`, `x < min`, `x > max`, or two columns whose ranges do not overlap,
 * have the same answer in every row. Such a comparison becomes a constant (or, over a nullable
 * column, its present bit: a comparison is false where an operand is null), and AND/OR drop
 * the constants they can. A range predicate at the declared ends (`x BETWEEN min AND hi`) then
 * costs one comparison, not two; nothing is revealed either way (the ranges are public).
 */

import type { CheckedOperand, CheckedPredicate } from './check-predicate.js';

type Compare = CheckedPredicate & { kind: 'compare' };

function bounds(o: CheckedOperand): [bigint, bigint] {
  return o.kind === 'constant' ? [o.value, o.value] : [o.column.min, o.column.max];
}

/** The comparison's value in every row where its operands are present, or undefined when the data decides. */
function decided(c: Compare): boolean | undefined {
  const [lmin, lmax] = bounds(c.left), [rmin, rmax] = bounds(c.right);
  let value: boolean | undefined;
  if (c.test === 'lt') value = lmax < rmin ? true : lmin >= rmax ? false : undefined;
  else value = lmax < rmin || rmax < lmin ? false : lmin === lmax && rmin === rmax ? true : undefined;
  return value === undefined ? undefined : value !== c.negate;
}

/** A comparison the ranges decide as a constant (AND the present bits of its nullable operands); otherwise itself. */
export function foldComparison(c: Compare): CheckedPredicate {
  const value = decided(c);
  if (value === undefined) return c;
  if (!value) return { kind: 'const', value: false };
  const presents = [c.left, c.right].flatMap((o): CheckedPredicate[] => (o.kind === 'column' && o.column.nullable ? [{ kind: 'null', column: o.column, isNull: false }] : []));
  return presents.length === 0 ? { kind: 'const', value: true } : presents.length === 1 ? presents[0] : { kind: 'and', args: presents };
}

/** AND/OR without the constants that do not decide it; a constant when one does, or when nothing is left. */
export function foldJunction(kind: 'and' | 'or', args: readonly CheckedPredicate[]): CheckedPredicate {
  const absorbing = kind === 'or';
  if (args.some((a) => a.kind === 'const' && a.value === absorbing)) return { kind: 'const', value: absorbing };
  const rest = args.filter((a) => a.kind !== 'const');
  if (rest.length === 0) return { kind: 'const', value: !absorbing };
  return rest.length === 1 ? rest[0] : { kind, args: rest };
}
