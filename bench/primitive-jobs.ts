/**
 * The primitives benchmark, as a job run by each party (bench/main.ts starts the runner).
 *
 * Inputs are prepared before the clock starts, inside their declared ranges (a comparison's
 * inputs in [-2^62, 2^62), fixed-point operands small enough for the bit budget), because the
 * protocols' running time does not depend on the values but their correctness does, and a
 * benchmark of wrong answers would be worthless. Before each timed repetition the parties open
 * one element together, so the three clocks start within one round trip of each other.
 */

import { randomBytes } from 'node:crypto';
import { FixedPointCodec } from '../src/ring/fixed.js';
import { dot, mul } from '../src/mpc/protocols/arith.js';
import { eq, lt } from '../src/mpc/protocols/compare.js';
import { a2b, b2a } from '../src/mpc/protocols/convert.js';
import { input, inputBinary, open, randomA } from '../src/mpc/protocols/io.js';
import { shuffle } from '../src/mpc/protocols/shuffle.js';
import { sortByKey } from '../src/mpc/protocols/sort.js';
import { fxmul } from '../src/mpc/protocols/trunc.js';
import { exp, reciprocal, sigmoid, sqrt } from '../src/mpc/protocols/fixmath/index.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare } from '../src/mpc/shares.js';

export interface PrimitiveArgs {
  readonly op: string;
  readonly rows: number;
  readonly reps: number;
}

export interface RepFigures {
  readonly seconds: number;
  /** CPU time of this party's process during the repetition (user + system): steadier than wall
   * time on a shared machine. */
  readonly cpuSeconds: number;
  readonly bytes: number;
  readonly rounds: number;
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

type Prepared = () => Promise<unknown>;

/** Builds the timed body of an operation, after preparing its inputs. */
export async function prepare(s: Session, op: string, n: number): Promise<Prepared> {
  switch (op) {
    case 'mul': {
      const x = randomA(s, n), y = randomA(s, n);
      return () => mul(s, x, y);
    }
    case 'dot': {
      // n dot products of length 8 (a row of 8 features times 8 weights): 8n local products,
      // one reshare per row.
      const x = randomA(s, 8 * n), y = randomA(s, 8 * n);
      return () => dot(s, x, y, 8);
    }
    case 'fxmul': {
      const x = await secretFrom0(s, n, () => randomReals(n, -1000, 1000));
      const y = await secretFrom0(s, n, () => randomReals(n, -1000, 1000));
      return () => fxmul(s, x, y, F);
    }
    case 'lt': {
      const x = await secretFrom0(s, n, () => randomSigned(n, 63));
      const y = await secretFrom0(s, n, () => randomSigned(n, 63));
      return () => lt(s, x, y);
    }
    case 'eq': {
      const x = await secretFrom0(s, n, () => randomSigned(n, 64));
      const y = await secretFrom0(s, n, () => randomSigned(n, 64));
      return () => eq(s, x, y);
    }
    case 'a2b': {
      const x = randomA(s, n);
      return () => a2b(s, x);
    }
    case 'b2a': {
      const x = await inputBinary(s, 0, s.me === 0 ? randomSigned(n, 64) : n);
      return () => b2a(s, x);
    }
    case 'shuffle': {
      const x = randomA(s, n);
      return () => shuffle(s, { arith: [x], binary: [] });
    }
    case 'sort': {
      const key = await secretFrom0(s, n, () => randomSigned(n, 64));
      const payload = randomA(s, n);
      return () => sortByKey(s, key, [payload]);
    }
    case 'reciprocal': {
      const x = await secretFrom0(s, n, () => randomReals(n, 0.01, 1000));
      return () => reciprocal(s, x, { min: 2 ** -8, max: 2 ** 16, fractionBits: F });
    }
    case 'sqrt': {
      const x = await secretFrom0(s, n, () => randomReals(n, 0, 1000));
      return () => sqrt(s, x, { max: 2 ** 16, fractionBits: F });
    }
    case 'exp': {
      const x = await secretFrom0(s, n, () => randomReals(n, -20, 10));
      return () => exp(s, x, { min: -32, max: 15.9, fractionBits: F });
    }
    case 'sigmoid': {
      const x = await secretFrom0(s, n, () => randomReals(n, -20, 20));
      return () => sigmoid(s, x, { fractionBits: F });
    }
    default:
      throw new Error(`unknown operation '${op}'`);
  }
}

export const PRIMITIVE_OPS = ['mul', 'dot', 'fxmul', 'lt', 'eq', 'a2b', 'b2a', 'shuffle', 'sort', 'reciprocal', 'sqrt', 'exp', 'sigmoid'];

/** The job: prepares once, then times `reps` repetitions. Returns this party's figures. */
export async function primitive(s: Session, args: PrimitiveArgs): Promise<RepFigures[]> {
  const body = await prepare(s, args.op, args.rows);
  const sync = randomA(s, 1);
  const out: RepFigures[] = [];
  // One untimed repetition first: it compiles the hot loops and maps the working memory.
  await open(s, sync);
  await body();
  for (let r = 0; r < args.reps; r++) {
    await open(s, sync);
    const bytes0 = s.stats.bytesSent, rounds0 = s.stats.rounds;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await body();
    const c = process.cpuUsage(c0);
    out.push({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, bytes: s.stats.bytesSent - bytes0, rounds: s.stats.rounds - rounds0 });
  }
  return out;
}
