/**
 * `category`: one of a public, ordered dictionary of strings, stored as its 0-based index.
 * The dictionary is part of the schema, so it is public: never put a sensitive list here.
 */

import { SchemaError } from '../../errors.js';
import { refuseUnknownFields, type TypeFields, type ValueEncoder } from './common.js';

/** Keeps the public schema (which is hashed and signed) to a sane size. */
export const MAX_DICTIONARY_SIZE = 1 << 20;

export interface CategoryType {
  readonly kind: 'category';
  readonly dictionary: readonly string[];
}

export interface CategoryTypeJson {
  readonly type: 'category';
  readonly dictionary: readonly string[];
}

export function parseCategoryType(fields: TypeFields, column: string): CategoryType {
  refuseUnknownFields(fields, ['type', 'dictionary'], column);
  const dictionary = fields.dictionary;
  if (!Array.isArray(dictionary) || dictionary.length === 0 || dictionary.length > MAX_DICTIONARY_SIZE) {
    throw new SchemaError(`column '${column}': a category needs a dictionary, a list of 1 to ${MAX_DICTIONARY_SIZE} strings`);
  }
  const seen = new Set<string>();
  for (const entry of dictionary) {
    if (typeof entry !== 'string') throw new SchemaError(`column '${column}': every dictionary entry must be a string`);
    if (seen.has(entry)) throw new SchemaError(`column '${column}': the dictionary lists an entry twice (entry ${seen.size + 1})`);
    seen.add(entry);
  }
  return { kind: 'category', dictionary: Object.freeze([...(dictionary as string[])]) };
}

export function categoryTypeToJson(t: CategoryType): CategoryTypeJson {
  return { type: 'category', dictionary: [...t.dictionary] };
}

/** Integers are looked up by their decimal text, as the file reader does for integer columns. */
export function categoryEncoder(t: CategoryType): ValueEncoder {
  const index = new Map<string, bigint>();
  t.dictionary.forEach((entry, i) => index.set(entry, BigInt(i)));
  return (value) => {
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) text = String(value);
    else return 'parse';
    return index.get(text) ?? 'unknown-category';
  };
}
