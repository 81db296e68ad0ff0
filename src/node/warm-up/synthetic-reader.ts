/**
 * The warm-up's stand-in for the node's table reader (storage/secret-scan.ts): every table a
 * warm-up plan scans is made of random values in its columns' declared ranges, drawn from
 * node:crypto by party 0 of the in-process trio and shared with `input`, so the operators run on
 * well-formed secret tables exactly as on stored ones. No stored table, key or file is read.
 */

import { randomBytes } from 'node:crypto';
import { input } from '../../mpc/protocols/io.js';
import type { Session } from '../../mpc/session.js';
import type { AShare } from '../../mpc/shares.js';
import type { StoredSecretTable, StoredTableReader } from '../../ops/table-reader.js';
import type { CatalogTable } from '../../plan/check.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../secret/secret-table.js';
import { storedRange } from '../../table/column-type.js';
import type { ColumnSchema } from '../../table/schema.js';

/** Narrower ranges to draw from than the declared ones, by `table.column` (a model's coefficients, whose sum the plan bounds). */
export type DrawRanges = ReadonlyMap<string, readonly [bigint, bigint]>;

export function syntheticReader(tables: readonly CatalogTable[], draw: DrawRanges = new Map()): StoredTableReader {
  return {
    async read(s) {
      const out = new Map<string, StoredSecretTable>();
      for (const t of tables) {
        const columns: SecretColumn[] = [];
        for (const schema of t.schema.columns) {
          const narrowed = draw.get(`${t.name}.${schema.name}`);
          const values = narrowed ? await shareRandom(s, t.rows, narrowed[0], narrowed[1]) : await shareColumn(s, t.rows, schema);
          columns.push(schema.nullable ? { schema, values, present: await shareRandom(s, t.rows, 0n, 1n) } : { schema, values });
        }
        out.set(t.name, { table: new SecretTable(t.rows, columns, ALL_VALID), source: 'uploaded' });
      }
      return out;
    },
  };
}

function shareColumn(s: Session, rows: number, schema: ColumnSchema): Promise<AShare> {
  const type = schema.type;
  if (type.kind === 'category') return shareRandom(s, rows, 0n, BigInt(type.dictionary.length - 1));
  const range = storedRange(type);
  if (!range) throw new RangeError(`the warm-up has no synthetic values for ${type.kind} column '${schema.name}'`);
  return shareRandom(s, rows, range.min, range.max);
}

/** Uniform-ish values in [min, max] (a 64-bit draw reduced mod the span: the warm-up needs in-range values, not exact uniformity). */
function shareRandom(s: Session, rows: number, min: bigint, max: bigint): Promise<AShare> {
  if (s.me !== 0) return input(s, 0, rows);
  const span = max - min + 1n;
  const values = new BigUint64Array(rows);
  new Uint8Array(values.buffer).set(randomBytes(values.byteLength));
  for (let i = 0; i < rows; i++) values[i] = BigInt.asUintN(64, min + (values[i] % span));
  return input(s, 0, values);
}
