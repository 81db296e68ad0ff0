/**
 * Bits of a join's sort key (ops/join.ts): one key column shifted to start at 0, or several
 * packed as Σ (k_i − min_i)·w_i (check-join.ts packKeys). The key's declared range lies in
 * [0, 2^bits), so the sort compares it packed with the row index in one word when both fit 64
 * bits (mpc/protocols/sort.ts keyBits). plan/cost-join.ts estimates with the same figure.
 */

import type { CheckedJoin } from './check-join.js';
import { bitLength } from './sort-layout.js';

type KeyNode = Pick<CheckedJoin, 'keys' | 'packing' | 'left' | 'right'>;

export function joinKeyBits(node: KeyNode): number {
  if (node.keys.length > 1) return bitLength(node.keys.reduce((span, _k, i) => span + (keyMax(node, i) - node.packing[i].min) * node.packing[i].weight, 0n));
  return bitLength(keyMax(node, 0) - singleKeyMin(node));
}

/** What a single key is shifted by: a ranked text key's ranks already start at 0. */
export function singleKeyMin(node: KeyNode): bigint {
  return node.packing[0].rank === true ? 0n : joinKeyMin(node.keys[0]);
}

/** A ranked text key (ops/text-rank.ts) is a rank among both sides' rows, not its words' range. */
function keyMax(node: KeyNode, i: number): bigint {
  if (node.packing[i].rank === true) return BigInt(Math.max(1, node.left.type.maxRows + node.right.type.maxRows));
  return joinKeyMax(node.keys[i]);
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
