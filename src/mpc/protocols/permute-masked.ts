/**
 * The passes of a shuffle step (shuffle.ts): a staged permutation (permutation.ts) applied to
 * one column with the step's mask added in the same pass, so that no vector is read and
 * written a second time just to add a mask. A mask comes from a PRG in 64 KiB keystream chunks
 * (Prg.chunks), in column order: both holders of the PRG draw the same words.
 *
 * How a mask combines with a word: arithmetic columns add or subtract it (mod 2^64), binary
 * columns XOR it. One small kernel per combination, so V8 compiles each loop whole.
 */

import type { Prg } from '../../crypto/prg.js';
import type { StagedPermutation } from './permutation.js';

export type Combine = 'add' | 'sub' | 'xor';

/** tmp[place[i]] = a[i] + b[i] (XOR when `xor`): a replicated pair's sum, scattered. */
export function scatterSum(a: BigUint64Array, b: BigUint64Array, place: Int32Array, tmp: BigUint64Array, xor: boolean): void {
  const n = place.length;
  if (xor) for (let i = 0; i < n; i++) tmp[place[i]] = a[i] ^ b[i];
  else for (let i = 0; i < n; i++) tmp[place[i]] = a[i] + b[i];
}

/** tmp[place[i]] = src[offset + i]: pass 1 of a staged permutation. */
export function scatterFrom(src: BigUint64Array, offset: number, place: Int32Array, tmp: BigUint64Array): void {
  scatterRows(src, offset, place, 0, place.length, tmp);
}

/** Pass 1 for rows [row, row + count) only, read from src[offset ..]: a block as it arrives. */
export function scatterRows(src: BigUint64Array, offset: number, place: Int32Array, row: number, count: number, tmp: BigUint64Array): void {
  for (let i = 0; i < count; i++) tmp[place[row + i]] = src[offset + i];
}

/**
 * out[offset + j] = tmp[local[j]] combined with mask word j (pass 2 of p, fused with the mask),
 * and, when `minus` is given, minus (XOR for binary) minus[offset + j] as well.
 */
export function gatherMasked(tmp: BigUint64Array, p: StagedPermutation, out: BigUint64Array, offset: number, prg: Prg, combine: Combine, minus?: BigUint64Array): void {
  gatherMaskedRows(tmp, p, out, offset, prg, combine, 0, p.n, minus);
}

/**
 * gatherMasked for output rows [from, to) only (mask words from .. to - 1 of the column): called
 * on consecutive ranges, it draws the same keystream and writes the same words as one call.
 */
export function gatherMaskedRows(tmp: BigUint64Array, p: StagedPermutation, out: BigUint64Array, offset: number, prg: Prg, combine: Combine, from: number, to: number, minus?: BigUint64Array): void {
  const local = p.local;
  const o = offset + from;
  prg.chunks(to - from, (m, at) => {
    if (minus === undefined) gatherChunk(tmp, local, out, o + at, m, from + at, combine);
    else if (combine === 'xor') gatherXorTwo(tmp, local, out, o + at, m, from + at, minus);
    else gatherAddSub(tmp, local, out, o + at, m, from + at, minus);
  });
}

/**
 * tmp2[next.place[j]] = tmp[p.local[j]] combined with mask word j: pass 2 of p, the mask, and
 * pass 1 of the next permutation in one, for a party that applies two permutations in a row.
 */
export function gatherMaskedScatter(tmp: BigUint64Array, p: StagedPermutation, prg: Prg, combine: Combine, next: StagedPermutation, tmp2: BigUint64Array): void {
  const local = p.local, place = next.place;
  prg.chunks(p.n, (m, at) => {
    if (combine === 'add') addScatterChunk(tmp, local, place, tmp2, m, at);
    else if (combine === 'sub') subScatterChunk(tmp, local, place, tmp2, m, at);
    else xorScatterChunk(tmp, local, place, tmp2, m, at);
  });
}

function gatherChunk(tmp: BigUint64Array, local: Int32Array, out: BigUint64Array, o: number, m: BigUint64Array, at: number, combine: Combine): void {
  if (combine === 'add') for (let j = 0; j < m.length; j++) out[o + j] = tmp[local[at + j]] + m[j];
  else if (combine === 'sub') for (let j = 0; j < m.length; j++) out[o + j] = tmp[local[at + j]] - m[j];
  else for (let j = 0; j < m.length; j++) out[o + j] = tmp[local[at + j]] ^ m[j];
}

function gatherAddSub(tmp: BigUint64Array, local: Int32Array, out: BigUint64Array, o: number, m: BigUint64Array, at: number, minus: BigUint64Array): void {
  for (let j = 0; j < m.length; j++) out[o + j] = tmp[local[at + j]] + m[j] - minus[o + j];
}

function gatherXorTwo(tmp: BigUint64Array, local: Int32Array, out: BigUint64Array, o: number, m: BigUint64Array, at: number, minus: BigUint64Array): void {
  for (let j = 0; j < m.length; j++) out[o + j] = tmp[local[at + j]] ^ m[j] ^ minus[o + j];
}

function addScatterChunk(tmp: BigUint64Array, local: Int32Array, place: Int32Array, tmp2: BigUint64Array, m: BigUint64Array, at: number): void {
  for (let j = 0; j < m.length; j++) tmp2[place[at + j]] = tmp[local[at + j]] + m[j];
}

function subScatterChunk(tmp: BigUint64Array, local: Int32Array, place: Int32Array, tmp2: BigUint64Array, m: BigUint64Array, at: number): void {
  for (let j = 0; j < m.length; j++) tmp2[place[at + j]] = tmp[local[at + j]] - m[j];
}

function xorScatterChunk(tmp: BigUint64Array, local: Int32Array, place: Int32Array, tmp2: BigUint64Array, m: BigUint64Array, at: number): void {
  for (let j = 0; j < m.length; j++) tmp2[place[at + j]] = tmp[local[at + j]] ^ m[j];
}
