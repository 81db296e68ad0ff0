/**
 * derive, select, rename on secret tables (plan/check-derive.ts checked them).
 *
 * derive evaluates every column's circuit in one schedule (ops/expression.ts): all
 * multiplications of one depth in one batch, all comparisons of one step in one batch. Rows
 * keep their validity (an invalid row's derived values are computed and ignored, as its
 * stored values are). select and rename only relabel shares: no communication.
 */

import type { Session } from '../mpc/session.js';
import type { CheckedDerive, CheckedRename, CheckedSelect } from '../plan/check-derive.js';
import { columnTypeOf } from '../plan/expr-types.js';
import { SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { evaluateCircuit } from './expression.js';

export async function derive(s: Session, node: CheckedDerive, table: SecretTable): Promise<SecretTable> {
  const outputs = node.columns.flatMap((c) => (c.present ? [c.value, c.present] : [c.value]));
  const values = await evaluateCircuit(s, table, node.steps, outputs);
  let k = 0;
  const derived = node.columns.map((c): SecretColumn => {
    const { name, nullable, ...type } = c.facts;
    const schema = { name, nullable, type: columnTypeOf({ ...type, nullable }) };
    const v = values[k++];
    return c.present ? { schema, values: v, present: values[k++] } : { schema, values: v };
  });
  const columns = table.columns.map((c) => derived.find((d) => d.schema.name === c.schema.name) ?? c);
  for (const d of derived) if (!table.columns.some((c) => c.schema.name === d.schema.name)) columns.push(d);
  return new SecretTable(table.rows, columns, table.validity);
}

export function selectColumns(node: CheckedSelect, table: SecretTable): SecretTable {
  return table.select(node.columns);
}

export function renameColumns(node: CheckedRename, table: SecretTable): SecretTable {
  const columns = table.columns.map((c, i): SecretColumn => ({ ...c, schema: { ...c.schema, name: node.names[i] } }));
  return new SecretTable(table.rows, columns, table.validity);
}
