/**
 * A store root submitted as a job (`frame.store(name)`, `t.sqlStore('CREATE TABLE x AS SELECT ...')`):
 * like a query handle, but its result is the stored table's public metadata (with its lineage),
 * read from the connected node once the query is done. Nothing is opened to anyone.
 */

import { UsageError } from '../errors.js';
import { PLAN_VERSION, type Plan, type StoreNode, type TableNode } from '../plan/plan.js';
import type { QueryInfo, QueryStatus, QuerySubmitted, TableInfo } from '../wire/api.js';

export interface StoreOptions {
  /** Store over a derived table of the same name that this analyst stored earlier (never over an uploaded table). */
  readonly replace?: boolean;
}

export interface StoreHandle {
  readonly id: string;
  readonly submitted: QuerySubmitted;
  /** The stored table's name. */
  readonly table: string;
  status(): Promise<QueryStatus>;
  /** Waits until decided: its public facts (`resultRows` = rows stored) when done; QueryFailedError when it failed (nothing is stored then). */
  wait(): Promise<QueryInfo & { readonly state: 'done' }>;
  /** Waits, then the stored table's metadata and lineage. */
  result(): Promise<TableInfo>;
  cancel(): Promise<QueryStatus>;
}

const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The plan that stores `input` as `table`. */
export function storePlan(input: TableNode, table: string, options: StoreOptions = {}): Plan {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) throw new UsageError(`${JSON.stringify(table)} is not a table name (1-128 letters, digits, _ or -, starting with a letter or digit)`);
  const replace = options?.replace;
  if (replace !== undefined && typeof replace !== 'boolean') throw new UsageError('replace is true or false');
  const root: StoreNode = { op: 'store', input, table, ...(replace === true ? { replace: true } : {}) };
  return { version: PLAN_VERSION, root };
}

/** Builds the handle from the query handle's parts and a reader of table metadata. */
export function storeHandle(
  parts: { readonly id: string; readonly submitted: QuerySubmitted; status(): Promise<QueryStatus>; wait(): Promise<QueryInfo & { readonly state: 'done' }>; cancel(): Promise<QueryStatus> },
  table: string,
  tableInfo: (name: string) => Promise<TableInfo>,
): StoreHandle {
  return {
    id: parts.id,
    submitted: parts.submitted,
    table,
    status: () => parts.status(),
    wait: () => parts.wait(),
    result: async () => {
      await parts.wait();
      return tableInfo(table);
    },
    cancel: () => parts.cancel(),
  };
}
