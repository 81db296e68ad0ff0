/**
 * Dummy rows for design mode (docs/governance.md, "Design mode"): generated deterministically
 * from a public seed, the table's name and its public schema, so that the three nodes (and
 * anyone else) generate exactly the same rows without talking to each other. They respect the
 * schema's declarations: integers, decimals (in stored units, so the scale holds) and dates inside
 * their declared ranges, booleans 0/1, categories indices into the dictionary, identifiers drawn
 * from a pool shared by every table of the same seed (so joins on identifiers find matches), and
 * nullable columns null about one time in ten (value 0, validity 0: the stored form of null).
 *
 * Nothing here is secret: the rows are public by construction and never derived from real data.
 */

import { createHash } from 'node:crypto';
import { storedRange } from '../table/column-type.js';
import type { EncodedColumn } from '../table/encode.js';
import { encodedColumnNames, VALIDITY_SUFFIX, type ColumnSchema, type TableSchema } from '../table/schema.js';


export interface DummySpec {
  readonly seed: string;
  readonly table: string;
  readonly schema: TableSchema;
  readonly rows: number;
}

const IDENTIFIER_SPAN = 1n << 62n;
/** One null in this many cells of a nullable column, on average. */
const NULL_ONE_IN = 10n;

/** The dummy table's encoded columns (ring elements, as an upload encodes them), in encodedColumnNames order. */
export function generateDummyColumns(spec: DummySpec): EncodedColumn[] {
  const out: EncodedColumn[] = [];
  for (const column of spec.schema.columns) {
    const values = new BigUint64Array(spec.rows);
    const present = column.nullable ? new BigUint64Array(spec.rows) : undefined;
    for (let row = 0; row < spec.rows; row++) {
      const isNull = present !== undefined && draw(spec, column.name, 'null', row) % NULL_ONE_IN === 0n;
      if (present) present[row] = isNull ? 0n : 1n;
      values[row] = isNull ? 0n : BigInt.asUintN(64, cell(spec, column, row));
    }
    out.push({ name: column.name, values });
    if (present) out.push({ name: column.name + VALIDITY_SUFFIX, values: present });
  }
  const expected = encodedColumnNames(spec.schema);
  if (out.length !== expected.length || out.some((c, i) => c.name !== expected[i])) throw new Error('dummy columns out of step with the schema');
  return out;
}

function cell(spec: DummySpec, column: ColumnSchema, row: number): bigint {
  const t = column.type;
  if (t.kind === 'category') return draw(spec, column.name, 'value', row) % BigInt(t.dictionary.length);
  if (t.kind === 'identifier') {
    // A pool of `rows` identifiers per seed, not per table: dummy tables of one seed join.
    const k = draw(spec, column.name, 'value', row) % BigInt(Math.max(1, spec.rows));
    return uniform(`${spec.seed}\0identifier\0${k}`) % IDENTIFIER_SPAN;
  }
  const range = storedRange(t)!;
  return range.min + (draw(spec, column.name, 'value', row) % (range.max - range.min + 1n));
}

/** 128 uniform bits (so reducing modulo any 64-bit span is unbiased to 2^-64). */
function draw(spec: DummySpec, column: string, what: string, row: number): bigint {
  return uniform(`${spec.seed}\0${spec.table}\0${column}\0${what}\0${row}`);
}

function uniform(label: string): bigint {
  const digest = createHash('sha256').update('tessera/design-dummy/v1\0').update(label).digest();
  return (digest.readBigUInt64LE(0) << 64n) | digest.readBigUInt64LE(8);
}
