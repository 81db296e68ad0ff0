/**
 * Job.endedWithin, behind a status ask held by its node (GET /v1/queries/:query?waitMs, flows/
 * query.ts): it settles when the job ends, or when its time is over while the job still runs.
 * No timing is asserted: a wait that did not settle at the end would hang the test.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobBoard } from '../../src/node/jobs.js';

test('a held wait settles when the job ends, long before its hour is over', async () => {
  const board = new JobBoard();
  let finish!: () => void;
  const job = board.admit('q-1', () => new Promise<void>((resolve) => (finish = resolve)));
  const held = job.endedWithin(3_600_000);
  let settled = false;
  void held.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'settled while the job still ran');
  finish();
  await held;
  assert.equal(board.get('q-1'), undefined);
});

test('a wait whose time is over settles while the job still runs; one after the end settles at once', async () => {
  const board = new JobBoard();
  let finish!: () => void;
  const job = board.admit('q-2', () => new Promise<void>((resolve) => (finish = resolve)));
  await job.endedWithin(1);
  assert.equal(board.get('q-2'), job);
  finish();
  await job.ended;
  await job.endedWithin(3_600_000);
});
