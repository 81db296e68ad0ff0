/**
 * Sums of products per group, fused (ops/product-sums.ts does it for a whole table): a one-hot
 * group-by whose summed columns are plain products of two columns of its input derive, as
 * `ols(frame, { y, x, by })` makes (stats/ols-design.ts), computed without materialising the
 * products. Each row's group index (ops/group-key.ts; a row that is not valid falls outside)
 * becomes arithmetic one-hot indicators e_g (mpc/oblivious/group-indicators.ts, ~10 rounds),
 * every distinct left operand a is multiplied by every e_g (one round, 8 G bytes per row and
 * left column), and then every output Σ_r e_g(r)·a_r·b_r, Σ_r e_g(r)·x_r and Σ_r e_g(r) is an
 * inner product: local cross terms over all rows, one reshare per output (8 bytes per group and
 * output, whatever the rows).
 *
 * Materialised, the group-by multiplies every product per row (8 bytes each) and then takes L
 * products per row and summed column with the indicators (one-hot.ts): at 1M rows, 10
 * predictors and 3 groups that was about 1.3 GB per party, fused about 0.3 GB. The result is the
 * table the group-by makes (one row per declared key combination, the keys as public constants,
 * the same sums), so the plan and its checks are unchanged. Only one-hot group-bys of linear
 * terms (count and sum: 'rows', 'present', 'values') take this path.
 */

import { mul } from '../mpc/protocols/arith.js';
import { groupIndicators } from '../mpc/oblivious/group-indicators.js';
import type { Session } from '../mpc/session.js';
import { AShare, concatA, splitA, sumA } from '../mpc/shares.js';
import { publicA } from '../mpc/sharing.js';
import type { CheckedGroupBy } from '../plan/check-group-by.js';
import { isLinearTerm } from '../plan/registry.js';
import { bitLength } from '../plan/sort-layout.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { groupIndex, keyValues } from './group-key.js';
import { fusedProducts, type FusedProducts, type FusedTerm } from './product-sums.js';

/** The fused form of a one-hot group-by of sums over a derive of plain products, or undefined. */
export function fusedGroupProducts(node: CheckedGroupBy): FusedProducts | undefined {
  if (node.group.method !== 'one-hot') return undefined;
  if (node.outputs.some((o) => o.fraction !== undefined || o.other !== undefined || o.terms.some((t) => !isLinearTerm(t)))) return undefined;
  return fusedProducts(node);
}

export async function groupProductSums(s: Session, node: CheckedGroupBy, fused: FusedProducts, table: SecretTable): Promise<SecretTable> {
  const G = Number(node.group.width);
  const n = table.rows;
  const terms = fused.terms;
  let sums: AShare[];
  if (n === 0) sums = terms.map(() => AShare.zeros(G));
  else {
    const e = await groupIndicators(s, await groupIndex(s, node.group.keys, table, node.group.width), G, bitLength(node.group.width));
    const lefts = [...new Set(terms.flatMap((t) => (t.of === 'product' ? [t.left] : [])))];
    const masked = lefts.length === 0 ? [] : splitA(await mul(s, concatA(e.flatMap(() => lefts.map((name) => table.column(name).values))), concatA(e.flatMap((eg) => lefts.map(() => eg)))), e.flatMap(() => lefts.map(() => n)));
    const left = (g: number, name: string): AShare => masked[g * lefts.length + lefts.indexOf(name)];
    const vector = (t: Exclude<FusedTerm, { of: 'product' | 'rows' }>): AShare => {
      const c = table.column(t.column);
      return t.present ? (c.present ?? publicA(s.me, new BigUint64Array(n).fill(1n))) : c.values;
    };
    // Every output cell as a pair whose inner product it is (a count is Σ e_g, local).
    const pairs: { term: number; group: number; x: AShare; y: AShare }[] = [];
    const counts = e.map((eg) => sumA(eg));
    terms.forEach((t, k) => {
      if (t.of === 'rows') return;
      e.forEach((eg, g) => pairs.push(t.of === 'product' ? { term: k, group: g, x: left(g, t.left), y: table.column(t.right).values } : { term: k, group: g, x: eg, y: vector(t) }));
    });
    const z = s.zeroShare(pairs.length);
    const acc = new BigUint64Array(1);
    pairs.forEach((p, i) => {
      acc[0] = z[i];
      const xa = p.x.a, xb = p.x.b, ya = p.y.a, yb = p.y.b;
      for (let r = 0; r < n; r++) acc[0] += xa[r] * (ya[r] + yb[r]) + xb[r] * ya[r];
      z[i] = acc[0];
    });
    const other = await s.reshare(z);
    sums = terms.map((t) => (t.of === 'rows' ? concatA(counts) : AShare.zeros(G)));
    pairs.forEach((p, i) => {
      sums[p.term].a[p.group] = z[i];
      sums[p.term].b[p.group] = other[i];
    });
  }
  const keys = node.group.keys;
  const rows = Array.from({ length: G }, (_, r) => keyValues(keys, BigInt(r)));
  const keyColumns = keys.map((k, j): SecretColumn => {
    const schema = columnSchemaOf(k.column);
    const values = publicA(s.me, BigUint64Array.from(rows, (row) => BigInt.asUintN(64, row[j] ?? 0n)));
    return k.column.nullable ? { schema, values, present: publicA(s.me, BigUint64Array.from(rows, (row) => (row[j] === null ? 0n : 1n))) } : { schema, values };
  });
  const facts = node.type.columns.slice(keys.length);
  return new SecretTable(G, [...keyColumns, ...facts.map((f, k): SecretColumn => ({ schema: columnSchemaOf(f), values: sums[k] }))], ALL_VALID);
}
