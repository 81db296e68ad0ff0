/**
 * Raw HTTP/1.1 over TLS for tests that look at the protocol itself: what a node answers to
 * headers alone, whether it closes the connection, requests no HTTP client would send.
 */

import { connect, type TLSSocket } from 'node:tls';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The node closed the connection after answering. */
  readonly closed: boolean;
}

export interface RawRequestOptions {
  /** Bytes to write after the head (all of it, or the part of a body the test wants the node to have). */
  readonly body?: Uint8Array;
  /** Give up after this long (a bound on the test, never an assertion). */
  readonly timeoutMs?: number;
  /** False: send the head without the blank line that ends it (a client stalling in its headers). */
  readonly headComplete?: boolean;
  /** Send the body in this many pieces, `gapMs` apart (a slow link); default all at once. */
  readonly pieces?: number;
  readonly gapMs?: number;
}

export function openRaw(apiUrl: string, ca: string): Promise<TLSSocket> {
  const url = new URL(apiUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca, servername: undefined, rejectUnauthorized: false }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `head` (request line and headers, without the blank line) and then `body`; reads the answer until the node closes or the answer is complete. */
export async function rawRequest(apiUrl: string, ca: string, head: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const socket = await openRaw(apiUrl, ca);
  return new Promise<RawResponse>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${options.timeoutMs ?? 20_000} ms`)), options.timeoutMs ?? 20_000);
    const parse = (closed: boolean): RawResponse | undefined => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const body = text.slice(end + 4);
      const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
      if (!closed && (length === undefined || Buffer.byteLength(body, 'latin1') < length)) return undefined;
      return { status: Number(statusLine.split(' ')[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8'), closed };
    };
    function finish(error?: Error, response?: RawResponse): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (response) resolve(response);
      else reject(error ?? new Error('the node closed the connection without an answer'));
    }
    let answered: RawResponse | undefined;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      answered = parse(false) ?? answered;
      // A complete answer that closes the connection: wait for the close to report it.
      if (answered && answered.headers.connection !== 'close') finish(undefined, answered);
    });
    socket.on('end', () => finish(undefined, answered ? { ...answered, closed: true } : parse(true)));
    socket.on('close', () => finish(undefined, answered ? { ...answered, closed: true } : parse(true)));
    // Writing into a connection the node closed fails: the answer read so far is what counts.
    socket.on('error', () => finish(undefined, answered ? { ...answered, closed: true } : parse(true)));
    socket.write(options.headComplete === false ? `${head}\r\n` : `${head}\r\n\r\n`);
    if (options.body) writePaced(socket, options.body, options.pieces ?? 1, options.gapMs ?? 0, () => settled);
  });
}

/** Writes `body` in `pieces` parts `gapMs` apart, stopping once the exchange is settled. */
function writePaced(socket: TLSSocket, body: Uint8Array, pieces: number, gapMs: number, settled: () => boolean): void {
  const size = Math.ceil(body.byteLength / pieces);
  let at = 0;
  const next = (): void => {
    if (settled() || socket.destroyed || at >= body.byteLength) return;
    socket.write(body.subarray(at, at + size));
    at += size;
    if (at < body.byteLength) setTimeout(next, gapMs);
  };
  next();
}
