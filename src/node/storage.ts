/**
 * A compute node's storage: secret-share tables (two-phase: stage, then commit or abort) and
 * append tables for one-row-per-contributor collection, encrypted at rest under a key derived
 * from the node secret. See docs/storage.md for formats and guarantees.
 */

export {
  DEFAULT_TABLE_LIMITS,
  listingName,
  TableStore,
  type AppendTableMetadata,
  type DamagedStagedTable,
  type TableDamage,
  type TableLimits,
  type TableListing,
  type ColumnData,
  type NewAppendTable,
  type NewTable,
  type StagedTable,
  type StoredTable,
  type TableMetadata,
  type TableStoreOptions,
  type TableSummary,
} from './storage/table-store.js';
export { AppendLog, MAX_CONTRIBUTOR_ID_BYTES, MAX_VALUE_BYTES, type AppendRow, type LogRecovery } from './storage/append-log.js';
export { NODE_SECRET_MIN_BYTES } from './storage/store-keys.js';
