import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { startProcessCluster, type ProcessCluster } from '../../src/mpc/process-cluster.js';
import { COLOCATED_PARTY_FLAGS } from '../../src/mpc/party-environment.js';
import { concurrentJobs, failingJob, JOBS, killedParty, mulMatchesReference, productsMatchReference, stalledPeer } from './runner-cases.js';

let cluster: ProcessCluster;
let started = false;
before(async () => {
  cluster = await startProcessCluster({ timeoutMs: 5000 });
  started = true;
}, { timeout: 120_000 });
after(async () => {
  if (!started) return; // the start failed: it stopped its processes itself
  const dir = cluster.certificateDir;
  await cluster.close();
  await assert.rejects(access(dir), 'the certificate directory is removed at close');
}, { timeout: 60_000 });

test('process cluster: input, mul, open over TLS match the plaintext product', () => mulMatchesReference(cluster, 100_000));
test('process cluster: mul in blocks, mulPairs and dot received in place over TLS match the plaintext products', () => productsMatchReference(cluster, 3 * 131_072 + 6));
test('process cluster: concurrent jobs', () => concurrentJobs(cluster));
test('process cluster: repeated fxmul over TLS (receive buffers recycled) stays within one unit of (x*y) >> 16', async () => {
  const n = 30_001;
  const x = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt((i * 7919) % 2_000_003 - 1_000_001) << 8n));
  const y = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt((i * 104_729) % 4_000_037 - 2_000_018) << 4n));
  const results = await cluster.run<BigUint64Array[]>({ module: JOBS, fn: 'fxmulOpen', partyArgs: [{ x, n, rounds: 4 }, { y, n, rounds: 4 }, { n, rounds: 4 }] });
  for (const runs of results) {
    assert.equal(runs.length, 4);
    for (const z of runs) {
      for (let i = 0; i < n; i++) {
        const d = BigInt.asIntN(64, z[i]) - ((BigInt.asIntN(64, x[i]) * BigInt.asIntN(64, y[i])) >> 16n);
        if (d !== 0n && d !== 1n) assert.fail(`element ${i}: off by ${d}`);
      }
    }
  }
});
test('process cluster: the three co-located parties collect garbage on their main threads, marking in one pause, with a 64 MiB floor under the old generation (--single-threaded-gc, --no-incremental-marking, --initial-old-space-size=64)', async () => {
  assert.deepEqual(COLOCATED_PARTY_FLAGS, ['--single-threaded-gc', '--no-incremental-marking', '--initial-old-space-size=64']);
  const flags = await cluster.run<string[]>({ module: JOBS, fn: 'execArgv' });
  assert.equal(flags.length, 3);
  for (const f of flags) for (const flag of COLOCATED_PARTY_FLAGS) assert.ok(f.includes(flag), JSON.stringify(f));
});
test('process cluster: a throwing party fails the job for all, with its own error', () => failingJob(cluster));
test('process cluster: a stalled party makes the others time out', () => stalledPeer(cluster, 300));
test('process cluster: a party killed mid-computation fails the job promptly', async () => {
  const doomed = await startProcessCluster({ timeoutMs: 5000 });
  try {
    await killedParty(doomed);
  } finally {
    await doomed.close();
  }
});
