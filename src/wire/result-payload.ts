/**
 * A node's share of a result, sealed to one recipient (envelope purpose RESULT_PURPOSE).
 *
 * Node i reports its replicated components (x_i, x_{i+1}) of every value of every result column. Any two nodes
 * together give all three components; with three, every component is reported twice and the
 * recipient checks that both reports agree, which catches a node that returns wrong shares
 * (client/reconstruct.ts, with the convention from mpc/sharing.ts).
 * No node ever holds a result in the clear.
 */

import { FormatError } from '../errors.js';

export const RESULT_SHARE_FORMAT = 'tessera-result-share/v2';

/** One result column: this node's two components of every row, as little-endian u64s in base64. */
export interface ResultShareColumn {
  readonly name: string;
  readonly a: string;
  readonly b: string;
}

export interface ResultShare {
  readonly format: typeof RESULT_SHARE_FORMAT;
  readonly query: string;
  readonly node: 0 | 1 | 2;
  /** Rows of every column. */
  readonly rows: number;
  readonly columns: readonly ResultShareColumn[];
  /** Public facts every node reports alike (row counts, rows excluded by range checks). */
  readonly public: Readonly<Record<string, number | string>>;
}

export function encodeColumn(v: BigUint64Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

/** A column's components, checked to hold exactly `rows` values in canonical base64 (what encodeColumn writes, and no other). */
export function decodeColumn(text: string, rows: number, what: string): BigUint64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== rows * 8 || bytes.toString('base64') !== text) throw new FormatError(`result column '${what}' does not hold ${rows} values`);
  const out = new BigUint64Array(rows);
  new Uint8Array(out.buffer).set(bytes);
  return out;
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
  if (r.format !== RESULT_SHARE_FORMAT) throw new FormatError(`a result share has format ${JSON.stringify(r.format)}, this client reads ${RESULT_SHARE_FORMAT}: use a client of the same release as the nodes`);
  if (![0, 1, 2].includes(r.node) || !Number.isSafeInteger(r.rows) || r.rows < 0 || !Array.isArray(r.columns)) throw new FormatError('a result share has the wrong format');
  for (const c of r.columns) {
    if (typeof c.name !== 'string' || typeof c.a !== 'string' || typeof c.b !== 'string') throw new FormatError('a result share holds a malformed column');
  }
  return r;
}
