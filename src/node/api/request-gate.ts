/**
 * What a request must show before the node reads a byte of its body (an onRequest hook):
 *
 *   - signed routes: the request signature, checked from the headers and the body hash the
 *     client declares (RequestVerifier.preverify); the body is checked against it once read;
 *   - contributions: the contribution credential in the x-tessera-credential header, checked
 *     against the append table's owner (the frame must then carry the same credential);
 *   - frame bodies (uploads, contributions): a Content-Length no larger than what the route can
 *     need (a contribution: one row of its table's schema; an upload: bodyLimitBytes, then what
 *     its frame header declares, see frame-body.ts and frame-limits.ts);
 *   - every body: room in the node's body budget (body-budget.ts), held until the response is
 *     sent.
 *
 * A request refused here is answered at once; if it left more than a little of its body unread,
 * the answer closes the connection, so the rest is never read (docs/system.md, "Memory bounds").
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { FormatError, TesseraError } from '../../errors.js';
import { CREDENTIAL_HEADER } from '../../wire/api.js';
import { FRAME_CONTENT_TYPE } from '../../wire/frames.js';
import type { NodeContext } from '../context.js';
import { authoriseContributor, type PresentedCredential } from '../flows/contributor-credential.js';
import { checkUploadHeader } from '../flows/upload.js';
import type { BodyBudget } from './body-budget.js';
import { checkDeclaredLength, type FramePlan } from './frame-body.js';
import { contributionFrameMaxBytes, uploadFrameMaxBytes } from './frame-limits.js';

/** How a route is entered (Fastify route `config.gate`). */
export type Gate = 'open' | 'signed' | 'credential' | 'upload' | 'contribution';

declare module 'fastify' {
  interface FastifyContextConfig {
    gate?: Gate;
  }
  interface FastifyRequest {
    /** Set for frame routes: how their body is read (frame-body.ts). */
    framePlan?: FramePlan;
    /** Declared Content-Length, when there is one. */
    declaredLength?: number;
    /** A contribution's checked credential (from its header). */
    contributor?: PresentedCredential;
  }
}

/** Bodies up to this size are read and dropped after a refusal (the connection stays open); larger ones close it. */
export const DRAIN_LIMIT_BYTES = 64 * 1024;

export interface GateOptions {
  readonly jsonBodyLimit: number;
  readonly uploadBodyLimit: number;
  /** Uploads. */
  readonly uploads: BodyBudget;
  /** JSON bodies and contributions. */
  readonly smallBodies: BodyBudget;
}

interface DeclaredBody {
  readonly present: boolean;
  /** Undefined for a chunked body. */
  readonly length?: number;
}

function declaredBody(request: FastifyRequest): DeclaredBody {
  const lengthHeader = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (lengthHeader === undefined) return { present: chunked };
  const length = Number(lengthHeader);
  if (!Number.isSafeInteger(length) || length < 0) throw new FormatError('the Content-Length header is not a whole number of bytes');
  return { present: chunked || length > 0, length };
}

function contentType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function requireFrame(request: FastifyRequest, body: DeclaredBody, what: string): number {
  if (contentType(request) !== FRAME_CONTENT_TYPE) throw new TesseraError('UNSUPPORTED_MEDIA_TYPE', `send ${what} as ${FRAME_CONTENT_TYPE} (use the Tessera client)`);
  if (body.length === undefined) throw new TesseraError('LENGTH_REQUIRED', `send ${what} with a Content-Length header (not chunked): the node sizes it before reading it`);
  return body.length;
}

/** Whether the answer to `request` must close the connection (much of its body is still unread). */
export function mustCloseAfter(request: FastifyRequest): boolean {
  if (request.raw.complete) return false;
  const length = request.headers['content-length'];
  if (length === undefined) return request.headers['transfer-encoding'] !== undefined;
  return Number(length) > DRAIN_LIMIT_BYTES || !Number.isSafeInteger(Number(length));
}

/** The onRequest hook. Throws a TesseraError to refuse the request before its body is read. */
export function makeRequestGate(ctx: NodeContext, options: GateOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const hold = (request: FastifyRequest, reply: FastifyReply, budget: BodyBudget, bytes: number): void => {
    const release = budget.reserve(bytes);
    reply.raw.once('close', release);
  };
  return async (request, reply) => {
    // An unknown route is answered before its body (which the framework would otherwise read).
    if (request.is404) throw new TesseraError('NOT_FOUND', `no such API route: ${request.method} ${request.url.split('?')[0]}`);
    const gate = request.routeOptions.config.gate;
    if (gate === undefined || gate === 'open' || gate === 'credential') return; // GET routes: a GET body is never read
    const method = request.method;
    if (method === 'GET' || method === 'HEAD') return; // the handler checks the signature; a GET body is never read
    const body = declaredBody(request);
    request.declaredLength = body.length;
    const head = { method, path: request.url, headers: request.headers as Record<string, string | string[] | undefined> };
    switch (gate) {
      case 'signed': {
        ctx.preverifyRequest(head, body.present);
        if (body.present) hold(request, reply, options.smallBodies, Math.min(body.length ?? options.jsonBodyLimit, options.jsonBodyLimit));
        return;
      }
      case 'upload': {
        ctx.preverifyRequest(head, body.present);
        const length = requireFrame(request, body, 'an upload');
        const plan: FramePlan = {
          what: 'an upload',
          maxBytes: options.uploadBodyLimit,
          limitForHeader: (header, headerBytes) => {
            const upload = checkUploadHeader(header, 3);
            return uploadFrameMaxBytes(headerBytes, upload.columns.length, upload.rows);
          },
        };
        checkDeclaredLength(plan, length);
        hold(request, reply, options.uploads, length);
        request.framePlan = plan;
        return;
      }
      case 'contribution': {
        const header = request.headers[CREDENTIAL_HEADER];
        const name = (request.params as { name?: string }).name ?? '';
        const authorised = await authoriseContributor(ctx, name, typeof header === 'string' ? header : undefined, 'a contribution');
        request.contributor = authorised;
        const length = requireFrame(request, body, 'a contribution');
        // The frame carries the same credential as the header: the header's decoded length bounds its size.
        const credentialBytes = Math.ceil((String(header).length * 3) / 4);
        const limit = contributionFrameMaxBytes(authorised.encodedColumns, credentialBytes);
        const plan: FramePlan = { what: 'a contribution', maxBytes: limit, limitForHeader: () => limit };
        checkDeclaredLength(plan, length);
        hold(request, reply, options.smallBodies, length);
        request.framePlan = plan;
        return;
      }
    }
  };
}
