/**
 * A design query's plan, checked against the dummy tables (design-catalog.ts) instead of the
 * table store: the same checks as a production plan (plan/check.ts), with the dummies' schemas
 * and row counts. A design query never writes: a store root is refused (it would put dummy rows
 * where production plans read, or need a second namespace of derived dummies).
 */

import { QueryError, TableNotFoundError } from '../../errors.js';
import { checkPlan, type CatalogTable, type CheckedPlan } from '../../plan/check.js';
import { parsePlan } from '../../plan/parse.js';
import { scannedTables } from '../../plan/plan.js';
import type { QueryRequest } from '../../wire/api.js';
import type { NodeContext } from '../context.js';
import { designTable, type DesignTable } from './design-catalog.js';

export interface CheckedDesignPlan {
  readonly plan: CheckedPlan;
  /** The dummies it was checked against: exactly these are read (design-reader.ts). */
  readonly tables: ReadonlyMap<string, DesignTable>;
}

export async function checkDesignPlan(ctx: NodeContext, request: QueryRequest): Promise<CheckedDesignPlan> {
  if (request.script !== undefined) throw new QueryError('a design query runs on dummy tables and needs no script: leave out "script" (or "design" to run the step on the real tables)');
  const plan = parsePlan(request.plan);
  if (plan.root.op === 'store') throw new QueryError(`plan /root: a design query does not store tables (it runs on dummy tables, and its results only go back to the analyst); open the result instead, and store it in production`);
  const tables = new Map<string, DesignTable>();
  for (const name of scannedTables(plan)) {
    const table = await designTable(ctx, name).catch((error: unknown) => (error instanceof TableNotFoundError ? undefined : Promise.reject(error)));
    if (table) tables.set(name, table);
  }
  const catalog = (name: string): CatalogTable | undefined => {
    const t = tables.get(name);
    return t ? { name, kind: 'table', schema: t.schema, rows: t.rows } : undefined;
  };
  const checked = checkPlan(plan, {
    table: catalog,
    recipientRefusal: (name) => {
      const party = ctx.collaboration.findParty(name);
      if (!party) return `recipient '${name}' is not a party of collaboration '${ctx.collaboration.id}'`;
      if (!party.roles.includes('output')) return `recipient '${name}' cannot receive results: it does not have the 'output' role in the collaboration`;
      return undefined;
    },
  });
  return { plan: checked, tables };
}
