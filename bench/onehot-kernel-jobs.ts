/** Jobs of bench/onehot-kernels.ts: each party runs the step on random shares. */

import { mulPairs } from '../src/mpc/protocols/arith.js';
import { injectBits } from '../src/mpc/protocols/inject.js';
import { innerProducts } from '../src/mpc/protocols/inner-products.js';
import { groupByDomain } from '../src/mpc/oblivious/one-hot.js';
import type { Session } from '../src/mpc/session.js';
import { AShare, BitShare } from '../src/mpc/shares.js';
import { wordsFor } from '../src/ring/bits.js';

export interface KernelArgs {
  readonly step: string;
  readonly rows: number;
  readonly reps: number;
}

export interface KernelFigures {
  readonly cpuSeconds: number;
  readonly bytes: number;
  readonly rounds: number;
}

/** Shares of unknown values: fine for timing (every party draws its own components). */
function randomA(s: Session, n: number): AShare {
  return new AShare(s.prgOwn.words(n), s.prgOwn.words(n));
}

export async function oneHotKernel(s: Session, args: KernelArgs): Promise<KernelFigures[]> {
  const n = args.rows;
  const out: KernelFigures[] = [];
  // Consistent shares of a key in [0, 100): party 0 holds it in its a component... any sharing works for timing,
  // but groupByDomain with keyBits reads residues, so a well-formed key: (k, 0) / (0, 0) / (0, k).
  const key = new AShare(new BigUint64Array(n), new BigUint64Array(n));
  for (let i = 0; i < n; i++) {
    const k = BigInt(i % 100);
    if (s.me === 0) key.a[i] = k;
    if (s.me === 2) key.b[i] = k;
  }
  const values = [randomA(s, n), randomA(s, n)];
  for (let r = 0; r < args.reps; r++) {
    const bytes0 = s.stats.bytesSent, rounds0 = s.stats.rounds;
    let cpu = 0;
    const time = async (f: () => Promise<unknown>) => {
      const c0 = process.cpuUsage();
      await f();
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1e6;
    };
    if (args.step === 'inject') {
      const bits = Array.from({ length: 21 }, () => new BitShare(s.prgOwn.words(wordsFor(n)), s.prgOwn.words(wordsFor(n)), n));
      await time(() => injectBits(s, bits));
    } else if (args.step === 'mul') {
      const B = Array.from({ length: 8 }, () => randomA(s, n));
      await time(() => mulPairs(s, values, B));
    } else if (args.step === 'inner') {
      const A = Array.from({ length: 13 }, () => randomA(s, n));
      const R = Array.from({ length: 24 }, () => randomA(s, n));
      await time(() => innerProducts(s, A, R));
    } else if (args.step === 'domain') {
      await time(() => groupByDomain(s, key, 100, values, { inDomain: true, keyBits: 7 }));
    } else if (args.step === 'crosstab') {
      await time(() => groupByDomain(s, key, 100, [], { keyBits: 7 }));
    } else {
      throw new Error(`unknown step ${args.step}`);
    }
    out.push({ cpuSeconds: cpu, bytes: s.stats.bytesSent - bytes0, rounds: s.stats.rounds - rounds0 });
  }
  return out;
}
