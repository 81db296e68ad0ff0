/**
 * The start of a timed repetition in the primitives and timeline benchmarks: a barrier, and the
 * clock every party reads.
 *
 * Why a barrier and not a one-element open (s12-mul, docs/benchmarks.md): an open is one message
 * around the ring, so it returns at a party as soon as its *previous* party arrived, whatever the
 * next one is still doing. After a result check (seconds of BigInt arithmetic, finished at a
 * different time by each party) one party routinely started its clock 5–70 ms before the party
 * that feeds it had left its check, and timed that wait as part of the operation. Here every
 * party sends one word to both others and waits for both: none starts before all three arrived
 * (a party woken late by the scheduler still starts late, as it would in any protocol).
 */

import type { Session } from '../src/mpc/session.js';

const ONE_WORD = new BigUint64Array(1);

/** Returns once both other parties have reached the same call. One round, 8 bytes to each peer. */
export async function startTogether(s: Session): Promise<void> {
  s.round();
  s.send(s.next, ONE_WORD);
  s.send(s.prev, ONE_WORD);
  await Promise.all([s.recv(s.next, 1), s.recv(s.prev, 1)]);
}

/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC, one clock for every process on
 * the machine): start and end times of different parties compare directly, unlike
 * performance.now(), whose origin is each process's start.
 */
export const machineMs = (): number => Number(process.hrtime.bigint()) / 1e6;
