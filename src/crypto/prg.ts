/**
 * Keyed pseudo-random generator: AES-128 in counter mode over a zero plaintext.
 *
 * Two parties holding the same key draw identical streams as long as they draw the same
 * amounts in the same order, which the deterministic protocol schedule guarantees. Keystream
 * is produced in 64 KiB chunks (measured: 1.9 GB/s including the copy, twice as fast as one
 * large update call, which thrashes the cache).
 */

import { createCipheriv, createHash, createHmac, randomBytes, type Cipher } from 'node:crypto';
import { keepShape } from '../keep-shape.js';

const CHUNK_BYTES = 64 * 1024;
const ZERO_CHUNK = new Uint8Array(CHUNK_BYTES);

export const PRG_KEY_BYTES = 16;

export class Prg {
  private readonly cipher: Cipher;
  /** Bytes of keystream already drawn; lets tests check that two holders stay in step. */
  drawn = 0;

  constructor(key: Uint8Array) {
    if (key.byteLength !== PRG_KEY_BYTES) throw new RangeError(`PRG key must be ${PRG_KEY_BYTES} bytes`);
    this.cipher = createCipheriv('aes-128-ctr', key, new Uint8Array(16));
  }

  static random(): Prg {
    return new Prg(randomBytes(PRG_KEY_BYTES));
  }

  /** Fills `out` with keystream bytes. */
  fill(out: Uint8Array): void {
    let o = 0;
    while (o < out.byteLength) {
      const n = Math.min(CHUNK_BYTES, out.byteLength - o);
      const ks = this.cipher.update(n === CHUNK_BYTES ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, n));
      out.set(ks, o);
      o += n;
    }
    this.drawn += out.byteLength;
  }

  /**
   * Hands the keystream of `words` 64-bit words to `use` in consecutive chunks of at most 8,192
   * words (`at`: the index of the chunk's first word): the same words `words(words)` returns,
   * without an array holding them all. Lets a protocol add a mask into a vector in place instead
   * of drawing it into a fresh vector first (whose first touch costs more than the keystream).
   */
  chunks(words: number, use: (chunk: BigUint64Array, at: number) => void): void {
    const bytes = words * 8;
    let o = 0;
    while (o < bytes) {
      const n = Math.min(CHUNK_BYTES, bytes - o);
      use(wordsView(this.cipher.update(n === CHUNK_BYTES ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, n))), o >>> 3);
      o += n;
    }
    this.drawn += bytes;
  }

  words(n: number): BigUint64Array {
    const out = new BigUint64Array(n);
    this.fill(new Uint8Array(out.buffer));
    return out;
  }

  /**
   * The keystreams of a and b for `words` words, handed to `use` chunk by chunk (at most 8,192
   * words each; `at`: the index of the chunk's first word), a's drawn before b's in each chunk:
   * the arithmetic zero-sharing a − b, subtracted outside JavaScript (mpc/protocols/zero-share.ts).
   * The chunks are valid only while `use` runs.
   */
  static pairChunks(a: Prg, b: Prg, words: number, use: (ka: Uint8Array, kb: Uint8Array, at: number) => void): void {
    const bytes = words * 8;
    let o = 0;
    while (o < bytes) {
      const n = Math.min(CHUNK_BYTES, bytes - o);
      const plain = n === CHUNK_BYTES ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, n);
      const ka = a.cipher.update(plain);
      use(ka, b.cipher.update(plain), o >>> 3);
      o += n;
    }
    a.drawn += bytes;
    b.drawn += bytes;
  }

  /**
   * Like difference, with XOR: the binary zero-sharing. Encrypting a's keystream under b's
   * counter mode yields a ^ b directly, so no JavaScript loop touches the words.
   */
  static xor(a: Prg, b: Prg, out: BigUint64Array): BigUint64Array {
    const bytes = out.byteLength;
    const target = new Uint8Array(out.buffer, out.byteOffset, bytes);
    let o = 0;
    while (o < bytes) {
      const n = Math.min(CHUNK_BYTES, bytes - o);
      const plain = n === CHUNK_BYTES ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, n);
      target.set(b.cipher.update(a.cipher.update(plain)), o);
      o += n;
    }
    a.drawn += bytes;
    b.drawn += bytes;
    return out;
  }

  /**
   * The words xor(a, b, out) would write, handed to `use` in consecutive chunks of at most 8,192
   * words (`at`: the index of the chunk's first word): a kernel combines each chunk while it is
   * in cache and writes its output once, instead of the words being stored first and read back
   * by a second pass over memory (packed-and.ts).
   */
  static xorChunks(a: Prg, b: Prg, words: number, use: (chunk: BigUint64Array, at: number) => void): void {
    const bytes = words * 8;
    let o = 0;
    while (o < bytes) {
      const n = Math.min(CHUNK_BYTES, bytes - o);
      use(wordsView(b.cipher.update(a.cipher.update(n === CHUNK_BYTES ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, n)))), o >>> 3);
      o += n;
    }
    a.drawn += bytes;
    b.drawn += bytes;
  }
}

// Its map outlives every session (keep-shape.ts): the kernels that draw keystream embed it.
keepShape(new Prg(new Uint8Array(PRG_KEY_BYTES)));

/** Keystream buffers from Cipher.update are fresh allocations; view them as words when aligned. */
function wordsView(buf: Uint8Array): BigUint64Array {
  if (buf.byteOffset % 8 === 0) return new BigUint64Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 3);
  const out = new BigUint64Array(buf.byteLength >>> 3);
  new Uint8Array(out.buffer).set(buf.subarray(0, out.byteLength));
  return out;
}

/**
 * Derives a sub-key from a master key and a label (HMAC-SHA256, truncated): every session and
 * every purpose gets its own key, so streams never overlap between concurrent computations.
 */
export function deriveKey(master: Uint8Array, label: string): Uint8Array {
  return createHmac('sha256', master).update('tessera/prg/v1\0').update(label).digest().subarray(0, PRG_KEY_BYTES);
}

/** A 64-bit identifier derived from a parent and a label (sub-sessions). */
export function deriveId(parent: bigint, label: string): bigint {
  const h = createHash('sha256').update(parent.toString(16)).update('\0').update(label).digest();
  return h.readBigUInt64LE(0);
}
