import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamLink } from '../../src/net/stream-link.js';

const MIB = 1024 * 1024;
const IDLE_MS = 40;

/** A link on a socket that completes every write at once and records the memory each write came from. */
function recordingLink(): { link: StreamLink; buffers: ArrayBufferLike[]; socket: Duplex } {
  const buffers: ArrayBufferLike[] = [];
  const socket = new Duplex({
    read() {},
    write: (chunk: Buffer, _encoding, done) => {
      if (chunk.byteLength > MIB) buffers.push(chunk.buffer);
      done();
    },
  });
  return { link: new StreamLink(socket, 'peer', undefined, IDLE_MS), buffers, socket };
}

test('a large staging buffer is kept while long messages keep coming, and given back once the link was idle for a whole period', async () => {
  const t = recordingLink();
  const message = new Uint8Array(20 * MIB);
  // Six periods of steady traffic: one message every quarter period.
  for (let i = 0; i < 24; i++) {
    await t.link.send(1n, message);
    await sleep(IDLE_MS / 4);
  }
  assert.equal(t.buffers.length, 24);
  assert.equal(new Set(t.buffers).size, 1, 'the staging buffer was given back (and re-allocated) while the link was busy');
  await sleep(IDLE_MS * 3);
  await t.link.send(1n, message);
  assert.notEqual(t.buffers.at(-1), t.buffers[0], 'the staging buffer was kept after the link had been idle for several periods');
  t.link.close();
  t.socket.destroy();
});
