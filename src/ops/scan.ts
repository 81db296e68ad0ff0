/**
 * scan: a stored table as a secret table with the plan's columns. Rows of an append table are
 * range-checked first (check-ranges.ts), once per table whatever the number of scans of it.
 */

import type { Session } from '../mpc/session.js';
import type { CheckedScan } from '../plan/check.js';
import type { SecretTable } from '../secret/secret-table.js';
import { checkRanges } from './check-ranges.js';
import { rangeCheckSteps, type ProgressTracker } from './progress.js';
import type { StoredSecretTable } from './table-reader.js';

export interface ScanFacts {
  readonly path: string;
  readonly table: string;
  /** Rows read (for append tables: those all three nodes hold identically). */
  readonly rows: number;
  /** Append-table rows the range check left out. */
  readonly excluded: number;
}

/** Range-checked append tables of one execution, by name. */
export type CheckedAppendTables = Map<string, Promise<{ table: SecretTable; accepted: number }>>;

export async function scan(s: Session, node: CheckedScan, stored: StoredSecretTable, checked: CheckedAppendTables, progress: ProgressTracker): Promise<{ table: SecretTable; facts: ScanFacts }> {
  await progress.enter('scan', node.path);
  let table = stored.table;
  let excluded = 0;
  if (stored.source === 'append') {
    let pending = checked.get(node.table.name);
    if (!pending) {
      const planned = rangeCheckSteps(node.table.schema);
      let rounds = 0;
      pending = checkRanges(s, stored.table, () => (rounds++ < planned ? progress.enter('range-check', node.path) : Promise.resolve())).then((r) => {
        progress.skip(planned - rounds); // an empty table needs none of its rounds
        return r;
      });
      checked.set(node.table.name, pending);
    }
    const result = await pending;
    table = result.table;
    excluded = table.rows - result.accepted;
  }
  return { table: table.select(node.columns), facts: { path: node.path, table: node.table.name, rows: table.rows, excluded } };
}
