/**
 * How operators get stored tables: the node injects a reader (node/storage/secret-scan.ts) that
 * turns both stored layouts into secret tables, so ops/ never imports node/.
 */

import type { Session } from '../mpc/session.js';
import { inputsOf, type CheckedPlan, type CheckedTable } from '../plan/check.js';
import type { SecretTable } from '../secret/secret-table.js';

export interface StoredSecretTable {
  readonly table: SecretTable;
  /**
   * `uploaded`: dealt by the owner's client, which checked every value against its range;
   * `append`: rows from contributors, which operators range-check before use (every column of
   * every row, so the table holds all its columns).
   */
  readonly source: 'uploaded' | 'append';
}

export interface StoredTableReader {
  /**
   * Reads every table the plan scans (at least the columns of `columnsRead`), inside the session:
   * the nodes first compare the checked plan's digest and agree on which append rows they all hold.
   */
  read(s: Session, plan: CheckedPlan): Promise<ReadonlyMap<string, StoredSecretTable>>;
}

/** Per stored table, the columns the plan's scans read. */
export function columnsRead(plan: CheckedPlan): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const visit = (n: CheckedTable): void => {
    if (n.op !== 'scan') return inputsOf(n).forEach(visit);
    const set = out.get(n.table.name) ?? new Set<string>();
    n.columns.forEach((c) => set.add(c));
    out.set(n.table.name, set);
  };
  visit(plan.root.input);
  return out;
}
