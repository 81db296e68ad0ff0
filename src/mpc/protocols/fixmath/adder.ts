/**
 * Carry and prefix circuits on bit planes (see circuit.ts), in the parallel-prefix style of
 * Sklansky: a range of bits is split at its largest aligned power of two, and every range
 * computed is remembered, so the carries into many positions share their sub-ranges. A carry
 * into bit j costs about log2(j) + 1 AND layers; the propagate half of a (generate, propagate)
 * pair is only built into the circuit when some output needs it.
 */

import type { BitCircuit, Wire } from './circuit.js';

export interface GroupSignals {
  /** The range produces a carry by itself. */
  readonly G: Wire;
  /** The range passes an incoming carry through (all its bits propagate). */
  readonly P: Wire;
}

/** The largest power of two strictly smaller than `size` (size >= 2). */
function splitSize(size: number): number {
  let t = 1;
  while (t * 2 < size) t *= 2;
  return t;
}

/** Group generate/propagate signals of the sum v + w over bit ranges [lo, hi). */
export class CarryNetwork {
  private readonly memo = new Map<number, GroupSignals>();

  /** `g[j] = v_j AND w_j`, `p[j] = v_j XOR w_j` (index j = bit position). */
  constructor(
    private readonly c: BitCircuit,
    private readonly g: readonly Wire[],
    private readonly p: readonly Wire[],
  ) {}

  static of(c: BitCircuit, v: readonly Wire[], w: readonly Wire[]): CarryNetwork {
    return new CarryNetwork(c, v.map((x, j) => c.and(x, w[j])), v.map((x, j) => c.xor(x, w[j])));
  }

  bitPropagate(j: number): Wire {
    return this.p[j];
  }

  group(lo: number, hi: number): GroupSignals {
    if (hi - lo < 1) throw new RangeError(`empty bit range [${lo}, ${hi})`);
    const key = lo * 128 + hi;
    const known = this.memo.get(key);
    if (known) return known;
    let result: GroupSignals;
    if (hi - lo === 1) {
      result = { G: this.g[lo], P: this.p[lo] };
    } else {
      const mid = lo + splitSize(hi - lo);
      const low = this.group(lo, mid), high = this.group(mid, hi);
      const c = this.c;
      // Built lazily in effect: gates nobody asks for are never evaluated (circuit.evaluate).
      result = { G: c.xor(high.G, c.and(high.P, low.G)), P: c.and(high.P, low.P) };
    }
    this.memo.set(key, result);
    return result;
  }

  /** Carry into bit j of v + w (from bits 0..j-1). */
  carry(j: number): Wire {
    return j === 0 ? this.c.zero : this.group(0, j).G;
  }

  /** Bit j of v + w. */
  sumBit(j: number): Wire {
    return this.c.xor(this.p[j], this.carry(j));
  }
}

/**
 * y_i = OR of bits[i..n-1] for every i (suffix OR, e.g. "some bit at or above i is set"): the
 * prefix OR of the reversed bits, with the same shared aligned ranges as the carries.
 */
export function suffixOr(c: BitCircuit, bits: readonly Wire[]): Wire[] {
  const n = bits.length;
  const reversed = [...bits].reverse();
  const memo = new Map<number, Wire>();
  const range = (lo: number, hi: number): Wire => {
    const key = lo * 128 + hi;
    const known = memo.get(key);
    if (known) return known;
    const mid = lo + splitSize(hi - lo);
    const r = hi - lo === 1 ? reversed[lo] : c.or(range(lo, mid), range(mid, hi));
    memo.set(key, r);
    return r;
  };
  return bits.map((_, i) => range(0, n - i));
}
