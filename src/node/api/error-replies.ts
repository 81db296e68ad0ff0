/**
 * Every error the API answers, in the documented shape { error: { code, message } }: Tessera's
 * own errors, the framework's (Fastify's FST_ERR_* codes: content types, JSON, URLs, parameters),
 * and the HTTP parser's (malformed requests, oversized headers, timeouts), which Fastify would
 * otherwise answer in its own shape. Messages say what to change.
 */

import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { TesseraError } from '../../errors.js';
import { FRAME_CONTENT_TYPE } from '../../wire/frames.js';
import { statusForCode } from './http-errors.js';

export interface ErrorReply {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

interface FrameworkError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly validation?: unknown;
  readonly message?: string;
}

const SEND_AS = `send JSON (application/json) or, for uploads and contributions, ${FRAME_CONTENT_TYPE} (use the Tessera client)`;

/** Fastify's own request errors, in our words. */
const FRAMEWORK: Readonly<Record<string, Omit<ErrorReply, 'message'> & { readonly message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', status: 413, message: 'the request body is larger than this route accepts (JSON bodies: 1 MiB)' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: `unsupported content type; ${SEND_AS}` },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'FORMAT', status: 400, message: 'the request body does not have the length its Content-Length header says (cut off or too long)' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'FORMAT', status: 400, message: 'the request says its body is JSON (content-type application/json) but the body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'FORMAT', status: 400, message: 'the request body is not valid JSON' },
  FST_ERR_BAD_URL: { code: 'BAD_URL', status: 400, message: 'the request path is not a valid URL (a percent-encoding is malformed)' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URL_TOO_LONG', status: 414, message: 'a path segment of the request is longer than any table name or query id can be' },
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: `the request has a body but no content-type; ${SEND_AS}` },
  FST_ERR_ROUTE_MISSING_CONTENT: { code: 'FORMAT', status: 400, message: 'this route needs a request body' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'INTERNAL', status: 500, message: "internal error in the node (details are in the node's log)" },
};

export function describeError(error: unknown): ErrorReply {
  if (error instanceof TesseraError) return { code: error.code, status: statusForCode(error.code), message: error.message };
  const e = (error ?? {}) as FrameworkError;
  if (e.validation) return { code: 'VALIDATION', status: 400, message: `the request is invalid: ${e.message ?? 'it does not match the API schema'}` };
  const known = e.code !== undefined ? FRAMEWORK[e.code] : undefined;
  if (known) return known;
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { code: 'BAD_REQUEST', status: e.statusCode, message: `the request was refused (${STATUS_CODES[e.statusCode] ?? `HTTP ${e.statusCode}`}); check it against docs/system.md, "HTTP API"` };
  }
  return { code: 'INTERNAL', status: 500, message: "internal error in the node (details are in the node's log)" };
}

export function errorBodyText(reply: ErrorReply): string {
  return JSON.stringify({ error: { code: reply.code, message: reply.message } });
}

/** What the HTTP parser refused, before there was a request (malformed, oversized headers, too slow). */
function describeClientError(error: { code?: string }): ErrorReply {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', status: 408, message: 'the request did not arrive in time (timeouts.headersMs for the headers, timeouts.requestMs for the whole request); the connection is closed' };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'HEADERS_TOO_LARGE', status: 431, message: 'the request line and headers are larger than this node accepts (16 KiB in all); shorten the URL or the headers' };
    case 'HPE_INVALID_METHOD':
      return { code: 'BAD_REQUEST', status: 400, message: 'the HTTP method is not one this node knows' };
    default:
      return { code: 'BAD_REQUEST', status: 400, message: `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'}); the connection is closed` };
  }
}

/** Fastify's clientErrorHandler: the same as its default, in our shape. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const reply = describeClientError(error);
  const body = errorBodyText(reply);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
