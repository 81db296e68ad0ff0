/**
 * Binary request and message bodies: a JSON header followed by opaque binary parts (typically
 * one sealed envelope per node). Used for uploads and contributions (client -> node) and for
 * messages between nodes, where base64 in JSON would cost a third more bytes and a parse pass.
 *
 * Layout (all integers little-endian):
 *   4 bytes  magic "TSF1"
 *   u32      header length H
 *   H bytes  header, UTF-8 JSON
 *   u32      number of parts P
 *   P times: f64 part length L (an integer), then L bytes
 */

import { FormatError } from '../errors.js';

const MAGIC = 0x31465354; // "TSF1" read as a little-endian u32
export const FRAME_CONTENT_TYPE = 'application/vnd.tessera.frame';
/** Largest header accepted: headers carry metadata, never data. */
export const MAX_FRAME_HEADER_BYTES = 1 << 20;
const MAX_PARTS = 64;

export interface Frame<H> {
  readonly header: H;
  readonly parts: readonly Uint8Array[];
}

export function encodeFrame(header: unknown, parts: readonly Uint8Array[] = []): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  if (h.byteLength > MAX_FRAME_HEADER_BYTES) throw new FormatError(`frame header of ${h.byteLength} bytes exceeds ${MAX_FRAME_HEADER_BYTES}`);
  let size = 4 + 4 + h.byteLength + 4;
  for (const p of parts) size += 8 + p.byteLength;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, h.byteLength, true);
  out.set(h, 8);
  let o = 8 + h.byteLength;
  v.setUint32(o, parts.length, true);
  o += 4;
  for (const p of parts) {
    v.setFloat64(o, p.byteLength, true);
    o += 8;
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/**
 * Decodes a frame; parts are views into `bytes` (no copies). `what` names the body in errors.
 * The header's shape is the caller's to validate.
 */
export function decodeFrame(bytes: Uint8Array, what = 'request body'): Frame<unknown> {
  const fail = (why: string): never => {
    throw new FormatError(`${what} is not a valid Tessera frame: ${why}`);
  };
  if (bytes.byteLength < 12) fail('too short');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== MAGIC) fail('wrong magic number (send it with the Tessera client)');
  const hLen = v.getUint32(4, true);
  if (hLen > MAX_FRAME_HEADER_BYTES || 8 + hLen + 4 > bytes.byteLength) fail('header length out of bounds');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + hLen)));
  } catch {
    fail('header is not UTF-8 JSON');
  }
  let o = 8 + hLen;
  const count = v.getUint32(o, true);
  o += 4;
  if (count > MAX_PARTS) fail(`${count} parts (at most ${MAX_PARTS})`);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 8 > bytes.byteLength) fail(`part ${i} is cut off`);
    const len = v.getFloat64(o, true);
    o += 8;
    if (!Number.isInteger(len) || len < 0 || o + len > bytes.byteLength) fail(`part ${i} has an impossible length`);
    parts.push(bytes.subarray(o, o + len));
    o += len;
  }
  if (o !== bytes.byteLength) fail('trailing bytes after the last part');
  return { header, parts };
}
