/**
 * The check of back-to-back multiplications (PrimitiveArgs.backToBack), whose outputs are not
 * kept: right after each timed repetition every party reduces its share of the output to
 * DIGESTS words by public random linear combinations (local, linear maps: the parties' words
 * form sharings of Σ ρ_j z_j), and after the last repetition the parties open these words and
 * compare them with Σ ρ_j x_j y_j from the opened inputs. The last output is also checked whole.
 *
 * Why not keep the outputs and compare them whole: nine kept 2^20 outputs are 144 MiB of memory
 * never reused, and in that run the later multiplications paid 20–60 ms of system CPU each for
 * fresh memory, which a loop that drops its outputs (MP-SPDZ's mulbench overwrites its result)
 * never pays (s12-mul, docs/benchmarks.md).
 *
 * What it catches: for a wrong output (error e ≠ 0), Σ ρ_j e_j = 0 mod 2^64 for at most half of
 * the uniformly random coefficient vectors ρ (fix every coefficient but that of a row whose error
 * has the fewest trailing zero bits, v < 64: at most a 2^-(64-v) ≤ 1/2 share of its values
 * cancels the rest), so a wrong repetition passes all DIGESTS independent combinations with
 * probability at most 2^-DIGESTS. The coefficients are opened from a fresh random sharing.
 */

import { open, randomA } from '../src/mpc/protocols/io.js';
import type { Session } from '../src/mpc/session.js';
import { AShare } from '../src/mpc/shares.js';

/** Independent combinations per output. */
export const DIGESTS = 8;

export class LinearCheck {
  /** Per repetition, this party's DIGESTS words of each share component. */
  private readonly a: bigint[][] = [];
  private readonly b: bigint[][] = [];

  private constructor(private readonly coefficients: readonly BigUint64Array[]) {}

  /** Public coefficients for vectors of `n` words, the same at every party (one round). */
  static async start(s: Session, n: number): Promise<LinearCheck> {
    const rho = await open(s, randomA(s, DIGESTS * n));
    return new LinearCheck(Array.from({ length: DIGESTS }, (_, k) => rho.subarray(k * n, (k + 1) * n)));
  }

  /** Keeps this party's shares of Σ ρ_j z_j for an output z (local: no message). */
  add(z: AShare): void {
    this.a.push(this.coefficients.map((rho) => combine(rho, z.a)));
    this.b.push(this.coefficients.map((rho) => combine(rho, z.b)));
  }

  /** The combinations of a plaintext vector, for the expected values. */
  expected(v: BigUint64Array): bigint[] {
    return this.coefficients.map((rho) => combine(rho, v));
  }

  /** Opens every kept combination (one round) and throws unless each repetition's equal `expected`. */
  async verify(s: Session, what: string, expected: readonly bigint[]): Promise<void> {
    const opened = await open(s, new AShare(BigUint64Array.from(this.a.flat()), BigUint64Array.from(this.b.flat())));
    const wrong: number[] = [];
    for (let r = 0; r < this.a.length; r++) if (expected.some((e, k) => opened[r * DIGESTS + k] !== e)) wrong.push(r);
    if (wrong.length > 0) throw new Error(`benchmark result check failed: ${what} gave a wrong result in repetition ${wrong.join(', ')} of ${this.a.length} (its random linear combinations differ from the plaintext's); the timing of this operation is void`);
  }
}

/** Σ ρ_j v_j mod 2^64. */
function combine(rho: BigUint64Array, v: BigUint64Array): bigint {
  if (v.length !== rho.length) throw new Error(`linear check: ${v.length} words against ${rho.length} coefficients`);
  const sum = new BigUint64Array(1);
  for (let j = 0; j < v.length; j++) sum[0] += rho[j] * v[j];
  return sum[0];
}
