/**
 * A node's share of a result, sealed to one recipient (envelope purpose RESULT_PURPOSE).
 *
 * Node i reports its replicated components (x_i, x_{i+1}) of every result value. Any two nodes
 * together give all three components; with three, every component is reported twice and the
 * recipient checks that both reports agree, which catches a node that returns wrong shares
 * (client/reconstruct.ts, with the convention from mpc/sharing.ts).
 * No node ever holds a result in the clear.
 */

import { FormatError } from '../errors.js';

export const RESULT_SHARE_FORMAT = 'tessera-result-share/v1';

export interface ResultShare {
  readonly format: typeof RESULT_SHARE_FORMAT;
  readonly query: string;
  readonly node: 0 | 1 | 2;
  /** Named values; a and b are this node's components as decimal strings (u64). */
  readonly values: readonly { readonly name: string; readonly a: string; readonly b: string }[];
  /** Public facts every node reports alike (row counts, rows excluded by range checks). */
  readonly public: Readonly<Record<string, number | string>>;
}

export function encodeResultShare(r: ResultShare): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(r));
}

export function decodeResultShare(bytes: Uint8Array): ResultShare {
  let r: ResultShare;
  try {
    r = JSON.parse(new TextDecoder().decode(bytes)) as ResultShare;
  } catch {
    throw new FormatError('a result share is not valid JSON');
  }
  if (r.format !== RESULT_SHARE_FORMAT || ![0, 1, 2].includes(r.node) || !Array.isArray(r.values)) throw new FormatError('a result share has the wrong format');
  for (const v of r.values) {
    if (typeof v.name !== 'string' || !/^\d{1,20}$/.test(v.a) || !/^\d{1,20}$/.test(v.b)) throw new FormatError('a result share holds a malformed value');
  }
  return r;
}
