/**
 * Checking a query (count, sum or mean of a column over tables) before anything is computed.
 * Every node plans on its own from the client's signed request; the three plans' digests are
 * compared at the start of the computation, so nodes that disagree (a table missing at one of
 * them) stop with a clear error instead of computing garbage.
 */

import { canonicalHash } from '../../crypto/canonical-json.js';
import { QueryError, TableNotFoundError } from '../../errors.js';
import type { Collaboration } from '../../governance/collaboration.js';
import { storedRange, type ColumnType } from '../../table/column-type.js';
import { findColumn, parseSchema, VALIDITY_SUFFIX, type ColumnSchema, type TableSchema, type TableSchemaJson } from '../../table/schema.js';
import type { AggregateOp, QueryRequest } from '../../wire/api.js';
import { listingName, type TableListing, type TableStore, type TableSummary } from '../storage.js';
import { checkTableName } from '../storage/names.js';

export const AGGREGATE_OPS: readonly AggregateOp[] = ['count', 'sum', 'mean'];
const MAX_TABLES = 100;
const MAX_RECIPIENTS = 100;
/** Largest magnitude a sum may reach: the ring's signed range. */
const SUM_LIMIT = (1n << 63n) - 1n;

export interface PlannedTable {
  readonly name: string;
  readonly kind: 'table' | 'append';
  readonly schema: TableSchema;
  readonly schemaJson: TableSchemaJson;
  /** Rows stored here (for append tables: this node's rows; the query uses those present at all three). */
  readonly rows: number;
}

export interface QueryPlan {
  readonly op: AggregateOp;
  readonly column?: ColumnSchema;
  readonly tables: readonly PlannedTable[];
  readonly recipients: readonly string[];
  /** Hash of everything the three nodes must agree on. */
  readonly digest: string;
}

/** The shape of a query request (the same checks the HTTP schema makes, for forwarded requests). */
export function checkQueryRequest(body: unknown): QueryRequest {
  const b = body as Partial<QueryRequest> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new QueryError('a query is an object { op, column?, tables?, recipients }');
  const extra = Object.keys(b).filter((k) => !['op', 'column', 'tables', 'recipients'].includes(k));
  if (extra.length > 0) throw new QueryError(`unknown query field '${extra[0]}' (allowed: op, column, tables, recipients)`);
  if (!AGGREGATE_OPS.includes(b.op as AggregateOp)) throw new QueryError(`op must be one of ${AGGREGATE_OPS.join(', ')}`);
  if (b.column !== undefined && typeof b.column !== 'string') throw new QueryError('column must be a column name');
  if (b.tables !== undefined && (!Array.isArray(b.tables) || b.tables.length === 0 || b.tables.length > MAX_TABLES || b.tables.some((t) => typeof t !== 'string'))) {
    throw new QueryError(`tables must be a list of 1 to ${MAX_TABLES} table names`);
  }
  if (!Array.isArray(b.recipients) || b.recipients.length === 0 || b.recipients.length > MAX_RECIPIENTS || b.recipients.some((r) => typeof r !== 'string')) {
    throw new QueryError(`recipients must list 1 to ${MAX_RECIPIENTS} party names: who may open the result`);
  }
  return { op: b.op as AggregateOp, ...(b.column !== undefined ? { column: b.column } : {}), ...(b.tables !== undefined ? { tables: b.tables } : {}), recipients: b.recipients };
}

export async function planQuery(store: TableStore, collaboration: Collaboration, request: QueryRequest): Promise<QueryPlan> {
  const recipients = [...new Set(request.recipients)];
  for (const r of recipients) {
    const party = collaboration.findParty(r);
    if (!party) throw new QueryError(`recipient '${r}' is not a party of collaboration '${collaboration.id}'`);
    if (!party.roles.includes('output')) throw new QueryError(`recipient '${r}' cannot receive results: it does not have the 'output' role in the collaboration`);
  }
  if (request.op !== 'count' && request.column === undefined) throw new QueryError(`${request.op} needs a column`);
  if (request.column !== undefined && request.column.includes(VALIDITY_SUFFIX)) throw new QueryError(`'${request.column}' is not a column name`);

  // Only the tables the query names are looked at (from the store's index): the cost of planning
  // does not grow with unrelated tables. A damaged table is refused with its reason, never used.
  let summaries: TableSummary[];
  if (request.tables !== undefined) {
    summaries = [];
    for (const n of [...new Set(request.tables)]) {
      checkTableName(n);
      const listing = await store.checkedListing(n).catch((error: unknown) => {
        if (error instanceof TableNotFoundError) throw new TableNotFoundError(n, `no table named '${n}' in collaboration '${collaboration.id}'`);
        throw error;
      });
      summaries.push(usable(store, listing));
    }
  } else {
    summaries = [];
    for (const listed of await store.listTables()) {
      const listing = listed.kind === 'damaged' ? listed : await store.checkedListing(listingName(listed));
      // A damaged table's schema is unknown here: it may hold the column, so the query is refused.
      const summary = usable(store, listing);
      if (request.column === undefined || findColumn(parseSchema(summary.metadata.schema), request.column) !== undefined) summaries.push(summary);
    }
    if (summaries.length === 0) throw new QueryError(request.column === undefined ? 'there are no tables to count' : `no table has a column named '${request.column}'`);
  }
  const tables: PlannedTable[] = summaries
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
    .map((s) => {
      const schema = parseSchema(s.metadata.schema);
      return { name: s.metadata.name, kind: s.kind, schema, schemaJson: s.metadata.schema as unknown as TableSchemaJson, rows: s.kind === 'table' ? s.metadata.rowCount : s.rowCount };
    });

  let column: ColumnSchema | undefined;
  if (request.column !== undefined) {
    for (const t of tables) {
      const c = findColumn(t.schema, request.column);
      if (!c) throw new QueryError(`table '${t.name}' has no column named '${request.column}'`);
      if (column === undefined) column = c;
      else if (!sameKind(column.type, c.type)) {
        throw new QueryError(`column '${request.column}' has different types in the tables (${describeKind(column.type)} and ${describeKind(c.type)} in '${t.name}'); query them separately`);
      }
    }
  }
  if (request.op !== 'count') {
    const kind = column!.type.kind;
    if (kind !== 'integer' && kind !== 'decimal' && kind !== 'boolean') {
      throw new QueryError(`cannot ${request.op} column '${column!.name}': it is a ${kind} column (sum and mean work on integer, decimal and boolean columns; count works on any)`);
    }
    let bound = 0n;
    for (const t of tables) bound += BigInt(t.rows) * maxMagnitude(findColumn(t.schema, column!.name)!.type);
    if (bound > SUM_LIMIT) {
      throw new QueryError(
        `the ${request.op} of '${column!.name}' could exceed the 64-bit range for the declared ranges and row counts; declare narrower ranges or query fewer rows at a time`,
      );
    }
  }
  const digest = canonicalHash({
    op: request.op,
    column: column === undefined ? null : column.name,
    tables: tables.map((t) => ({ name: t.name, kind: t.kind, schema: t.schemaJson, rows: t.kind === 'table' ? t.rows : null })),
    recipients,
  });
  return { op: request.op, ...(column ? { column } : {}), tables, recipients, digest };
}

/** The table, or its damage as the error (naming the table, the node, the file and why). */
function usable(store: TableStore, listing: TableListing): TableSummary {
  if (listing.kind === 'damaged') throw store.damagedError(listing.name);
  return listing;
}

function sameKind(a: ColumnType, b: ColumnType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'decimal' && b.kind === 'decimal') return a.scale === b.scale;
  return true;
}

function describeKind(t: ColumnType): string {
  return t.kind === 'decimal' ? `decimal with scale ${t.scale}` : t.kind;
}

/** Largest |value| a column may hold, in stored units. */
function maxMagnitude(t: ColumnType): bigint {
  const r = storedRange(t);
  if (!r) return 1n << 62n;
  const lo = r.min < 0n ? -r.min : r.min;
  const hi = r.max < 0n ? -r.max : r.max;
  return lo > hi ? lo : hi;
}

/** The declared range in stored units, for the range check of append-table rows. */
export function checkRange(t: ColumnType): { min: bigint; max: bigint } {
  const r = storedRange(t);
  if (r) return r;
  if (t.kind === 'category') return { min: 0n, max: BigInt(t.dictionary.length - 1) };
  return { min: 0n, max: (1n << 62n) - 1n }; // identifiers: 62-bit hashes
}
