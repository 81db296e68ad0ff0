/**
 * The start-up warm-up (src/node/warm-up/): every workload's plan passes the node's own check and
 * runs through execute on the synthetic tables without failing (a failure would only be logged
 * at a node's start, so this test is what notices a workload that no longer fits the query path),
 * and the node-side paths decode what they sealed.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSyntheticColumn } from '../../../src/node/warm-up/node-paths.js';
import { MAX_PREFAULT_BYTES, prefaultHeap } from '../../../src/node/warm-up/prefault.js';
import { warmUp } from '../../../src/node/warm-up/warm-up.js';
import { MAX_RESERVE_BYTES } from '../../../src/mpc/memory-reserve.js';
import { warmUpWorkloads } from '../../../src/node/warm-up/workloads.js';

test('the warm-up runs every workload without a failure, and reports its time', { timeout: 120_000 }, async () => {
  const report = await warmUp({ rows: 256, rounds: 1, prefaultBytes: 1 << 20, reserveBytes: 1 << 20, arenaRows: 1 << 12 });
  const names = warmUpWorkloads(256).map((w) => w.name);
  // The reserve, then the pre-fault, so that the workloads' own collections free what it touched.
  assert.deepEqual(report.steps.map((s) => s.name), ['reserve', 'prefault', 'shuffle-arena', ...names, 'stored-column']);
  assert.equal(report.reserve?.totalBytes, 1 << 20, 'the reserve handed to the node');
  assert.equal(report.reserve?.freeBytes, 1 << 20, 'nothing of it used by the warm-up itself');
  for (const s of report.steps) assert.equal(s.error, undefined, `${s.name}: ${s.error}`);
  assert.ok(report.wallMs > 0 && report.cpuMs > 0);
  assert.deepEqual([report.rows, report.rounds], [256, 1]);
});

test('the warm-up covers the operators a first query meets', () => {
  const ops = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const op = (node as { op?: unknown }).op;
    if (typeof op === 'string') ops.add(op);
    for (const value of Object.values(node)) visit(value);
  };
  for (const w of warmUpWorkloads(256)) visit(w.plan.root);
  for (const op of ['filter', 'aggregate', 'crosstab', 'sort', 'limit', 'predict', 'logit', 'open']) assert.ok(ops.has(op), `a workload uses ${op}`);
});

test('refuses sizes it cannot warm anything with', async () => {
  await assert.rejects(warmUp({ rows: 10 }), RangeError);
  await assert.rejects(warmUp({ rounds: 0 }), RangeError);
  await assert.rejects(warmUp({ prefaultBytes: -1 }), RangeError);
  await assert.rejects(warmUp({ prefaultBytes: MAX_PREFAULT_BYTES + 1 }), RangeError);
  await assert.rejects(warmUp({ reserveBytes: 12 }), RangeError);
  await assert.rejects(warmUp({ reserveBytes: MAX_RESERVE_BYTES + 8 }), RangeError);
  await assert.rejects(warmUp({ arenaRows: -1 }), RangeError);
  await assert.rejects(warmUp({ arenaRows: 0.5 }), RangeError);
});

test('the pre-fault touches what it is asked to, in whole pieces and a rest, and refuses other sizes', () => {
  for (const bytes of [0, 4096, 3 << 20, (16 << 20) + 4096]) assert.equal(prefaultHeap(bytes), bytes);
  for (const bytes of [-1, 0.5, MAX_PREFAULT_BYTES + 1, Number.NaN]) assert.throws(() => prefaultHeap(bytes), RangeError);
});

test('warming up with no pre-fault, no reserve and no arena lists none of those steps', { timeout: 120_000 }, async () => {
  const report = await warmUp({ rows: 256, rounds: 1, prefaultBytes: 0, reserveBytes: 0, arenaRows: 0 });
  assert.equal(report.steps.some((s) => s.name === 'prefault' || s.name === 'shuffle-arena'), false);
  assert.equal(report.reserve, undefined, 'no reserve asked for, none made');
});

test('a synthetic stored column is sealed, opened slice by slice and decoded', () => {
  for (const rows of [0, 1, 1 << 17, (1 << 17) + 3]) assert.equal(typeof decodeSyntheticColumn(rows), 'bigint');
});
