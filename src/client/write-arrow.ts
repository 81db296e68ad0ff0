/**
 * Writing an opened table as Arrow IPC, through the apache-arrow package (the bundled DuckDB has no
 * arrow extension). Every column's buffers are built here from the same exact text the CSV and
 * Parquet path casts (client/write-result.ts), so the types and values agree with those files:
 * integers → Int64, decimals and integers beyond 64 bits → Decimal128(38, scale) from their exact
 * digits (never through a double), doubles → Float64, booleans → Bool, dates → Date32 (days since
 * 1970-01-01, negative before), categories → dictionary-encoded Utf8 over their declared levels,
 * text → Utf8; a null cell is an Arrow null (its validity bit cleared).
 */

import {
  Bool, DateDay, Decimal, Dictionary, Field, Float64, Int32, Int64, makeData, makeVector, RecordBatch, Schema, Struct, Table, Utf8, tableToIPC,
  type Data, type DataType,
} from 'apache-arrow';
import { writeFile } from 'node:fs/promises';
import { OutputFileError, UsageError } from '../errors.js';
import { parseIsoDate } from '../table/civil-date.js';
import { scaledFromDecimalText } from '../table/text-grammar.js';

/** How one planned column goes into Arrow. */
export type ArrowColumnType =
  | { readonly kind: 'int64' }
  | { readonly kind: 'decimal128'; readonly scale: number }
  | { readonly kind: 'float64' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'date32' }
  | { readonly kind: 'utf8' }
  | { readonly kind: 'dictionary'; readonly levels: readonly string[] };

export interface ArrowColumn {
  readonly name: string;
  readonly arrow: ArrowColumnType;
  /** A cell as exact text (as write-result.ts plans it); null for a null cell. */
  readonly text: (row: number) => string | null;
}

/** Decimal128 holds 38 digits: what the Parquet path writes as DECIMAL(38, s). */
export const ARROW_DECIMAL_PRECISION = 38;

/**
 * Writes the columns as one record batch to `target`: the IPC file format (.arrow, .feather,
 * .ipc), or the stream format when `stream`. `metadata` goes into the schema (tessera_design).
 */
export async function writeArrowFile(columns: readonly ArrowColumn[], rows: number, target: string, stream: boolean, metadata: ReadonlyMap<string, string>): Promise<void> {
  const built = columns.map((c) => ({ name: c.name, data: columnData(c, rows) }));
  const fields = built.map((b) => new Field(b.name, b.data.type, true));
  const schema = new Schema(fields, new Map(metadata));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children: built.map((b) => b.data) }));
  const bytes = tableToIPC(new Table(schema, [batch]), stream ? 'stream' : 'file');
  try {
    await writeFile(target, bytes, { flag: 'wx' });
  } catch (error) {
    throw new OutputFileError(`cannot write the result file (${String((error as { code?: unknown }).code ?? 'unknown error')}); check the path, the free space and the directory's permissions`);
  }
}

function columnData(column: ArrowColumn, rows: number): Data<DataType> {
  const texts: (string | null)[] = [];
  for (let i = 0; i < rows; i++) texts.push(column.text(i));
  const { nullBitmap, nullCount } = validity(texts);
  const common = { length: rows, nullCount, nullBitmap };
  const arrow = column.arrow;
  switch (arrow.kind) {
    case 'int64':
      return makeData({ ...common, type: new Int64(), data: BigInt64Array.from(texts, (t) => (t === null ? 0n : BigInt(t))) });
    case 'decimal128':
      return makeData({ ...common, type: new Decimal(arrow.scale, ARROW_DECIMAL_PRECISION, 128), data: decimalWords(column.name, texts, arrow.scale) });
    case 'float64':
      // A double's shortest text reads back to the same double.
      return makeData({ ...common, type: new Float64(), data: Float64Array.from(texts, (t) => (t === null ? 0 : Number(t))) });
    case 'bool':
      return makeData({ ...common, type: new Bool(), data: packBits(texts.map((t) => t === 'true')) });
    case 'date32':
      return makeData({ ...common, type: new DateDay(), data: Int32Array.from(texts, (t, i) => (t === null ? 0 : dateDays(column.name, i, t))) });
    case 'utf8':
      return makeData({ ...common, type: new Utf8(), ...utf8Buffers(texts) });
    case 'dictionary':
      return dictionaryData(column.name, texts, arrow.levels, common);
  }
}

/** Arrow's validity bitmap: bit i set when row i holds a value (least significant bit first). */
function validity(texts: readonly (string | null)[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullCount = texts.reduce((n, t) => n + (t === null ? 1 : 0), 0);
  return { nullBitmap: packBits(texts.map((t) => t !== null)), nullCount };
}

function packBits(bits: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    if (bit) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

const DECIMAL128_MAX = 10n ** BigInt(ARROW_DECIMAL_PRECISION) - 1n;

/** Each value × 10^scale as a 128-bit two's-complement integer, in four little-endian 32-bit words. */
function decimalWords(name: string, texts: readonly (string | null)[], scale: number): Uint32Array {
  const words = new Uint32Array(texts.length * 4);
  texts.forEach((t, i) => {
    if (t === null) return;
    const scaled = scaledFromDecimalText(t, scale);
    if (scaled === 'precision' || scaled > DECIMAL128_MAX || scaled < -DECIMAL128_MAX) {
      throw new UsageError(`column '${name}', row ${i + 1}: ${t} does not fit a 38-digit decimal with ${scale} digits after the point; write CSV instead`);
    }
    let bits = BigInt.asUintN(128, scaled);
    for (let w = 0; w < 4; w++, bits >>= 32n) words[i * 4 + w] = Number(bits & 0xffffffffn);
  });
  return words;
}

function dateDays(name: string, row: number, text: string): number {
  const days = parseIsoDate(text);
  if (days === undefined) throw new UsageError(`column '${name}', row ${row + 1}: '${text}' is not a date between 0001-01-01 and 9999-12-31`);
  return days;
}

function utf8Buffers(texts: readonly (string | null)[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const encoded = texts.map((t) => Buffer.from(t ?? '', 'utf8'));
  const valueOffsets = new Int32Array(texts.length + 1);
  let end = 0;
  encoded.forEach((bytes, i) => {
    end += bytes.length;
    // Utf8 offsets are 32-bit: checked before storing, where they would wrap.
    if (end > 0x7fffffff) throw new UsageError('a text column holds more than 2 GiB, more than an Arrow Utf8 column holds; write CSV or Parquet instead');
    valueOffsets[i + 1] = end;
  });
  return { valueOffsets, data: new Uint8Array(Buffer.concat(encoded)) };
}

/** A category column: Int32 indices into its declared levels, which become the Arrow dictionary. */
function dictionaryData(name: string, texts: readonly (string | null)[], levels: readonly string[], common: { length: number; nullCount: number; nullBitmap: Uint8Array }): Data<DataType> {
  const index = new Map(levels.map((level, k) => [level, k]));
  const indices = Int32Array.from(texts, (t, i) => {
    if (t === null) return 0;
    const k = index.get(t);
    if (k === undefined) throw new UsageError(`column '${name}', row ${i + 1}: '${t}' is not one of the category's levels (${levels.join(', ')})`);
    return k;
  });
  const dictionary = makeVector(makeData({ type: new Utf8(), length: levels.length, nullCount: 0, ...utf8Buffers(levels) }));
  return makeData({ ...common, type: new Dictionary(new Utf8(), new Int32()), data: indices, dictionary });
}
