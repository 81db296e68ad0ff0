import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectLink } from '../../src/net/direct-link.js';
import { Mailbox } from '../../src/net/mailbox.js';
import { SessionAbortedError } from '../../src/errors.js';

test('an abort for a session with no queue is remembered, bounded, and not leaked', async () => {
  const [a, b] = DirectLink.pair('party 1', 'party 0');
  const box = new Mailbox(b);
  void box;
  const boxA = new Mailbox(a);
  // Party 0 aborts session 7 before party 1 ever opened it: the first receive fails at once.
  a.sendAbort(7n, 'stopped');
  await new Promise((r) => setImmediate(r));
  await assert.rejects(box.recv(7n, 1000), SessionAbortedError);
  box.release(7n);
  assert.equal(box.openSessions, 0);
  // Thousands of aborts for finished sessions do not accumulate without bound.
  for (let i = 0; i < 5000; i++) a.sendAbort(BigInt(100 + i), 'late');
  await new Promise((r) => setImmediate(r));
  assert.ok(box.openSessions <= 1024, `${box.openSessions} sessions kept`);
  boxA.link.close();
});
