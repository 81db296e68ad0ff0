/**
 * The input step of every binary circuit on an arithmetic share x = x0 + x1 + x2 (ABY3 §5.3,
 * as in protocols/compare.ts), in bit planes and with rotating roles: in chunk k of the vector,
 * party k knows v = x_k + x_{k+1} and inputs its planes as a binary sharing, while w = x_{k+2}
 * is already a binary sharing (its two holders transpose it locally). Then x = v + w (mod 2^64)
 * and a circuit on the planes of v and w computes whatever bits of x it needs.
 *
 * One round. Each party sends `bits` bits per element of its own chunk (a third of the vector),
 * i.e. bits/24 bytes per element on average; only the planes asked for are transposed and sent,
 * so a value known to fit in 20 bits costs 20 planes, not 64.
 */

import { UsageError } from '../../../errors.js';
import { wordsFor } from '../../../ring/bits.js';
import { toPlanes } from '../../../ring/planes.js';
import type { Session } from '../../session.js';
import { AShare, BitShare } from '../../shares.js';
import { sumKernel, xorKernel } from '../kernels.js';
import { chunkBounds } from '../roles.js';

export interface AddendPlanes {
  /** Planes 0..bits-1 of v (binary-shared). */
  readonly v: BitShare[];
  /** Planes 0..bits-1 of w (one non-zero component, known to its two holders). */
  readonly w: BitShare[];
  /** Further planes that the holders of w derived from its planes in the clear, same shape. */
  readonly derived: BitShare[][];
  /** Gives the planes' memory back to the party's scratch pool; call once they are consumed. */
  release(): void;
}

/**
 * Extra values that the holders of w compute from it in the clear, as planes: `fn` maps a chunk
 * of w's planes to `values` lists of `bits` planes each (every plane as long as the input's).
 */
export interface DeriveFromW {
  readonly values: number;
  readonly bits: number;
  readonly fn: (wPlanes: readonly BigUint64Array[]) => BigUint64Array[][];
}

function fill(prg: Session['prgNext'], out: BigUint64Array): void {
  prg.fill(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
}

export async function addendPlanes(s: Session, x: AShare, bits: number, derive?: DeriveFromW): Promise<AddendPlanes> {
  if (!Number.isInteger(bits) || bits < 1 || bits > 64) throw new UsageError(`addendPlanes: ${bits} bits requested, use 1 to 64`);
  const n = x.length, W = wordsFor(n);
  const bounds = chunkBounds(n, 64);
  const me = s.me;
  const own = me, fromNext = (me + 1) % 3, fromPrev = (me + 2) % 3;
  // Inner bounds are multiples of 64; an empty trailing chunk starts at n and has no words.
  const wordRange = (k: number): [number, number] => [wordsFor(bounds[k]), wordsFor(bounds[k + 1])];
  const derivedValues = derive?.values ?? 0, derivedBits = derive?.bits ?? 0;
  const ownLength = bounds[own + 1] - bounds[own];

  // All planes live in one scratch block (fresh memory costs page faults, see ScratchPool);
  // the parts a party does not write must read as zero.
  const planeWords = (4 * bits + 2 * derivedValues * derivedBits) * W;
  const scratch = s.party.scratch.take(planeWords + ownLength);
  scratch.fill(0n, 0, planeWords);
  let o = 0;
  const planes = (count: number): BigUint64Array[] => Array.from({ length: count }, () => scratch.subarray(o, (o += W)));
  const vA = planes(bits), vB = planes(bits), wA = planes(bits), wB = planes(bits);
  const dA = Array.from({ length: derivedValues }, () => planes(derivedBits));
  const dB = Array.from({ length: derivedValues }, () => planes(derivedBits));
  const ownValues = scratch.subarray(o, o + ownLength);

  // Own chunk: v = x.a + x.b, masked plane by plane with the stream shared with the previous
  // party (components: a = mask, b = v ^ mask; the next party receives v ^ mask).
  const [o0, o1] = wordRange(own);
  const ownWords = o1 - o0;
  sumKernel(ownValues, x.a.subarray(bounds[own], bounds[own + 1]), x.b.subarray(bounds[own], bounds[own + 1]));
  toPlanes(ownValues, 0, ownLength, bits, vB, o0);
  const message = new BigUint64Array(bits * ownWords);
  for (let j = 0; j < bits; j++) {
    const mask = vA[j].subarray(o0, o1), plain = vB[j];
    fill(s.prgPrev, mask);
    xorKernel(plain.subarray(o0, o1), plain.subarray(o0, o1), mask);
    message.set(plain.subarray(o0, o1), j * ownWords);
  }
  s.round();
  s.send(s.next, message, true); // fresh and never read again: move it

  // Chunk of the next party: our b component of v is its mask; w = x_{k+2} is our a.
  const [n0, n1] = wordRange(fromNext);
  for (let j = 0; j < bits; j++) fill(s.prgNext, vB[j].subarray(n0, n1));
  placeW(x.a, bounds[fromNext], bounds[fromNext + 1], n0, n1, bits, wA, dA, derive);

  // Chunk of the previous party: our a component of v arrives from it; w is our b.
  const [p0, p1] = wordRange(fromPrev);
  placeW(x.b, bounds[fromPrev], bounds[fromPrev + 1], p0, p1, bits, wB, dB, derive);
  const received = await s.recv(s.prev, bits * (p1 - p0));
  for (let j = 0; j < bits; j++) vA[j].set(received.subarray(j * (p1 - p0), (j + 1) * (p1 - p0)), p0);
  s.releaseWords(s.prev, received); // copied into the planes: its memory back to the link

  const share = (a: BigUint64Array, b: BigUint64Array): BitShare => new BitShare(a, b, n);
  return {
    v: vA.map((a, j) => share(a, vB[j])),
    w: wA.map((a, j) => share(a, wB[j])),
    derived: dA.map((list, d) => list.map((a, j) => share(a, dB[d][j]))),
    release: () => s.party.scratch.give(scratch),
  };
}

/** Transposes the chunk [start, end) of a component into `target` and adds the derived planes. */
function placeW(component: BigUint64Array, start: number, end: number, w0: number, w1: number, bits: number, target: BigUint64Array[], derivedTarget: BigUint64Array[][], derive?: DeriveFromW): void {
  toPlanes(component, start, end, bits, target, w0);
  if (!derive || derivedTarget.length === 0) return;
  const extra = derive.fn(target.map((plane) => plane.subarray(w0, w1)));
  if (extra.length !== derivedTarget.length) throw new UsageError(`addendPlanes: derive returned ${extra.length} values, ${derivedTarget.length} expected`);
  extra.forEach((list, d) => {
    if (list.length !== derivedTarget[d].length) throw new UsageError(`addendPlanes: derived value ${d} has ${list.length} planes, ${derivedTarget[d].length} expected`);
    list.forEach((plane, j) => derivedTarget[d][j].set(plane, w0));
  });
}
