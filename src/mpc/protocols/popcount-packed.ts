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
 * Rounds: the layers, ~log_{3/2}(W/2) + 1 (24 for 2^20 bits: W = 16384), then 2.
 * Bytes per party: ~W/8·64 = n/8 for n bits in the tree, plus 8/3 per injected bit (~3.7 KB
 * at 2^20 bits), plus 8 per vector.
 *
 * The tree's tail is slow: its last layers remove a few words each (carries spread over the
 * weights), a round apiece. An injected word costs 64·8/3 − 8 ≈ 163 bytes more than a word the
 * tree removes, so a caller that values a round at `roundBytes` bytes stops the tree at the
 * first layer that would remove fewer than roundBytes / 163 words over all its vectors and
 * injects what is left (treeShape below; radix-select.ts passes its measured figure). At 2^20
 * bits and 40 vectors with 128 KB a round: 15 layers instead of 24, ~50 words injected per
 * vector instead of ~15 (+4 % of the popcount's bytes).
 */

import type { Session } from '../session.js';
import type { AShare } from '../shares.js';
import { Prg } from '../../crypto/prg.js';
import { injectWeightedSums, type WeightedWords } from './inject-sum.js';

/** Binary-shared words whose bits are counted (all 64 bits of every word; clear unused tails). */
export interface PackedBits {
  readonly a: BigUint64Array;
  readonly b: BigUint64Array;
}

/** Words of one weight of every tree of a group, both components, tree-major (see Group). */
interface Words {
  a: BigUint64Array;
  b: BigUint64Array;
  /** Words per tree: tree i's are [i·count, (i + 1)·count). */
  count: number;
}

/**
 * Trees over vectors of the same word count evolve alike, so a group of T of them runs as one:
 * each weight is one array of T runs of equal length, and each layer is one pass per weight over
 * all trees instead of a short loop and fresh arrays per tree and weight.
 */
interface Group {
  readonly members: number[];
  classes: Words[];
}

/** Bytes per party an injected word costs beyond one the tree removes (64 bits of 8/3, less one AND word). */
export const INJECTED_WORD_EXTRA_BYTES = (64 * 8) / 3 - 8;

/**
 * Whether a layer that removes `removed` words (one per full adder, over all vectors) pays when
 * a round is worth `roundBytes` bytes. Any full adder pays when rounds are free (roundBytes 0).
 */
export function layerPays(removed: number, roundBytes: number): boolean {
  return removed > 0 && removed * INJECTED_WORD_EXTRA_BYTES >= roundBytes;
}

/**
 * The tree's layers and the words it leaves to inject, for `vectors` vectors of `words` words
 * each (plan/cost-quantile.ts: the same rule as popcounts, without the data).
 */
export function treeShape(words: number, vectors: number, roundBytes: number): { layers: number; injectedWords: number } {
  let classes = [words];
  let layers = 0;
  while (layerPays(vectors * classes.reduce((acc, c) => acc + Math.floor(c / 3), 0), roundBytes)) {
    const t = classes.map((c) => Math.floor(c / 3));
    const next = classes.map((c, k) => t[k] + (c - 3 * t[k]) + (k > 0 ? t[k - 1] : 0));
    if (t[t.length - 1] > 0) next.push(t[t.length - 1]);
    classes = next;
    layers++;
  }
  return { layers, injectedWords: vectors * classes.reduce((acc, c) => acc + c, 0) };
}

/**
 * The number of 1 bits of each vector, as arithmetic shares (element i: vector i). `roundBytes`:
 * what a round is worth in bytes per party; the tree stops when a layer would save less
 * (layerPays). The default 0 runs it until no weight holds three words.
 */
export async function popcounts(s: Session, vectors: readonly PackedBits[], roundBytes = 0): Promise<AShare> {
  const byWords = new Map<number, number[]>();
  vectors.forEach((v, i) => {
    const same = byWords.get(v.a.length);
    if (same) same.push(i);
    else byWords.set(v.a.length, [i]);
  });
  // Each layer's words live in one pooled buffer (mpc/scratch.ts: fresh arrays cost page faults
  // and collections), given back when the next layer has been built from it.
  let held = s.party.scratch.take(2 * vectors.reduce((acc, v) => acc + v.a.length, 0));
  try {
    let at = 0;
    const groups: Group[] = [...byWords.entries()].map(([count, members]) => {
      const size = members.length * count;
      const words: Words = { a: held.subarray(at, at + size), b: held.subarray(at + size, (at += 2 * size)), count };
      members.forEach((v, i) => {
        words.a.set(vectors[v].a, i * count);
        words.b.set(vectors[v].b, i * count);
      });
      return { members, classes: [words] };
    });
    while (layerPays(adders(groups), roundBytes)) {
      const next = await layer(s, groups);
      s.party.scratch.give(held);
      held = next;
    }
    const remaining: WeightedWords[] = new Array<WeightedWords>(vectors.length);
    for (const g of groups) g.members.forEach((v, i) => (remaining[v] = wordsOf(g, i)));
    return await injectWeightedSums(s, remaining);
  } finally {
    s.party.scratch.give(held);
  }
}

/** The full adders of the next layer over every tree of every group: the words it removes. */
function adders(groups: readonly Group[]): number {
  let total = 0;
  for (const g of groups) for (const w of g.classes) total += Math.floor(w.count / 3) * g.members.length;
  return total;
}

/**
 * One layer of full adders on every triple of words of every weight of every group: one AND
 * round. Returns the pooled buffer that now holds the groups' words.
 */
async function layer(s: Session, groups: readonly Group[]): Promise<BigUint64Array> {
  // Per group and weight: full adders per tree (t), and where their operands start.
  const shapes = groups.map((g) => g.classes.map((w) => Math.floor(w.count / 3)));
  let total = 0;
  const starts = groups.map((g, k) =>
    shapes[k].map((t) => {
      const at = total;
      total += t * g.members.length;
      return at;
    }),
  );
  // The carries' AND: its local share written straight from the words (the operands A ^ C and
  // B ^ C are never stored), in pooled memory (mpc/scratch.ts; the link copies what it sends).
  const za = Prg.xor(s.prgNext, s.prgPrev, s.party.scratch.take(total));
  // The next layer's words per weight: sums, the words left over, the carries from below.
  const countsOf = groups.map((g, k) => {
    const t = shapes[k];
    const counts = g.classes.map((w, weight) => t[weight] + (w.count - 3 * t[weight]) + (weight > 0 ? t[weight - 1] : 0));
    const top = t[t.length - 1];
    if (top > 0) counts.push(top);
    return counts;
  });
  // Every word of it is written below (sums, words left over, carries).
  const held = s.party.scratch.take(2 * groups.reduce((acc, g, k) => acc + g.members.length * countsOf[k].reduce((x, y) => x + y, 0), 0));
  let used = 0;
  const nexts = groups.map((g, k) =>
    countsOf[k].map((count) => {
      const size = g.members.length * count;
      return { a: held.subarray(used, used + size), b: held.subarray(used + size, (used += 2 * size)), count };
    }),
  );
  groups.forEach((g, k) =>
    g.classes.forEach((w, weight) => {
      const T = g.members.length, t = shapes[k][weight], out = nexts[k][weight];
      fullAdders(w, T, w.count, t, za, starts[k][weight], out, out.count);
    }),
  );
  // The received share goes back to the link once the carries are written (Session.releaseWords).
  let zb: BigUint64Array;
  try {
    zb = await s.reshare(za);
  } catch (e) {
    s.party.scratch.give(za);
    throw e;
  }
  groups.forEach((g, k) => {
    g.classes.forEach((w, weight) => {
      const T = g.members.length, t = shapes[k][weight];
      if (t === 0) return;
      const out = nexts[k][weight + 1], offset = out.count - t;
      carries(w.a, T, w.count, t, za, starts[k][weight], out.a, out.count, offset);
      carries(w.b, T, w.count, t, zb, starts[k][weight], out.b, out.count, offset);
    });
    g.classes = nexts[k];
  });
  s.party.scratch.give(za);
  s.releaseWords(s.next, zb);
  return held;
}

// The kernels read every 64-bit word straight from its array into an expression stored back
// into an array (never into a local), which V8 compiles to machine-word operations.

/**
 * For each of T trees with `count` words of this weight, full adders on the triples (A, B, C) =
 * words [0, t), [t, 2t), [2t, 3t): the local share of the AND (A ^ C) & (B ^ C) into z at word
 * start + i·t (z holds a zero-sharing: z ^= xa & (ya ^ yb) ^ xb & ya, binary.ts, with x = A ^ C
 * and y = B ^ C read from both components); the sums A ^ B ^ C and the words left over to the
 * tree's run of `out` (`outCount` words per tree).
 */
function fullAdders(w: Words, T: number, count: number, t: number, z: BigUint64Array, start: number, out: Words, outCount: number): void {
  const a = w.a, b = w.b, oa = out.a, ob = out.b;
  for (let i = 0; i < T; i++) {
    const A = i * count, B = A + t, C = A + 2 * t, o = start + i * t, to = i * outCount;
    for (let j = 0; j < t; j++) {
      z[o + j] ^= ((a[A + j] ^ a[C + j]) & (a[B + j] ^ a[C + j] ^ b[B + j] ^ b[C + j])) ^ ((b[A + j] ^ b[C + j]) & (a[B + j] ^ a[C + j]));
      oa[to + j] = a[A + j] ^ a[B + j] ^ a[C + j];
      ob[to + j] = b[A + j] ^ b[B + j] ^ b[C + j];
    }
    oa.set(a.subarray(A + 3 * t, A + count), to + t);
    ob.set(b.subarray(A + 3 * t, A + count), to + t);
  }
}

/** The carries z ^ C of each tree into its run of the next weight's `out`, from word `offset`. */
function carries(w: BigUint64Array, T: number, count: number, t: number, z: BigUint64Array, start: number, out: BigUint64Array, outCount: number, offset: number): void {
  for (let i = 0; i < T; i++) {
    const from = i * count + 2 * t, o = start + i * t, to = i * outCount + offset;
    for (let j = 0; j < t; j++) out[to + j] = z[o + j] ^ w[from + j];
  }
}

/** Tree i's remaining words (at most two per weight), each with its weight's exponent. */
function wordsOf(g: Group, i: number): WeightedWords {
  const size = g.classes.reduce((acc, w) => acc + w.count, 0);
  const a = new BigUint64Array(size), b = new BigUint64Array(size), shifts = new Uint8Array(size);
  let at = 0;
  g.classes.forEach((w, k) => {
    a.set(w.a.subarray(i * w.count, (i + 1) * w.count), at);
    b.set(w.b.subarray(i * w.count, (i + 1) * w.count), at);
    shifts.fill(k, at, (at += w.count));
  });
  return { a, b, shifts };
}
