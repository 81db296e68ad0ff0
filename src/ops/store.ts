/**
 * The store root (plan/check-store.ts): the input table as this node's components of the stored
 * columns, ready to be written in the uploaded-table layout (node/flows/store.ts).
 *
 * A stored table has no validity column: every stored row is valid, as in an uploaded table. An
 * input with a secret validity (an oblivious filter upstream) is therefore compacted first
 * (mpc/oblivious/compact.ts: shuffle, open the shuffled validity, keep the 1 rows), which opens
 * how many rows are valid: exactly the stored table's row count, which storing makes public
 * anyway (the plan declares it). The kept rows come out in a random order.
 *
 * Nothing is re-randomised: the components stay inside the node that computed them, sealed at
 * rest like an upload's, and no one but that node ever reads them.
 */

import { compact } from '../mpc/oblivious/compact.js';
import type { Session } from '../mpc/session.js';
import type { AShare } from '../mpc/shares.js';
import type { CheckedStore } from '../plan/check-store.js';
import { SecretTable } from '../secret/secret-table.js';
import { VALIDITY_SUFFIX } from '../table/schema.js';
import { columnsFromVectors, tableVectors } from '../secret/column-vectors.js';
import { textWordColumn } from '../table/types/text.js';

/** One encoded column of the stored table (a nullable column's present bits are "<name>$valid"). */
export interface StoredColumnShares {
  readonly name: string;
  /** This node's two components (x_i, x_{i+1}), one word per row. */
  readonly a: BigUint64Array;
  readonly b: BigUint64Array;
}

export interface StoredShares {
  /** Rows stored (public once the table is committed). */
  readonly rows: number;
  /** The stored schema's encoded columns, in order (schema.ts encodedColumnNames). */
  readonly columns: readonly StoredColumnShares[];
  /** Set when the input had a secret validity and compaction opened the row count here. */
  readonly compacted: boolean;
}

export async function storeShares(s: Session, table: SecretTable, store: CheckedStore): Promise<StoredShares> {
  const valid = await allValid(s, table);
  const columns: StoredColumnShares[] = [];
  for (const c of store.columns) {
    const source = valid.table.column(c.from);
    columns.push(component(c.schema.name, source.values));
    // A text column's further words are stored as "<name>$w1", … (table/types/text.ts).
    (source.words ?? []).forEach((w, k) => columns.push(component(textWordColumn(c.schema.name, k + 1), w)));
    if (c.schema.nullable) {
      if (!source.present) throw new RangeError(`stored column '${c.schema.name}' is nullable but its input column carries no present bits`);
      columns.push(component(c.schema.name + VALIDITY_SUFFIX, source.present));
    }
  }
  return { rows: valid.table.rows, columns, compacted: valid.compacted };
}

/** The table with every row valid: as it is, or compacted by its secret validity. */
async function allValid(s: Session, table: SecretTable): Promise<{ table: SecretTable; compacted: boolean }> {
  if (table.validity.kind === 'all') return { table, compacted: false };
  const kept = await compact(s, tableVectors(table.columns), table.validity.share);
  const columns = columnsFromVectors(table.columns, kept.columns);
  return { table: new SecretTable(kept.count, columns, { kind: 'all' }), compacted: true };
}

function component(name: string, share: AShare): StoredColumnShares {
  return { name, a: share.a, b: share.b };
}
