/**
 * An aggregate that sums products of columns, fused with the derive that makes them: Σ a·b for
 * `agg(sum(p))` over `derive(p = a * b)` without materialising p. A regression's Gram matrix is
 * exactly this (stats/ols-design.ts: 65 products per row at 10 predictors), and so is SQL's
 * `sum(a * b)`.
 *
 * Materialised, each product costs a multiplication per row (8 bytes per row and party, and a
 * 16-byte share per row in memory) before its sum. Fused, each party adds up its local cross
 * terms of the inner product, aᵢ·(bᵢ + bᵢ₊₁) + aᵢ₊₁·bᵢ over all rows, masks the total with a zero
 * sharing, and one reshare of one element per product makes the sums replicated (ABY3's dot
 * product, as mpc/protocols/arith.ts `dot`): 8 bytes per product whatever the row count. With a
 * secret validity column v, each left operand is first multiplied by v (one batched round, 8
 * bytes per row per distinct column), so Σ (v·a)·b counts only valid rows.
 *
 * The result is the same secret table the unfused aggregate makes (same sums, same columns): the
 * plan and its checks (every product's and every sum's range against the ring) are unchanged.
 * Only plain products of two input columns are fused; any other use of a derived column takes
 * the general path (ops/execute.ts asks `fusedProducts` first).
 */

import { mul } from '../mpc/protocols/arith.js';
import type { Session } from '../mpc/session.js';
import { AShare, concatA, sumA } from '../mpc/shares.js';
import { publicA } from '../mpc/sharing.js';
import type { CheckedDerive } from '../plan/check-derive.js';
import type { CheckedAggregate } from '../plan/check.js';
import { factsToType } from '../plan/types.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';

/** How each term of the aggregate is computed from the derive's input. */
export type FusedTerm = { readonly of: 'rows' } | { readonly of: 'column'; readonly column: string; readonly present: boolean } | { readonly of: 'product'; readonly left: string; readonly right: string };

export interface FusedProducts {
  readonly derive: CheckedDerive;
  readonly terms: readonly FusedTerm[];
}

/** The fused form of `node` when its input is a derive and every derived column it reads is a plain product of two input columns. */
export function fusedProducts(node: Pick<CheckedAggregate, 'input' | 'outputs'>): FusedProducts | undefined {
  if (node.input.op !== 'derive') return undefined;
  const derive = node.input;
  const derived = new Map(derive.columns.map((c) => [c.facts.name, c]));
  const terms: FusedTerm[] = [];
  for (const out of node.outputs) {
    for (const term of out.terms) {
      if (term.of === 'rows') {
        terms.push({ of: 'rows' });
        continue;
      }
      const name = out.column!.name;
      const d = derived.get(name);
      if (d === undefined) {
        terms.push({ of: 'column', column: name, present: term.of === 'present' });
        continue;
      }
      const g = d.value;
      if (term.of !== 'values' || d.present !== undefined || g.op !== 'mul' || g.x.op !== 'column' || g.y.op !== 'column') return undefined;
      terms.push({ of: 'product', left: g.x.name, right: g.y.name });
    }
  }
  return terms.some((t) => t.of === 'product') ? { derive, terms } : undefined;
}

/** The aggregate's one-row table from the derive's input table. */
export async function productSums(s: Session, node: CheckedAggregate, fused: FusedProducts, table: SecretTable): Promise<SecretTable> {
  const sums = await termSums(s, fused.terms, table);
  const columns = node.type.columns.map((facts, k): SecretColumn => ({
    schema: { name: facts.name, type: factsToType(facts), nullable: false },
    values: new AShare(sums[k].a, sums[k].b),
  }));
  return new SecretTable(1, columns, ALL_VALID);
}

async function termSums(s: Session, terms: readonly FusedTerm[], table: SecretTable): Promise<AShare[]> {
  const n = table.rows;
  const vector = (t: Exclude<FusedTerm, { of: 'product' | 'rows' }>): AShare => {
    const c = table.column(t.column);
    return t.present ? (c.present ?? publicA(s.me, new BigUint64Array(n).fill(1n))) : c.values;
  };
  // Every term as a product left·right (a linear term under a secret validity v is v·x).
  const validity = table.validity.kind === 'all' ? undefined : table.validity.share;
  const lefts = new Map<string, AShare>();
  if (validity) {
    const names = [...new Set(terms.flatMap((t) => (t.of === 'product' ? [t.left] : [])))];
    const columns = names.map((name) => table.column(name).values);
    if (columns.length > 0) {
      const masked = await mul(s, concatA(columns), concatA(columns.map(() => validity)));
      names.forEach((name, i) => lefts.set(name, new AShare(masked.a.subarray(i * n, (i + 1) * n), masked.b.subarray(i * n, (i + 1) * n))));
    }
  }
  const out: (AShare | undefined)[] = new Array(terms.length);
  const pairs: { index: number; left: AShare; right: AShare }[] = [];
  terms.forEach((t, i) => {
    if (t.of === 'product') return void pairs.push({ index: i, left: lefts.get(t.left) ?? table.column(t.left).values, right: table.column(t.right).values });
    if (!validity) {
      out[i] = t.of === 'rows' ? publicA(s.me, BigUint64Array.of(BigInt(n))) : sumA(vector(t));
      return;
    }
    // Σ v (rows) is Σ v·v for a 0/1 validity; Σ v·x otherwise.
    pairs.push({ index: i, left: validity, right: t.of === 'rows' ? validity : vector(t) });
  });
  if (pairs.length > 0) {
    const z = s.zeroShare(pairs.length);
    const acc = new BigUint64Array(1);
    pairs.forEach((p, k) => {
      acc[0] = z[k];
      const xa = p.left.a, xb = p.left.b, ya = p.right.a, yb = p.right.b;
      for (let r = 0; r < n; r++) acc[0] += xa[r] * (ya[r] + yb[r]) + xb[r] * ya[r];
      z[k] = acc[0];
    });
    const other = await s.reshare(z);
    pairs.forEach((p, k) => (out[p.index] = new AShare(z.subarray(k, k + 1), other.subarray(k, k + 1))));
  }
  return out as AShare[];
}
