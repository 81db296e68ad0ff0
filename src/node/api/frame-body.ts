/**
 * Reading a frame body (wire/frames.ts) without trusting its length: the route says how large a
 * body may be before anything is read (`maxBytes`, checked against Content-Length), and how
 * large it may be once the frame header is known (`limitForHeader`). The header is read first, on
 * its own; only then is one buffer of exactly Content-Length bytes allocated for the rest. A body
 * over either bound is refused without reading further.
 */

import type { Readable } from 'node:stream';
import { FormatError, TesseraError } from '../../errors.js';
import { MAX_FRAME_HEADER_BYTES } from '../../wire/frames.js';

export interface FramePlan {
  /** What the body is, for messages ("an upload", "a contribution"). */
  readonly what: string;
  /** Largest body accepted before the header is read. */
  readonly maxBytes: number;
  /**
   * The largest body a frame with this header can need (or throws the header's error); called
   * once the header is read, before the rest is.
   */
  readonly limitForHeader: (header: unknown, headerBytes: number) => number;
}

const PREFIX_BYTES = 8;
/** Reused: creating a decoder costs more than decoding a small header. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function bodyTooLarge(what: string, bytes: number, limit: number, why: string): TesseraError {
  return new TesseraError('BODY_TOO_LARGE', `${what} of ${bytes} bytes is larger than ${why} (${limit} bytes); it was refused without being read`);
}

/** Checks a declared Content-Length against the plan's first bound (before reading anything). */
export function checkDeclaredLength(plan: FramePlan, contentLength: number): void {
  if (contentLength > plan.maxBytes) throw bodyTooLarge(plan.what, contentLength, plan.maxBytes, 'this node accepts');
  if (contentLength < PREFIX_BYTES + 4) throw new FormatError(`${plan.what} is not a valid Tessera frame: too short`);
}

/** Reads exactly `contentLength` bytes of a frame from `stream`, within the plan's bounds. */
export function readFrameBody(stream: Readable, contentLength: number, plan: FramePlan): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const head: Buffer[] = [];
    let headBytes = 0;
    let body: Buffer | undefined;
    let received = 0;
    let done = false;
    const finish = (error: Error | undefined, value?: Buffer): void => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
      if (error) {
        // Stop reading; the reply closes the connection (the rest of the body is never read).
        stream.pause();
        reject(error);
      } else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      if (body) {
        if (received + chunk.byteLength > contentLength) return finish(new FormatError(`${plan.what} is longer than its Content-Length`));
        chunk.copy(body, received);
        received += chunk.byteLength;
        return;
      }
      head.push(chunk);
      headBytes += chunk.byteLength;
      if (headBytes < PREFIX_BYTES) return;
      const prefix = head.length === 1 ? head[0] : Buffer.concat(head);
      head.length = 0;
      head.push(prefix);
      const headerLength = prefix.readUInt32LE(4);
      if (headerLength > MAX_FRAME_HEADER_BYTES || PREFIX_BYTES + headerLength + 4 > contentLength) {
        return finish(new FormatError(`${plan.what} is not a valid Tessera frame: header length out of bounds`));
      }
      if (headBytes < PREFIX_BYTES + headerLength) return;
      let limit: number;
      try {
        let header: unknown;
        try {
          header = JSON.parse(utf8.decode(prefix.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
        } catch {
          throw new FormatError(`${plan.what} is not a valid Tessera frame: header is not UTF-8 JSON`);
        }
        limit = plan.limitForHeader(header, headerLength);
      } catch (error) {
        return finish(error as Error);
      }
      if (contentLength > limit) return finish(bodyTooLarge(plan.what, contentLength, limit, 'the most its header can need'));
      if (prefix.byteLength > contentLength) return finish(new FormatError(`${plan.what} is longer than its Content-Length`));
      head.length = 0;
      if (prefix.byteLength === contentLength) {
        // The whole body came in one piece (a contribution usually does): no copy.
        body = prefix;
        received = contentLength;
        return;
      }
      body = Buffer.allocUnsafe(contentLength);
      prefix.copy(body, 0);
      received = prefix.byteLength;
    };
    const onEnd = (): void => {
      if (!body || received !== contentLength) return finish(new FormatError(`${plan.what} is cut off (${received || headBytes} of ${contentLength} bytes arrived)`));
      finish(undefined, body);
    };
    const onError = (error: Error): void => finish(new FormatError(`${plan.what} could not be read: ${error.message}`));
    const onAborted = (): void => finish(new FormatError(`${plan.what} was cut off: the client closed the connection`));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
  });
}
