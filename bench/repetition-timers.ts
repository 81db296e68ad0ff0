/**
 * What the primitives benchmark reports for each timed repetition, from the three parties'
 * figures (bench/primitive-jobs.ts). Every party starts after the same barrier and records its
 * own start and end on the machine's monotonic clock (bench/start-together.ts).
 *
 * - slowest: the longest of the three parties' walls, each from its own start to its own end.
 *   The headline figure ("seconds"): the operation is done only when every party is done.
 * - span: from the first party's start to the last party's end. At least `slowest`; the two
 *   differ by how late the scheduler woke the parties after the barrier.
 * - party0: party 0's wall alone: what MP-SPDZ's `start_timer`/`stop_timer` cover (party 0's
 *   clock around one operation inside its program; MP-SPDZ starts its next multiplication without
 *   a barrier, so its later parties may finish after party 0's timer stopped).
 * - startSpread: the last party's start minus the first's.
 * - busiestCpu: the largest of the three parties' process CPU times.
 */

import type { PrimitiveRep } from './primitive-jobs.js';

export interface RepetitionTimers {
  readonly slowest: number[];
  readonly span: number[];
  readonly party0: number[];
  readonly startSpread: number[];
  readonly busiestCpu: number[];
}

/** Each timer per repetition, in seconds, in the order the repetitions ran. */
export function repetitionTimers(perParty: readonly (readonly PrimitiveRep[])[]): RepetitionTimers {
  const reps = perParty[0].length;
  const each = (f: (rep: readonly PrimitiveRep[]) => number): number[] => Array.from({ length: reps }, (_, r) => f(perParty.map((p) => p[r])));
  const first = (rep: readonly PrimitiveRep[]): number => Math.min(...rep.map((p) => p.startedAt));
  return {
    slowest: each((rep) => Math.max(...rep.map((p) => p.seconds))),
    span: each((rep) => (Math.max(...rep.map((p) => p.endedAt)) - first(rep)) / 1000),
    party0: each((rep) => rep[0].seconds),
    startSpread: each((rep) => (Math.max(...rep.map((p) => p.startedAt)) - first(rep)) / 1000),
    busiestCpu: each((rep) => Math.max(...rep.map((p) => p.cpuSeconds))),
  };
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
