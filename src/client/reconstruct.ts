/**
 * Rebuilding a result from the nodes' opened result shares (wire/result-payload.ts): at least
 * two different nodes, the same query, the same columns, rows and public facts at each, and every
 * component that two nodes report identical (mpc/sharing.ts reconstructValue).
 */

import { FormatError, IntegrityError } from '../errors.js';
import { heldComponents } from '../mpc/sharing.js';
import type { ResultShare } from '../wire/result-payload.js';

export interface Reconstructed {
  readonly query: string;
  readonly rows: number;
  /** Each column as unsigned ring elements; interpret with its output's decoding. */
  readonly columns: ReadonlyMap<string, BigUint64Array>;
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
  const { query, rows } = list[0];
  const names = list[0].columns.map((c) => c.name);
  for (const s of list) {
    if (s.query !== query) throw new IntegrityError('the result shares belong to different queries');
    if (s.rows !== rows || s.columns.length !== names.length || s.columns.some((c, i) => c.name !== names[i])) throw new IntegrityError('the nodes report different result columns');
    if (JSON.stringify(s.public) !== JSON.stringify(list[0].public)) throw new IntegrityError('the nodes report different public facts (row counts) for the same query');
  }
  const columns = new Map<string, BigUint64Array>();
  names.forEach((name, k) => {
    // Component c of a value is reported by the nodes holding it; two reports must agree (byte for byte).
    const components: (BigUint64Array | undefined)[] = [undefined, undefined, undefined];
    for (const s of list) {
      const [i, j] = heldComponents(s.node);
      const col = s.columns[k];
      for (const [idx, values] of [[i, col.a], [j, col.b]] as const) {
        if (values.length !== rows) throw new FormatError(`result column '${name}' does not hold ${rows} values`);
        const earlier = components[idx];
        if (earlier === undefined) components[idx] = values;
        else if (!sameWords(earlier, values)) throw new IntegrityError(`nodes disagree on component ${idx} of result column '${name}': one of them is faulty or tampered with`);
      }
    }
    const [c0, c1, c2] = components;
    if (!c0 || !c1 || !c2) throw new IntegrityError(`component missing for result column '${name}'`);
    columns.set(name, sumKernel(c0, c1, c2));
  });
  return { query, rows, columns, public: list[0].public, nodes: [...byNode.keys()].sort() };
}

/** Equal words, compared as bytes (native). */
function sameWords(x: BigUint64Array, y: BigUint64Array): boolean {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

/** c0 + c1 + c2 (mod 2^64): its own small loop, so that V8 compiles it on its own. */
function sumKernel(c0: BigUint64Array, c1: BigUint64Array, c2: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(c0.length);
  for (let r = 0; r < out.length; r++) out[r] = c0[r] + c1[r] + c2[r];
  return out;
}
