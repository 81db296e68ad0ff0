/**
 * Rebuilding a result from the nodes' opened result shares (wire/result-payload.ts): at least
 * two different nodes, the same query, the same value names and public facts at each, and every
 * component that two nodes report identical (mpc/sharing.ts reconstructValue).
 */

import { IntegrityError } from '../errors.js';
import { reconstructValue } from '../mpc/sharing.js';
import type { ResultShare } from '../wire/result-payload.js';

export interface Reconstructed {
  readonly query: string;
  /** Each value as an unsigned ring element; interpret with its output's decoding. */
  readonly values: ReadonlyMap<string, bigint>;
  readonly public: Readonly<Record<string, number | string>>;
  /** Nodes whose shares were used. */
  readonly nodes: readonly number[];
}

export function reconstruct(shares: readonly ResultShare[]): Reconstructed {
  const byNode = new Map<number, ResultShare>();
  for (const s of shares) {
    if (byNode.has(s.node)) throw new IntegrityError(`two result shares claim to come from node ${s.node}`);
    byNode.set(s.node, s);
  }
  if (byNode.size < 2) throw new IntegrityError(`a result needs shares from at least two nodes, got ${byNode.size}`);
  const list = [...byNode.values()];
  const query = list[0].query;
  for (const s of list) if (s.query !== query) throw new IntegrityError('the result shares belong to different queries');
  const names = list[0].values.map((v) => v.name);
  for (const s of list) {
    if (s.values.length !== names.length || s.values.some((v, i) => v.name !== names[i])) throw new IntegrityError('the nodes report different result values');
    if (JSON.stringify(s.public) !== JSON.stringify(list[0].public)) throw new IntegrityError('the nodes report different public facts (row counts) for the same query');
  }
  const values = new Map<string, bigint>();
  names.forEach((name, k) => {
    values.set(name, reconstructValue(list.map((s) => ({ party: s.node, a: BigInt(s.values[k].a), b: BigInt(s.values[k].b) })), name));
  });
  return { query, values, public: list[0].public, nodes: [...byNode.keys()].sort() };
}
