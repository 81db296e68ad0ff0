/**
 * Stable sort of a table by a signed 64-bit key, carrying payload columns (Hamada et al.,
 * ICISC 2012: shuffle, then sort with opened comparisons).
 *
 * 1. The key, the payload and the original row index are shuffled together (shuffle.ts).
 * 2. The shuffled key is converted to binary (a2b) and its sign bit flipped, so unsigned word
 *    order is signed key order.
 * 3. Quicksort on the shuffled rows, comparing (key, row index): the index makes every
 *    comparison key unique and the sort stable. All partitions of one quicksort level are
 *    compared in one batch, and the comparison bits are opened. Because the rows were
 *    shuffled and the keys are distinct, the opened bits are the order of a uniformly random
 *    permutation: they reveal nothing about the data.
 * 4. The public sorted order is applied locally to the shares.
 *
 * Cost: one shuffle, one a2b, and about 1.39 n log2 n comparisons of two words (~48 bytes
 * each) in O(log n) batches of 9 rounds.
 */

import type { Session } from '../session.js';
import { AShare, BShare } from '../shares.js';
import { lessThanStacked } from './compare-words.js';
import { unpackBits } from '../../ring/bits.js';
import { a2b } from './convert.js';
import { openBits } from './io.js';
import { shuffle } from './shuffle.js';

export interface SortResult {
  readonly key: AShare;
  readonly payload: AShare[];
  /** Quicksort levels used (each one batch of comparisons). */
  readonly levels: number;
}

export async function sortByKey(s: Session, key: AShare, payload: readonly AShare[] = []): Promise<SortResult> {
  const n = key.length;
  if (n < 2) return { key, payload: [...payload], levels: 0 };
  // Public row indices as a binary sharing (component 0, held by parties 0 and 2).
  const idx = new BigUint64Array(n);
  for (let i = 0; i < n; i++) idx[i] = BigInt(i);
  const zero = new BigUint64Array(n);
  const idxShare = s.me === 0 ? new BShare(idx, zero) : s.me === 2 ? new BShare(new BigUint64Array(n), idx) : new BShare(zero, new BigUint64Array(n));
  const shuffled = await shuffle(s, { arith: [key, ...payload], binary: [idxShare] });
  const keyArith = shuffled.arith[0];
  const keyBin = await a2b(s, keyArith);
  const flip = s.me === 0 ? keyBin.a : s.me === 2 ? keyBin.b : undefined;
  if (flip) for (let i = 0; i < n; i++) flip[i] ^= 1n << 63n;
  const order = await quicksortOrder(s, keyBin, shuffled.binary[0]);
  const gather = (c: AShare): AShare => {
    const a = new BigUint64Array(n), b = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = c.a[order.order[i]];
      b[i] = c.b[order.order[i]];
    }
    return new AShare(a, b);
  };
  return { key: gather(keyArith), payload: shuffled.arith.slice(1).map(gather), levels: order.levels };
}

/**
 * The sorted order of rows by (key, index), both binary-shared, learnt from opened comparisons.
 * Returns the permutation as row numbers in ascending order.
 */
export async function quicksortOrder(s: Session, key: BShare, index: BShare): Promise<{ order: Int32Array; levels: number }> {
  const n = key.length;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Segments [start, end) still to sort, as a flat list of pairs.
  let segments: number[] = [0, n];
  let levels = 0;
  while (segments.length > 0) {
    levels++;
    let m = 0;
    for (let j = 0; j < segments.length; j += 2) m += segments[j + 1] - segments[j] - 1;
    // Row e is compared with its segment's pivot (the first row: random, as rows are shuffled).
    const rows = new Int32Array(m), pivots = new Int32Array(m);
    let o = 0;
    for (let j = 0; j < segments.length; j += 2) {
      const start = segments[j], end = segments[j + 1];
      const p = order[start];
      for (let t = start + 1; t < end; t++) {
        rows[o] = order[t];
        pivots[o++] = p;
      }
    }
    const lt = await lessThanStacked(s, gatherStacked(key, index, rows), gatherStacked(key, index, pivots), 2);
    const bits = unpackBits({ words: await openBits(s, lt), length: m });
    const next = new Int32Array(n);
    next.set(order);
    const nextSegments: number[] = [];
    o = 0;
    for (let j = 0; j < segments.length; j += 2) {
      const start = segments[j], end = segments[j + 1];
      let left = start;
      const size = end - start - 1;
      for (let t = 0; t < size; t++) if (bits[o + t] === 1) next[left++] = rows[o + t];
      const pivotAt = left;
      next[left++] = order[start];
      for (let t = 0; t < size; t++) if (bits[o + t] === 0) next[left++] = rows[o + t];
      o += size;
      if (pivotAt - start > 1) nextSegments.push(start, pivotAt);
      if (end - pivotAt - 1 > 1) nextSegments.push(pivotAt + 1, end);
    }
    order = next;
    segments = nextSegments;
  }
  return { order, levels };
}

/** Rows of (key, index) as stacked two-word operands: keys first, then indices. */
function gatherStacked(key: BShare, index: BShare, rows: Int32Array): BShare {
  const m = rows.length;
  const a = new BigUint64Array(2 * m), b = new BigUint64Array(2 * m);
  const ka = key.a, kb = key.b, ia = index.a, ib = index.b;
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    a[i] = ka[r];
    b[i] = kb[r];
    a[m + i] = ia[r];
    b[m + i] = ib[r];
  }
  return new BShare(a, b);
}
