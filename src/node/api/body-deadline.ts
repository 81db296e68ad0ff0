/**
 * How long a request's body may take to arrive. Node's own `requestTimeout` is a deadline for
 * the whole request counted from its first byte, whatever its size: a 250 MB upload on a loaded
 * machine (a few MB/s through TLS and the frame reader) passed 300 s while it was still arriving
 * steadily, and Node then wrote a 408 and destroyed the socket under the client, which saw EPIPE
 * or ECONNRESET mid-write and the node logged nothing. So Node's deadline is off
 * (api/app.ts) and this one replaces it, sized by the body the request declares:
 *
 *   deadline = timeouts.requestMs + declared bytes / MIN_BODY_BYTES_PER_SECOND
 *
 * A body slower than that on average is cut, with a warning in the log and a 408 written before
 * the connection is closed; headersTimeout still bounds the headers (slowloris), and the body
 * budgets bound how many large bodies can be held open at once.
 */

import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { errorBodyText } from './error-replies.js';

/** 256 KiB/s: far below any link the nodes run on, so only a stalled or hostile client is cut. */
export const MIN_BODY_BYTES_PER_SECOND = 256 * 1024;

/** The body deadline for a request declaring `length` bytes (undefined: chunked, judged as the largest upload). */
export function bodyDeadlineMs(requestMs: number, length: number, maxBodyBytes: number): number {
  return requestMs + Math.ceil((Math.min(length, maxBodyBytes) / MIN_BODY_BYTES_PER_SECOND) * 1000);
}

/** The onRequest hook: arms the deadline for a request with a body; its end (or the connection's) disarms it. */
export function makeBodyDeadline(log: FastifyBaseLogger, requestMs: number, maxBodyBytes: number): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const raw = request.raw;
    const declared = request.headers['content-length'];
    const chunked = declared === undefined && request.headers['transfer-encoding'] !== undefined;
    const length = declared !== undefined ? Number(declared) : chunked ? maxBodyBytes : 0;
    if (raw.complete || !(length > 0)) return;
    const ms = bodyDeadlineMs(requestMs, Number.isSafeInteger(length) ? length : maxBodyBytes, maxBodyBytes);
    const timer = setTimeout(() => {
      if (raw.complete) return;
      const socket = raw.socket;
      log.warn({ method: request.method, url: request.url, declaredBytes: length, deadlineMs: ms }, 'request body did not arrive in time; closing the connection');
      const body = errorBodyText({ code: 'REQUEST_TIMEOUT', status: 408, message: `the request body (${length} bytes) did not arrive within ${ms} ms (timeouts.requestMs plus 1 s per ${MIN_BODY_BYTES_PER_SECOND / 1024} KiB); the connection is closed` });
      if (socket.writable && !request.raw.socket.destroyed) {
        socket.write(`HTTP/1.1 408 Request Timeout\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
      }
      socket.destroy();
    }, ms);
    timer.unref();
    const disarm = (): void => clearTimeout(timer);
    raw.once('end', disarm);
    raw.once('close', disarm);
  };
}
