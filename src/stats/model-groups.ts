/**
 * What the per-group models (ols and logit with `by`) share: one fit per row of an opened
 * per-group result, each either a fit or the reason it has none (the other groups are still
 * fitted: one group's refusal is its own), in the order of the labels; rows whose group is
 * null are left out, as R's `by()` and pandas' groupby leave out NA groups. Printed as one
 * summary table per group under its label.
 */

import type { QueryResult, ResultCell } from '../client/result.js';
import { compareLabels, provenance, type Provenance } from './frame-groups.js';

/** One group's fit, or why it has none. */
export type ModelGroup<Fit> =
  | { readonly label: ResultCell; readonly fit: Fit; readonly refused?: undefined }
  | { readonly label: ResultCell; readonly fit?: undefined; readonly refused: string };

export interface GroupFits<Fit extends { text(): string }> extends Provenance {
  /** The group column. */
  readonly by: string;
  /** One entry per declared non-null group, in the order of its labels. */
  readonly groups: readonly ModelGroup<Fit>[];
  /** One summary table per group under its label; a refused group's reason in its place. */
  text(): string;
}

/** `fit` each non-null group's row; an error `refusal` accepts becomes that group's reason. */
export function fitEachGroup<Fit extends { text(): string }>(
  result: QueryResult,
  by: string,
  fit: (row: Readonly<Record<string, ResultCell>>, index: number) => Fit,
  refusal: (e: unknown) => e is Error,
): GroupFits<Fit> {
  const groups = result.table.rows
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => row[by] !== null)
    .map(({ row, index }): ModelGroup<Fit> => {
      try {
        return { label: row[by], fit: fit(row, index) };
      } catch (e) {
        if (!refusal(e)) throw e;
        return { label: row[by], refused: e.message };
      }
    })
    .sort((a, b) => compareLabels(a.label, b.label));
  return { by, groups, ...provenance(result), text: () => groupsText(by, groups) };
}

export function groupsText<Fit extends { text(): string }>(by: string, groups: readonly ModelGroup<Fit>[]): string {
  return groups.map((g) => `${by} = ${String(g.label)}\n${g.fit !== undefined ? g.fit.text() : `not fitted: ${g.refused}`}`).join('\n\n');
}
