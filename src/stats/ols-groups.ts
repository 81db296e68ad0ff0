/**
 * `ols(frame, { y, x, by })`: one linear regression per group of `by`, from ONE plan: the design
 * of ols-design.ts under a one-hot group-by of at most 256 declared groups, so the nodes open one
 * augmented Gram matrix per group (every declared group, empty ones as zeros) and nothing else.
 * Each group's fit is then taken on the recipient's side exactly as a whole-table fit
 * (ols-fit.ts): the same exact integer solve, so each group's estimates are the float64 nearest
 * to its exact least-squares values. A group that cannot be fitted (too few rows, a constant or
 * collinear predictor on its rows, a category with rows in one level there) carries its own
 * reason instead of estimates (model-groups.ts); the other groups are fitted.
 */

import { IntegrityError, UsageError } from '../errors.js';
import type { QueryResult, ResultCell } from '../client/result.js';
import { fitEachGroup, type GroupFits } from './model-groups.js';
import type { Design } from './ols-design.js';

/** Each group's fit from its row of the opened group-by; `fit` reads the group's sums by name. */
export function groupFits<C extends string, Fit extends { text(): string }>(design: Design<C>, result: QueryResult, fit: (value: (name: string) => bigint) => Fit): GroupFits<Fit> {
  const by = design.spec.by;
  if (by === undefined) throw new RangeError('groupFits: the design has no group column');
  return fitEachGroup(result, by, (row, index) => fit((name) => exactCell(result, row, index, name)), (e): e is UsageError => e instanceof UsageError);
}

/** A group's opened count or sum as the exact integer of its stored units. */
function exactCell(result: QueryResult, row: Readonly<Record<string, ResultCell>>, index: number, name: string): bigint {
  const text = result.exactDecimals[name]?.[index];
  if (text !== undefined && text !== null) return BigInt(text.replace('.', ''));
  const cell = row[name];
  if (typeof cell === 'bigint') return cell;
  if (typeof cell === 'number' && Number.isSafeInteger(cell)) return BigInt(cell);
  throw new IntegrityError(`'${name}' did not open as an exact integer in the group ${String(row[result.table.columns[0]])}`);
}
