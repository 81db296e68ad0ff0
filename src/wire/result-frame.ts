/**
 * A result's sealed shares as one binary frame (wire/frames.ts), the answer to GET
 * /v1/results/:query[/share] when the request accepts FRAME_CONTENT_TYPE: the header is the
 * ResultResponse with each share's node only, the parts are the envelopes themselves, in the
 * header's order. The JSON answer (the default, for other clients) carries each envelope in
 * base64: at 100K result values ~6.4 MB of JSON text that the coordinator serialises and
 * encrypts and the client decodes and parses, where the frame carries 4.8 MB as they are.
 */

import { FormatError } from '../errors.js';
import type { ResultResponse } from './api.js';
import { decodeFrame, encodeFrame } from './frames.js';

/** A sealed share as bytes. */
export interface SealedShareBytes {
  readonly node: number;
  readonly envelope: Uint8Array;
}

/** ResultResponse with the envelopes as bytes. */
export type ResultParts = Omit<ResultResponse, 'shares'> & { readonly shares: readonly SealedShareBytes[] };

export function encodeResultFrame(result: ResultParts): Uint8Array {
  const { shares, ...rest } = result;
  return encodeFrame({ ...rest, shares: shares.map((s) => ({ node: s.node })) }, shares.map((s) => s.envelope));
}

export function decodeResultFrame(bytes: Uint8Array): ResultParts {
  const { header, parts } = decodeFrame(bytes, 'a result answer');
  const h = header as Omit<ResultResponse, 'shares'> & { shares?: unknown };
  if (typeof h !== 'object' || h === null || !Array.isArray(h.shares) || h.shares.length !== parts.length || !Array.isArray(h.missing)) throw new FormatError('a result answer has the wrong format');
  const shares = (h.shares as { node?: unknown }[]).map((s, i) => {
    if (typeof s !== 'object' || s === null || !Number.isInteger(s.node)) throw new FormatError('a result answer names a share without its node');
    return { node: s.node as number, envelope: parts[i] };
  });
  return { ...h, shares } as ResultParts;
}

/** The JSON form: each envelope in base64. */
export function resultJson(result: ResultParts): ResultResponse {
  return { ...result, shares: result.shares.map((s) => ({ node: s.node, envelope: Buffer.from(s.envelope.buffer, s.envelope.byteOffset, s.envelope.byteLength).toString('base64') })) };
}
