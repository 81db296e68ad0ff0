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
import { ProtocolError } from '../../errors.js';
import { injectWeightedSums, type WeightedWords } from './inject-sum.js';

/** Binary-shared words whose bits are counted (all 64 bits of every word; clear unused tails). */
export interface PackedBits {
  readonly a: BigUint64Array;
  readonly b: BigUint64Array;
}

/**
 * Words of one weight of every tree of a group, both components, tree-major: each tree's words
 * are its `h` head words (the running sum and the word left over by the layer before, or all
 * words before the first layer), then its `t` tail words (the carries from the weight below).
 * The tails are the previous layer's AND outputs as they came out of its reshare (one array per
 * component over all trees: tree i's carries at [i·t, (i + 1)·t)), never copied (see layer).
 */
interface Words {
  a: BigUint64Array;
  b: BigUint64Array;
  /** Head words per tree: tree i's at [i·h, (i + 1)·h). */
  h: number;
  ta: BigUint64Array;
  tb: BigUint64Array;
  /** Tail words per tree: tree i's at [i·t, (i + 1)·t). */
  t: number;
  /** Words per tree: h + t. */
  count: number;
}

const NO_WORDS = new BigUint64Array(0);

/** Every Words made here, its fields in one order: one object shape, so the kernels that read them stay monomorphic. */
function wordsOfWeight(a: BigUint64Array, b: BigUint64Array, h: number, ta: BigUint64Array, tb: BigUint64Array, t: number): Words {
  return { a, b, h, ta, tb, t, count: h + t };
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
  // page faults and collections). Each layer's head words live in one pooled buffer and its
  // tails in its AND's two components (the pooled local share and the message received): both
  // given back when the next layer has been built from them.
  const entries = [...byWords.entries()].map(([count, members]) => ({ count, members, inPlace: adjacent(members.map((v) => vectors[v]), count) }));
  let held: LayerMemory = { heads: s.party.scratch.take(2 * entries.reduce((acc, e) => acc + (e.inPlace ? 0 : e.members.length * e.count), 0)) };
  try {
    let at = 0;
    const groups: Group[] = entries.map(({ count, members, inPlace }) => {
      if (inPlace) return { members, classes: [wordsOfWeight(inPlace.a, inPlace.b, count, NO_WORDS, NO_WORDS, 0)] };
      const size = members.length * count;
      const words = wordsOfWeight(held.heads.subarray(at, at + size), held.heads.subarray(at + size, (at += 2 * size)), count, NO_WORDS, NO_WORDS, 0);
      members.forEach((v, i) => {
        words.a.set(vectors[v].a, i * count);
        words.b.set(vectors[v].b, i * count);
      });
      return { members, classes: [words] };
    });
    while (layerPays(adders(groups), roundBytes)) {
      const next = await layer(s, groups);
      release(s, held);
      held = next;
    }
    const remaining: WeightedWords[] = new Array<WeightedWords>(vectors.length);
    for (const g of groups) g.members.forEach((v, i) => (remaining[v] = wordsOf(g, i)));
    return remaining;
  } finally {
    release(s, held);
  }
}

/** A layer's memory: its head words (pooled) and its AND's components, the next layer's tails. */
interface LayerMemory {
  readonly heads: BigUint64Array;
  readonly za?: BigUint64Array;
  readonly zb?: BigUint64Array;
}

function release(s: Session, memory: LayerMemory): void {
  s.party.scratch.give(memory.heads);
  if (memory.za) s.party.scratch.give(memory.za);
  if (memory.zb) s.releaseWords(s.next, memory.zb);
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
 * (chainAdders): one AND round. Each carry maj = AND(S ^ Z, Y ^ Z) ^ Z is the AND's output with Z
 * XORed into its local share before the reshare (Z's component a: this party's third of it), so
 * the reshare's two components are the carries themselves: they become the next layer's tails
 * as they are, with no pass over them and no copy (s13-describe: before, a pass after the round
 * wrote z ^ Z of both components into the next layer's words). Returns the memory that now holds
 * the groups' words.
 */
async function layer(s: Session, groups: readonly Group[]): Promise<LayerMemory> {
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
  // The carries' AND: its local share written straight from the words (the operands S ^ Z and
  // Y ^ Z are never stored), in pooled memory (mpc/scratch.ts; the link copies what it sends).
  const za = Prg.xor(s.prgNext, s.prgPrev, s.party.scratch.take(total));
  // The next layer's words per weight: heads, the running sum and the word left over (count − 2t
  // of them: 1 or 2, or the words as they are without adders); tails, the carries from below.
  const headsOf = groups.map((g, k) => {
    const h = g.classes.map((w, weight) => w.count - 2 * shapes[k][weight]);
    if (shapes[k][shapes[k].length - 1] > 0) h.push(0);
    return h;
  });
  const heads = s.party.scratch.take(2 * groups.reduce((acc, g, k) => acc + g.members.length * headsOf[k].reduce((x, y) => x + y, 0), 0));
  let used = 0;
  const nexts = groups.map((g, k) =>
    headsOf[k].map((h, weight): Words => {
      const size = g.members.length * h, t = weight > 0 ? shapes[k][weight - 1] : 0;
      const from = weight > 0 ? starts[k][weight - 1] : 0, to = from + g.members.length * t;
      return wordsOfWeight(heads.subarray(used, used + size), heads.subarray(used + size, (used += 2 * size)), h, za.subarray(from, to), NO_WORDS, t);
    }),
  );
  groups.forEach((g, k) =>
    g.classes.forEach((w, weight) => {
      chainedAdders(w, g.members.length, shapes[k][weight], za, starts[k][weight], nexts[k][weight]);
    }),
  );
  let zb: BigUint64Array;
  try {
    zb = await s.reshare(za);
  } catch (e) {
    s.party.scratch.give(za);
    s.party.scratch.give(heads);
    throw e;
  }
  groups.forEach((g, k) => {
    nexts[k].forEach((w, weight) => {
      if (w.t > 0) w.tb = zb.subarray(starts[k][weight - 1], starts[k][weight - 1] + g.members.length * w.t);
    });
    g.classes = nexts[k];
  });
  return { heads, za, zb };
}

// The 64-bit kernels read every word straight from its array into an expression stored back
// into an array (never into a local: a BigInt local is boxed), which V8 compiles to
// machine-word operations; chainedAdders works on 32-bit halves, whose locals are plain integers.

/**
 * For each of T trees with `w.count` words of this weight (t ≥ 1 adders), the chain: the running
 * sum S starts as word 0; adder q takes (S, Y, Z) = (S, word 2q + 1, word 2q + 2), its carry
 * maj(S, Y, Z) = ((S ^ Z) & (Y ^ Z)) ^ Z, whose AND's local share, Z's component a XORed in
 * (layer), goes into z at word start + i·t + q (z holds a zero-sharing: z ^= xa & (ya ^ yb) ^
 * xb & ya, binary.ts, with x = S ^ Z and y = Y ^ Z from both components), and S ^= Y ^ Z. The
 * final S is the tree's first head word in `out`, the word left over (count even) its second.
 * With t = 0 the words (head, then tail) are copied as they are.
 *
 * A weight with adders has its words all in its head (the first layer) or all in its tail: in
 * layer L only weight L − 1, the top, has three words or more (each weight below was cut to at
 * most two by its own chain, and the weight under it no longer sends carries), and the top is
 * new, made of the carries alone. Anything else is a broken tree: refused, never miscounted.
 */
function chainedAdders(w: Words, T: number, t: number, z: BigUint64Array, start: number, out: Words): void {
  const h = w.h, tt = w.t, count = w.count, oh = out.h;
  if (t > 0 && h > 0 && tt > 0) throw new ProtocolError(`popcount: a weight of ${h} head and ${tt} tail words with adders`);
  // In 32-bit halves (both halves per step): the running sum S stays in four integer locals
  // instead of being read back from its array for every adder, and each word is loaded once
  // (9.5 % less CPU than the 64-bit form on 40 trees of 16,384 words: 3.38 against 3.73 ms).
  const ha = halves(w.a), hb = halves(w.b), ta = halves(w.ta), tb = halves(w.tb), z32 = halves(z), oa32 = halves(out.a), ob32 = halves(out.b);
  // The words of a weight with adders: its head, or its tail (per tree: `per` words).
  const xa = tt > 0 ? ta : ha, xb = tt > 0 ? tb : hb, per = 2 * count;
  for (let i = 0; i < T; i++) {
    const to = 2 * i * oh;
    if (t === 0) {
      const H = 2 * i * h, L = 2 * i * tt;
      for (let k = 0; k < 2 * count; k++) {
        oa32[to + k] = k < 2 * h ? ha[H + k] : ta[L + k - 2 * h];
        ob32[to + k] = k < 2 * h ? hb[H + k] : tb[L + k - 2 * h];
      }
      continue;
    }
    const A = i * per;
    let sa0 = xa[A], sa1 = xa[A + 1], sb0 = xb[A], sb1 = xb[A + 1];
    // Adder q reads words Y = 2q + 1 and Z = Y + 1 of the tree: halves Y, Y + 1 and Y + 2, Y + 3 from A.
    for (let q = 0, Y = A + 2, o = 2 * (start + i * t); q < t; q++, Y += 4, o += 2) {
      const ay0 = xa[Y], ay1 = xa[Y + 1], az0 = xa[Y + 2], az1 = xa[Y + 3];
      const by0 = xb[Y], by1 = xb[Y + 1], bz0 = xb[Y + 2], bz1 = xb[Y + 3];
      const ya0 = ay0 ^ az0, ya1 = ay1 ^ az1, yb0 = by0 ^ bz0, yb1 = by1 ^ bz1;
      z32[o] ^= ((sa0 ^ az0) & (ya0 ^ yb0)) ^ ((sb0 ^ bz0) & ya0) ^ az0;
      z32[o + 1] ^= ((sa1 ^ az1) & (ya1 ^ yb1)) ^ ((sb1 ^ bz1) & ya1) ^ az1;
      sa0 ^= ya0;
      sa1 ^= ya1;
      sb0 ^= yb0;
      sb1 ^= yb1;
    }
    oa32[to] = sa0;
    oa32[to + 1] = sa1;
    ob32[to] = sb0;
    ob32[to + 1] = sb1;
    if (count - 2 * t === 2) {
      // The word left over: the tree's last.
      oa32[to + 2] = xa[A + per - 2];
      oa32[to + 3] = xa[A + per - 1];
      ob32[to + 2] = xb[A + per - 2];
      ob32[to + 3] = xb[A + per - 1];
    }
  }
}

function halves(x: BigUint64Array): Int32Array {
  return new Int32Array(x.buffer, x.byteOffset, 2 * x.length);
}

/** Tree i's remaining words (at most two per weight), each with its weight's exponent. */
function wordsOf(g: Group, i: number): WeightedWords {
  const size = g.classes.reduce((acc, w) => acc + w.count, 0);
  const a = new BigUint64Array(size), b = new BigUint64Array(size), shifts = new Uint8Array(size);
  let at = 0;
  g.classes.forEach((w, k) => {
    a.set(w.a.subarray(i * w.h, (i + 1) * w.h), at);
    b.set(w.b.subarray(i * w.h, (i + 1) * w.h), at);
    a.set(w.ta.subarray(i * w.t, (i + 1) * w.t), at + w.h);
    b.set(w.tb.subarray(i * w.t, (i + 1) * w.t), at + w.h);
    shifts.fill(k, at, (at += w.count));
  });
  return { a, b, shifts };
}
