/**
 * Conditions on text columns (table/types/text.ts), checked into the ordinary comparisons of
 * check-predicate.ts over the text's words: a text of bound N is W = ceil(N / 7) words of 7
 * bytes, each in [0, 2^56), and a word beyond a column's W reads as 0 (the padding).
 *
 * - x = y: every word equal (W equalities, ANDed); x != y is its negation (De Morgan: an OR of
 *   word inequalities). A text literal longer than the column's bound is refused: no value can
 *   equal it, so the data would not decide the answer.
 * - x < y: lexicographic order of the UTF-8 bytes (a prefix before its extensions), which is the
 *   order of the word tuples: lt_0 OR (eq_0 AND (lt_1 OR (eq_1 AND …))), W less-thans and W - 1
 *   equalities. DuckDB orders VARCHAR by the same bytes.
 * - isin(values): an OR of equalities.
 * - startsWith(p), p of L bytes: the L div 7 whole words of p equal, and where L is not a
 *   multiple of 7 the next word lies in [P, P + 2^(8(7 - L mod 7))) (its first L mod 7 bytes are
 *   p's, the rest anything): two less-thans instead of a shift, which the ring has not.
 * Every comparison is false where a nullable operand is null, and the negation normal form makes
 * that SQL's WHERE (NOT (x = 'a') is not true for a null x).
 */

import { PlanError } from '../errors.js';
import { TEXT_WORD_BYTES, textBytes, textWordCount, wordsOfBytes } from '../table/types/text.js';
import type { LiteralValue } from './plan.js';
import type { CheckedOperand, CheckedPredicate } from './check-predicate.js';
import type { ColumnFacts } from './types.js';

/** A condition before negation: word comparisons under and/or. */
type Tree =
  | { readonly atom: { readonly test: 'lt' | 'eq'; readonly left: CheckedOperand; readonly right: CheckedOperand } }
  | { readonly and: readonly Tree[] }
  | { readonly or: readonly Tree[] }
  | { readonly not: Tree };

/** A text operand: a column's words, or a literal's. */
type TextOperand = { readonly column: ColumnFacts } | { readonly words: readonly bigint[] };

export function isText(c: ColumnFacts | undefined): boolean {
  return c?.kind === 'text';
}

function wordCount(c: ColumnFacts): number {
  return textWordCount(c.maxBytes ?? 0);
}

function word(o: TextOperand, k: number): CheckedOperand {
  if ('words' in o) return { kind: 'constant', value: o.words[k] ?? 0n };
  return k < wordCount(o.column) ? { kind: 'column', column: o.column, word: k } : { kind: 'constant', value: 0n };
}

/** A literal's words, refused when it is no text of the column's bound (also read by expr-text.ts). */
export function literalWords(value: LiteralValue, column: ColumnFacts, path: string, what: string): bigint[] {
  const bytes = textBytes(typeof value === 'string' ? value : undefined, column.maxBytes ?? 0);
  if (bytes === 'too-long') throw new PlanError(path, `${what} ${JSON.stringify(value)} is longer than the ${column.maxBytes} bytes of text column '${column.name}', so no value matches it and the declaration, not the data, would decide; compare with a text that fits`);
  if (!(bytes instanceof Uint8Array)) throw new PlanError(path, `text column '${column.name}' compares with a text (a JSON string without U+0000), not ${JSON.stringify(value)}`);
  return wordsOfBytes(bytes, wordCount(column));
}

function operandOf(x: ColumnFacts | LiteralValue, anchor: ColumnFacts, path: string): TextOperand {
  if (typeof x === 'object') {
    if (x.kind !== 'text') throw new PlanError(path, `cannot compare text column '${anchor.name}' (text(${anchor.maxBytes})) with '${x.name}', which is not text; compare texts with texts`);
    return { column: x };
  }
  return { words: literalWords(x, anchor, path, 'the literal') };
}

function equal(a: TextOperand, b: TextOperand, words: number): Tree {
  return { and: Array.from({ length: words }, (_, k): Tree => ({ atom: { test: 'eq', left: word(a, k), right: word(b, k) } })) };
}

function less(a: TextOperand, b: TextOperand, words: number, from = 0): Tree {
  const lt: Tree = { atom: { test: 'lt', left: word(a, from), right: word(b, from) } };
  if (from === words - 1) return lt;
  return { or: [lt, { and: [{ atom: { test: 'eq', left: word(a, from), right: word(b, from) } }, less(a, b, words, from + 1)] }] };
}

function widest(...operands: TextOperand[]): number {
  return Math.max(...operands.map((o) => ('words' in o ? o.words.length : wordCount(o.column))));
}

/** `a op b` where one operand is a text column (the other a text column or a literal). */
export function textComparison(op: '=' | '!=' | '<' | '<=' | '>' | '>=', a: ColumnFacts | LiteralValue, b: ColumnFacts | LiteralValue, path: string, negated: boolean): CheckedPredicate {
  const anchor = (typeof a === 'object' ? a : b) as ColumnFacts;
  const x = operandOf(a, anchor, `${path}/args/0`), y = operandOf(b, anchor, `${path}/args/1`);
  const words = widest(x, y);
  switch (op) {
    case '=': return lower(equal(x, y, words), negated);
    case '!=': return lower(equal(x, y, words), !negated);
    case '<': return lower(less(x, y, words), negated);
    case '>=': return lower(less(x, y, words), !negated);
    case '>': return lower(less(y, x, words), negated);
    case '<=': return lower(less(y, x, words), !negated);
  }
}

export function textIsin(column: ColumnFacts, values: readonly LiteralValue[], path: string, negated: boolean): CheckedPredicate {
  const x: TextOperand = { column };
  const options = values.map((v, i): Tree => equal(x, { words: literalWords(v, column, `${path}/values/${i}`, 'the value') }, wordCount(column)));
  return lower({ or: options }, negated);
}

export function textStartsWith(column: ColumnFacts, prefix: string, path: string, negated: boolean): CheckedPredicate {
  const bytes = textBytes(prefix, column.maxBytes ?? 0);
  if (bytes === 'too-long') throw new PlanError(`${path}/prefix`, `the prefix ${JSON.stringify(prefix)} is longer than the ${column.maxBytes} bytes of text column '${column.name}', so no value starts with it; use a shorter prefix`);
  if (!(bytes instanceof Uint8Array)) throw new PlanError(`${path}/prefix`, 'a prefix is a text without U+0000');
  const whole = Math.floor(bytes.length / TEXT_WORD_BYTES);
  const rest = bytes.length % TEXT_WORD_BYTES;
  const p = wordsOfBytes(bytes, whole + (rest > 0 ? 1 : 0));
  const x: TextOperand = { column };
  const parts: Tree[] = Array.from({ length: whole }, (_, k): Tree => ({ atom: { test: 'eq', left: word(x, k), right: { kind: 'constant', value: p[k] } } }));
  if (rest > 0) {
    const lo = p[whole];
    const hi = lo + (1n << BigInt(8 * (TEXT_WORD_BYTES - rest)));
    const w = word(x, whole);
    parts.push({ and: [{ not: { atom: { test: 'lt', left: w, right: { kind: 'constant', value: lo } } } }, { atom: { test: 'lt', left: w, right: { kind: 'constant', value: hi } } }] });
  }
  if (parts.length === 0) {
    // The empty prefix: every text starts with it, and a null does not (SQL: NULL, not true).
    if (negated) return { kind: 'const', value: false };
    return column.nullable ? { kind: 'null', column, isNull: false } : { kind: 'const', value: true };
  }
  return lower({ and: parts }, negated);
}

/** Negation normal form: NOT pushed down to the word comparisons (each false where null). */
function lower(t: Tree, negated: boolean): CheckedPredicate {
  if ('not' in t) return lower(t.not, !negated);
  if ('atom' in t) return { kind: 'compare', test: t.atom.test, negate: negated, left: t.atom.left, right: t.atom.right };
  const args = 'and' in t ? t.and : t.or;
  const kind = ('and' in t) !== negated ? 'and' : 'or';
  const lowered = args.map((a) => lower(a, negated));
  return lowered.length === 1 ? lowered[0] : { kind, args: lowered };
}
