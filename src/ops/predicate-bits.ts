/**
 * A predicate that is an AND/OR of comparisons of non-nullable operands, evaluated on packed
 * shared bits (the fast path of ops/filter.ts): the comparisons' bits (ops/predicate.ts
 * comparisonBits: one lt batch, one eq batch), negation by flipping component 0 (local), then
 * AND/OR gates as binary ANDs, all gates of one depth in one batched AND (x OR y = x ^ y ^ xy).
 *
 * Against ops/predicate.ts evaluatePredicate, which injects every comparison's bit into an
 * arithmetic 0/1 and multiplies (8 bytes per comparison for the injection and 8 per gate, per
 * row), a gate here sends one bit per row, and nothing is injected: compaction shuffles the
 * predicate as a binary word, and an oblivious filter injects the one result bit.
 */

import { UsageError } from '../errors.js';
import { andBits } from '../mpc/protocols/binary.js';
import type { Session } from '../mpc/session.js';
import { notBits } from '../mpc/sharing.js';
import { concatBits, sliceBits, xorBits, type BitShare } from '../mpc/shares.js';
import type { CheckedPredicate } from '../plan/check-predicate.js';
import type { SecretTable } from '../secret/secret-table.js';
import { collectComparisons, comparisonBits, gatesByDepth } from './predicate.js';

interface BitWire {
  readonly depth: number;
  value?: BitShare;
  readonly gate?: { readonly kind: 'and' | 'or'; readonly x: BitWire; readonly y: BitWire };
}

/** The predicate's shared bit per row (the caller checked plan/check-predicate.ts isBitPredicate; the table has rows). */
export async function evaluatePredicateBits(s: Session, p: CheckedPredicate, table: SecretTable): Promise<BitShare> {
  const atoms: (CheckedPredicate & { kind: 'compare' })[] = [];
  collectComparisons(p, atoms);
  const { order, bits } = await comparisonBits(s, atoms, table);
  const leaf = new Map(order.map((a, k) => [a, a.negate ? notBits(s.me, bits[k]) : bits[k]]));
  const build = (q: CheckedPredicate): BitWire => {
    if (q.kind === 'compare') return { depth: 0, value: leaf.get(q)! };
    if (q.kind === 'and' || q.kind === 'or') return combine(q.kind, q.args.map(build));
    throw new UsageError(`evaluatePredicateBits: a '${q.kind}' leaf; check isBitPredicate first`);
  };
  const root = build(p);
  const byDepth = gatesByDepth(root);
  const n = table.rows;
  for (let d = 1; d <= root.depth; d++) {
    const gates = byDepth.get(d) ?? [];
    if (gates.length === 0) continue;
    const xs = gates.map((g) => g.gate!.x.value!), ys = gates.map((g) => g.gate!.y.value!);
    const products = await andBits(s, concatBits(xs), concatBits(ys));
    gates.forEach((g, k) => {
      const xy = sliceBits(products, k * n, n);
      g.value = g.gate!.kind === 'and' ? xy : xorBits(xy, xorBits(xs[k], ys[k]));
    });
  }
  return root.value!;
}

/** Pairs the operands shallowest first (as ops/predicate.ts, so the depth is the same). */
function combine(kind: 'and' | 'or', wires: readonly BitWire[]): BitWire {
  const queue = [...wires].sort((x, y) => x.depth - y.depth);
  while (queue.length > 1) {
    const x = queue.shift()!, y = queue.shift()!;
    const w: BitWire = { depth: Math.max(x.depth, y.depth) + 1, gate: { kind, x, y } };
    let i = 0;
    while (i < queue.length && queue[i].depth <= w.depth) i++;
    queue.splice(i, 0, w);
  }
  return queue[0];
}
