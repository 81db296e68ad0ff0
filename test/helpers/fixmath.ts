/** Helpers for the fixed-point function tests: encoding, one secure run, error checks. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Session } from '../../src/mpc/session.js';
import type { AShare } from '../../src/mpc/shares.js';
import { open } from '../../src/mpc/protocols/io.js';
import { secret, trio } from './protocol.js';

export const F = 16;

export function encode(values: readonly number[], f = F): BigUint64Array {
  return BigUint64Array.from(values.map((v) => BigInt.asUintN(64, BigInt(Math.round(v * 2 ** f)))));
}

export function decode(v: bigint, f = F): number {
  return Number(BigInt.asIntN(64, v)) / 2 ** f;
}

export interface Outcome {
  /** The opened results, decoded. */
  readonly values: number[];
  /** The inputs as the parties saw them (decoded encodings), per operand. */
  readonly inputs: number[][];
  readonly rounds: number;
  /** Bytes each party sent, per element. */
  readonly bytesPerElement: [number, number, number];
}

/** Shares the operands (encoded with f fraction bits), runs `fn`, opens the result. */
export async function runSecure(operands: readonly (readonly number[])[], fn: (s: Session, x: AShare[]) => Promise<AShare>, f = F): Promise<Outcome> {
  const t = await trio();
  const encoded = operands.map((o) => encode(o, f));
  const n = encoded[0].length;
  const results = await t.run(async (s) => {
    const shares: AShare[] = [];
    for (let k = 0; k < encoded.length; k++) shares.push(await secret(s, encoded[k], (k % 3) as 0 | 1 | 2));
    const r0 = s.stats.rounds, b0 = s.stats.bytesSent;
    const y = await fn(s, shares);
    const rounds = s.stats.rounds - r0, bytes = s.stats.bytesSent - b0;
    return { y: await open(s, y), rounds, bytes };
  });
  return {
    values: Array.from(results[0].y, (v) => decode(v, f)),
    inputs: encoded.map((e) => Array.from(e, (v) => decode(v, f))),
    rounds: results[0].rounds,
    bytesPerElement: results.map((r) => (n > 0 ? r.bytes / n : 0)) as [number, number, number],
  };
}

/** Asserts |got - want| <= bound for every element, naming the worst offender. */
export function assertWithin(outcome: Outcome, reference: (...x: number[]) => number, bound: (want: number, ...x: number[]) => number, what: string): void {
  outcome.values.forEach((got, i) => {
    const x = outcome.inputs.map((col) => col[i]);
    const want = reference(...x);
    const limit = bound(want, ...x);
    assert.ok(Math.abs(got - want) <= limit, `${what}(${x.join(', ')}) = ${got}, expected ${want} within ${limit} (error ${Math.abs(got - want)})`);
  });
}

/** Reals in [lo, hi] (double precision, not yet encoded), with the edges mixed in. */
export function realsIn(lo: number, hi: number, edges: readonly number[] = []): fc.Arbitrary<number> {
  const all = [lo, hi, ...edges].filter((v) => v >= lo && v <= hi);
  return fc.oneof({ weight: 4, arbitrary: fc.double({ min: lo, max: hi, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(...all) });
}

/** Reals whose logarithm is uniform in [log2 lo, log2 hi] (to cover every binade). */
export function logUniform(lo: number, hi: number, edges: readonly number[] = []): fc.Arbitrary<number> {
  const all = [lo, hi, ...edges].filter((v) => v >= lo && v <= hi);
  return fc.oneof(
    { weight: 4, arbitrary: fc.double({ min: Math.log2(lo), max: Math.log2(hi), noNaN: true }).map((e) => Math.min(hi, Math.max(lo, 2 ** e))) },
    { weight: 1, arbitrary: fc.constantFrom(...all) },
  );
}
