/**
 * Several of the one-hot path's sums in one ring element (one-hot.ts).
 *
 * The inner products <A_h, B_l · x> cost ~2 multiplications per row each, locally, and they
 * were most of a group-by's CPU (312 per row for 100 levels and two sums). But a count is at
 * most n and a sum of values in [lo, hi], shifted to x - lo, at most (hi - lo)·n: far fewer
 * than 64 bits each at a million rows. Inner products are linear in their right operand, so
 *   <A_h, Σ_k 2^(o_k) V_k> = Σ_k 2^(o_k) <A_h, V_k>,
 * and when every <A_h, V_k> fits in its w_k bits and the fields [o_k, o_k + w_k) do not
 * overlap, one inner product carries all of them exactly (no carry crosses a field, nothing
 * wraps). Two levels of packing:
 *
 * - payloads (per row, before the multiplication by B_l): value columns whose sum widths add
 *   up to at most 64 bits go into one word W = Σ 2^o (x - lo), so that B_l · W is one
 *   multiplication instead of one per column. The count's payload is the constant 1 (B_l
 *   itself, no multiplication).
 * - bins (after it): the vectors B_l · W of several low values l (and the counts' B_l) are
 *   added with shifts into one right operand, first fit by decreasing width.
 *
 * groupby_category (1M rows, counts of 21 bits, amount in [0, 100000]: 37 bits, age in
 * [0, 120]: 27 bits): one payload of 64 bits (8 multiplications per row instead of 16) and 11
 * right operands instead of 24 (143 local terms per row instead of 312); a 10 x 10 crosstab: 3
 * instead of 8 (39 terms instead of 104).
 *
 * Unpacking happens once, on the H × bins totals (not per row): a2b of the packed words
 * (convert.ts: 8 rounds), then each field's bits injected with their weights (inject.ts
 * injectLinear: 2 rounds, 8 bytes per bit). Sums of shifted values get lo · count back
 * (local). Nothing is opened.
 *
 * Bounds must hold for every row that lands in any combination (h, l), output or not: one-hot.ts
 * packs values only when every key is in the domain (all rows valid, declared ranges: the
 * secret-table invariants); counts are at most n whatever the keys, so they always pack.
 * A column without bounds, or whose sum needs 64 bits, is summed mod 2^64 on its own.
 */

import { bitLength } from '../../plan/sort-layout.js';
import { planesOf } from '../../ring/planes.js';
import { a2b } from '../protocols/convert.js';
import { injectLinear, type BitCombination } from '../protocols/inject.js';
import { combineInto } from '../protocols/kernels.js';
import type { RightCombination } from '../protocols/inner-terms.js';
import { constantSlot } from '../sharing.js';
import type { Session } from '../session.js';
import { AShare, BitShare, concatA, sliceBits } from '../shares.js';

const WORD = 64;

/** Every value of the column, in every row that falls in some combination, lies in [min, max]. */
export interface ValueBounds {
  readonly min: bigint;
  readonly max: bigint;
}

/** One sum in a payload: column -1 is the count. Its field is [offset, offset + width) of the payload. */
export interface PayloadField {
  readonly column: number;
  readonly offset: number;
  readonly width: number;
  /** Subtracted from each value before summing (added back as shift · count). */
  readonly shift: bigint;
}

export interface Payload {
  readonly fields: readonly PayloadField[];
  readonly width: number;
}

/** A right operand: the payload vectors B_l · W_p, each shifted to `offset`. */
export interface Bin {
  readonly items: readonly { readonly low: number; readonly payload: number; readonly offset: number }[];
}

export interface SumLayout {
  /** payloads[0] is the count (the constant 1); the others are products with value columns. */
  readonly payloads: readonly Payload[];
  readonly bins: readonly Bin[];
}

/**
 * The payloads and bins for `low` low values, `rows` rows in all (counts are at most that) and
 * the value columns' bounds (undefined: unknown, summed mod 2^64 on its own). Public: every party
 * computes the same layout.
 */
export function sumLayout(low: number, rows: number, bounds: readonly (ValueBounds | undefined)[]): SumLayout {
  const countWidth = Math.max(1, bitLength(BigInt(rows)));
  const payloads: Payload[] = [{ fields: [{ column: -1, offset: 0, width: countWidth, shift: 0n }], width: countWidth }];
  const packable: { column: number; width: number; shift: bigint }[] = [];
  bounds.forEach((b, column) => {
    const width = b === undefined || b.max < b.min ? WORD : Math.max(1, bitLength((b.max - b.min) * BigInt(rows)));
    if (width >= WORD) payloads.push({ fields: [{ column, offset: 0, width: WORD, shift: 0n }], width: WORD });
    else packable.push({ column, width, shift: b!.min });
  });
  // First fit by decreasing width; ties in column order (a stable sort), so the layout is deterministic.
  const open: { column: number; offset: number; width: number; shift: bigint }[][] = [];
  for (const f of [...packable].sort((x, y) => y.width - x.width)) {
    const into = open.find((p) => p[p.length - 1].offset + p[p.length - 1].width + f.width <= WORD);
    if (into) into.push({ ...f, offset: into[into.length - 1].offset + into[into.length - 1].width });
    else open.push([{ ...f, offset: 0 }]);
  }
  for (const fields of open) {
    fields.sort((x, y) => x.column - y.column || x.offset - y.offset);
    payloads.push({ fields, width: Math.max(...fields.map((f) => f.offset + f.width)) });
  }
  const items: { low: number; payload: number; width: number }[] = [];
  for (let p = 0; p < payloads.length; p++) for (let l = 0; l < low; l++) items.push({ low: l, payload: p, width: payloads[p].width });
  const bins: { items: { low: number; payload: number; offset: number }[]; used: number }[] = [];
  for (const item of [...items].sort((x, y) => y.width - x.width)) {
    const into = item.width >= WORD ? undefined : bins.find((b) => b.used + item.width <= WORD);
    if (into) {
      into.items.push({ low: item.low, payload: item.payload, offset: into.used });
      into.used += item.width;
    } else bins.push({ items: [{ low: item.low, payload: item.payload, offset: 0 }], used: item.width });
  }
  return { payloads, bins: bins.map((b) => ({ items: b.items })) };
}

/** Whether a bin holds more than one sum (and must be unpacked). */
function isPacked(layout: SumLayout, bin: Bin): boolean {
  return bin.items.length > 1 || layout.payloads[bin.items[0].payload].fields.length > 1;
}

/** Whether payload p is a value column as it is (no vector of its own). */
function isPlain(p: Payload): boolean {
  return p.fields.length === 1 && p.fields[0].shift === 0n && p.fields[0].offset === 0;
}

/** Words of `into` that payloadVectors needs for blocks of n rows. */
export function payloadScratchWords(layout: SumLayout, n: number): number {
  return 2 * n * layout.payloads.slice(1).filter((p) => !isPlain(p)).length;
}

/**
 * The value payloads W_p (p >= 1) of a block: Σ 2^o (x - shift) per row (local). `into`, when
 * given, holds their components (payloadScratchWords; memory lent by a caller that drops them soon).
 */
export function payloadVectors(s: Session, layout: SumLayout, values: readonly AShare[], into?: BigUint64Array): AShare[] {
  const slot = constantSlot(s.me);
  let at = 0;
  return layout.payloads.slice(1).map((p) => {
    if (isPlain(p)) return values[p.fields[0].column];
    const n = values[p.fields[0].column].length;
    const constant = p.fields.reduce((acc, f) => acc - (f.shift << BigInt(f.offset)), 0n);
    const terms = (which: 'a' | 'b') => p.fields.map((f) => [values[f.column][which], 1n << BigInt(f.offset)] as const);
    const a = into ? into.subarray(at, (at += n)) : new BigUint64Array(n), b = into ? into.subarray(at, (at += n)) : new BigUint64Array(n);
    combineInto(a, terms('a'), slot === 'a' ? constant : 0n);
    combineInto(b, terms('b'), slot === 'b' ? constant : 0n);
    return new AShare(a, b);
  });
}

/**
 * The bins' right operands as combinations of base vectors (inner-terms.ts RightCombination):
 * `vector(l, p)` is B_l · W_p (B_l for p = 0) as such a combination; a bin is Σ 2^offset · its
 * items' vectors, terms of one base vector merged. The inner products form them chunk by chunk
 * in the kernel's memory (inner-products.ts innerProductsOfCombinations), so no bin is stored.
 */
export function binCombinations(layout: SumLayout, vector: (low: number, payload: number) => RightCombination): RightCombination[] {
  return layout.bins.map((bin) => {
    const coefficients = new Map<number, bigint>();
    let a = 0n, b = 0n;
    for (const item of bin.items) {
      const v = vector(item.low, item.payload), shift = 1n << BigInt(item.offset);
      for (const [base, c] of v.terms) coefficients.set(base, BigInt.asUintN(64, (coefficients.get(base) ?? 0n) + c * shift));
      a += (v.constant?.a ?? 0n) * shift;
      b += (v.constant?.b ?? 0n) * shift;
    }
    const terms = [...coefficients].filter(([, c]) => c !== 0n);
    return { terms, constant: { a: BigInt.asUintN(64, a), b: BigInt.asUintN(64, b) } };
  });
}

/**
 * Per (h, low, column) sum from the H × bins totals (element h · bins + bin, as innerProducts
 * lays them out): fields of packed bins by a2b and weighted injection (10 rounds, only when
 * some bin is packed), the others as they are. sums[c + 1][h · low + l]; sums[0] are the counts.
 * Shifted sums get shift · count back.
 */
export async function unpackSums(s: Session, layout: SumLayout, totals: AShare, high: number, low: number, columns: number): Promise<AShare[]> {
  const B = layout.bins.length;
  const out = Array.from({ length: columns + 1 }, () => AShare.zeros(high * low));
  const packed = layout.bins.map((b, i) => i).filter((i) => isPacked(layout, layout.bins[i]));
  const decoded = new Map<string, AShare>();
  if (packed.length > 0) {
    const m = packed.length * high;
    const words = concatA(packed.map((i) => {
      const v = AShare.zeros(high);
      for (let h = 0; h < high; h++) {
        v.a[h] = totals.a[h * B + i];
        v.b[h] = totals.b[h * B + i];
      }
      return v;
    }));
    const bits = await a2b(s, words);
    const pa = planesOf(bits.a, WORD), pb = planesOf(bits.b, WORD);
    const planes = pa.map((a, j) => new BitShare(a, pb[j], m));
    const injected: BitShare[] = [];
    const combos: BitCombination[] = [];
    const keys: string[] = [];
    packed.forEach((i, q) => {
      const first = new Map<number, number>();
      const bitAt = (j: number): number => {
        if (!first.has(j)) {
          first.set(j, injected.length);
          injected.push(sliceBits(planes[j], q * high, high));
        }
        return first.get(j)!;
      };
      for (const item of layout.bins[i].items) {
        for (const f of layout.payloads[item.payload].fields) {
          const terms: [number, bigint][] = [];
          for (let t = 0; t < f.width; t++) terms.push([bitAt(item.offset + f.offset + t), 1n << BigInt(t)]);
          combos.push({ terms });
          keys.push(`${item.low}:${f.column}`);
        }
      }
    });
    const sums = await injectLinear(s, injected, combos);
    keys.forEach((k, i) => decoded.set(k, sums[i]));
  }
  layout.bins.forEach((bin, i) => {
    for (const item of bin.items) {
      for (const f of layout.payloads[item.payload].fields) {
        const target = out[f.column + 1];
        const field = decoded.get(`${item.low}:${f.column}`);
        for (let h = 0; h < high; h++) {
          const at = h * low + item.low;
          target.a[at] = field ? field.a[h] : totals.a[h * B + i];
          target.b[at] = field ? field.b[h] : totals.b[h * B + i];
        }
      }
    }
  });
  // x = x' + shift: each sum gains shift · count.
  const counts = out[0];
  for (const p of layout.payloads.slice(1)) {
    for (const f of p.fields) {
      if (f.shift === 0n) continue;
      const target = out[f.column + 1];
      for (let v = 0; v < target.length; v++) {
        target.a[v] += f.shift * counts.a[v];
        target.b[v] += f.shift * counts.b[v];
      }
    }
  }
  return out;
}
