/** The table layer's public surface: schemas, column types, encoding and decoding. */

export * from './schema.js';
export * from './column-type.js';
export * from './encode.js';
export * from './decode.js';
export * from './infer.js';
export { cellError, type CellFailure } from './cell-errors.js';
export { formatIsoDate, parseIsoDate } from './civil-date.js';
export { formatScaled } from './text-grammar.js';
export { MAX_SCALED, DEFAULT_MAGNITUDE, type DecodedValue } from './types/common.js';
export { MAX_DECIMAL_SCALE } from './types/decimal.js';
export { MAX_DICTIONARY_SIZE } from './types/category.js';
export { IdentifierHasher, MIN_IDENTIFIER_KEY_BYTES } from './types/identifier.js';
