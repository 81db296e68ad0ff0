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

import { createHash } from 'node:crypto';
import { FormatError } from '../errors.js';

const MAGIC = 0x31465354; // "TSF1" read as a little-endian u32
export const FRAME_CONTENT_TYPE = 'application/vnd.tessera.frame';
/** Largest header accepted: headers carry metadata, never data. */
export const MAX_FRAME_HEADER_BYTES = 1 << 20;
/** Parts accepted by default (a client's request: a few envelopes). */
export const MAX_PARTS = 64;
/** Parts accepted in a message between nodes (a batch of contributions carries one envelope each). */
export const MAX_PEER_MESSAGE_PARTS = 4096;

export interface Frame<H> {
  readonly header: H;
  readonly parts: readonly Uint8Array[];
}

/** Reused: creating a decoder costs more than decoding a small header. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeFrame(header: unknown, parts: readonly Uint8Array[] = []): Uint8Array {
  return encodeFrameWithHeaderText(JSON.stringify(header), parts);
}

/** encodeFrame with the header already written as JSON text (by a caller that reuses parts of it). */
export function encodeFrameWithHeaderText(headerJson: string, parts: readonly Uint8Array[] = []): Uint8Array {
  const h = Buffer.from(headerJson, 'utf8');
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
export function decodeFrame(bytes: Uint8Array, what = 'request body', maxParts = MAX_PARTS): Frame<unknown> {
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
    header = JSON.parse(utf8.decode(bytes.subarray(8, 8 + hLen)));
  } catch {
    fail('header is not UTF-8 JSON');
  }
  let o = 8 + hLen;
  const count = v.getUint32(o, true);
  o += 4;
  if (count > maxParts) fail(`${count} parts (at most ${maxParts})`);
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

/**
 * What a client signs for a frame body (crypto/request-signing.ts `body`), instead of the frame
 * itself: the header bytes as sent, and the length and SHA-256 of every part.
 *
 *   "tessera/frame-signing/v1\0" | u32 header length | header bytes | u32 part count
 *   | per part: f64 length | 32-byte SHA-256 of the part
 *
 * The signature then still covers every byte of the body, but a node can hand each peer only
 * the header, the part hashes and that peer's own envelope, and the peer can check the client's
 * signature on its own without receiving the other nodes' (large) envelopes.
 */
export function frameSigningBytes(headerBytes: Uint8Array, parts: readonly { readonly length: number; readonly sha256: Uint8Array }[]): Uint8Array {
  const label = new TextEncoder().encode(FRAME_SIGNING_LABEL);
  const out = new Uint8Array(label.byteLength + 4 + headerBytes.byteLength + 4 + parts.length * 40);
  const v = new DataView(out.buffer);
  out.set(label, 0);
  let o = label.byteLength;
  v.setUint32(o, headerBytes.byteLength, true);
  out.set(headerBytes, o + 4);
  o += 4 + headerBytes.byteLength;
  v.setUint32(o, parts.length, true);
  o += 4;
  for (const p of parts) {
    if (p.sha256.byteLength !== 32) throw new FormatError('a part digest must be 32 bytes');
    v.setFloat64(o, p.length, true);
    out.set(p.sha256, o + 8);
    o += 40;
  }
  return out;
}

const FRAME_SIGNING_LABEL = 'tessera/frame-signing/v1\0';

/** The header bytes of an encoded frame (as sent), without parsing them. */
export function frameHeaderBytes(bytes: Uint8Array): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hLen = v.getUint32(4, true);
  return bytes.subarray(8, 8 + hLen);
}

/** SHA-256 of every part, for `frameSigningBytes`. */
export function partDigests(parts: readonly Uint8Array[]): { length: number; sha256: Uint8Array }[] {
  return parts.map((p) => ({ length: p.byteLength, sha256: createHash('sha256').update(p).digest() }));
}

/** `frameSigningBytes` of a whole encoded frame (what the client signs, what the coordinator checks). */
export function frameSigningBytesOf(bytes: Uint8Array): Uint8Array {
  const frame = decodeFrame(bytes);
  return frameSigningBytes(frameHeaderBytes(bytes), partDigests(frame.parts));
}
