/**
 * The store root (plan.ts StoreNode): its input becomes a new secret table at the nodes.
 *
 * Rules (docs/plan.md, "Stored tables"):
 * - The name follows the stored table-name rule and must be free, unless `replace` is set: then
 *   it may name a derived table (one a plan stored) that the requester stored. Uploaded and
 *   append tables are never replaced, nor another analyst's derived table: their owners delete them.
 * - Every column is stored, identifier columns included (they stay keyed hashes inside the nodes,
 *   so they can be joined and grouped on later; only opening them is refused). The part columns of
 *   an aggregate with several parts ("m.sum", "m.count" of a mean) are stored as "m_sum" and
 *   "m_count": a name with a dot is not a column name. Two stored names that clash (ignoring
 *   case, as every schema) are refused with the columns named.
 * - Each column keeps the kind, scale, dictionary and declared range the checker derived, which
 *   become the stored table's schema; a range wider than the stored encoding (±(2^62 - 1)) is refused.
 * - Public: the stored table's row count (like an uploaded table's), its schema and lineage.
 */

import { PlanError, TableExistsError, UsageError } from '../errors.js';
import { makeSchema, type ColumnSchema, type TableSchema } from '../table/schema.js';
import { columnTypeToJson, parseColumnType, type ColumnType } from '../table/column-type.js';
import type { TypeFields } from '../table/types/common.js';
import type { StoreNode } from './plan.js';
import { factsToType, type ColumnFacts, type TableType } from './types.js';

/** What a node holds under the name a store root writes to. */
export interface StoreTarget {
  readonly kind: 'table' | 'append' | 'damaged';
  /** The owner of the table (for a derived table: the analyst who stored it), when known. */
  readonly owner?: string;
  /** A table a plan stored (it has a lineage). */
  readonly derived: boolean;
}

/** What checking a store root needs beyond the scanned tables. */
export interface StoreCheckContext {
  /** What exists under `name` at this node, or undefined when nothing does. */
  storeTarget?(name: string): StoreTarget | undefined;
  /** The party asking (the stored table's owner). */
  readonly requester?: string;
}

/** One stored column: `from` in the input table, stored as `name` with `schema`. */
export interface StoredColumn {
  readonly from: string;
  readonly schema: ColumnSchema;
}

export interface CheckedStore {
  readonly table: string;
  readonly replace: boolean;
  /** An existing derived table of the requester's is replaced. */
  readonly replaces: boolean;
  readonly columns: readonly StoredColumn[];
  readonly schema: TableSchema;
}

export function checkStore(node: StoreNode, input: TableType, context: StoreCheckContext, path: string): CheckedStore {
  if (!context.storeTarget || context.requester === undefined) throw new UsageError('checking a store root needs the stored tables and the requester');
  const replace = node.replace === true;
  const target = context.storeTarget(node.table);
  if (target !== undefined) {
    if (!replace) {
      throw new TableExistsError(node.table, `plan ${path}/table: a table named '${node.table}' already exists; choose another name${target.derived && target.owner === context.requester ? ", or set replace to store over it (it is a derived table of yours)" : ''}`);
    }
    if (target.kind !== 'table' || !target.derived) {
      const what = target.kind === 'damaged' ? 'a damaged table' : target.kind === 'append' ? 'an append table' : 'an uploaded table';
      throw new PlanError(`${path}/table`, `'${node.table}' is ${what}, which a plan never replaces (only derived tables are); choose another name or have its owner delete it`);
    }
    if (target.owner !== context.requester) {
      throw new PlanError(`${path}/table`, `derived table '${node.table}' was stored by '${target.owner ?? 'another party'}', and only that analyst may replace it; choose another name`);
    }
  }
  const columns = input.columns.map((c, i) => storedColumn(c, `${path}/input`, i));
  let schema: TableSchema;
  try {
    schema = makeSchema(columns.map((c) => c.schema));
  } catch (error) {
    throw new PlanError(`${path}/input`, `the stored table's columns would be ${columns.map((c) => c.schema.name).join(', ')}: ${(error as Error).message}`);
  }
  return { table: node.table, replace, replaces: target !== undefined, columns, schema };
}

/** The stored name: a column name as it is, an aggregate's part column "<output>.<part>" as "<output>_<part>". */
export function storedColumnName(c: ColumnFacts): string {
  return c.name.replaceAll('.', '_');
}

function storedColumn(c: ColumnFacts, at: string, index: number): StoredColumn {
  const name = storedColumnName(c);
  let type: ColumnType;
  try {
    // Through the schema's own parser: a range the stored encoding cannot hold is refused here.
    type = parseColumnType(columnTypeToJson(factsToType({ ...c, name })) as unknown as TypeFields, name);
  } catch (error) {
    throw new PlanError(at, `column ${index} ('${c.name}') cannot be stored: ${(error as Error).message}; narrow the declared ranges of its inputs or store fewer rows at a time`);
  }
  return { from: c.name, schema: { name, type, nullable: c.nullable } };
}
