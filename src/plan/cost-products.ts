/**
 * The cost of an aggregate of products fused with their derive (ops/product-sums.ts: a
 * regression's Gram sums, SQL's sum(a * b)): the products are never materialised. Each party
 * adds up its local cross terms of every inner product and one reshare of one word per sum makes
 * them replicated: 1 round, 8 bytes per sum, whatever the row count. Under a secret validity
 * each product's left column is first multiplied by it (1 round, 8 bytes per row and distinct
 * left column) and every linear term becomes an inner product with it too.
 */

import type { FusedProducts } from '../ops/product-sums.js';
import type { PlanCost } from './cost.js';

/** Whether (and how) the executor fuses an aggregate with its derive: the executor's own test, so the two never disagree. */
export { fusedProducts } from '../ops/product-sums.js';

/** The fused aggregate's cost, given whether the derive's input has a secret validity. */
export function fusedProductsCost(fused: FusedProducts, secretValidity: boolean): PlanCost {
  const products = fused.terms.filter((t) => t.of === 'product');
  const sums = secretValidity ? fused.terms.length : products.length;
  const lefts = new Set(products.map((t) => (t.of === 'product' ? t.left : ''))).size;
  const rows = fused.derive.input.type.maxRows;
  return {
    rounds: 1 + (secretValidity ? 1 : 0),
    bytesPerParty: 8 * sums + (secretValidity ? 8 * rows * lefts : 0),
  };
}

export { fusedGroupProducts } from '../ops/product-sums-groups.js';

/**
 * A one-hot group-by of sums of products fused with its derive (ops/product-sums-groups.ts), G
 * groups: the group index (1 round and 8 bytes per row under a secret validity), its one-hot
 * indicators (~10 rounds, ~3 + 8G bytes per row), every left column times every indicator
 * (1 round, 8 G bytes per row and left column), one reshare per group and sum (1 round).
 */
export function fusedGroupProductsCost(fused: FusedProducts, groups: number, secretValidity: boolean): PlanCost {
  const lefts = new Set(fused.terms.flatMap((t) => (t.of === 'product' ? [t.left] : []))).size;
  const sums = fused.terms.filter((t) => t.of !== 'rows').length;
  const rows = fused.derive.input.type.maxRows;
  return {
    rounds: 12 + (secretValidity ? 1 : 0),
    bytesPerParty: Math.round(rows * (3 + 8 * groups + 8 * groups * lefts + (secretValidity ? 8 : 0)) + 8 * groups * sums),
  };
}
