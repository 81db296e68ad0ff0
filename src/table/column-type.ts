/** The union of column types, and the dispatch from a type to its parser, codec and wording. */

import { SchemaError } from '../errors.js';
import { booleanEncoder, booleanTypeToJson, parseBooleanType, type BooleanType, type BooleanTypeJson } from './types/boolean.js';
import { categoryEncoder, categoryTypeToJson, parseCategoryType, type CategoryType, type CategoryTypeJson } from './types/category.js';
import { type StoredRange, type TypeFields, type ValueEncoder } from './types/common.js';
import { dateEncoder, dateTypeToJson, describeDateRange, parseDateType, type DateType, type DateTypeJson } from './types/date.js';
import { decimalEncoder, decimalTypeToJson, describeDecimalRange, parseDecimalType, type DecimalType, type DecimalTypeJson } from './types/decimal.js';
import { IdentifierHasher, identifierEncoder, identifierTypeToJson, parseIdentifierType, type IdentifierType, type IdentifierTypeJson } from './types/identifier.js';
import { parseTextType, textTypeToJson, type TextType, type TextTypeJson } from './types/text.js';
import { describeIntegerRange, integerEncoder, integerTypeToJson, parseIntegerType, type IntegerType, type IntegerTypeJson } from './types/integer.js';

export type ColumnType = IntegerType | DecimalType | BooleanType | DateType | CategoryType | IdentifierType | TextType;
export type ColumnKind = ColumnType['kind'];
export type ColumnTypeJson = IntegerTypeJson | DecimalTypeJson | BooleanTypeJson | DateTypeJson | CategoryTypeJson | IdentifierTypeJson | TextTypeJson;

export const COLUMN_KINDS: readonly ColumnKind[] = ['integer', 'decimal', 'boolean', 'date', 'category', 'identifier', 'text'];

export function parseColumnType(fields: TypeFields, column: string): ColumnType {
  switch (fields.type) {
    case 'integer': return parseIntegerType(fields, column);
    case 'decimal': return parseDecimalType(fields, column);
    case 'boolean': return parseBooleanType(fields, column);
    case 'date': return parseDateType(fields, column);
    case 'category': return parseCategoryType(fields, column);
    case 'identifier': return parseIdentifierType(fields, column);
    case 'text': return parseTextType(fields, column);
    default:
      throw new SchemaError(`column '${column}': type must be one of ${COLUMN_KINDS.join(', ')}`);
  }
}

export function columnTypeToJson(t: ColumnType): ColumnTypeJson {
  switch (t.kind) {
    case 'integer': return integerTypeToJson(t);
    case 'decimal': return decimalTypeToJson(t);
    case 'boolean': return booleanTypeToJson();
    case 'date': return dateTypeToJson(t);
    case 'category': return categoryTypeToJson(t);
    case 'identifier': return identifierTypeToJson();
    case 'text': return textTypeToJson(t);
  }
}

/**
 * The declared range in stored units, or undefined where every encodable value is in range by
 * construction (categories are indices into the dictionary; identifiers are 62-bit hashes; text
 * is several words, each in [0, 2^56), its length checked by the encoder: types/text.ts).
 */
export function storedRange(t: ColumnType): StoredRange | undefined {
  switch (t.kind) {
    case 'integer':
    case 'decimal':
      return { min: t.min, max: t.max };
    case 'date':
      return { min: BigInt(t.min), max: BigInt(t.max) };
    case 'boolean':
      return { min: 0n, max: 1n };
    case 'category':
    case 'identifier':
    case 'text':
      return undefined;
  }
}

/** The declared range as a person reads it, for error messages: "[0, 120]", "[1900-01-01, 2099-12-31]". */
export function describeRange(t: ColumnType): string {
  switch (t.kind) {
    case 'integer': return describeIntegerRange(t);
    case 'decimal': return describeDecimalRange(t);
    case 'date': return describeDateRange(t);
    case 'boolean': return '[false, true]';
    case 'category': return `[0, ${t.dictionary.length - 1}]`;
    case 'identifier': return '[0, 2^62 - 1]';
    case 'text': return `at most ${t.maxBytes} bytes (UTF-8)`;
  }
}

/** What a value of the type looks like, for parse-error messages. */
export function describeExpectedText(t: ColumnType): string {
  switch (t.kind) {
    case 'integer': return 'a whole number such as -42';
    case 'decimal': return `a decimal number with at most ${t.scale} digits after the point, such as ${t.scale > 0 ? '-12.' + '5'.padEnd(t.scale, '0') : '-12'}`;
    case 'boolean': return 'true, false, 1 or 0';
    case 'date': return 'an ISO date YYYY-MM-DD that exists, such as 2024-02-29';
    case 'category': return 'text that is one of the dictionary entries';
    case 'identifier': return 'text or a whole number';
    case 'text': return `text of at most ${t.maxBytes} bytes in UTF-8, without the character U+0000`;
  }
}

export interface EncoderContext {
  /** Needed when the type is `identifier`. */
  readonly identifierHasher?: IdentifierHasher;
}

/**
 * A function from one JS value to its stored signed integer (before range check), or a failure.
 * Text takes several words a value: its encoder is types/text.ts textEncoder.
 */
export function valueEncoder(t: ColumnType, context: EncoderContext): ValueEncoder {
  switch (t.kind) {
    case 'integer': return integerEncoder();
    case 'decimal': return decimalEncoder(t.scale);
    case 'boolean': return booleanEncoder();
    case 'date': return dateEncoder();
    case 'category': return categoryEncoder(t);
    case 'identifier': {
      if (context.identifierHasher === undefined) throw new SchemaError('identifier columns need an identifier key');
      return identifierEncoder(context.identifierHasher);
    }
    case 'text':
      throw new SchemaError('a text value takes several ring words: encode it with textEncoder');
  }
}
