/**
 * Text conditions inside value expressions (derived columns: `if_else(col('code').isin([...]), …)`,
 * SQL `CASE WHEN code IN ('a', 'b') THEN …`): the word rules of check-text.ts, built as circuit
 * gates (expr-circuit.ts) so the evaluator batches them with the expression's other comparisons.
 * A text of bound N is W = ceil(N / 7) words in [0, 2^56); a word beyond an operand's W is 0.
 *
 * - x = y: the product of the W word equalities (W eq gates and W − 1 multiplications in a
 *   balanced tree); x != y is 1 minus it.
 * - x < y: lt_0 + eq_0·(lt_1 + eq_1·(… lt_{W−1})): lt_k and eq_k never hold together, so the OR
 *   of the order's definition is a sum (W lt, W − 1 eq gates, W − 1 multiplications in sequence).
 * - isin(values): the sum of the equalities with each distinct literal (they exclude each other).
 * Nulls as SQL: the result is null where an operand is (its value 0 there, the present bits the
 * product of the operands'). A literal longer than the column's bound is refused as in a filter.
 */

import { PlanError } from '../errors.js';
import { textWordCount } from '../table/types/text.js';
import { literalWords } from './check-text.js';
import { constant, eq, linear, lt, mul, type Gate } from './expr-circuit.js';
import type { TypedValue } from './expr-check.js';
import type { ValueType } from './expr-types.js';
import type { ComparisonOp, Expr, LiteralValue } from './plan.js';
import type { ColumnFacts, TableType } from './types.js';

/** A text operand: a column's word gates and present bits, or a literal's words. */
interface TextOperand {
  readonly words: readonly Gate[];
  readonly present?: Gate;
}

/** The text column `e` names, if it is a `col` of a text column. */
export function textColumnOf(e: Expr, input: TableType): ColumnFacts | undefined {
  if (e.op !== 'col') return undefined;
  const c = input.columns.find((x) => x.name === e.name);
  return c?.kind === 'text' ? c : undefined;
}

/** `a op b` where a or b is a text column (the other a text column or a text literal). */
export function textCompareValue(op: ComparisonOp, args: readonly [Expr, Expr], input: TableType, path: string): TypedValue {
  const anchor = (textColumnOf(args[0], input) ?? textColumnOf(args[1], input))!;
  const [x, y] = args.map((e, i) => operand(e, anchor, input, `${path}/args/${i}`));
  const width = Math.max(x.words.length, y.words.length);
  const word = (o: TextOperand, k: number): Gate => o.words[k] ?? constant(0n);
  const equal = (): Gate => product(Array.from({ length: width }, (_, k) => eq(word(x, k), word(y, k))));
  const less = (a: TextOperand, b: TextOperand): Gate => {
    let g = lt(word(a, width - 1), word(b, width - 1));
    for (let k = width - 2; k >= 0; k--) g = linear([[lt(word(a, k), word(b, k)), 1n], [mul(eq(word(a, k), word(b, k)), g), 1n]]);
    return g;
  };
  const not = (g: Gate): Gate => linear([[g, -1n]], 1n);
  const value = op === '=' ? equal() : op === '!=' ? not(equal()) : op === '<' ? less(x, y) : op === '>=' ? not(less(x, y)) : op === '>' ? less(y, x) : not(less(y, x));
  const present = x.present && y.present ? mul(x.present, y.present) : (x.present ?? y.present);
  return booleanOf(value, present);
}

/** `column isin values` for a text column. */
export function textIsinValue(column: ColumnFacts, values: readonly LiteralValue[], path: string): TypedValue {
  const x = columnOperand(column);
  const seen = new Set<string>();
  const hits: Gate[] = [];
  values.forEach((v, i) => {
    const words = literalWords(v, column, `${path}/values/${i}`, 'the value');
    const key = words.join(',');
    if (seen.has(key)) return;
    seen.add(key);
    hits.push(product(words.map((w, k) => eq(x.words[k], constant(w)))));
  });
  return booleanOf(linear(hits.map((h): [Gate, bigint] => [h, 1n])), x.present);
}

function operand(e: Expr, anchor: ColumnFacts, input: TableType, path: string): TextOperand {
  if (e.op === 'lit') return { words: literalWords(e.value, anchor, path, 'the literal').map((w) => constant(w)) };
  const c = textColumnOf(e, input);
  if (!c) throw new PlanError(path, `cannot compare text column '${anchor.name}' (text(${anchor.maxBytes})) with this operand, which is not a text column or a text literal; compare texts with texts`);
  return columnOperand(c);
}

function columnOperand(c: ColumnFacts): TextOperand {
  const words = Array.from({ length: textWordCount(c.maxBytes ?? 0) }, (_, k): Gate => ({ op: 'column', name: c.name, ...(k > 0 ? { word: k } : {}) }));
  return { words, ...(c.nullable ? { present: { op: 'present', name: c.name } as Gate } : {}) };
}

/** The AND of 0/1 gates: products in a balanced tree (depth ⌈log2 n⌉). */
function product(bits: readonly Gate[]): Gate {
  let level = [...bits];
  while (level.length > 1) {
    const next: Gate[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(mul(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0] ?? constant(1n);
}

/** A boolean, 1 exactly where TRUE (0 where an operand is null). */
function booleanOf(value: Gate, present: Gate | undefined): TypedValue {
  const type: ValueType = { kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: present !== undefined };
  return { type, value: present ? mul(value, present) : value, ...(present ? { present } : {}), zeroAtNull: true };
}
