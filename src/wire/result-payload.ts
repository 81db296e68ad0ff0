/**
 * A node's share of a result, sealed to one recipient (envelope purpose RESULT_PURPOSE).
 *
 * Node i reports its replicated components (x_i, x_{i+1}) of every result value. Any two nodes
 * together give all three components; with three, every component is reported twice and the
 * recipient checks that both reports agree, which catches a node that returns wrong shares.
 * No node ever holds a result in the clear.
 */

import { FormatError, IntegrityError } from '../errors.js';

export const RESULT_SHARE_FORMAT = 'tessera-result-share/v1';

export interface ResultShare {
  readonly format: typeof RESULT_SHARE_FORMAT;
  readonly query: string;
  readonly node: 0 | 1 | 2;
  /** Named values; a and b are this node's components as decimal strings (u64). */
  readonly values: readonly { readonly name: string; readonly a: string; readonly b: string }[];
  /** Public facts every node reports alike (row counts, rows excluded by range checks). */
  readonly public: Readonly<Record<string, number | string>>;
}

export function encodeResultShare(r: ResultShare): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(r));
}

export function decodeResultShare(bytes: Uint8Array): ResultShare {
  let r: ResultShare;
  try {
    r = JSON.parse(new TextDecoder().decode(bytes)) as ResultShare;
  } catch {
    throw new FormatError('a result share is not valid JSON');
  }
  if (r.format !== RESULT_SHARE_FORMAT || ![0, 1, 2].includes(r.node) || !Array.isArray(r.values)) throw new FormatError('a result share has the wrong format');
  for (const v of r.values) {
    if (typeof v.name !== 'string' || !/^\d{1,20}$/.test(v.a) || !/^\d{1,20}$/.test(v.b)) throw new FormatError('a result share holds a malformed value');
  }
  return r;
}

export interface Reconstructed {
  readonly query: string;
  /** Each value as an unsigned ring element; interpret with the column's type. */
  readonly values: ReadonlyMap<string, bigint>;
  readonly public: Readonly<Record<string, number | string>>;
  /** Nodes whose shares were used. */
  readonly nodes: readonly number[];
}

/**
 * Rebuilds the values from the shares of at least two different nodes, checking every component
 * that two nodes report.
 */
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
    // component j as reported by node j (as a) and by node j-1 (as b)
    const comp: (bigint | undefined)[] = [undefined, undefined, undefined];
    for (const s of list) {
      const v = s.values[k];
      const a = BigInt(v.a), b = BigInt(v.b);
      const j = s.node, jn = (s.node + 1) % 3;
      for (const [idx, val] of [[j, a], [jn, b]] as const) {
        const seen = comp[idx];
        if (seen !== undefined && seen !== val) throw new IntegrityError(`nodes disagree on component ${idx} of '${name}': one of them is faulty or tampered with`);
        comp[idx] = val;
      }
    }
    if (comp.some((c) => c === undefined)) throw new IntegrityError(`component missing for '${name}'`);
    values.set(name, BigInt.asUintN(64, comp[0]! + comp[1]! + comp[2]!));
  });
  return { query, values, public: list[0].public, nodes: [...byNode.keys()].sort() };
}
