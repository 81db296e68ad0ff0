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
import { wordsFor } from '../../ring/bits.js';
import { andWords } from '../protocols/binary.js';
import { notBits } from '../sharing.js';
import type { Session } from '../session.js';
import type { ScratchLease } from '../scratch-lease.js';
import { BitShare, appendBits, extractBitsInto, xorBitsInto } from '../shares.js';

export interface BitField {
  /** The field's bit planes, lowest first. */
  readonly planes: readonly BitShare[];
  /** ANDed into every indicator; a public 1 when absent. */
  readonly root?: BitShare;
}

/**
 * Per field, its 2^planes indicators (a field of no planes: just its root).
 *
 * `memory`: where the indicators (and the levels' terms before them) live, a lease the caller
 * closes once it has read them for the last time (one-hot.ts, after its blocks); fresh arrays
 * without it. Each level's AND operands and local products are pooled and given back within the
 * level, its received products given back to the link.
 */
export async function fieldIndicators(s: Session, fields: readonly BitField[], n: number, memory?: ScratchLease): Promise<BitShare[][]> {
  const words = wordsFor(n);
  const term = (): BigUint64Array => (memory ? memory.part(words) : new BigUint64Array(words));
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
    // Both operands packed one term after the other (the bytes sent: left.length · n bits), and
    // the local products, in one pooled buffer.
    const W = wordsFor(left.length * n);
    const operands = s.party.scratch.take(5 * W);
    try {
      const part = (k: number): BigUint64Array => operands.subarray(k * W, (k + 1) * W);
      const [la, lb, ra, rb] = [0, 1, 2, 3].map(part);
      packInto(la, lb, left, n);
      packInto(ra, rb, right, n);
      const [za, zb] = await andWords(s, la, lb, ra, rb, part(4));
      let at = 0;
      for (const i of active) {
        const terms = state[i].terms;
        const m = terms.length;
        const next = new Array<BitShare>(2 * m);
        for (let t = 0; t < m; t++) {
          const from = at++ * n;
          const withBit = new BitShare(extractBitsInto(term(), za, from, n), extractBitsInto(term(), zb, from, n), n);
          next[t] = xorBitsInto(terms[t], withBit, term(), term()); // t AND NOT b
          next[t + m] = withBit; // the field's value gains this plane's bit
        }
        state[i].terms = next;
        state[i].next++;
      }
      s.releaseWords(s.next, zb);
    } finally {
      s.party.scratch.give(operands);
    }
  }
  return state.map((x) => x.terms);
}

/** The shares' bits one after the other (n bits each) into the components a and b, cleared first. */
function packInto(a: BigUint64Array, b: BigUint64Array, shares: readonly BitShare[], n: number): void {
  a.fill(0n);
  b.fill(0n);
  shares.forEach((x, k) => {
    appendBits(a, k * n, x.a, n);
    appendBits(b, k * n, x.b, n);
  });
}
