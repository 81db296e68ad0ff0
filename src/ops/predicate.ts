/**
 * A checked predicate (plan/check-predicate.ts) evaluated on a secret table, as an arithmetic
 * 0/1 share per row, with no secret-dependent branch:
 *
 * 1. every less-than of the predicate in one batch (the operand vectors concatenated, one
 *    protocols/compare.ts lt, or compare-narrow.ts ltNarrow when the declared ranges bound every
 *    difference below 2^31: 5 to 7 rounds, ~7 to ~15 bytes instead of 8 and ~32), every equality in
 *    another: 8 + 7 rounds;
 * 2. all their bits injected to arithmetic 0/1 in one batch, negations folded in (1 - b): 2 rounds;
 * 3. AND/OR as a circuit of multiplications (x·y, x + y − x·y), each node's operands paired
 *    shallowest first; all gates of the same depth in one batched multiplication. A comparison
 *    over a nullable column is ANDed with its present bit (null compares false, the negation
 *    normal form makes that SQL's WHERE), and the result with a secret validity column.
 * Conditions over expressions (comparisons of derived values, isin, …) are circuits
 * (ops/expression.ts) evaluated first, as 0/1 shares that are 1 exactly where TRUE.
 */

import { mul } from '../mpc/protocols/arith.js';
import { eq, ltz } from '../mpc/protocols/compare.js';
import { ltNarrowPacked, NARROW_MAX_BITS } from '../mpc/protocols/compare-narrow.js';
import { packDifference, type LaneWidth } from '../mpc/protocols/lanes.js';
import { injectLinear } from '../mpc/protocols/inject.js';
import type { Session } from '../mpc/session.js';
import { addA, appendBits, AShare, BitShare, concatA, sliceBits, splitA, subA } from '../mpc/shares.js';
import { wordsFor } from '../ring/bits.js';
import { addConstA, constantSlot, publicA } from '../mpc/sharing.js';
import { nullableOperands, predicateGates, type CheckedOperand, type CheckedPredicate } from '../plan/check-predicate.js';
import { schedule } from '../plan/expr-circuit.js';
import { evaluateCircuit as evaluateConditions } from './expression.js';
import type { SecretTable } from '../secret/secret-table.js';
import { comparisonBits as comparisonWidth } from './comparison-width.js';
import { columnWord } from '../secret/column-vectors.js';

/** A value in the circuit: known after `depth` rounds of multiplication. */
interface Wire {
  readonly depth: number;
  value?: AShare;
  readonly gate?: { readonly kind: 'and' | 'or'; readonly x: Wire; readonly y: Wire };
}

export type Compare = CheckedPredicate & { kind: 'compare' };

/** 1 where the predicate holds in a valid row, else 0 (ANDed with `validity` when given). */
export async function evaluatePredicate(s: Session, p: CheckedPredicate, table: SecretTable, validity?: AShare): Promise<AShare> {
  const n = table.rows;
  const atoms: Compare[] = [];
  collectComparisons(p, atoms);
  // Conditions over expressions first (their own schedule), then the comparisons of columns.
  const gates = predicateGates(p);
  const conditions = gates.length > 0 ? await evaluateConditions(s, table, schedule(gates), gates) : [];
  const tested = await testComparisons(s, atoms, table);
  const build = (q: CheckedPredicate): Wire => {
    switch (q.kind) {
      case 'const':
        return { depth: 0, value: publicA(s.me, new BigUint64Array(n).fill(q.value ? 1n : 0n)) };
      case 'null': {
        const present = table.column(q.column.name).present!;
        return { depth: 0, value: q.isNull ? addConstA(s.me, subA(AShare.zeros(n), present), 1n) : present };
      }
      case 'compare': {
        const atom: Wire = { depth: 0, value: tested.get(q)! };
        const presents = nullableOperands(q).map((c): Wire => ({ depth: 0, value: table.column(c.name).present! }));
        return combine('and', [atom, ...presents]);
      }
      case 'gate':
        return { depth: 0, value: conditions[gates.indexOf(q.gate)] };
      default:
        return combine(q.kind, q.args.map(build));
    }
  };
  let root = build(p);
  if (validity) root = combine('and', [root, { depth: 0, value: validity }]);
  await evaluateCircuit(s, root);
  return root.value!;
}

export function collectComparisons(p: CheckedPredicate, out: Compare[]): void {
  if (p.kind === 'compare') out.push(p);
  else if (p.kind === 'and' || p.kind === 'or') p.args.forEach((a) => collectComparisons(a, out));
}

/** Each comparison's 0/1 result (negation applied): one lt batch, one eq batch, one injection. */
async function testComparisons(s: Session, atoms: readonly Compare[], table: SecretTable): Promise<Map<Compare, AShare>> {
  const out = new Map<Compare, AShare>();
  if (atoms.length === 0 || table.rows === 0) {
    for (const a of atoms) out.set(a, AShare.zeros(table.rows));
    return out;
  }
  const { order, bits } = await comparisonBits(s, atoms, table);
  const injected = await injectLinear(s, bits, order.map((a, k) => (a.negate ? { terms: [[k, -1n]], constant: 1n } : { terms: [[k, 1n]] })));
  order.forEach((a, k) => out.set(a, injected[k]));
  return out;
}

/**
 * Each comparison's shared bit, negation not applied, in `order`: the less-thans in one batch,
 * then the equalities in another. A less-than's operands are subtracted locally into one
 * vector (a literal is added to the column's component 0, never spread into a vector of its own).
 */
export async function comparisonBits(s: Session, atoms: readonly Compare[], table: SecretTable): Promise<{ order: Compare[]; bits: BitShare[] }> {
  const n = table.rows;
  const operand = (o: CheckedOperand): AShare => (o.kind === 'column' ? columnWord(table.column(o.column.name), o.word ?? 0) : publicA(s.me, new BigUint64Array(n).fill(BigInt.asUintN(64, o.value))));
  const order: Compare[] = [];
  const bits: BitShare[] = [];
  const keep = (mine: readonly Compare[], all: BitShare): void => {
    mine.forEach((a, k) => {
      bits.push(sliceBits(all, k * n, n));
      order.push(a);
    });
  };
  // The two batches run one after the other: a session's messages are matched by order.
  const lts = atoms.filter((a) => a.test === 'lt');
  if (lts.length > 0) {
    // Declared ranges bound the differences: compare on their bits, not 64 (comparison-width.ts),
    // the differences packed into lanes straight from the columns.
    const width = comparisonWidth(lts);
    if (width <= NARROW_MAX_BITS) keep(lts, await narrowComparisonBits(s, lts, table, width));
    else {
      // The differences live only until the comparison has read them: memory from the scratch
      // pool (fresh, it was 16 bytes per row and comparison for the collector to free).
      const memory = s.party.scratch.take(2 * n * lts.length);
      try {
        keep(lts, await ltz(s, differences(s, lts, table, memory)));
      } finally {
        s.party.scratch.give(memory);
      }
    }
  }
  const eqs = atoms.filter((a) => a.test === 'eq');
  if (eqs.length > 0) keep(eqs, await eq(s, concatA(eqs.map((a) => operand(a.left))), concatA(eqs.map((a) => operand(a.right)))));
  return { order, bits };
}

/** left - right of every comparison, concatenated (local), in `memory` (2 * rows * atoms words). */
function differences(s: Session, atoms: readonly Compare[], table: SecretTable, memory: BigUint64Array): AShare {
  const n = table.rows;
  const size = n * atoms.length;
  memory.fill(0n);
  const out = new AShare(memory.subarray(0, size), memory.subarray(size, 2 * size));
  const slot = constantSlot(s.me);
  atoms.forEach((a, k) => {
    const at = k * n;
    let constant = 0n;
    for (const [o, sign] of [[a.left, 1n], [a.right, -1n]] as const) {
      if (o.kind === 'constant') constant += sign * o.value;
      else addInto(out, at, columnWord(table.column(o.column.name), o.word ?? 0), sign === 1n);
    }
    if (slot && constant !== 0n) addConstantAt(out[slot], at, n, BigInt.asUintN(64, constant));
  });
  return out;
}

/**
 * Rows per block of the narrow comparisons. Every block reuses the same working memory (the
 * party's scratch pool, the carry tree's, the messages' sizes): all rows at once touched ~10
 * words per packed word fresh (147 MB per party for seven comparisons at 1M rows), and first
 * touch of memory is what this machine charges most for under load (page faults of up to
 * ~90 µs); blocks cost 6 rounds each instead of 6 in all.
 */
export const COMPARISON_BLOCK_ROWS = 1 << 17;

/**
 * left < right of every comparison (one batch, `bits` wide: comparison-width.ts), element
 * k * rows + i, computed block by block of `blockRows` rows.
 */
export async function narrowComparisonBits(s: Session, lts: readonly Compare[], table: SecretTable, bits: number, blockRows = COMPARISON_BLOCK_ROWS): Promise<BitShare> {
  const n = table.rows, K = lts.length;
  if (n <= blockRows) return ltNarrowPacked(s, n * K, bits, (lane, N, a, b) => packDifferences(s, lts, table, 0, n, lane, N, a, b));
  const outA = new BigUint64Array(wordsFor(n * K)), outB = new BigUint64Array(wordsFor(n * K));
  for (let from = 0; from < n; from += blockRows) {
    const m = Math.min(blockRows, n - from);
    const block = await ltNarrowPacked(s, m * K, bits, (lane, N, a, b) => packDifferences(s, lts, table, from, m, lane, N, a, b));
    for (let k = 0; k < K; k++) {
      const part = sliceBits(block, k * m, m);
      appendBits(outA, k * n + from, part.a, m);
      appendBits(outB, k * n + from, part.b, m);
    }
  }
  return new BitShare(outA, outB, n * K);
}

/** left - right of every comparison for rows [from, from + m) mod 2^lane, packed into lanes of both components (element k * m + i). */
function packDifferences(s: Session, atoms: readonly Compare[], table: SecretTable, from: number, m: number, lane: LaneWidth, N: number, outA: BigUint64Array, outB: BigUint64Array): void {
  const n = m;
  const rows = (v: BigUint64Array | undefined): BigUint64Array | undefined => v?.subarray(from, from + m);
  outA.fill(0n);
  outB.fill(0n);
  const slot = constantSlot(s.me);
  atoms.forEach((a, k) => {
    let constant = 0n;
    let plus: AShare | undefined, minus: AShare | undefined;
    for (const [o, sign] of [[a.left, 1n], [a.right, -1n]] as const) {
      if (o.kind === 'constant') constant += sign * o.value;
      else if (sign === 1n) plus = columnWord(table.column(o.column.name), o.word ?? 0);
      else minus = columnWord(table.column(o.column.name), o.word ?? 0);
    }
    const c = BigInt.asUintN(64, constant);
    packDifference(outA, k * n, n, rows(plus?.a), rows(minus?.a), slot === 'a' ? c : 0n, lane, N);
    packDifference(outB, k * n, n, rows(plus?.b), rows(minus?.b), slot === 'b' ? c : 0n, lane, N);
  });
}

/** out[at..at+n) += x (or -= x), both components. */
function addInto(out: AShare, at: number, x: AShare, plus: boolean): void {
  const oa = out.a, ob = out.b, xa = x.a, xb = x.b;
  if (plus) {
    for (let i = 0; i < xa.length; i++) {
      oa[at + i] += xa[i];
      ob[at + i] += xb[i];
    }
  } else {
    for (let i = 0; i < xa.length; i++) {
      oa[at + i] -= xa[i];
      ob[at + i] -= xb[i];
    }
  }
}

function addConstantAt(v: BigUint64Array, at: number, n: number, c: bigint): void {
  for (let i = at; i < at + n; i++) v[i] += c;
}

/** Pairs the operands shallowest first (plan/check-predicate.ts balancedDepth counts the same rounds). */
function combine(kind: 'and' | 'or', wires: readonly Wire[]): Wire {
  const queue = [...wires].sort((x, y) => x.depth - y.depth);
  while (queue.length > 1) {
    const x = queue.shift()!, y = queue.shift()!;
    const w: Wire = { depth: Math.max(x.depth, y.depth) + 1, gate: { kind, x, y } };
    let i = 0;
    while (i < queue.length && queue[i].depth <= w.depth) i++;
    queue.splice(i, 0, w);
  }
  return queue[0];
}

/** Every gate under `root`, once each, by its depth (the rounds it needs): one batch per depth. */
export function gatesByDepth<W extends { readonly depth: number; readonly gate?: { readonly x: W; readonly y: W } }>(root: W): Map<number, W[]> {
  const byDepth = new Map<number, W[]>();
  const seen = new Set<W>();
  const visit = (w: W): void => {
    if (!w.gate || seen.has(w)) return;
    seen.add(w);
    visit(w.gate.x);
    visit(w.gate.y);
    byDepth.set(w.depth, [...(byDepth.get(w.depth) ?? []), w]);
  };
  visit(root);
  return byDepth;
}

/** All gates of one depth in one batched multiplication, depth after depth. */
async function evaluateCircuit(s: Session, root: Wire): Promise<void> {
  const byDepth = gatesByDepth(root);
  for (let d = 1; d <= root.depth; d++) {
    const gates = byDepth.get(d) ?? [];
    if (gates.length === 0) continue;
    const xs = gates.map((g) => g.gate!.x.value!), ys = gates.map((g) => g.gate!.y.value!);
    const products = splitA(await mul(s, concatA(xs), concatA(ys)), xs.map((x) => x.length));
    gates.forEach((g, k) => {
      const { kind } = g.gate!;
      g.value = kind === 'and' ? products[k] : subA(addA(xs[k], ys[k]), products[k]);
    });
  }
}
