/**
 * Both stored layouts as secret tables, injected into ops/ (ops/table-reader.ts): uploaded
 * tables from their column files (only the columns the plan reads), append tables from their
 * rows. Append rows are only those all three nodes hold identically as the same submission
 * (node/query/append-rows.ts), which is also where the nodes compare the checked plan's digest:
 * nodes that checked the plan against different tables stop here, before any MPC on data.
 */

import { QueryError } from '../../errors.js';
import { AShare } from '../../mpc/shares.js';
import { columnsRead, type StoredSecretTable, type StoredTableReader } from '../../ops/table-reader.js';
import type { CatalogTable } from '../../plan/check.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../secret/secret-table.js';
import { encodedColumnNames, valueColumnNames, VALIDITY_SUFFIX } from '../../table/schema.js';
import { ColumnDecoder, expandComponent, type WordsAllocator } from '../../wire/share-payload.js';
import type { ScanLease } from './scan-memory.js';
import { decodeContribution } from '../contribution-index.js';
import { agreeOnAppendRows, type KeyedRow } from '../query/append-rows.js';
import type { TableStore } from '../storage.js';

/** `memory`: where uploaded columns are decoded (a query's lease of memory kept between queries, scan-memory.ts); fresh without it. */
export function storedTableReader(store: TableStore, describe: (party: number) => string, memory?: ScanLease): StoredTableReader {
  return {
    async read(s, plan) {
      const append = plan.tables.filter((t) => t.kind === 'append');
      const rows = [];
      for (const t of append) rows.push({ name: t.name, rows: await (await store.appendTable(t.name)).readAll() });
      const common = await agreeOnAppendRows(s, plan.digest, rows, describe);
      const needed = columnsRead(plan);
      const out = new Map<string, StoredSecretTable>();
      for (const t of plan.tables) {
        out.set(t.name, t.kind === 'table' ? { table: await uploadedTable(store, t, needed.get(t.name) ?? new Set(), memory?.take), source: 'uploaded' } : { table: appendTable(t, common.get(t.name)!), source: 'append' });
      }
      return out;
    },
  };
}

/** The named columns of an uploaded table; every row is valid (the table's rows are public). */
async function uploadedTable(store: TableStore, t: CatalogTable, names: ReadonlySet<string>, allocate?: WordsAllocator): Promise<SecretTable> {
  // Decoded as it is decrypted (no buffer of the whole column; every fresh array costs first
  // touch and collection): each chunk of plaintext goes straight into the share vectors.
  const load = async (encoded: string): Promise<AShare> => {
    const decoder = new ColumnDecoder(t.rows, allocate);
    await store.readColumnChunks(t.name, encoded, (chunk) => decoder.push(chunk));
    const c = decoder.finish();
    return new AShare(expandComponent(c.a, t.rows, allocate), expandComponent(c.b, t.rows, allocate));
  };
  const columns: SecretColumn[] = [];
  for (const schema of t.schema.columns) {
    if (!names.has(schema.name)) continue;
    const [values, ...words] = await Promise.all(valueColumnNames(schema).map(load));
    const rest = words.length > 0 ? { words } : {};
    columns.push(schema.nullable ? { schema, values, ...rest, present: await load(schema.name + VALIDITY_SUFFIX) } : { schema, values, ...rest });
  }
  return new SecretTable(t.rows, columns, ALL_VALID);
}

/** Every column of the agreed rows (the range check covers whole rows); validity is set by the check. */
function appendTable(t: CatalogTable, rows: readonly KeyedRow[]): SecretTable {
  const n = rows.length;
  const encoded = encodedColumnNames(t.schema);
  const a = encoded.map(() => new BigUint64Array(n));
  const b = encoded.map(() => new BigUint64Array(n));
  rows.forEach((row, i) => {
    const components = decodeContribution(t.name, row.value).components;
    if (components.length !== encoded.length) throw new QueryError(`a row of append table '${t.name}' does not match its schema`);
    components.forEach(([ca, cb], k) => {
      a[k][i] = ca;
      b[k][i] = cb;
    });
  });
  const share = (name: string): AShare => {
    const k = encoded.indexOf(name);
    return new AShare(a[k], b[k]);
  };
  const columns: SecretColumn[] = t.schema.columns.map((schema) => (schema.nullable ? { schema, values: share(schema.name), present: share(schema.name + VALIDITY_SUFFIX) } : { schema, values: share(schema.name) }));
  return new SecretTable(n, columns, ALL_VALID);
}
