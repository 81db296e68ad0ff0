/**
 * Generators of text(N) values for property tests: whole UTF-8 characters only, empty, short,
 * exactly the bound, multi-byte across a word boundary, and long common prefixes (texts that
 * differ only in their second 7-byte word).
 */

import fc from 'fast-check';

export const textUnit = fc.constantFrom('a', 'b', 'é', '€', '𝄞', 'Z');

/** Texts of at most `max` bytes. */
export const textArb = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: textUnit, maxLength: 9 }).map((v) => cutToBytes(v, max)),
    fc.constantFrom('', 'aaaaaaaé', '€€€', 'aaaaaaa', 'aaaaaaab', 'a', 'ab').map((v) => cutToBytes(v, max)),
    // Long common prefixes: texts that differ only in their second word.
    fc.string({ unit: fc.constantFrom('a', 'é'), minLength: 6, maxLength: 9 }).map((v) => cutToBytes(`aaaaaa${v}`, max)),
  );

/** The longest prefix of whole characters of `v` within `maxBytes` bytes of UTF-8. */
export function cutToBytes(v: string, maxBytes: number): string {
  let out = '';
  for (const ch of v) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out;
}

/** A SQL string literal. */
export const sqlText = (v: string): string => `'${v.replaceAll("'", "''")}'`;
