/**
 * The arithmetic zero-sharing (Araki et al., CCS'16: α_i = F(k_i) − F(k_{i−1}); Session.zeroShareInto)
 * with the subtraction in WebAssembly SIMD (wasm/zero-share.c). No
 * communication, no rounds; 16 bytes of keystream per word, as before.
 *
 * Why (docs/benchmarks.md, s13-mul): V8 runs the subtraction of two BigUint64Array chunks at
 * ~1.6 ns per word, ten times a copy of the same bytes; i64x2.sub on the chunks copied into the
 * kernel's memory, and the result copied out, takes the keystream and the subtraction of 2^20
 * words from 6.0–6.3 to 4.5–4.9 ms in one thread. Every zero-sharing goes through it.
 */

import { Prg } from '../../crypto/prg.js';
import type { Session } from '../session.js';
import { sizedKernels } from './wasm-module.js';
import { ZERO_SHARE_WASM } from './zero-share-wasm.js';

/** The PRG's chunk (prg.ts): the kernel's memory holds one of each stream and the result. */
const CHUNK_BYTES = 64 * 1024;

interface Kernel {
  readonly subtract: (out: number, a: number, b: number, words: number) => void;
}

const instance = sizedKernels(ZERO_SHARE_WASM, (e): Kernel => ({ subtract: e.subtract as Kernel['subtract'] }));

/** The kernel and views of its memory, made once: the memory never grows (wasm-module.ts). */
let made: { readonly subtract: Kernel['subtract']; readonly bytes: Uint8Array; readonly result: BigUint64Array } | undefined;

function kernel(): NonNullable<typeof made> {
  if (made === undefined) {
    const k = instance(3 * CHUNK_BYTES);
    made = { subtract: k.subtract, bytes: new Uint8Array(k.memory.buffer), result: new BigUint64Array(k.memory.buffer, 2 * CHUNK_BYTES, CHUNK_BYTES / 8) };
  }
  return made;
}

/** prgNext's keystream minus prgPrev's, word by word, into `out` (every word overwritten). */
export function zeroShareInto(s: Session, out: BigUint64Array): BigUint64Array {
  const { subtract, bytes, result } = kernel();
  Prg.pairChunks(s.prgNext, s.prgPrev, out.length, (ka, kb, at) => {
    bytes.set(ka, 0);
    bytes.set(kb, CHUNK_BYTES);
    const words = ka.byteLength >>> 3;
    subtract(2 * CHUNK_BYTES, 0, CHUNK_BYTES, words);
    out.set(words === result.length ? result : result.subarray(0, words), at);
  });
  return out;
}
