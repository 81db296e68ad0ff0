/**
 * Turns ring elements back into JS values, for opened results and for tests:
 * integer → number (bigint when the declared range exceeds the safe integers),
 * decimal → number (or exact text with `decimals: 'text'`), boolean → boolean,
 * date → "YYYY-MM-DD", category → its dictionary entry, identifier → its 62-bit hash (bigint;
 * a keyed hash cannot be turned back into the identifier), text → its string (from its words).
 */

import { UsageError } from '../errors.js';
import { formatIsoDate } from './civil-date.js';
import type { ColumnType } from './column-type.js';
import { formatScaled } from './text-grammar.js';
import type { DecodedValue } from './types/common.js';
import { decimalToNumber } from './types/decimal.js';
import { integerDecoder } from './types/integer.js';
import { textFromWords } from './types/text.js';
import { VALIDITY_SUFFIX, valueColumnNames, type ColumnSchema } from './schema.js';
import type { EncodedTable } from './encode.js';

export interface DecodeOptions {
  /** 'number' (default): nearest double; 'text': exact decimal text with `scale` fraction digits. */
  readonly decimals?: 'number' | 'text';
}

/** A decoder for one ring element (an unsigned 64-bit value) of the given type. */
export function valueDecoder(t: ColumnType, options: DecodeOptions = {}): (v: bigint) => DecodedValue {
  switch (t.kind) {
    case 'integer': {
      const decode = integerDecoder(t);
      return (v) => decode(BigInt.asIntN(64, v));
    }
    case 'decimal':
      return options.decimals === 'text'
        ? (v) => formatScaled(BigInt.asIntN(64, v), t.scale)
        : (v) => decimalToNumber(BigInt.asIntN(64, v), t.scale);
    case 'boolean':
      return (v) => {
        if (v > 1n) throw new UsageError('a boolean column holds a value other than 0 or 1');
        return v === 1n;
      };
    case 'date':
      return (v) => formatIsoDate(Number(BigInt.asIntN(64, v)));
    case 'category':
      return (v) => {
        const entry = v < BigInt(t.dictionary.length) ? t.dictionary[Number(v)] : undefined;
        if (entry === undefined) throw new UsageError(`a category column holds an index outside its dictionary of ${t.dictionary.length} entries`);
        return entry;
      };
    case 'identifier':
      return (v) => v;
    case 'text':
      throw new UsageError('a text value spans several ring words: decode it with textFromWords (types/text.ts)');
  }
}

/** Decodes a column; where `validity` is 0 the result is null. */
export function decodeColumn(column: ColumnSchema, values: BigUint64Array, validity?: BigUint64Array, options: DecodeOptions = {}): (DecodedValue | null)[] {
  if (validity !== undefined && validity.length !== values.length) throw new UsageError('values and validity differ in length');
  const decode = valueDecoder(column.type, options);
  const out = new Array<DecodedValue | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = validity !== undefined && validity[i] === 0n ? null : decode(values[i]);
  return out;
}

/** Decodes a text column from its word vectors; where `validity` is 0 the result is null. */
export function decodeTextColumn(words: readonly BigUint64Array[], validity?: BigUint64Array): (string | null)[] {
  const rows = words[0]?.length ?? 0;
  const out = new Array<string | null>(rows);
  for (let i = 0; i < rows; i++) out[i] = validity !== undefined && validity[i] === 0n ? null : textFromWords(words.map((w) => w[i]));
  return out;
}

/** Decodes every column of an encoded table, keyed by column name. */
export function decodeTable(table: EncodedTable, options: DecodeOptions = {}): Record<string, (DecodedValue | null)[]> {
  const byName = new Map(table.columns.map((c) => [c.name, c.values]));
  const out: Record<string, (DecodedValue | null)[]> = {};
  for (const column of table.schema.columns) {
    const values = byName.get(column.name);
    if (values === undefined) throw new UsageError(`encoded table lacks column '${column.name}'`);
    const validity = column.nullable ? byName.get(column.name + VALIDITY_SUFFIX) : undefined;
    if (column.type.kind === 'text') {
      const words = valueColumnNames(column).map((name) => {
        const w = byName.get(name);
        if (w === undefined) throw new UsageError(`encoded table lacks column '${name}'`);
        return w;
      });
      out[column.name] = decodeTextColumn(words, validity);
      continue;
    }
    out[column.name] = decodeColumn(column, values, validity, options);
  }
  return out;
}
