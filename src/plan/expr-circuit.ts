/**
 * The arithmetic circuit a checked value expression lowers to (plan/expr-check.ts builds it,
 * ops/expression.ts runs it): a DAG of gates over a table's columns, with no secret-dependent
 * branch. Linear gates (sums with public coefficients, constants) are free; the others cost
 * communication:
 *
 *   mul    x·y                                   1 round,  8 bytes per row and party
 *   trunc  floor(x / 2^bits) or that + 1          3 rounds, 7.3 bytes (bits <= 16; 9.3 to 32, 13.3 above; needs |x| < 2^62)
 *   lt     1 if x < y else 0 (arithmetic 0/1)     8 rounds, ~32 bytes, then 2 rounds, 8 bytes to inject
 *   eq     1 if x = y else 0                      7 rounds, ~16 bytes, then the same injection
 *
 * `schedule` orders the gates in steps: a step holds every gate whose inputs are known after the
 * previous steps, so all multiplications of one depth are one batched multiplication, all
 * comparisons one batched lt (and one eq), as ops/predicate.ts does for AND/OR. The executor
 * runs exactly this schedule and the cost estimate counts it, so the two cannot disagree.
 */

import { truncationBytes } from '../mpc/protocols/trunc-narrow.js';

export type Gate =
  /** A column's values (0 where null); a text column's word `word` (expr-text.ts; absent: word 0). */
  | { readonly op: 'column'; readonly name: string; readonly word?: number }
  /** A nullable column's present bits (1 present, 0 null). */
  | { readonly op: 'present'; readonly name: string }
  | { readonly op: 'const'; readonly value: bigint }
  | { readonly op: 'linear'; readonly terms: readonly (readonly [Gate, bigint])[]; readonly constant: bigint }
  | { readonly op: 'mul'; readonly x: Gate; readonly y: Gate }
  | { readonly op: 'trunc'; readonly x: Gate; readonly bits: number }
  | { readonly op: 'lt' | 'eq'; readonly x: Gate; readonly y: Gate };

export type CommGate = Gate & { op: 'mul' | 'trunc' | 'lt' | 'eq' };

export function constant(value: bigint): Gate {
  return { op: 'const', value };
}

/** Σ k·g + c, with constants folded and nested linear gates flattened; a single term with k = 1 is the gate itself. */
export function linear(terms: readonly (readonly [Gate, bigint])[], c = 0n): Gate {
  const out = new Map<Gate, bigint>();
  let k0 = c;
  const add = (g: Gate, k: bigint): void => {
    if (k === 0n) return;
    if (g.op === 'const') k0 += k * g.value;
    else if (g.op === 'linear') {
      k0 += k * g.constant;
      g.terms.forEach(([h, j]) => add(h, k * j));
    } else out.set(g, (out.get(g) ?? 0n) + k);
  };
  terms.forEach(([g, k]) => add(g, k));
  const kept = [...out].filter(([, k]) => k !== 0n);
  if (kept.length === 0) return constant(k0);
  if (kept.length === 1 && kept[0][1] === 1n && k0 === 0n) return kept[0][0];
  return { op: 'linear', terms: kept, constant: k0 };
}

export const add = (x: Gate, y: Gate): Gate => linear([[x, 1n], [y, 1n]]);
export const sub = (x: Gate, y: Gate): Gate => linear([[x, 1n], [y, -1n]]);
export const scale = (x: Gate, k: bigint, c = 0n): Gate => linear([[x, k]], c);

/** x·y; a public operand makes it linear. */
export function mul(x: Gate, y: Gate): Gate {
  if (x.op === 'const') return scale(y, x.value);
  if (y.op === 'const') return scale(x, y.value);
  return { op: 'mul', x, y };
}

/** c ? a : b for a 0/1 gate c: b + c·(a − b), one multiplication. */
export function select(c: Gate, a: Gate, b: Gate): Gate {
  return add(b, mul(c, sub(a, b)));
}

export function lt(x: Gate, y: Gate): Gate {
  return { op: 'lt', x, y };
}

export function eq(x: Gate, y: Gate): Gate {
  return { op: 'eq', x, y };
}

export function trunc(x: Gate, bits: number): Gate {
  return { op: 'trunc', x, bits };
}

/** The inputs a gate reads directly. */
export function inputsOf(g: Gate): Gate[] {
  switch (g.op) {
    case 'linear': return g.terms.map(([h]) => h);
    case 'mul':
    case 'lt':
    case 'eq': return [g.x, g.y];
    case 'trunc': return [g.x];
    default: return [];
  }
}

/** One step: the gates of each kind evaluated together (truncations grouped by their bit count). */
export interface Step {
  readonly mul: readonly CommGate[];
  readonly trunc: readonly CommGate[];
  readonly lt: readonly CommGate[];
  readonly eq: readonly CommGate[];
}

/**
 * The communication gates in steps: a gate's step is one more than the latest step among the
 * communication gates it depends on (through free linear gates). Order within a step is that of
 * a depth-first walk from the outputs, the same at every node.
 */
export function schedule(outputs: readonly Gate[]): Step[] {
  const level = new Map<Gate, number>();
  const order: CommGate[] = [];
  const visit = (g: Gate): number => {
    const known = level.get(g);
    if (known !== undefined) return known;
    const below = inputsOf(g).reduce((m, h) => Math.max(m, visit(h)), 0);
    const communicates = g.op === 'mul' || g.op === 'trunc' || g.op === 'lt' || g.op === 'eq';
    const l = communicates ? below + 1 : below;
    level.set(g, l);
    if (communicates) order.push(g as CommGate);
    return l;
  };
  outputs.forEach(visit);
  const depth = order.reduce((m, g) => Math.max(m, level.get(g)!), 0);
  const steps: { mul: CommGate[]; trunc: CommGate[]; lt: CommGate[]; eq: CommGate[] }[] = Array.from({ length: depth }, () => ({ mul: [], trunc: [], lt: [], eq: [] }));
  for (const g of order) steps[level.get(g)! - 1][g.op].push(g);
  return steps;
}

export interface CircuitCost {
  readonly rounds: number;
  /** Bytes sent per party per row. */
  readonly bytesPerRow: number;
  /** Comparisons per row (lt and eq), for explain. */
  readonly comparisons: number;
  readonly multiplications: number;
}

/** Rounds and bytes of running `schedule(outputs)` (the figures in this file's header). */
export function circuitCost(steps: readonly Step[]): CircuitCost {
  let rounds = 0, bytes = 0, comparisons = 0, multiplications = 0;
  for (const s of steps) {
    if (s.mul.length > 0) rounds += 1;
    rounds += 3 * new Set(s.trunc.map((g) => (g as { bits: number }).bits)).size;
    if (s.lt.length > 0) rounds += 8;
    if (s.eq.length > 0) rounds += 7;
    if (s.lt.length + s.eq.length > 0) rounds += 2;
    bytes += 8 * s.mul.length + 40 * s.lt.length + 24 * s.eq.length;
    for (const g of s.trunc) bytes += truncationBytes((g as { bits: number }).bits, true);
    comparisons += s.lt.length + s.eq.length;
    multiplications += s.mul.length;
  }
  return { rounds, bytesPerRow: bytes, comparisons, multiplications };
}
