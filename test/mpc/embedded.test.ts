import { test, before, after } from 'node:test';
import { startEmbedded, type EmbeddedTrio } from '../../src/mpc/embedded.js';
import { concurrentJobs, failingJob, killedParty, mulMatchesReference, stalledPeer } from './runner-cases.js';

let trio: EmbeddedTrio;
before(async () => {
  trio = await startEmbedded({ timeoutMs: 5000 });
});
after(() => trio.close());

test('embedded: input, mul, open of random vectors match the plaintext product', () => mulMatchesReference(trio, 10_000));
test('embedded: concurrent jobs run in separate sessions', () => concurrentJobs(trio));
test('embedded: a throwing party fails the job for all, with its own error', () => failingJob(trio));
test('embedded: a stalled party makes the others time out', () => stalledPeer(trio, 300));
test('embedded: a worker killed mid-computation fails the job promptly', async () => {
  const doomed = await startEmbedded({ timeoutMs: 5000 });
  try {
    await killedParty(doomed);
  } finally {
    await doomed.close();
  }
});
