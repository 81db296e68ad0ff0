/**
 * A link's receive path checked end to end: messages of every size that straddles the frame
 * reader's and TLS's boundaries arrive intact and in order, and the reader learns when its peer
 * closes. Shared by the tests of the dialed link's reused reads and the accepted link's.
 */

import assert from 'node:assert/strict';
import { PeerLostError } from '../../src/errors.js';
import type { StreamLink } from '../../src/net/stream-link.js';

/** Header-sized, TLS-record, read-buffer and frame boundaries, a long one, then a short one again. */
export const MESSAGE_SIZES = [0, 1, 23, 24, 25, 16 * 1024 + 3, 64 * 1024 + 1, 1024 * 1024 + 1, 9 * 1024 * 1024 + 3, 8] as const;

/** Distinct bytes per message, so a misplaced or reordered chunk shows. */
export function pattern(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Sends MESSAGE_SIZES from `sender`, checks `receiver` gets each intact (8-byte aligned, for ring words), then closes `sender`. */
export async function assertMessagesIntactThenClosed(sender: StreamLink, receiver: StreamLink): Promise<void> {
  const got: Uint8Array[] = [];
  let closed!: (e: Error | undefined) => void;
  const down = new Promise<Error | undefined>((r) => (closed = r));
  let wake: () => void = () => {};
  receiver.setHandlers({
    message: (_s, p) => {
      got.push(p);
      wake();
    },
    abort() {},
    closed: (e) => closed(e),
  });
  const sent = MESSAGE_SIZES.map((n, i) => pattern(n, i));
  for (const p of sent) await sender.send(4n, p);
  while (got.length < sent.length) await new Promise<void>((r) => (wake = r));
  got.forEach((m, i) => {
    assert.equal(m.byteOffset % 8, 0, `message ${i} is not 8-byte aligned`);
    assert.ok(Buffer.from(m).equals(Buffer.from(sent[i])), `message ${i} (${MESSAGE_SIZES[i]} bytes) differs`);
  });
  sender.close();
  assert.ok((await down) instanceof PeerLostError, 'the reading end learns that its peer closed');
}
