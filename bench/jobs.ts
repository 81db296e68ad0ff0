/** Job functions for the benchmarks (run inside each party by the runners). */

import { mul } from '../src/mpc/protocols/arith.js';
import { randomA } from '../src/mpc/protocols/io.js';
import type { Session } from '../src/mpc/session.js';

/** `reps` multiplications of `n` random shared elements; milliseconds of each, measured in the party. */
export async function mulTimed(s: Session, args: { n: number; reps: number }): Promise<{ ms: number[]; bytes: number }> {
  const x = randomA(s, args.n);
  const y = randomA(s, args.n);
  const ms: number[] = [];
  for (let r = 0; r < args.reps; r++) {
    const t0 = performance.now();
    await mul(s, x, y);
    ms.push(performance.now() - t0);
  }
  return { ms, bytes: s.stats.bytesSent };
}
