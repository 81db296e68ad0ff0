/**
 * Checks of the primitives benchmark: after each timed repetition, the parties open the inputs and
 * the output together and compare the output with the plaintext result, row by row. A wrong result
 * throws, which fails the job at every party and makes the benchmark exit non-zero with the
 * message: a benchmark of wrong answers would be worthless.
 *
 * Exact operations must match exactly; fxmul may be one unit above floor(x·y / 2^f) (the
 * truncation's documented carry); the fixed-point functions must stay within the error bounds
 * their modules document for the same options.
 */

import { FixedPointCodec } from '../src/ring/fixed.js';
import { open, openBinary, openBits } from '../src/mpc/protocols/io.js';
import type { Columns } from '../src/mpc/protocols/shuffle.js';
import type { SortResult } from '../src/mpc/protocols/sort.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare, BitShare, BShare } from '../src/mpc/shares.js';

/** Compares the output of one repetition with the plaintext result; throws when it differs. */
export type Check = (output: unknown) => Promise<void>;

const MAX_LISTED = 3;

/** Collects the rows that differ and throws one message naming how many and which. */
export class Mismatches {
  private count = 0;
  private readonly listed: string[] = [];

  constructor(private readonly what: string) {}

  add(row: number, got: string, expected: string): void {
    this.count++;
    if (this.listed.length < MAX_LISTED) this.listed.push(`row ${row}: got ${got}, expected ${expected}`);
  }

  throwIfAny(rows: number): void {
    if (this.count === 0) return;
    throw new Error(`benchmark result check failed: ${this.what} gave a wrong result in ${this.count} of ${rows} rows (${this.listed.join('; ')}); the timing of this operation is void`);
  }
}

const signed = (v: bigint): bigint => BigInt.asIntN(64, v);
const bitAt = (words: BigUint64Array, i: number): boolean => ((words[i >>> 6] >> BigInt(i & 63)) & 1n) === 1n;

/** out[i] must equal expected(i) exactly. */
export function exactly(s: Session, what: string, inputs: readonly AShare[], expected: (xs: BigUint64Array[], i: number) => bigint, rows?: number): Check {
  return async (output) => {
    const xs = await Promise.all(inputs.map((x) => open(s, x)));
    const out = await open(s, output as AShare);
    const n = rows ?? out.length;
    const bad = new Mismatches(what);
    for (let i = 0; i < n; i++) {
      const want = BigInt.asUintN(64, expected(xs, i));
      if (out[i] !== want) bad.add(i, String(out[i]), String(want));
    }
    bad.throwIfAny(n);
  };
}

/** A comparison's output bits must equal predicate(x[i], y[i]) on the signed values. */
export function bits(s: Session, what: string, x: AShare, y: AShare, predicate: (a: bigint, b: bigint) => boolean): Check {
  return async (output) => {
    const [a, b] = [await open(s, x), await open(s, y)];
    const out = await openBits(s, output as BitShare);
    const bad = new Mismatches(what);
    for (let i = 0; i < a.length; i++) {
      const want = predicate(signed(a[i]), signed(b[i]));
      if (bitAt(out, i) !== want) bad.add(i, String(bitAt(out, i)), String(want));
    }
    bad.throwIfAny(a.length);
  };
}

/** fxmul: floor(x·y / 2^f) or one more, on the signed values. */
export function truncatedProduct(s: Session, x: AShare, y: AShare, f: number): Check {
  return async (output) => {
    const [a, b, out] = [await open(s, x), await open(s, y), await open(s, output as AShare)];
    const bad = new Mismatches('fxmul');
    for (let i = 0; i < a.length; i++) {
      const floor = (signed(a[i]) * signed(b[i])) >> BigInt(f);
      const d = signed(out[i]) - floor;
      if (d !== 0n && d !== 1n) bad.add(i, String(signed(out[i])), `${floor} or ${floor + 1n}`);
    }
    bad.throwIfAny(a.length);
  };
}

/** a2b: the opened binary share must equal the opened arithmetic input. */
export function sameWords(s: Session, what: string, input: AShare | BShare, inputIsBinary: boolean, outputIsBinary: boolean): Check {
  return async (output) => {
    const want = inputIsBinary ? await openBinary(s, input as BShare) : await open(s, input as AShare);
    const got = outputIsBinary ? await openBinary(s, output as BShare) : await open(s, output as AShare);
    const bad = new Mismatches(what);
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) bad.add(i, String(got[i]), String(want[i]));
    bad.throwIfAny(want.length);
  };
}

/** shuffle: the output column holds the input's values, each exactly as often. */
export function permutationOf(s: Session, x: AShare): Check {
  return async (output) => {
    const want = (await open(s, x)).slice().sort();
    const got = (await open(s, (output as Columns).arith[0])).slice().sort();
    const bad = new Mismatches('shuffle (as multisets of values)');
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) bad.add(i, String(got[i]), String(want[i]));
    bad.throwIfAny(want.length);
  };
}

/** sortByKey: keys in signed order, and the (key, payload) pairs are the input's. */
export function sortedPairs(s: Session, key: AShare, payload: AShare): Check {
  return async (output) => {
    const r = output as SortResult;
    const [k, p, gotK, gotP] = [await open(s, key), await open(s, payload), await open(s, r.key), await open(s, r.payload[0])];
    const bad = new Mismatches('sort');
    for (let i = 1; i < gotK.length; i++) if (signed(gotK[i - 1]) > signed(gotK[i])) bad.add(i, `key ${signed(gotK[i])} after ${signed(gotK[i - 1])}`, 'non-decreasing keys');
    const pairs = (a: BigUint64Array, b: BigUint64Array): string[] => Array.from(a, (v, i) => `${v}:${b[i]}`).sort();
    const want = pairs(k, p), got = pairs(gotK, gotP);
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) bad.add(i, `pair ${got[i]}`, `pair ${want[i]} (sorted pairs)`);
    bad.throwIfAny(k.length);
  };
}

/** A fixed-point function within |got - f(x)| <= bound(f(x)). */
export function approximately(s: Session, what: string, x: AShare, fractionBits: number, reference: (v: number) => number, bound: (want: number) => number): Check {
  const codec = new FixedPointCodec({ fractionBits });
  return async (output) => {
    const xs = codec.decode(await open(s, x));
    const got = codec.decode(await open(s, output as AShare));
    const bad = new Mismatches(what);
    for (let i = 0; i < xs.length; i++) {
      const want = reference(xs[i]);
      if (!(Math.abs(got[i] - want) <= bound(want))) bad.add(i, `${what}(${xs[i]}) = ${got[i]}`, `${want} within ${bound(want)}`);
    }
    bad.throwIfAny(xs.length);
  };
}
