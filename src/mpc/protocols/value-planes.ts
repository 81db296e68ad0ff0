/**
 * Bit planes of secret columns: for values in [min, min + 2^bits), the binary sharing of
 * v − min, transposed so that plane j packs bit j of every row (ring/planes.ts: row i at bit
 * i & 63 of word i >>> 6). The transposition is a permutation of bits, so each party applies it
 * to its own components: no communication beyond the conversion.
 *
 * All columns go through one conversion: a2bNarrow (convert-narrow.ts: 2 + log2(lane) rounds,
 * lanes of 8 to 32 bits) when every column has at most 32 bits, else a2b (convert.ts: 8 rounds,
 * ~104 bytes per row). v − min is exact in [0, 2^bits): the residue a2bNarrow computes is the
 * value itself.
 */

import { UsageError } from '../../errors.js';
import { wordsFor } from '../../ring/bits.js';
import { toPlanes } from '../../ring/planes.js';
import type { Session } from '../session.js';
import { AShare, BitShare, type BShare } from '../shares.js';
import { constantSlot } from '../sharing.js';
import { a2b } from './convert.js';
import { a2bNarrow, NARROW_A2B_MAX_BITS } from './convert-narrow.js';

export interface RangedColumn {
  readonly values: AShare;
  /** Every value lies in [min, min + 2^bits). */
  readonly min: bigint;
  readonly bits: number;
}

/** Per column, its planes 0 … bits − 1 (bit j of v − min of every row). */
export async function valuePlanes(s: Session, columns: readonly RangedColumn[]): Promise<BitShare[][]> {
  for (const c of columns) if (!Number.isInteger(c.bits) || c.bits < 0 || c.bits > 64) throw new UsageError(`valuePlanes: a column's range must be 0 to 64 bits wide (got ${c.bits})`);
  const converted = columns.filter((c) => c.bits > 0 && c.values.length > 0);
  const total = converted.reduce((acc, c) => acc + c.values.length, 0);
  const width = Math.max(0, ...converted.map((c) => c.bits));
  let binary: BShare | undefined;
  if (total > 0) {
    // v − min of every converted column, one after the other.
    const shifted = new AShare(new BigUint64Array(total), new BigUint64Array(total));
    const slot = constantSlot(s.me);
    let at = 0;
    for (const c of converted) {
      shifted.a.set(c.values.a, at);
      shifted.b.set(c.values.b, at);
      if (slot) subtractConstant(shifted[slot], at, at + c.values.length, BigInt.asUintN(64, c.min));
      at += c.values.length;
    }
    binary = width <= NARROW_A2B_MAX_BITS ? await a2bNarrow(s, shifted, width) : await a2b(s, shifted);
  }
  let at = 0;
  return columns.map((c) => {
    const n = c.values.length;
    const planes = (component: BigUint64Array | undefined): BigUint64Array[] => {
      const out = Array.from({ length: c.bits }, () => new BigUint64Array(wordsFor(n)));
      if (component && c.bits > 0 && n > 0) toPlanes(component, at, at + n, c.bits, out, 0);
      return out;
    };
    const pa = planes(binary?.a), pb = planes(binary?.b);
    if (c.bits > 0) at += n;
    return pa.map((a, j) => new BitShare(a, pb[j], n));
  });
}

function subtractConstant(v: BigUint64Array, from: number, to: number, k: bigint): void {
  const c = BigUint64Array.of(k);
  for (let i = from; i < to; i++) v[i] -= c[0];
}
