/**
 * The primitives benchmark, as a job run by each party (bench/main.ts starts the runner).
 *
 * Inputs are prepared before the clock starts, inside their declared ranges (a comparison's
 * inputs in [-2^62, 2^62), fixed-point operands small enough for the bit budget), because the
 * protocols' running time does not depend on the values but their correctness does, and a
 * benchmark of wrong answers would be worthless. Before each timed repetition the parties pass a
 * barrier (bench/start-together.ts), so no party's clock starts before all three are there, and
 * each records its start and end on the machine's monotonic clock, so that bench/main.ts can
 * report the time from the first start to the last end beside the slowest party's. After
 * each timed repetition (and the warm-up) they open inputs and output and compare them with the
 * plaintext result (bench/primitive-check.ts); a wrong result fails the job, and the benchmark
 * exits non-zero. The check's garbage is collected before the next repetition starts.
 */

import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FixedPointCodec } from '../src/ring/fixed.js';
import { dot, mul } from '../src/mpc/protocols/arith.js';
import { eq, lt } from '../src/mpc/protocols/compare.js';
import { a2b, b2a } from '../src/mpc/protocols/convert.js';
import { input, inputBinary, open, randomA } from '../src/mpc/protocols/io.js';
import { shuffle } from '../src/mpc/protocols/shuffle.js';
import { sortByKey } from '../src/mpc/protocols/sort.js';
import { fxmul } from '../src/mpc/protocols/trunc.js';
import { exp, expErrorBound, reciprocal, reciprocalErrorBound, rootErrorBound, sigmoid, sigmoidErrorBound, sqrt } from '../src/mpc/protocols/fixmath/index.js';
import { approximately, bits, exactly, permutationOf, sameWords, sortedPairs, truncatedProduct, type Check } from './primitive-check.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare } from '../src/mpc/shares.js';
import { LinearCheck } from './linear-check.js';
import { machineMs, startTogether } from './start-together.js';

export interface PrimitiveArgs {
  readonly op: string;
  readonly rows: number;
  readonly reps: number;
  /** Untimed, checked repetitions first (default 1). */
  readonly warmups?: number;
  /**
   * Time the repetitions one after another, as MP-SPDZ's mulbench program does: one barrier
   * before the first, none between them, no forced collection; outputs checked by random linear
   * combinations taken right after each (bench/linear-check.ts) and the last one whole. Only for
   * operations with an exact output vector (mul, dot).
   */
  readonly backToBack?: boolean;
}

export interface RepFigures {
  /** This party's wall time, from its own start to its own end. */
  readonly seconds: number;
  /** CPU time of this party's process during the repetition (user + system): steadier than wall
   * time on a shared machine. */
  readonly cpuSeconds: number;
  readonly bytes: number;
  readonly rounds: number;
}

/** A primitive's repetition: also when this party started and ended it (machineMs). */
export interface PrimitiveRep extends RepFigures {
  readonly startedAt: number;
  readonly endedAt: number;
}

const F = 16;
const codec = new FixedPointCodec({ fractionBits: F });

/** Uniform random signed values in [-2^(bits-1), 2^(bits-1)), as ring elements (party 0 only). */
function randomSigned(n: number, bits: number): BigUint64Array {
  const v = new BigUint64Array(n);
  new Uint8Array(v.buffer).set(randomBytes(8 * n));
  for (let i = 0; i < n; i++) v[i] = BigInt.asUintN(64, BigInt.asIntN(bits, v[i]));
  return v;
}

/** Random fixed-point reals in [lo, hi] (party 0 only). */
function randomReals(n: number, lo: number, hi: number): BigUint64Array {
  const out = new BigUint64Array(n);
  const r = new Uint32Array(randomBytes(4 * n).buffer);
  for (let i = 0; i < n; i++) out[i] = codec.encodeOne(lo + ((hi - lo) * r[i]) / 2 ** 32);
  return out;
}

/** Shares values that only party 0 draws (the others pass the length). */
async function secretFrom0(s: Session, n: number, make: () => BigUint64Array): Promise<AShare> {
  return input(s, 0, s.me === 0 ? make() : n);
}

/** The timed body of an operation, and the check of its output against the plaintext result. */
interface Prepared {
  run(): Promise<unknown>;
  check: Check;
  /** The exact plaintext output, from the opened inputs (for backToBack's linear check). */
  plaintext?: () => Promise<BigUint64Array>;
}

/** Within `relative`·|want| + `absolute`, as the fixed-point modules document their errors. */
const within = (e: { relative: number; absolute: number }) => (want: number): number => e.relative * Math.abs(want) + e.absolute;

/** The plaintext output of an exact operation: row i is `expected` of the opened inputs. */
async function plaintextOf(s: Session, inputs: readonly AShare[], n: number, expected: (xs: BigUint64Array[], i: number) => bigint): Promise<BigUint64Array> {
  const xs: BigUint64Array[] = [];
  for (const x of inputs) xs.push(await open(s, x));
  return BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, expected(xs, i)));
}

/** Builds the timed body of an operation and its check, after preparing its inputs. */
export async function prepare(s: Session, op: string, n: number): Promise<Prepared> {
  switch (op) {
    case 'mul': {
      const x = randomA(s, n), y = randomA(s, n);
      const product = ([a, b]: BigUint64Array[], i: number): bigint => a[i] * b[i];
      // Every repetition's output in the same memory, as MP-SPDZ's `c = a * b` reuses its
      // registers: each output is checked before the next multiplication overwrites it, and no
      // repetition makes 16 MiB of fresh vectors that V8 later collects (arith.ts mul, `into`).
      const into = new BigUint64Array(2 * n);
      return { run: () => mul(s, x, y, into), check: exactly(s, 'mul', [x, y], product), plaintext: () => plaintextOf(s, [x, y], n, product) };
    }
    case 'dot': {
      // n dot products of length 8 (a row of 8 features times 8 weights): 8n local products,
      // one reshare per row.
      const x = randomA(s, 8 * n), y = randomA(s, 8 * n);
      const sum8 = ([a, b]: BigUint64Array[], i: number): bigint => {
        let t = 0n;
        for (let j = 8 * i; j < 8 * i + 8; j++) t += a[j] * b[j];
        return t;
      };
      return { run: () => dot(s, x, y, 8), check: exactly(s, 'dot', [x, y], sum8, n), plaintext: () => plaintextOf(s, [x, y], n, sum8) };
    }
    case 'fxmul': {
      const x = await secretFrom0(s, n, () => randomReals(n, -1000, 1000));
      const y = await secretFrom0(s, n, () => randomReals(n, -1000, 1000));
      return { run: () => fxmul(s, x, y, F), check: truncatedProduct(s, x, y, F) };
    }
    case 'lt': {
      const x = await secretFrom0(s, n, () => randomSigned(n, 63));
      const y = await secretFrom0(s, n, () => randomSigned(n, 63));
      return { run: () => lt(s, x, y), check: bits(s, 'lt', x, y, (a, b) => a < b) };
    }
    case 'eq': {
      // Every other row equal, so that both answers are exercised.
      const xs = s.me === 0 ? randomSigned(n, 64) : undefined;
      const x = await secretFrom0(s, n, () => xs!);
      const y = await secretFrom0(s, n, () => {
        const ys = randomSigned(n, 64);
        for (let i = 0; i < n; i += 2) ys[i] = xs![i];
        return ys;
      });
      return { run: () => eq(s, x, y), check: bits(s, 'eq', x, y, (a, b) => a === b) };
    }
    case 'a2b': {
      const x = randomA(s, n);
      return { run: () => a2b(s, x), check: sameWords(s, 'a2b', x, false, true) };
    }
    case 'b2a': {
      const x = await inputBinary(s, 0, s.me === 0 ? randomSigned(n, 64) : n);
      return { run: () => b2a(s, x), check: sameWords(s, 'b2a', x, true, false) };
    }
    case 'shuffle': {
      const x = randomA(s, n);
      return { run: () => shuffle(s, { arith: [x], binary: [] }), check: permutationOf(s, x) };
    }
    case 'sort': {
      const key = await secretFrom0(s, n, () => randomSigned(n, 64));
      const payload = randomA(s, n);
      return { run: () => sortByKey(s, key, [payload]), check: sortedPairs(s, key, payload) };
    }
    case 'reciprocal': {
      const x = await secretFrom0(s, n, () => randomReals(n, 0.01, 1000));
      const options = { min: 2 ** -8, max: 2 ** 16, fractionBits: F };
      return { run: () => reciprocal(s, x, options), check: approximately(s, 'reciprocal', x, F, (v) => 1 / v, within(reciprocalErrorBound(options))) };
    }
    case 'sqrt': {
      const x = await secretFrom0(s, n, () => randomReals(n, 0, 1000));
      const options = { max: 2 ** 16, fractionBits: F };
      return { run: () => sqrt(s, x, options), check: approximately(s, 'sqrt', x, F, Math.sqrt, within(rootErrorBound('sqrt', options))) };
    }
    case 'exp': {
      const x = await secretFrom0(s, n, () => randomReals(n, -20, 10));
      const options = { min: -32, max: 15.9, fractionBits: F };
      return { run: () => exp(s, x, options), check: approximately(s, 'exp', x, F, Math.exp, within(expErrorBound(options))) };
    }
    case 'sigmoid': {
      const x = await secretFrom0(s, n, () => randomReals(n, -20, 20));
      const bound = sigmoidErrorBound({ fractionBits: F });
      return { run: () => sigmoid(s, x, { fractionBits: F }), check: approximately(s, 'sigmoid', x, F, (v) => 1 / (1 + Math.exp(-v)), () => bound) };
    }
    default:
      throw new Error(`unknown operation '${op}'`);
  }
}

/** A full collection of this isolate's heap (the flag is set at run time: parties run as worker
 * threads too, which cannot be started with --expose-gc). */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export const PRIMITIVE_OPS = ['mul', 'dot', 'fxmul', 'lt', 'eq', 'a2b', 'b2a', 'shuffle', 'sort', 'reciprocal', 'sqrt', 'exp', 'sigmoid'];

/** The job: prepares once, then times `reps` repetitions. Returns this party's figures. */
export async function primitive(s: Session, args: PrimitiveArgs): Promise<PrimitiveRep[]> {
  const body = await prepare(s, args.op, args.rows);
  const out: PrimitiveRep[] = [];
  // Untimed repetitions first: they compile the hot loops and map the working memory. One was
  // measured not to be enough for mul in fresh party processes: its next two or three
  // repetitions still took ~1.5 x the CPU of later ones (docs/benchmarks.md, "s6-mul").
  for (let w = 0; w < (args.warmups ?? 1); w++) {
    await startTogether(s);
    await body.check(await body.run());
  }
  if (args.backToBack === true) return backToBack(s, args, body);
  for (let r = 0; r < args.reps; r++) {
    // The check before left opened vectors and BigInts behind: collect them now, so that they
    // neither slow down the timed repetition nor, kept alive, change how often it collects.
    collectGarbage();
    await startTogether(s);
    const bytes0 = s.stats.bytesSent, rounds0 = s.stats.rounds;
    const t0 = machineMs();
    const c0 = process.cpuUsage();
    const output = await body.run();
    out.push(figures(s, t0, c0, bytes0, rounds0));
    await body.check(output);
  }
  collectGarbage();
  return out;
}

/** This party's figures for a repetition that started at `t0` (machineMs) with these counters. */
function figures(s: Session, t0: number, c0: NodeJS.CpuUsage, bytes0: number, rounds0: number): PrimitiveRep {
  const c = process.cpuUsage(c0);
  const t1 = machineMs();
  return { seconds: (t1 - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, bytes: s.stats.bytesSent - bytes0, rounds: s.stats.rounds - rounds0, startedAt: t0, endedAt: t1 };
}

/** PrimitiveArgs.backToBack: the timed repetitions in a row after one barrier, then their checks. */
async function backToBack(s: Session, args: PrimitiveArgs, body: Prepared): Promise<PrimitiveRep[]> {
  if (body.plaintext === undefined) throw new Error(`--back-to-back times only operations with an exact output vector (mul, dot), not ${args.op}`);
  const plaintext = await body.plaintext();
  const linear = await LinearCheck.start(s, plaintext.length);
  const out: PrimitiveRep[] = [];
  let last: unknown;
  collectGarbage();
  await startTogether(s);
  for (let r = 0; r < args.reps; r++) {
    const bytes0 = s.stats.bytesSent, rounds0 = s.stats.rounds;
    const t0 = machineMs();
    const c0 = process.cpuUsage();
    last = await body.run();
    out.push(figures(s, t0, c0, bytes0, rounds0));
    linear.add(last as AShare);
  }
  await linear.verify(s, args.op, linear.expected(plaintext));
  await body.check(last);
  collectGarbage();
  return out;
}
