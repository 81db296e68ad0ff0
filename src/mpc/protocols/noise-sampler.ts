/**
 * Noise sampled jointly inside MPC (docs/statistics.md, "Differential privacy"): for each cell,
 * Σ coefficient·[U < T] over a public table (privacy/noise-tables.ts), optionally times a uniform
 * sign, where every U is a fresh uniform 64-bit word that no party knows.
 *
 * A uniform word costs nothing: in replicated binary sharing party i holds components (x_i,
 * x_(i+1)); drawing x_i from the PRG it shares with party i−1 and x_(i+1) from the one it shares
 * with party i+1 gives every party its two components of U = x_0 ^ x_1 ^ x_2, and the component
 * a party lacks comes from the key of the two others, so to it U is uniform and independent of
 * everything it sees. Nothing of U is ever opened; the noise is added to a result's shares before
 * they are masked for opening, so a recipient sees only value + noise.
 *
 * [U < T] for a public T ≥ 1 is "no carry out of U + (2^64 − T)": with c = 2^64 − T public, the
 * per-bit generate U & c and propagate U ^ c are local, and one carry tree (6 rounds, ~24 bytes
 * per comparison and party) gives every carry at once, for every cell and threshold together.
 * The bits are then injected and combined linearly (2 rounds, 8 bytes per bit), and a signed
 * table multiplies by its sign (1 round, 8 bytes per cell): 8 or 9 rounds whatever the table.
 */

import { clearTail, packBits, unpackBits, wordsFor } from '../../ring/bits.js';
import type { NoiseTable } from '../../privacy/noise-tables.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare, concatA, scaleA, splitA, subA } from '../shares.js';
import { constantSlot, notBits } from '../sharing.js';
import { mul } from './arith.js';
import { carryTree } from './compare.js';
import { injectLinear, type BitCombination } from './inject.js';

export interface NoiseRequest {
  readonly table: NoiseTable;
  /** Cells that get independent noise from this table. */
  readonly cells: number;
}

const TWO64 = 1n << 64n;

/** Shares of fresh noise for every request's cells, in one batch. */
export async function sampleNoise(s: Session, requests: readonly NoiseRequest[]): Promise<AShare[]> {
  // Slots: one per (request, draw, threshold), each a vector over the request's cells.
  const slots: { request: number; offset: number; cells: number }[] = [];
  let total = 0;
  requests.forEach((r, q) => {
    for (const d of r.table.draws) for (let k = 0; k < d.thresholds.length; k++) {
      slots.push({ request: q, offset: total, cells: r.cells });
      total += r.cells;
    }
  });
  if (total === 0) return requests.map((r) => AShare.zeros(r.cells));
  const ga = new BigUint64Array(total), gb = new BigUint64Array(total), pa = new BigUint64Array(total), pb = new BigUint64Array(total);
  const slot = constantSlot(s.me);
  let e = 0;
  for (const r of requests) {
    for (const d of r.table.draws) {
      const u = uniformWords(s, r.cells);
      for (const t of d.thresholds) {
        if (t < 1n || t >= TWO64) throw new RangeError(`a noise threshold must lie in [1, 2^64), not ${t}`);
        const c = TWO64 - t;
        const ca = slot === 'a' ? c : 0n, cb = slot === 'b' ? c : 0n;
        fillElements(u, c, ca, cb, e, ga, gb, pa, pb);
        e += r.cells;
      }
    }
  }
  const carry = await carryTree(s, new BShare(ga, gb), new BShare(pa, pb));
  const below = notBits(s.me, carry); // [U < T]
  const bitsA = unpackBits({ words: below.a, length: total }), bitsB = unpackBits({ words: below.b, length: total });
  const bits: BitShare[] = slots.map((sl) => {
    const a = packBits(bitsA.subarray(sl.offset, sl.offset + sl.cells)).words, b = packBits(bitsB.subarray(sl.offset, sl.offset + sl.cells)).words;
    return new BitShare(a, b, sl.cells);
  });
  const outputs: BitCombination[] = [];
  const signOutput = new Map<number, number>();
  let first = 0;
  for (const r of requests) {
    // The request's slots are consecutive, in the order of its draws' coefficients.
    const terms: (readonly [number, bigint])[] = [];
    for (const d of r.table.draws) for (const c of d.coefficients) terms.push([first + terms.length, c]);
    first += terms.length;
    outputs.push({ terms });
  }
  requests.forEach((r, q) => {
    if (!r.table.signed || r.cells === 0) return;
    bits.push(randomBits(s, r.cells));
    signOutput.set(q, outputs.length);
    outputs.push({ terms: [[bits.length - 1, 1n]] });
  });
  const injected = await injectLinear(s, bits, outputs);
  const magnitudes = requests.map((_, q) => injected[q]);
  const signed = [...signOutput.keys()];
  if (signed.length === 0) return magnitudes;
  // noise = m·(1 − 2·sign) = m − 2·m·sign.
  const m = concatA(signed.map((q) => magnitudes[q]));
  const sign = concatA(signed.map((q) => injected[signOutput.get(q)!]));
  const flipped = splitA(scaleA(await mul(s, m, sign), 2n), signed.map((q) => magnitudes[q].length));
  signed.forEach((q, i) => (magnitudes[q] = subA(magnitudes[q], flipped[i])));
  return magnitudes;
}

/** Binary shares of fresh uniform words: component i from the PRG of parties i−1 and i, component i+1 from that of i and i+1. */
function uniformWords(s: Session, n: number): BShare {
  return new BShare(s.prgPrev.words(n), s.prgNext.words(n));
}

/** Binary shares of fresh uniform bits, packed. */
function randomBits(s: Session, n: number): BitShare {
  const a = s.prgPrev.words(wordsFor(n)), b = s.prgNext.words(wordsFor(n));
  clearTail(a, n);
  clearTail(b, n);
  return new BitShare(a, b, n);
}

/** Generate U & c and propagate U ^ c (c XORed into the component that holds public constants). */
function fillElements(u: BShare, c: bigint, ca: bigint, cb: bigint, at: number, ga: BigUint64Array, gb: BigUint64Array, pa: BigUint64Array, pb: BigUint64Array): void {
  const ua = u.a, ub = u.b;
  for (let i = 0; i < ua.length; i++) {
    ga[at + i] = ua[i] & c;
    gb[at + i] = ub[i] & c;
    pa[at + i] = ua[i] ^ ca;
    pb[at + i] = ub[i] ^ cb;
  }
}
