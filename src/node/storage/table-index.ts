/**
 * What a node knows about its tables, held in memory from the moment the store opens: one entry
 * per table name (healthy secret-share table, healthy append table, or damaged table), so that
 * listing, planning a query and health never read the disk for tables they do not touch, and
 * their cost does not grow with unrelated tables. The store keeps the index current on every
 * create, commit and delete; damage found later (a read that fails its check) turns the entry
 * into a damaged one for as long as the process runs (a restart checks the files again).
 */

import { TableLimitError, UsageError } from '../../errors.js';
import type { JsonValue } from '../../crypto/canonical-json.js';
import type { Manifest } from './manifest.js';

/** Why a table is not used at this node. Public: it names files, never contents. */
export interface TableDamage {
  /** What the table was (a damaged manifest or meta file still says which directory it sits in). */
  readonly kind: 'table' | 'append';
  /** The file that failed its check, relative to the data directory. */
  readonly file: string;
  readonly reason: string;
  /**
   * The owner, when it was read from an authenticated manifest or meta file (before the damage
   * was found, or because another file is the damaged one); undefined when no authenticated copy
   * of it exists at this node.
   */
  readonly owner?: string;
}

export interface AppendMeta {
  readonly format: 'tessera-append-table/v1';
  readonly uid: string;
  readonly metadata: { readonly name: string; readonly schema: JsonValue; readonly owner: string; readonly createdAt: string };
}

export type IndexEntry =
  | { readonly state: 'table'; readonly manifest: Manifest }
  /** `closedRows`: the log's record count, counted once while the log is not open (nothing appends then). */
  | { readonly state: 'append'; readonly meta: AppendMeta; closedRows?: number }
  | { readonly state: 'damaged'; readonly damage: TableDamage };

export function ownerOf(entry: IndexEntry): string | undefined {
  switch (entry.state) {
    case 'table':
      return entry.manifest.metadata.owner;
    case 'append':
      return entry.meta.metadata.owner;
    case 'damaged':
      return entry.damage.owner;
  }
}

/** Bounds on how many tables (committed, append, staged and damaged alike) one node keeps. */
export interface TableLimits {
  readonly maxTables: number;
  readonly maxTablesPerOwner: number;
}

/**
 * 10,000 tables per node keeps opening a data directory (one small manifest read per table) to
 * a few seconds; 2,500 per owner lets four parties fill a node together but no one party alone.
 */
export const DEFAULT_TABLE_LIMITS: TableLimits = { maxTables: 10_000, maxTablesPerOwner: 2_500 };

export function checkTableLimits(limits: TableLimits, where: string): TableLimits {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${key} must be a positive integer (${where})`);
  }
  return limits;
}

/**
 * Refuses a new table when the node, or the owner, already holds as many as allowed. `total` and
 * `owned` count every name held: committed, append, damaged, staged and being staged.
 */
export function assertRoomFor(limits: TableLimits, owner: string, total: number, owned: number, node: string): void {
  if (total >= limits.maxTables) {
    throw new TableLimitError(
      `${node} already holds ${total} tables, the most it keeps (tableLimits.maxTables = ${limits.maxTables} in its node configuration); delete tables that are no longer needed`,
    );
  }
  if (owned >= limits.maxTablesPerOwner) {
    throw new TableLimitError(
      `'${owner}' already owns ${owned} tables at ${node}, the most one party may own (tableLimits.maxTablesPerOwner = ${limits.maxTablesPerOwner}); delete tables that are no longer needed`,
    );
  }
}
