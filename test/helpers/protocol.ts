/** Shared helpers for protocol tests: a trio of in-thread parties and value generators. */
import fc from 'fast-check';
import { localTrio, type LocalTrio } from '../../src/mpc/local.js';
import type { Session } from '../../src/mpc/session.js';
import { input } from '../../src/mpc/protocols/io.js';
import type { AShare } from '../../src/mpc/shares.js';

export const U64_MAX = (1n << 64n) - 1n;
export const TWO63 = 1n << 63n;
export const TWO62 = 1n << 62n;

/** Interesting ring elements that random generation rarely hits. */
export const EDGE_U64 = [0n, 1n, 2n, U64_MAX, U64_MAX - 1n, TWO63, TWO63 - 1n, TWO63 + 1n, TWO62, TWO62 - 1n, U64_MAX - TWO62 + 1n, 0xffffffffn, 1n << 32n];

export const u64 = fc.oneof({ weight: 3, arbitrary: fc.bigInt({ min: 0n, max: U64_MAX }) }, { weight: 1, arbitrary: fc.constantFrom(...EDGE_U64) });

/** Signed values in [lo, hi] with their edges, as ring elements. */
export function signedIn(lo: bigint, hi: bigint): fc.Arbitrary<bigint> {
  const edges = [lo, hi, 0n, -1n, 1n, lo + 1n, hi - 1n].filter((v) => v >= lo && v <= hi);
  return fc
    .oneof({ weight: 3, arbitrary: fc.bigInt({ min: lo, max: hi }) }, { weight: 1, arbitrary: fc.constantFrom(...edges) })
    .map((v) => BigInt.asUintN(64, v));
}

export function vectorOf(arb: fc.Arbitrary<bigint>, maxLength = 70): fc.Arbitrary<BigUint64Array> {
  return fc.array(arb, { minLength: 0, maxLength }).map((a) => BigUint64Array.from(a));
}

export function signed(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

let shared: Promise<LocalTrio> | undefined;
/** One trio per test file (tests in a file run sequentially). */
export function trio(): Promise<LocalTrio> {
  shared ??= localTrio({ timeoutMs: 20_000 });
  return shared;
}

export async function closeTrio(): Promise<void> {
  if (shared) (await shared).close();
  shared = undefined;
}

/** Shares `values` from party `owner` inside a session. */
export function secret(s: Session, values: BigUint64Array, owner: 0 | 1 | 2 = 0): Promise<AShare> {
  return input(s, owner, s.me === owner ? values : values.length);
}

export const RUNS = Number(process.env.TESSERA_PROPERTY_RUNS ?? 40);
