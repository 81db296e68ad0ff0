/**
 * Checks shared by the tests of both runners (worker threads and TLS processes): the same job
 * API must behave the same way over either transport.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { JobError, PeerLostError, PeerTimeoutError, SessionAbortedError } from '../../src/errors.js';
import type { Runner } from '../../src/mpc/embedded.js';
import type { MulArgs } from './jobs.js';

export const JOBS = new URL('./jobs.js', import.meta.url).href;

function randomVector(n: number): BigUint64Array {
  return new BigUint64Array(randomBytes(n * 8).buffer);
}

/** input (party 0 and party 1) -> mul -> open, compared with the plaintext product mod 2^64. */
export async function mulMatchesReference(runner: Runner, n: number): Promise<void> {
  const x = randomVector(n);
  const y = randomVector(n);
  const expected = x.map((v, i) => v * y[i]);
  const results = await runner.run<{ z: BigUint64Array; rounds: number; bytes: number }, MulArgs>({
    module: JOBS,
    fn: 'mulOpen',
    partyArgs: [{ x, n }, { y, n }, { n }],
  });
  for (const r of results) {
    assert.deepEqual(r.z, expected);
    assert.equal(r.rounds, 4, 'input, input, mul, open');
  }
  // Party 2 inputs nothing: it sends n words in mul and n in open.
  assert.equal(results[2].bytes, 16 * n);
}

/** mul, mulPairs (with and without lent memory) and dot of `n` elements against plaintext (jobs.ts productsOpen). */
export async function productsMatchReference(runner: Runner, n: number): Promise<void> {
  const x = randomVector(n);
  const y = randomVector(n);
  const times = (a: BigUint64Array, b: BigUint64Array): BigUint64Array => a.map((v, i) => v * b[i]);
  const dots = BigUint64Array.from({ length: n / 2 }, (_, g) => BigInt.asUintN(64, x[2 * g] * y[2 * g] + x[2 * g + 1] * y[2 * g + 1]));
  const results = await runner.run<{ mul: BigUint64Array; pairs: BigUint64Array[]; pairsInto: BigUint64Array[]; dot: BigUint64Array }, MulArgs>({
    module: JOBS,
    fn: 'productsOpen',
    partyArgs: [{ x, n }, { y, n }, { n }],
  });
  for (const r of results) {
    assert.deepEqual(r.mul, times(x, y));
    assert.deepEqual(r.pairs, [times(x, y), times(x, x)]);
    assert.deepEqual(r.pairsInto, [times(y, x), times(y, y)]);
    assert.deepEqual(r.dot, dots);
  }
}

/** Several jobs at once, each in its own session. */
export async function concurrentJobs(runner: Runner): Promise<void> {
  const runs = [1, 2, 3, 4].map((k) => runner.run<number>({ module: JOBS, fn: 'mulLoop', args: { n: 64 * k, rounds: 5 * k } }));
  const done = await Promise.all(runs);
  done.forEach((r, i) => assert.deepEqual(r, [5 * (i + 1), 5 * (i + 1), 5 * (i + 1)]));
}

/** A job that throws in one party: the caller gets that error, the others were stopped, nobody hangs. */
export async function failingJob(runner: Runner): Promise<void> {
  const outcomes = await runner.runSettled({ module: JOBS, fn: 'boom' });
  assert.equal(outcomes[1].status, 'rejected');
  assert.ok(outcomes[1].status === 'rejected' && outcomes[1].reason instanceof JobError && /boom in party 1/.test(outcomes[1].reason.message));
  for (const p of [0, 2] as const) {
    const o = outcomes[p];
    assert.ok(o.status === 'rejected' && o.reason instanceof SessionAbortedError, `party ${p} was told to stop`);
  }
  await assert.rejects(runner.run({ module: JOBS, fn: 'boom' }), (e: unknown) => e instanceof JobError && /party 1: Error: boom in party 1/.test(e.message));
  // The runner is still usable afterwards.
  assert.deepEqual(await runner.run<number>({ module: JOBS, fn: 'mulLoop', args: { n: 8, rounds: 1 } }), [1, 1, 1]);
}

/** A party that never sends: its peers give up after the session timeout. */
export async function stalledPeer(runner: Runner, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  const outcomes = await runner.runSettled({ module: JOBS, fn: 'stall', timeoutMs });
  for (const p of [0, 1] as const) {
    const o = outcomes[p];
    assert.ok(o.status === 'rejected' && o.reason instanceof PeerTimeoutError && /party 2 sent nothing/.test(o.reason.message), `party ${p} timed out waiting for party 2`);
  }
  assert.equal(outcomes[2].status, 'fulfilled');
  assert.ok(Date.now() - t0 < timeoutMs + 5000, 'did not hang');
  await assert.rejects(runner.run({ module: JOBS, fn: 'stall', timeoutMs }), PeerTimeoutError);
}

/** Kills party 1 during a long multiplication loop: the job fails promptly everywhere, later jobs at once. */
export async function killedParty(runner: Runner & { kill(p: 1): unknown }): Promise<void> {
  const t0 = Date.now();
  const job = runner.runSettled({ module: JOBS, fn: 'mulLoop', args: { n: 1000, rounds: 1_000_000 } });
  await new Promise((r) => setTimeout(r, 300));
  await runner.kill(1);
  const outcomes = await job;
  assert.ok(Date.now() - t0 < 8000, 'the survivors did not hang');
  const o1 = outcomes[1];
  assert.ok(o1.status === 'rejected' && o1.reason instanceof PeerLostError && /party 1/.test(o1.reason.message));
  for (const p of [0, 2] as const) {
    const o = outcomes[p];
    assert.ok(o.status === 'rejected' && (o.reason instanceof PeerLostError || o.reason instanceof SessionAbortedError), `party ${p} failed the job: ${o.status === 'rejected' ? String(o.reason) : 'fulfilled'}`);
  }
  // The reported cause names the dead party; new jobs fail at once.
  const t1 = Date.now();
  await assert.rejects(runner.run({ module: JOBS, fn: 'echo' }), (e: unknown) => e instanceof PeerLostError && /party 1's/.test(e.message));
  assert.ok(Date.now() - t1 < 1000, 'did not hang');
}
