import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectLink } from '../../src/net/direct-link.js';
import { Mailbox } from '../../src/net/mailbox.js';
import { spawn } from 'node:child_process';
import { PeerTimeoutError, SessionAbortedError } from '../../src/errors.js';

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

test('receives share one deadline timer: a short wait behind a long one still fails at its own deadline', async () => {
  const [a, b] = DirectLink.pair('party 1', 'party 0');
  const box = new Mailbox(b);
  new Mailbox(a);
  // The long wait arms the timer for 60 s; the short one must re-arm it for itself.
  const long = box.recv(1n, 60_000);
  const started = performance.now();
  await assert.rejects(
    Promise.race([box.recv(2n, 30), new Promise((_, reject) => setTimeout(() => reject(new Error('the 30 ms receive did not fail within 10 s')), 10_000).unref())]),
    (e: unknown) => e instanceof PeerTimeoutError && /sent nothing for 30 ms/.test(e.message),
  );
  assert.ok(performance.now() - started >= 29, 'a receive failed before its deadline');
  // The long wait is untouched and still gets its message.
  a.send(1n, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  assert.deepEqual([...(await long)], [1, 2, 3, 4, 5, 6, 7, 8]);
  // Waits that come and go (a ping-pong) leave the shared timer working for the next one.
  for (let i = 0; i < 100; i++) {
    const got = box.recv(3n, 60_000);
    a.send(3n, Uint8Array.of(i));
    assert.equal((await got)[0], i);
  }
  await assert.rejects(box.recv(4n, 20), PeerTimeoutError);
  assert.equal(box.openSessions, 4);
  a.close();
});

test('a mailbox whose receives were all answered does not keep the process alive until their deadline', async () => {
  // A child process: one receive with a 60 s deadline, answered at once. It must exit promptly,
  // not after the 60 s the shared timer was armed for.
  const script = `
    import { DirectLink } from ${JSON.stringify(new URL('../../src/net/direct-link.js', import.meta.url).href)};
    import { Mailbox } from ${JSON.stringify(new URL('../../src/net/mailbox.js', import.meta.url).href)};
    const [a, b] = DirectLink.pair('p1', 'p0');
    const box = new Mailbox(b);
    const got = box.recv(1n, 60000);
    a.send(1n, new Uint8Array(8));
    await got;
  `;
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill();
      reject(new Error('the process was still alive after 30 s: a finished receive kept its deadline timer referenced'));
    }, 30_000);
    child.on('exit', (c) => {
      clearTimeout(guard);
      resolve(c);
    });
  });
  assert.equal(code, 0);
  assert.ok(performance.now() - started < 30_000);
});

test('a released session starts afresh when its id is used again: the queue kept at hand for the last session is dropped with it', async () => {
  const [a, b] = DirectLink.pair('party 1', 'party 0');
  const box = new Mailbox(b);
  new Mailbox(a);
  box.failSession(9n, new SessionAbortedError('first run stopped'));
  await assert.rejects(box.recv(9n, 1000), SessionAbortedError);
  box.release(9n);
  assert.equal(box.openSessions, 0);
  // The same id again (a retried computation): neither the old failure nor the old queue.
  const got = box.recv(9n, 1000);
  a.send(9n, Uint8Array.of(42));
  assert.deepEqual([...(await got)], [42]);
  assert.equal(box.openSessions, 1);
  // A timed-out wait is taken out of its queue: the next message goes to the next wait.
  await assert.rejects(box.recv(9n, 20), PeerTimeoutError);
  const next = box.recv(9n, 1000);
  a.send(9n, Uint8Array.of(43));
  assert.deepEqual([...(await next)], [43]);
  a.close();
});
