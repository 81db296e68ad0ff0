/**
 * Reads of an ACCEPTED TLS socket into one reused buffer, as the dialed socket's (reused-reads.ts).
 *
 * Why: without it every decrypted TLS record (at most 16 KiB) on the accepted link reaches
 * JavaScript as a fresh Buffer through 'data' events: 512 external allocations per 8 MiB
 * message. Reading into one buffer cut the receiving end's CPU per 8 MiB message by 16–18 % and
 * its scavenges from ~41 to 2–3 per 40 messages (docs/benchmarks.md, "s10-link"). The node
 * processes' full "external memory pressure" collections did not come from here: they stayed as
 * many with it (the share vectors of the protocols drive them).
 *
 * Why this way: node's `onread` option is public, but node 20 honours it only for a socket it
 * creates: `new TLSSocket(socket, options)` passes `onread: null` to net.Socket whenever it wraps
 * an existing socket (lib/_tls_wrap.js), and a TLS server always does. The option itself is
 * three fields that net.Socket keeps under symbols (kBuffer, kBufferCb, kBufferGen, from
 * lib/internal/stream_base_commons.js) plus `useUserBuffer` on the socket's stream handle;
 * onStreamRead then calls the callback instead of pushing a Buffer. This module sets those
 * fields on an accepted socket exactly as net.Socket's constructor does for a dialed one. If a
 * later node lays them out differently, `adoptReusedReads` changes nothing and returns false:
 * the link then keeps reading through 'data' events (correct, only slower), and a test that
 * expects true on the supported node fails, so an upgrade cannot lose this silently.
 *
 * Must be called synchronously before anything else reads the socket; bytes the readable stream
 * had already buffered are handed to `reads` first (`unread`), so none is lost or reordered.
 */

import type { Socket } from 'node:net';
import type { ReusedReads } from './reused-reads.js';

interface StreamHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

/** The socket's own symbol-keyed field called `name` (set to null by net.Socket's constructor). */
function fieldSymbol(socket: object, name: string): symbol | undefined {
  const matches = Object.getOwnPropertySymbols(socket).filter((s) => s.description === name);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Makes `socket` (a connected, accepted TLS socket that nobody reads yet) deliver every read to
 * `reads` instead of 'data' events. Returns false, changing nothing, if this node's sockets are
 * not laid out as node 20's.
 */
export function adoptReusedReads(socket: Socket, reads: ReusedReads): boolean {
  const fields = socket as unknown as Record<symbol, unknown>;
  const kBuffer = fieldSymbol(socket, 'kBuffer');
  const kBufferCb = fieldSymbol(socket, 'kBufferCb');
  const kBufferGen = fieldSymbol(socket, 'kBufferGen');
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return false;
  if (fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null) return false;
  if (!handle || typeof handle.useUserBuffer !== 'function' || socket.listenerCount('data') > 0 || socket.readableEncoding !== null) return false;
  // Bytes already decrypted and buffered by the readable stream come first.
  const early: Uint8Array[] = [];
  for (let chunk: Uint8Array | null = socket.read() as Uint8Array | null; chunk !== null; chunk = socket.read() as Uint8Array | null) early.push(chunk);
  const { buffer, callback } = reads.onread;
  handle.useUserBuffer(buffer);
  fields[kBuffer] = buffer;
  fields[kBufferCb] = callback;
  for (let i = early.length - 1; i >= 0; i--) reads.unread(early[i]);
  return true;
}
