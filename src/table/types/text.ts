/**
 * `text(N)`: a UTF-8 string of at most N bytes (codes, names), padded to N so that neither the
 * stored nor the sent size depends on a value's length.
 *
 * Encoding: the value's UTF-8 bytes, padded with zero bytes to W·7 bytes where W = ceil(N / 7),
 * cut into W words of 7 bytes, each read big-endian: word k is an integer in [0, 2^56). A column
 * `c` stores its words as the encoded columns `c` (word 0), `c$w1`, …, `c$w{W-1}`; a secret
 * table carries them as one column (values = word 0, words = the rest: secret/secret-table.ts).
 *
 * Why 7 bytes a word, not 8: a word then lies in a declared range [0, 2^56 - 1] like any other
 * column (|v| < 2^62), so equality, comparison and sorting reuse the ring machinery and cost 56
 * bits per word, never a 64-bit wrap-around. Why no U+0000: padding is zero bytes, so a value
 * ending in NUL would be indistinguishable from the shorter one; refusing it makes the encoding
 * one-to-one, and the order of the word tuples is then exactly the lexicographic order of the
 * UTF-8 bytes (a prefix before its extensions), which is DuckDB's VARCHAR order.
 */

import { IntegrityError, SchemaError } from '../../errors.js';
import { refuseUnknownFields, type EncodeFailure, type TypeFields } from './common.js';

export const TEXT_WORD_BYTES = 7;
/** Keeps rows and plans a sane size: 256 bytes are 37 words. */
export const MAX_TEXT_BYTES = 256;
/** The largest word: 7 bytes of 0xff. */
export const MAX_TEXT_WORD = (1n << 56n) - 1n;

export interface TextType {
  readonly kind: 'text';
  /** The bound on a value's UTF-8 length in bytes. */
  readonly maxBytes: number;
}

export interface TextTypeJson {
  readonly type: 'text';
  readonly maxBytes: number;
}

export function parseTextType(fields: TypeFields, column: string): TextType {
  refuseUnknownFields(fields, ['type', 'maxBytes'], column);
  const n = fields.maxBytes;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_TEXT_BYTES) {
    throw new SchemaError(`column '${column}': a text column needs maxBytes, its longest value in UTF-8 bytes, an integer from 1 to ${MAX_TEXT_BYTES} (e.g. text(16))`);
  }
  return { kind: 'text', maxBytes: n };
}

export function textTypeToJson(t: TextType): TextTypeJson {
  return { type: 'text', maxBytes: t.maxBytes };
}

/** W = ceil(N / 7): the ring words one value takes. */
export function textWordCount(maxBytes: number): number {
  return Math.ceil(maxBytes / TEXT_WORD_BYTES);
}

/** The encoded (stored) column of word k: `c` for word 0, `c$w1`, `c$w2`, … for the others. */
export function textWordColumn(column: string, k: number): string {
  return k === 0 ? column : `${column}$w${k}`;
}

/** Lone UTF-16 surrogates have no UTF-8 form; U+0000 would be confused with the padding. */
const UNENCODABLE = /[\uD800-\uDFFF]|\u0000/u;

/** A value's UTF-8 bytes, or why it is no text of this type. */
export function textBytes(value: unknown, maxBytes: number): Uint8Array | EncodeFailure {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) text = String(value);
  else return 'parse';
  if (UNENCODABLE.test(text)) return 'parse';
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length > maxBytes ? 'too-long' : bytes;
}

/** The W words of padded bytes (big-endian, 7 bytes each). */
export function wordsOfBytes(bytes: Uint8Array, words: number): bigint[] {
  const out = new Array<bigint>(words);
  for (let k = 0; k < words; k++) {
    let w = 0n;
    for (let j = 0; j < TEXT_WORD_BYTES; j++) w = (w << 8n) | BigInt(bytes[k * TEXT_WORD_BYTES + j] ?? 0);
    out[k] = w;
  }
  return out;
}

/** Encodes one value to its words, or says why not. */
export function textEncoder(t: TextType): (value: unknown) => bigint[] | EncodeFailure {
  const words = textWordCount(t.maxBytes);
  return (value) => {
    const bytes = textBytes(value, t.maxBytes);
    return bytes instanceof Uint8Array ? wordsOfBytes(bytes, words) : bytes;
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of opened words: bytes up to the first zero (the padding), as UTF-8. */
export function textFromWords(words: readonly bigint[]): string {
  const bytes = new Uint8Array(words.length * TEXT_WORD_BYTES);
  words.forEach((w, k) => {
    if (w < 0n || w > MAX_TEXT_WORD) throw new IntegrityError('a text value holds a word outside [0, 2^56)');
    for (let j = TEXT_WORD_BYTES - 1; j >= 0; j--) {
      bytes[k * TEXT_WORD_BYTES + j] = Number(w & 0xffn);
      w >>= 8n;
    }
  });
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  if (bytes.subarray(end).some((b) => b !== 0)) throw new IntegrityError('a text value has bytes after its padding');
  try {
    return utf8.decode(bytes.subarray(0, end));
  } catch {
    throw new IntegrityError('a text value is not valid UTF-8');
  }
}
