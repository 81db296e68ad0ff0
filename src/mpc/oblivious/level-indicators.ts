/**
 * Binary one-hot indicators of bit fields of a key (one-hot.ts): for each field (a run of the
 * key's bit planes) the indicators of all its values, by a product tree over the field's planes.
 * Starting from a root bit r, each plane b splits every term t into t AND NOT b = t ^ (t AND b)
 * and t AND b, so term v of a field of w planes is r AND [field = v]; the ANDs of one level of
 * every field travel in one batched AND: max(w) rounds, 2^w - 1 bits per row and field.
 *
 * A field without a root starts from its first plane locally (NOT b, b: the root is a public 1),
 * which saves the first level's round. Term index = the field's value, plane 0 its lowest bit.
 */

import { UsageError } from '../../errors.js';
import { andBits } from '../protocols/binary.js';
import { notBits } from '../sharing.js';
import type { Session } from '../session.js';
import { BitShare, concatBits, sliceBits, xorBits } from '../shares.js';

export interface BitField {
  /** The field's bit planes, lowest first. */
  readonly planes: readonly BitShare[];
  /** ANDed into every indicator; a public 1 when absent. */
  readonly root?: BitShare;
}

/** Per field, its 2^planes indicators (a field of no planes: just its root). */
export async function fieldIndicators(s: Session, fields: readonly BitField[], n: number): Promise<BitShare[][]> {
  const state = fields.map((f) => {
    if (f.root) return { terms: [f.root], next: 0 };
    if (f.planes.length === 0) throw new UsageError('fieldIndicators: a field without a root needs at least one plane');
    const b = f.planes[0];
    return { terms: [notBits(s.me, b), b], next: 1 };
  });
  for (;;) {
    const active = fields.map((f, i) => i).filter((i) => state[i].next < fields[i].planes.length);
    if (active.length === 0) break;
    const left: BitShare[] = [];
    const right: BitShare[] = [];
    for (const i of active) {
      const b = fields[i].planes[state[i].next];
      for (const t of state[i].terms) {
        left.push(t);
        right.push(b);
      }
    }
    const both = await andBits(s, concatBits(left), concatBits(right));
    let at = 0;
    for (const i of active) {
      const terms = state[i].terms;
      const m = terms.length;
      const next = new Array<BitShare>(2 * m);
      for (let t = 0; t < m; t++) {
        const withBit = sliceBits(both, at++ * n, n);
        next[t] = xorBits(terms[t], withBit); // t AND NOT b
        next[t + m] = withBit; // the field's value gains this plane's bit
      }
      state[i].terms = next;
      state[i].next++;
    }
  }
  return state.map((x) => x.terms);
}
