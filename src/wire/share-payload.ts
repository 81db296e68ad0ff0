/**
 * What a data owner's client sends each node: that node's two replicated components of every
 * column, compressed with seeds. Dealing (mpc/sharing.ts dealColumns, dealRow) makes them:
 *
 * For each column the client draws two fresh 16-byte seeds and sets
 *   x0 = PRG(seed0), x1 = PRG(seed1), x2 = v - x0 - x1 (mod 2^64)
 * where PRG is AES-128-CTR with a zero IV over zeros (crypto/prg.ts). Node i holds (x_i, x_{i+1}):
 *   node 0: (seed0, seed1)        -- 32 bytes per column, whatever the row count
 *   node 1: (seed1, x2 in full)
 *   node 2: (x2 in full, seed0)
 * so an upload moves 8 bytes per value to two nodes and almost nothing to the third, and nodes
 * can store the seeds as they are. Each node sees two components, which are uniformly random and
 * independent of v; x2 = v - x0 - x1 is masked by x0 for node 1 and by x1 for node 2.
 *
 * Binary format of one node's payload (little-endian):
 *   u32 column count C, f64 row count R
 *   per column, twice (component a = x_i, then b = x_{i+1}):
 *     u8 kind: 0 = seed (16 bytes follow), 1 = words (8R bytes follow)
 */

import { Prg, PRG_KEY_BYTES } from '../crypto/prg.js';
import { FormatError } from '../errors.js';

export type Component = { readonly kind: 'seed'; readonly seed: Uint8Array } | { readonly kind: 'words'; readonly words: BigUint64Array };

export interface ColumnComponents {
  readonly a: Component;
  readonly b: Component;
}

export interface SharePayload {
  readonly rows: number;
  readonly columns: readonly ColumnComponents[];
}

const KIND_SEED = 0;
const KIND_WORDS = 1;

/** Where a decoded column's words go: `words` words, any content (every word is overwritten). */
export type WordsAllocator = (words: number) => BigUint64Array;

const freshWords: WordsAllocator = (words) => new BigUint64Array(words);

/** Expands a component to its words (seeds through the PRG, into memory from `allocate`). */
export function expandComponent(c: Component, rows: number, allocate: WordsAllocator = freshWords): BigUint64Array {
  if (c.kind === 'words') return c.words;
  const out = allocate(rows);
  new Prg(c.seed).fill(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  return out;
}

export function payloadSize(p: SharePayload): number {
  let n = 4 + 8;
  for (const c of p.columns) for (const x of [c.a, c.b]) n += 1 + (x.kind === 'seed' ? PRG_KEY_BYTES : 8 * p.rows);
  return n;
}

export function encodeSharePayload(p: SharePayload): Uint8Array {
  const out = new Uint8Array(payloadSize(p));
  const v = new DataView(out.buffer);
  v.setUint32(0, p.columns.length, true);
  v.setFloat64(4, p.rows, true);
  let o = 12;
  for (const c of p.columns) {
    for (const x of [c.a, c.b]) {
      if (x.kind === 'seed') {
        out[o++] = KIND_SEED;
        out.set(x.seed, o);
        o += PRG_KEY_BYTES;
      } else {
        out[o++] = KIND_WORDS;
        out.set(new Uint8Array(x.words.buffer, x.words.byteOffset, x.words.byteLength), o);
        o += x.words.byteLength;
      }
    }
  }
  return out;
}

const PAYLOAD_HEADER_BYTES = 12;

function fail(why: string): never {
  throw new FormatError(`share payload: ${why}`);
}

/** Reads the payload's header (column count, row count) and checks it against the expected shape. */
function checkPayloadHeader(bytes: Uint8Array, expect: { columns: number; rows: number }): { count: number; rows: number } {
  if (bytes.byteLength < PAYLOAD_HEADER_BYTES) fail('too short');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = v.getUint32(0, true);
  const rows = v.getFloat64(4, true);
  if (count !== expect.columns) fail(`${count} columns, the schema has ${expect.columns}`);
  if (rows !== expect.rows) fail(`${rows} rows, the request says ${expect.rows}`);
  return { count, rows };
}

/**
 * Decodes one node's payload and checks it against the expected shape (`columns` columns of
 * `rows` rows): a malformed or truncated payload is refused, never stored.
 */
export function decodeSharePayload(bytes: Uint8Array, expect: { columns: number; rows: number }): SharePayload {
  const { count, rows } = checkPayloadHeader(bytes, expect);
  let o = PAYLOAD_HEADER_BYTES;
  const columns: ColumnComponents[] = [];
  const read = (): Component => {
    if (o >= bytes.byteLength) fail('cut off');
    const kind = bytes[o++];
    if (kind === KIND_SEED) {
      if (o + PRG_KEY_BYTES > bytes.byteLength) fail('seed cut off');
      const seed = bytes.slice(o, o + PRG_KEY_BYTES);
      o += PRG_KEY_BYTES;
      return { kind: 'seed', seed };
    }
    if (kind === KIND_WORDS) {
      const len = 8 * rows;
      if (o + len > bytes.byteLength) fail('column data cut off');
      const words = new BigUint64Array(rows);
      new Uint8Array(words.buffer).set(bytes.subarray(o, o + len));
      o += len;
      return { kind: 'words', words };
    }
    return fail(`unknown component kind ${kind}`);
  };
  for (let c = 0; c < count; c++) {
    const a = read();
    const b = read();
    columns.push({ a, b });
  }
  if (o !== bytes.byteLength) fail('trailing bytes');
  return { rows, columns };
}

/**
 * Checks a node's payload against the expected shape and cuts it into one byte range per
 * column (each holding that column's two components in the payload's own encoding), without
 * copying: a node stores these ranges as they are, so seeds stay seeds on disk.
 */
export function splitPayloadColumns(bytes: Uint8Array, expect: { columns: number; rows: number }): Uint8Array[] {
  const { count, rows } = checkPayloadHeader(bytes, expect);
  let o = PAYLOAD_HEADER_BYTES;
  const skip = (): void => {
    if (o >= bytes.byteLength) fail('cut off');
    const kind = bytes[o++];
    const len = kind === KIND_SEED ? PRG_KEY_BYTES : kind === KIND_WORDS ? 8 * rows : fail(`unknown component kind ${kind}`);
    if (o + len > bytes.byteLength) fail('column data cut off');
    o += len;
  };
  const out: Uint8Array[] = [];
  for (let c = 0; c < count; c++) {
    const start = o;
    skip();
    skip();
    out.push(bytes.subarray(start, o));
  }
  if (o !== bytes.byteLength) fail('trailing bytes');
  return out;
}

/** Decodes one column's two components as cut by `splitPayloadColumns`. */
export function decodeColumnComponents(bytes: Uint8Array, rows: number): ColumnComponents {
  const decoder = new ColumnDecoder(rows);
  decoder.push(bytes);
  return decoder.finish();
}

/**
 * Decodes one column's two components (the encoding `splitPayloadColumns` cuts) from its bytes
 * arriving in chunks of any size: words go straight into their vector, with no copy of the
 * whole column first (a node scanning a stored column decrypts it chunk by chunk:
 * node/storage/table-store.ts readColumnChunks). Malformed bytes are refused as
 * `decodeSharePayload` refuses them.
 */
export class ColumnDecoder {
  private readonly done: Component[] = [];
  /** The component being read: its kind once known, and how many of its bytes have arrived. */
  private kind: number | undefined;
  private filled = 0;
  private target: Uint8Array | undefined;
  private words: BigUint64Array | undefined;

  /** `allocate`: where each component's words go (a scan passes memory kept between queries). */
  constructor(
    private readonly rows: number,
    private readonly allocate: WordsAllocator = freshWords,
  ) {}

  push(chunk: Uint8Array): void {
    let o = 0;
    while (o < chunk.byteLength) {
      if (this.done.length === 2) fail('trailing bytes');
      if (this.kind === undefined) {
        this.start(chunk[o++]);
        continue;
      }
      const target = this.target!;
      const n = Math.min(chunk.byteLength - o, target.byteLength - this.filled);
      target.set(chunk.subarray(o, o + n), this.filled);
      this.filled += n;
      o += n;
      if (this.filled === target.byteLength) this.end();
    }
  }

  finish(): ColumnComponents {
    if (this.done.length < 2) fail(this.kind === undefined ? 'cut off' : this.kind === KIND_SEED ? 'seed cut off' : 'column data cut off');
    return { a: this.done[0], b: this.done[1] };
  }

  private start(kind: number): void {
    this.kind = kind;
    this.filled = 0;
    if (kind === KIND_SEED) this.target = new Uint8Array(PRG_KEY_BYTES);
    else if (kind === KIND_WORDS) {
      this.words = this.allocate(this.rows);
      this.target = new Uint8Array(this.words.buffer, this.words.byteOffset, this.words.byteLength);
    } else fail(`unknown component kind ${kind}`);
    if (this.target!.byteLength === 0) this.end();
  }

  private end(): void {
    this.done.push(this.kind === KIND_SEED ? { kind: 'seed', seed: this.target! } : { kind: 'words', words: this.words! });
    this.kind = undefined;
    this.target = undefined;
    this.words = undefined;
  }
}
