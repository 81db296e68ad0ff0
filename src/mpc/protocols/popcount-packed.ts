/**
 * Secret counts of the 1 bits of packed binary-shared vectors (arithmetic shares, nothing
 * opened): the counting step of the radix selection (radix-select.ts).
 *
 * A carry-save adder tree (Wallace, "A suggestion for a fast multiplier", IEEE TEC 1964) over
 * the words, bit-sliced: each of the 64 bit positions of a word is its own counter ("lane"), and
 * a word of weight 2^k holds one bit of weight 2^k of each lane. A full adder takes three words
 * of one weight, A, B, C, and gives the sum A ^ B ^ C (same weight, local) and the carry
 * maj(A, B, C) = ((A ^ C) & (B ^ C)) ^ C (next weight): one AND word for three words in, two
 * out. Every layer applies full adders to all triples of every weight of every vector at once
 * (one AND round), until no weight holds more than two words. Each AND word removes one word,
 * so a vector of W words costs about W AND words in all: ~1 AND gate per counted bit, 1/8 byte
 * per bit and party. The few words left (at most two per weight, ~2·log2(W) + 12 of them) are
 * injected with their weights and summed, kept secret (inject-sum.ts).
 *
 * Rounds: the layers, ~log_{3/2}(W/2) + 1 (22 for 2^20 bits: W = 16384), then 2.
 * Bytes per party: ~W/8·64 = n/8 for n bits in the tree, plus 8/3 per injected bit (~3.7 KB
 * at 2^20 bits), plus 8 per vector.
 */

import type { Session } from '../session.js';
import type { AShare } from '../shares.js';
import { andWords } from './binary.js';
import { injectWeightedSums, type WeightedWords } from './inject-sum.js';

/** Binary-shared words whose bits are counted (all 64 bits of every word; clear unused tails). */
export interface PackedBits {
  readonly a: BigUint64Array;
  readonly b: BigUint64Array;
}

/** Words of one weight of one counter tree, both components. */
interface Words {
  a: BigUint64Array;
  b: BigUint64Array;
}

/** The number of 1 bits of each vector, as arithmetic shares (element i: vector i). */
export async function popcounts(s: Session, vectors: readonly PackedBits[]): Promise<AShare> {
  // trees[v][k]: the words of weight 2^k of vector v.
  let trees: Words[][] = vectors.map((v) => [{ a: v.a, b: v.b }]);
  while (trees.some((t) => t.some((w) => w.a.length >= 3))) trees = await layer(s, trees);
  return injectWeightedSums(s, trees.map(flatten));
}

/** One layer of full adders on every triple of words of every weight of every tree: one AND round. */
async function layer(s: Session, trees: readonly Words[][]): Promise<Words[][]> {
  let total = 0;
  for (const t of trees) for (const w of t) total += Math.floor(w.a.length / 3);
  const xa = new BigUint64Array(total), xb = new BigUint64Array(total), ya = new BigUint64Array(total), yb = new BigUint64Array(total);
  let at = 0;
  for (const t of trees) {
    for (const w of t) {
      const third = Math.floor(w.a.length / 3);
      adderOperands(w.a, third, xa, ya, at);
      adderOperands(w.b, third, xb, yb, at);
      at += third;
    }
  }
  const [za, zb] = await andWords(s, xa, xb, ya, yb);
  at = 0;
  return trees.map((t) => {
    const next: Words[] = [];
    const carries: Words[] = [];
    t.forEach((w, k) => {
      const third = Math.floor(w.a.length / 3);
      const rest = w.a.length - 3 * third;
      // Weight k: the sums, the words left over, and the carries of weight k − 1.
      const carryIn = carries[k];
      const size = third + rest + (carryIn ? carryIn.a.length : 0);
      const out: Words = { a: new BigUint64Array(size), b: new BigUint64Array(size) };
      sumsAndCarries(w.a, third, za, at, out.a);
      sumsAndCarries(w.b, third, zb, at, out.b);
      if (carryIn) {
        out.a.set(carryIn.a, third + rest);
        out.b.set(carryIn.b, third + rest);
      }
      next[k] = out;
      // The carries, A&B ^ ... = z ^ C, in place of the AND results.
      carries[k + 1] = { a: za.subarray(at, at + third), b: zb.subarray(at, at + third) };
      at += third;
    });
    const top = carries[t.length];
    if (top && top.a.length > 0) next[t.length] = { a: top.a.slice(), b: top.b.slice() };
    return next;
  });
}

/** x = A ^ C, y = B ^ C for the triples (A, B, C) = words [0, t), [t, 2t), [2t, 3t). */
function adderOperands(w: BigUint64Array, t: number, x: BigUint64Array, y: BigUint64Array, at: number): void {
  for (let i = 0; i < t; i++) {
    const c = w[2 * t + i];
    x[at + i] = w[i] ^ c;
    y[at + i] = w[t + i] ^ c;
  }
}

/**
 * out[0, t) = A ^ B ^ C (the sums), out[t, t + rest) = the words left over; z[at, at + t) becomes
 * the carries z ^ C (z = (A ^ C) & (B ^ C)). XOR is linear, so each component is done alone.
 */
function sumsAndCarries(w: BigUint64Array, t: number, z: BigUint64Array, at: number, out: BigUint64Array): void {
  for (let i = 0; i < t; i++) {
    const c = w[2 * t + i];
    out[i] = w[i] ^ w[t + i] ^ c;
    z[at + i] ^= c;
  }
  for (let i = 3 * t; i < w.length; i++) out[i - 2 * t] = w[i];
}

/** A tree's remaining words, each with its weight's exponent. */
function flatten(t: readonly Words[]): WeightedWords {
  const size = t.reduce((acc, w) => acc + (w ? w.a.length : 0), 0);
  const a = new BigUint64Array(size), b = new BigUint64Array(size), shifts = new Uint8Array(size);
  let at = 0;
  t.forEach((w, k) => {
    if (!w) return;
    a.set(w.a, at);
    b.set(w.b, at);
    shifts.fill(k, at, at + w.a.length);
    at += w.a.length;
  });
  return { a, b, shifts };
}
