/**
 * Secret counts of the 1 bits of packed binary-shared vectors (arithmetic shares, nothing
 * opened): the counting step of the radix selection (radix-select.ts).
 *
 * A carry-save adder tree (Wallace, "A suggestion for a fast multiplier", IEEE TEC 1964) over
 * the words, bit-sliced: each of the 64 bit positions of a word is its own counter ("lane"), and
 * a word of weight 2^k holds one bit of weight 2^k of each lane. A full adder takes three words
 * of one weight, A, B, C, and gives the sum A ^ B ^ C (same weight, local) and the carry
 * maj(A, B, C) = ((A ^ C) & (B ^ C)) ^ C (next weight): one AND word for three words in, two
 * out. Since the sum is local, the adders of one weight are chained within a layer: the running
 * sum S (an XOR of the words so far) and the next two words go into the next adder, whose carry
 * is still a single AND of linear terms, so all of them run in the same round. A layer takes the
 * c words of each weight to 1 (c odd) or 2 (c even) and passes (c − 1)/2 carries up: the words
 * halve per round where the classic tree (disjoint triples) keeps two thirds. The AND gates are
 * the same: each AND word removes one word, so a vector of W words costs about W AND words in
 * all: ~1 AND gate per counted bit, 1/8 byte per bit and party. The few words left (at most two
 * per weight) are injected with their weights and summed, kept secret (inject-sum.ts).
 *
 * Rounds: the layers, ~log2(W) (13 for 2^20 bits: W = 16384, against 24 for disjoint
 * triples), then 2 (popcountWords: the layers alone, for a caller that injects the words
 * itself: radix-select.ts, 1 round to addends, count-compare.ts).
 * Bytes per party: ~W/8·64 = n/8 for n bits in the tree, plus 8/3 per injected bit (~3.7 KB
 * at 2^20 bits), plus 8 per vector.
 *
 * The tree's tail is slow: its last layers remove a few words each (carries spread over the
 * weights), a round apiece. An injected word costs 64·8/3 − 8 ≈ 163 bytes more than a word the
 * tree removes, so a caller that values a round at `roundBytes` bytes stops the tree at the
 * first layer that would remove fewer than roundBytes / 163 words over all its vectors and
 * injects what is left (treeShape below; radix-select.ts passes its measured figure). At 2^20
 * bits and 40 vectors with 128 KB a round: 9 layers (14 with disjoint triples), ~41 words
 * injected per vector (~69 with disjoint triples).
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
  while (layerPays(vectors * classes.reduce((acc, c) => acc + chainAdders(c), 0), roundBytes)) {
    classes = nextCounts(classes, classes.map(chainAdders));
    layers++;
  }
  return { layers, injectedWords: vectors * classes.reduce((acc, c) => acc + c, 0) };
}

/**
 * Full adders of one layer's chain over `count` words of one weight: the first word starts the
 * running sum, each adder takes it and the next two words. The running sum is an XOR of words
 * (local), so every adder's carry is one AND of linear terms: all of them in the same round.
 */
export function chainAdders(count: number): number {
  return count >= 3 ? (count - 1) >>> 1 : 0;
}

/**
 * Words per weight after a layer with `adders[k]` full adders at weight k: the running sum and
 * the word left over (count − 2·adders of them: 1 or 2, or the count itself without adders),
 * then the carries from the weight below.
 */
function nextCounts(counts: readonly number[], adders: readonly number[]): number[] {
  const next = counts.map((c, k) => c - 2 * adders[k] + (k > 0 ? adders[k - 1] : 0));
  const top = adders[adders.length - 1];
  if (top > 0) next.push(top);
  return next;
}

/**
 * The number of 1 bits of each vector, as arithmetic shares (element i: vector i). `roundBytes`:
 * what a round is worth in bytes per party; the tree stops when a layer would save less
 * (layerPays). The default 0 runs it until no weight holds three words.
 */
export async function popcounts(s: Session, vectors: readonly PackedBits[], roundBytes = 0): Promise<AShare> {
  return injectWeightedSums(s, await popcountWords(s, vectors, roundBytes));
}

/**
 * popcounts' carry-save trees alone: per vector, the words they leave (at most two per weight
 * where the tree ran to its end), with their weights, for the caller to inject
 * (inject-sum.ts; radix-select.ts injects and compares in one go, count-compare.ts).
 */
export async function popcountWords(s: Session, vectors: readonly PackedBits[], roundBytes = 0): Promise<WeightedWords[]> {
  const byWords = new Map<number, number[]>();
  vectors.forEach((v, i) => {
    const same = byWords.get(v.a.length);
    if (same) same.push(i);
    else byWords.set(v.a.length, [i]);
  });
  // A group whose vectors already lie one after the other in one array per component (an AND
  // batch's outputs, as the radix search's zeros) is read in place: the first layer only reads
  // its words. The others are copied into one pooled buffer (mpc/scratch.ts: fresh arrays cost
  // page faults and collections); each layer's words live in one, given back when the next
  // layer has been built from it.
  const entries = [...byWords.entries()].map(([count, members]) => ({ count, members, inPlace: adjacent(members.map((v) => vectors[v]), count) }));
  let held = s.party.scratch.take(2 * entries.reduce((acc, e) => acc + (e.inPlace ? 0 : e.members.length * e.count), 0));
  try {
    let at = 0;
    const groups: Group[] = entries.map(({ count, members, inPlace }) => {
      if (inPlace) return { members, classes: [{ ...inPlace, count }] };
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
    return remaining;
  } finally {
    s.party.scratch.give(held);
  }
}

/**
 * The vectors' words as one view per component when each vector (of `count` words) follows the
 * one before in the same memory; undefined otherwise.
 */
function adjacent(vectors: readonly PackedBits[], count: number): { a: BigUint64Array; b: BigUint64Array } | undefined {
  const view = (part: (v: PackedBits) => BigUint64Array): BigUint64Array | undefined => {
    const first = part(vectors[0]);
    for (let i = 1; i < vectors.length; i++) {
      const x = part(vectors[i]);
      if (x.buffer !== first.buffer || x.byteOffset !== first.byteOffset + i * count * 8) return undefined;
    }
    return new BigUint64Array(first.buffer, first.byteOffset, vectors.length * count);
  };
  const a = view((v) => v.a), b = a && view((v) => v.b);
  return a && b ? { a, b } : undefined;
}

/** The full adders of the next layer over every tree of every group: the words it removes. */
function adders(groups: readonly Group[]): number {
  let total = 0;
  for (const g of groups) for (const w of g.classes) total += chainAdders(w.count) * g.members.length;
  return total;
}

/**
 * One layer of chained full adders over the words of every weight of every tree of every group
 * (chainAdders): one AND round. Returns the pooled buffer that now holds the groups' words.
 */
async function layer(s: Session, groups: readonly Group[]): Promise<BigUint64Array> {
  // Per group and weight: full adders per tree (t), and where their carries' shares start.
  const shapes = groups.map((g) => g.classes.map((w) => chainAdders(w.count)));
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
  // The next layer's words per weight: the running sum and the word left over, the carries from below.
  const countsOf = groups.map((g, k) => nextCounts(g.classes.map((w) => w.count), shapes[k]));
  // Every word of it is written below (running sums, words left over, carries).
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
      chainedAdders(w, T, w.count, t, za, starts[k][weight], out, out.count);
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

// The 64-bit kernels read every word straight from its array into an expression stored back
// into an array (never into a local: a BigInt local is boxed), which V8 compiles to
// machine-word operations; chainedAdders works on 32-bit halves, whose locals are plain integers.

/**
 * For each of T trees with `count` words of this weight (t ≥ 1 adders), the chain: the running
 * sum S starts as word 0 and is kept in the tree's first output word; adder q takes (S, Y, Z) =
 * (S, word 2q + 1, word 2q + 2), its carry maj(S, Y, Z) = ((S ^ Z) & (Y ^ Z)) ^ Z, whose AND's
 * local share goes into z at word start + i·t + q (z holds a zero-sharing: z ^= xa & (ya ^ yb)
 * ^ xb & ya, binary.ts, with x = S ^ Z and y = Y ^ Z from both components), and S ^= Y ^ Z.
 * The word left over (count even) follows S. With t = 0 the words are copied as they are.
 */
function chainedAdders(w: Words, T: number, count: number, t: number, z: BigUint64Array, start: number, out: Words, outCount: number): void {
  const a = w.a, b = w.b, oa = out.a, ob = out.b;
  // In 32-bit halves (both halves per step): the running sum S stays in four integer locals
  // instead of being read back from its array for every adder, and each word is loaded once
  // (9.5 % less CPU than the 64-bit form on 40 trees of 16,384 words: 3.38 against 3.73 ms).
  const a32 = halves(a), b32 = halves(b), z32 = halves(z), oa32 = halves(oa), ob32 = halves(ob);
  for (let i = 0; i < T; i++) {
    const A = i * count, to = i * outCount;
    if (t === 0) {
      oa.set(a.subarray(A, A + count), to);
      ob.set(b.subarray(A, A + count), to);
      continue;
    }
    let sa0 = a32[2 * A], sa1 = a32[2 * A + 1], sb0 = b32[2 * A], sb1 = b32[2 * A + 1];
    // Adder q reads words Y = A + 2q + 1 and Z = Y + 1: halves 2Y, 2Y + 1 and 2Y + 2, 2Y + 3.
    for (let q = 0, Y = 2 * (A + 1), o = 2 * (start + i * t); q < t; q++, Y += 4, o += 2) {
      const ay0 = a32[Y], ay1 = a32[Y + 1], az0 = a32[Y + 2], az1 = a32[Y + 3];
      const by0 = b32[Y], by1 = b32[Y + 1], bz0 = b32[Y + 2], bz1 = b32[Y + 3];
      const ya0 = ay0 ^ az0, ya1 = ay1 ^ az1, yb0 = by0 ^ bz0, yb1 = by1 ^ bz1;
      z32[o] ^= ((sa0 ^ az0) & (ya0 ^ yb0)) ^ ((sb0 ^ bz0) & ya0);
      z32[o + 1] ^= ((sa1 ^ az1) & (ya1 ^ yb1)) ^ ((sb1 ^ bz1) & ya1);
      sa0 ^= ya0;
      sa1 ^= ya1;
      sb0 ^= yb0;
      sb1 ^= yb1;
    }
    oa32[2 * to] = sa0;
    oa32[2 * to + 1] = sa1;
    ob32[2 * to] = sb0;
    ob32[2 * to + 1] = sb1;
    if (count - 2 * t === 2) {
      oa[to + 1] = a[A + count - 1];
      ob[to + 1] = b[A + count - 1];
    }
  }
}

function halves(x: BigUint64Array): Int32Array {
  return new Int32Array(x.buffer, x.byteOffset, 2 * x.length);
}

/** The carries z ^ Z (Z = word 2q + 2 of adder q) of each tree into its run of the next weight's `out`, from word `offset`. */
function carries(w: BigUint64Array, T: number, count: number, t: number, z: BigUint64Array, start: number, out: BigUint64Array, outCount: number, offset: number): void {
  for (let i = 0; i < T; i++) {
    const from = i * count + 2, o = start + i * t, to = i * outCount + offset;
    for (let q = 0; q < t; q++) out[to + q] = z[o + q] ^ w[from + 2 * q];
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
