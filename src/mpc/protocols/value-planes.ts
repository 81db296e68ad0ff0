/**
 * Bit planes of secret columns: for values in [min, min + 2^bits), the binary sharing of
 * v − min, transposed so that plane j packs bit j of every row (ring/planes.ts: row i at bit
 * i & 63 of word i >>> 6).
 *
 * The conversion itself runs on planes (a bit-sliced a2b, after ABY3 §5.3's addend split into
 * binary: Mohassel and Rindal, CCS 2018). x = x0 + x1 + x2 mod 2^bits for the arithmetic
 * components, and each component is a binary sharing of its own (component c holds x_c, the
 * others 0), known to the two parties that hold it. Each party transposes the low `bits` bits of
 * its two components into planes (local: a transposition permutes bits, and XOR sharing is
 * linear), then:
 *   1. a full adder on the three addends: S = x0 ^ x1 ^ x2 is the party's own component planes
 *      (local), the carries C = maj(x0, x1, x2) = ((x0 ^ x2) & (x1 ^ x2)) ^ x2: one AND per
 *      plane below the top (1 round);
 *   2. S + 2C mod 2^bits by a ripple-carry adder over the planes: carry_{j+1} =
 *      maj(S_j, C_{j−1}, carry_j), one AND per plane, bits − 2 rounds; bit j = S_j ^ C_{j−1} ^ carry_j.
 * Everything reduced mod 2^bits: v − min lies in [0, 2^bits), so the residue is the value.
 * All columns run in lockstep, one AND batch per round.
 *
 * Cost: bits − 1 rounds; 2·bits − 3 AND gates per row, (2·bits − 3)/8 bytes per row and party
 * (4.1 at 18 bits, 15.6 at 64), against a2bNarrow's ~41 bytes at 18 bits (32-bit lanes, 7
 * rounds) and a2b's ~99 at 48 (8 rounds), both before their output's transposition.
 */

import { UsageError } from '../../errors.js';
import { wordsFor } from '../../ring/bits.js';
import { inChunks } from '../../ring/chunks.js';
import { toPlanes, toPlanesLow } from '../../ring/planes.js';
import type { Session } from '../session.js';
import { BitShare, type AShare } from '../shares.js';
import { constantSlot } from '../sharing.js';
import { andWords } from './binary.js';

export interface RangedColumn {
  readonly values: AShare;
  /** Every value lies in [min, min + 2^bits). */
  readonly min: bigint;
  readonly bits: number;
}

/** One column's planes under conversion: both components of each plane. */
interface Planes {
  readonly words: number;
  readonly bits: number;
  /** The party's own component planes (S, the addends' XOR), then the result. */
  readonly a: BigUint64Array[];
  readonly b: BigUint64Array[];
}

/** Per column, its planes 0 … bits − 1 (bit j of v − min of every row). bits − 1 rounds at most. */
export async function valuePlanes(s: Session, columns: readonly RangedColumn[]): Promise<BitShare[][]> {
  for (const c of columns) if (!Number.isInteger(c.bits) || c.bits < 0 || c.bits > 64) throw new UsageError(`valuePlanes: a column's range must be 0 to 64 bits wide (got ${c.bits})`);
  const slot = constantSlot(s.me);
  const planes: Planes[] = columns.map((c) => {
    const n = c.values.length, words = wordsFor(n);
    const fresh = (component: BigUint64Array, minus: boolean): BigUint64Array[] => {
      const out = Array.from({ length: c.bits }, () => new BigUint64Array(words));
      if (c.bits === 0 || n === 0) return out;
      // Up to 32 bits, −min's low half is added during the loads (no shifted copy).
      if (c.bits <= 32) {
        toPlanesLow(component, n, c.bits, minus ? Number(BigInt.asUintN(32, -c.min)) : 0, out);
        return out;
      }
      // Component 0 carries the constant −min (sharing.ts: party 0's a, party 2's b).
      if (!minus) {
        toPlanes(component, 0, n, c.bits, out, 0);
        return out;
      }
      // The shifted component lives only until it is cut into planes: pooled (s11-gc).
      const moved = s.party.scratch.take(n);
      try {
        toPlanes(shifted(component, BigInt.asUintN(64, -c.min), moved), 0, n, c.bits, out, 0);
      } finally {
        s.party.scratch.give(moved);
      }
      return out;
    };
    return { words, bits: c.bits, a: fresh(c.values.a, slot === 'a'), b: fresh(c.values.b, slot === 'b') };
  });
  const carries = await addendCarries(s, planes);
  await rippleAdd(s, planes, carries);
  return columns.map((c, k) => planes[k].a.map((a, j) => new BitShare(a, planes[k].b[j], c.values.length)));
}

/** component + k into `out` (every word overwritten). */
function shifted(component: BigUint64Array, k: bigint, out: BigUint64Array): BigUint64Array {
  const c = BigUint64Array.of(k);
  // In pieces (ring/chunks.ts): a first call over a whole column would run unoptimized.
  inChunks(out.length, (from, to) => addRange(component, c, out, from, to));
  return out;
}

function addRange(component: BigUint64Array, c: BigUint64Array, out: BigUint64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = component[i] + c[0];
}

/**
 * C = maj(x0, x1, x2) for planes 0 … bits − 2 of every column (one AND round). This party's
 * shares of addend x_c: its `a` is component `me`, its `b` component `me + 1`, so x_c's share is
 * (own a planes if c = me else 0, own b planes if c = me + 1 else 0).
 */
async function addendCarries(s: Session, planes: readonly Planes[]): Promise<{ a: BigUint64Array; b: BigUint64Array }[][]> {
  const total = planes.reduce((acc, p) => acc + Math.max(0, p.bits - 1) * p.words, 0);
  // Pooled memory (mpc/scratch.ts), cleared: a component this party does not hold is zero.
  const operands = s.party.scratch.take(4 * total).fill(0n);
  const xa = operands.subarray(0, total), xb = operands.subarray(total, 2 * total), ya = operands.subarray(2 * total, 3 * total), yb = operands.subarray(3 * total, 4 * total);
  const me = s.me, next = (me + 1) % 3;
  // x = x0 ^ x2 and y = x1 ^ x2, as this party's two components; x2 kept for the carry.
  const holds = (c: number): [boolean, boolean] => [c === me, c === next];
  const [x0a, x0b] = holds(0), [x1a, x1b] = holds(1), [x2a, x2b] = holds(2);
  let at = 0;
  for (const p of planes) {
    for (let j = 0; j + 1 < p.bits; j++, at += p.words) {
      if (x0a !== x2a) xa.set(p.a[j], at);
      if (x1a !== x2a) ya.set(p.a[j], at);
      if (x0b !== x2b) xb.set(p.b[j], at);
      if (x1b !== x2b) yb.set(p.b[j], at);
    }
  }
  let za: BigUint64Array, zb: BigUint64Array;
  try {
    [za, zb] = total > 0 ? await andWords(s, xa, xb, ya, yb) : [new BigUint64Array(0), new BigUint64Array(0)];
  } finally {
    s.party.scratch.give(operands);
  }
  at = 0;
  return planes.map((p) => {
    const out: { a: BigUint64Array; b: BigUint64Array }[] = [];
    for (let j = 0; j + 1 < p.bits; j++, at += p.words) {
      const a = za.subarray(at, at + p.words), b = zb.subarray(at, at + p.words);
      if (x2a) xorInto(a, p.a[j]);
      if (x2b) xorInto(b, p.b[j]);
      out.push({ a, b });
    }
    return out;
  });
}

/**
 * planes ← S + 2C mod 2^bits, in place: bit j = S_j ^ C_{j−1} ^ carry_j, carry_1 = 0 and
 * carry_{j+1} = ((S_j ^ carry_j) & (C_{j−1} ^ carry_j)) ^ carry_j, one AND round per bit.
 */
async function rippleAdd(s: Session, planes: readonly Planes[], carries: readonly { a: BigUint64Array; b: BigUint64Array }[][]): Promise<void> {
  const widest = Math.max(0, ...planes.map((p) => p.bits));
  // The carry into the current bit, per column (undefined: zero).
  const carry: ({ a: BigUint64Array; b: BigUint64Array } | undefined)[] = planes.map(() => undefined);
  for (let j = 1; j < widest; j++) {
    const live = planes.map((p, k) => k).filter((k) => planes[k].bits > j);
    // Next carries for columns that have a bit above j.
    const feeding = live.filter((k) => planes[k].bits > j + 1);
    const total = feeding.reduce((acc, k) => acc + planes[k].words, 0);
    // The AND's operands die with it (sent without transfer: copied by the link): pooled (s11-gc).
    const operands = s.party.scratch.take(4 * total);
    const xa = operands.subarray(0, total), xb = operands.subarray(total, 2 * total), ya = operands.subarray(2 * total, 3 * total), yb = operands.subarray(3 * total, 4 * total);
    let at = 0;
    for (const k of feeding) {
      const p = planes[k], c = carry[k], d = carries[k][j - 1];
      xorPair(p.a[j], c?.a, xa, at);
      xorPair(p.b[j], c?.b, xb, at);
      xorPair(d.a, c?.a, ya, at);
      xorPair(d.b, c?.b, yb, at);
      at += p.words;
    }
    let za: BigUint64Array, zb: BigUint64Array;
    try {
      [za, zb] = total > 0 ? await andWords(s, xa, xb, ya, yb) : [new BigUint64Array(0), new BigUint64Array(0)];
    } finally {
      s.party.scratch.give(operands);
    }
    // Bit j of the sum (with the old carry), then the new carry.
    for (const k of live) {
      const p = planes[k], c = carry[k], d = carries[k][j - 1];
      xorInto(p.a[j], d.a);
      xorInto(p.b[j], d.b);
      if (c) {
        xorInto(p.a[j], c.a);
        xorInto(p.b[j], c.b);
      }
    }
    at = 0;
    for (const k of feeding) {
      const w = planes[k].words, c = carry[k];
      const a = za.subarray(at, at + w), b = zb.subarray(at, at + w);
      if (c) {
        xorInto(a, c.a);
        xorInto(b, c.b);
      }
      carry[k] = { a, b };
      at += w;
    }
  }
}

function xorInto(target: BigUint64Array, x: BigUint64Array): void {
  for (let i = 0; i < target.length; i++) target[i] ^= x[i];
}

/** out[at …] = x ^ y (y undefined: zero). */
function xorPair(x: BigUint64Array, y: BigUint64Array | undefined, out: BigUint64Array, at: number): void {
  if (!y) out.set(x, at);
  else for (let i = 0; i < x.length; i++) out[at + i] = x[i] ^ y[i];
}
