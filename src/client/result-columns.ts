/**
 * An opened table decoded column by column, its rows built only when they are read.
 *
 * Every output becomes one column of cells, row for row as `rows` will hold them (rows the
 * plan's validity marked invalid left out): a Float64Array for a decimal, or an integer of the
 * safe range, that has no nulls (the same doubles `rows` holds: Number(v) / 10^scale), else an
 * array of cells. `rows` is a property that builds its per-row objects from these columns the
 * first time it is read and keeps them; `tableColumn` reads a column without building any. At
 * 100K rows the row objects and their decoding cost the client ~0.12 s in a fresh process
 * (s7-predict), most of what it spent after the nodes had finished; a caller that takes the
 * columns (a bench's check, a program that computes with a column) no longer pays it.
 *
 * Decoding stays eager: a malformed value (a validity other than 0 or 1, a category outside its
 * dictionary) is refused when the result is opened, never later when a row is read.
 */

import { IntegrityError, UsageError } from '../errors.js';
import { VALID_COLUMN } from '../secret/outputs.js';
import type { QueryOutputInfo } from '../wire/api.js';
import type { ResultCell, ResultTable } from './result.js';

/** One column of an opened table: typed where its cells are plain numbers. */
export type ResultColumn = Float64Array | readonly ResultCell[];

/** The columns behind each table that decodeTable built, for tableColumn. */
const columnsOf = new WeakMap<ResultTable, ReadonlyMap<string, ResultColumn>>();

/** Indices of the rows kept (validity 1), or undefined when there is no validity column. */
export function keptRows(columns: ReadonlyMap<string, BigUint64Array>, rows: number): Uint32Array | undefined {
  const valid = columns.get(VALID_COLUMN);
  if (!valid) return undefined;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const v = valid[i];
    if (v > 1n) throw new IntegrityError('the result\'s validity column holds a value other than 0 or 1');
    if (v === 1n) count++;
  }
  const kept = new Uint32Array(count);
  for (let i = 0, k = 0; i < rows; i++) if (valid[i] === 1n) kept[k++] = i;
  return kept;
}

/** The double of every kept row of a signed ring column divided by `divisor` (10^scale). */
export function numberColumn(values: BigUint64Array, divisor: number, rows: number, kept: Uint32Array | undefined): Float64Array {
  const out = new Float64Array(kept ? kept.length : rows);
  if (kept) for (let k = 0; k < kept.length; k++) out[k] = Number(BigInt.asIntN(64, values[kept[k]])) / divisor;
  else for (let i = 0; i < rows; i++) out[i] = Number(BigInt.asIntN(64, values[i])) / divisor;
  return out;
}

/** The cells of every kept row from a decoder of row indices. */
export function cellColumn(decode: (row: number) => ResultCell, rows: number, kept: Uint32Array | undefined): ResultCell[] {
  const out = new Array<ResultCell>(kept ? kept.length : rows);
  if (kept) for (let k = 0; k < kept.length; k++) out[k] = decode(kept[k]);
  else for (let i = 0; i < rows; i++) out[i] = decode(i);
  return out;
}

/** A table over decoded columns (one per output name, in order); `rows` is built when first read. */
export function tableOfColumns(outputs: readonly QueryOutputInfo[], decoded: readonly ResultColumn[], count: number): ResultTable {
  const names = outputs.map((o) => o.name);
  let rows: Readonly<Record<string, ResultCell>>[] | undefined;
  const table: ResultTable = {
    columns: names,
    // An own, enumerable property as before (spread, JSON and deep equality read it), built once.
    get rows() {
      return (rows ??= buildRows(names, decoded, count));
    },
  };
  const byName = new Map<string, ResultColumn>();
  names.forEach((n, k) => byName.set(n, decoded[k])); // a later output of the same name wins, as in a row
  columnsOf.set(table, byName);
  return table;
}

function buildRows(names: readonly string[], decoded: readonly ResultColumn[], count: number): Record<string, ResultCell>[] {
  const rows = new Array<Record<string, ResultCell>>(count);
  for (let i = 0; i < count; i++) {
    const row: Record<string, ResultCell> = {};
    for (let k = 0; k < names.length; k++) row[names[k]] = decoded[k][i];
    rows[i] = row;
  }
  return rows;
}

/**
 * One column of an opened table, row for row as `table.rows` (the same cells), without building
 * the rows: a Float64Array for a decimal or safe-range integer column without nulls.
 */
export function tableColumn(table: ResultTable, name: string): ResultColumn {
  if (!table.columns.includes(name)) throw new UsageError(`the result has no column '${name}' (it has ${table.columns.join(', ') || 'none'})`);
  return columnsOf.get(table)?.get(name) ?? table.rows.map((row) => row[name] ?? null);
}
