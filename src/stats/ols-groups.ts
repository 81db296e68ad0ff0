/**
 * `ols(frame, { y, x, by })`: one linear regression per group of `by`, from ONE plan: the design
 * of ols-design.ts under a one-hot group-by of at most 256 declared groups, so the nodes open one
 * augmented Gram matrix per group (every declared group, empty ones as zeros) and nothing else.
 * Each group's fit is then taken on the recipient's side exactly as a whole-table fit
 * (ols-fit.ts): the same exact integer solve, so each group's estimates are the float64 nearest
 * to its exact least-squares values. A group that cannot be fitted (too few rows, a constant or
 * collinear predictor on its rows, a category with rows in one level there) carries its own
 * reason instead of estimates; the other groups are fitted. Rows whose group is null are left
 * out (R's `by()` and pandas' groupby drop them).
 */

import { UsageError } from '../errors.js';
import type { QueryResult, ResultCell } from '../client/result.js';
import { compareLabels, provenance, type Provenance } from './frame-groups.js';
import type { Design } from './ols-design.js';

/** One group's fit, or why it has none. */
export type OlsGroup<Fit> =
  | { readonly label: ResultCell; readonly fit: Fit; readonly refused?: undefined }
  | { readonly label: ResultCell; readonly fit?: undefined; readonly refused: string };

export interface OlsGroupsResult<Fit extends { text(): string }> extends Provenance {
  /** The group column. */
  readonly by: string;
  /** One entry per declared non-null group, in the order of its labels. */
  readonly groups: readonly OlsGroup<Fit>[];
  /** One statsmodels table per group, each under its label; a refused group's reason in its place. */
  text(): string;
}

/** Each group's fit from its row of the opened group-by; `fit` reads the group's sums by name. */
export function groupFits<C extends string, Fit extends { text(): string }>(
  design: Design<C>,
  result: QueryResult,
  fit: (value: (name: string) => bigint) => Fit,
): OlsGroupsResult<Fit> {
  const by = design.spec.by;
  if (by === undefined) throw new RangeError('groupFits: the design has no group column');
  const groups = result.table.rows
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => row[by] !== null)
    .map(({ row, i }): OlsGroup<Fit> => {
      try {
        return { label: row[by], fit: fit((name) => exactCell(result, row, i, name)) };
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        return { label: row[by], refused: e.message };
      }
    })
    .sort((a, b) => compareLabels(a.label, b.label));
  return { by, groups, ...provenance(result), text: () => groupsText(by, groups) };
}

export function groupsText<Fit extends { text(): string }>(by: string, groups: readonly OlsGroup<Fit>[]): string {
  return groups
    .map((g) => {
      const title = `${by} = ${String(g.label)}`;
      return `${title}\n${g.fit !== undefined ? g.fit.text() : `not fitted: ${g.refused}`}`;
    })
    .join('\n\n');
}

/** A group's opened count or sum as the exact integer of its stored units. */
function exactCell(result: QueryResult, row: Readonly<Record<string, ResultCell>>, index: number, name: string): bigint {
  const text = result.exactDecimals[name]?.[index];
  if (text !== undefined && text !== null) return BigInt(text.replace('.', ''));
  const cell = row[name];
  if (typeof cell === 'bigint') return cell;
  if (typeof cell === 'number' && Number.isSafeInteger(cell)) return BigInt(cell);
  throw new UsageError(`'${name}' did not open as an exact integer in the group ${String(row[result.table.columns[0]])}`);
}
