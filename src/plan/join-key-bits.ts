/**
 * Bits of a join's sort key (ops/join.ts): one key column shifted to start at 0, or several
 * packed as Σ (k_i − min_i)·w_i (check-join.ts packKeys). The key's declared range lies in
 * [0, 2^bits), so the sort compares it packed with the row index in one word when both fit 64
 * bits (mpc/protocols/sort.ts keyBits). plan/cost-join.ts estimates with the same figure.
 */

import type { CheckedJoin } from './check-join.js';
import { bitLength } from './sort-layout.js';

export function joinKeyBits(node: Pick<CheckedJoin, 'keys' | 'packing'>): number {
  if (node.keys.length > 1) return bitLength(node.keys.reduce((span, k, i) => span + (joinKeyMax(k) - node.packing[i].min) * node.packing[i].weight, 0n));
  return bitLength(joinKeyMax(node.keys[0]) - joinKeyMin(node.keys[0]));
}

type KeyPair = CheckedJoin['keys'][number];

/** The smallest value either side's key column may hold. */
export function joinKeyMin(k: KeyPair): bigint {
  return k.left.min < k.right.min ? k.left.min : k.right.min;
}

/** The largest value either side's key column may hold. */
export function joinKeyMax(k: KeyPair): bigint {
  return k.left.max > k.right.max ? k.left.max : k.right.max;
}
