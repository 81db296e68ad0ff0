/**
 * Where a derived table came from (docs/storage.md, "Derived tables"): kept in its manifest
 * beside the public metadata, listed with the table. A table with a lineage was stored by a
 * plan's store root; uploaded tables have none.
 */

export interface TableLineage {
  /** The query that stored it: its staged copy follows that query's decision (node/flows/store.ts). */
  readonly query: string;
  /** The plan's id (plan/plan.ts planHash). */
  readonly plan: string;
  /** The stored tables the plan read, sorted. */
  readonly inputs: readonly string[];
  /** The analyst who stored it (also its owner). */
  readonly createdBy: string;
  readonly createdAt: string;
  /** It replaced a derived table of the same name and creator when it was committed. */
  readonly replaced: boolean;
}

/** A lineage as read back from an authenticated manifest (shape checked, so readers can rely on it). */
export function isLineage(value: unknown): value is TableLineage {
  const l = value as Partial<TableLineage> | null;
  return (
    typeof l === 'object' && l !== null &&
    typeof l.query === 'string' && typeof l.plan === 'string' && typeof l.createdBy === 'string' && typeof l.createdAt === 'string' &&
    typeof l.replaced === 'boolean' && Array.isArray(l.inputs) && l.inputs.every((t) => typeof t === 'string')
  );
}
