/**
 * Group-by on a key with a small public domain 0..d-1 (categories, booleans, small declared
 * ranges): one-hot indicators, then counts and sums as inner products (the fast path for
 * category columns; no sort, nothing revealed).
 *
 * The indicators come in two factors (an outer product), so that far fewer than d of them are
 * turned arithmetic per row: with the key's k = ceil(log2 d) bits split into a low field of j
 * bits (L = 2^j values) and a high field (H = ceil(d / L) values used), [key = h·L + l] =
 * A_h · B_l, and
 *   count(h·L + l) = <A_h, B_l>,   sum_x(h·L + l) = <A_h, B_l · x>,
 * inner products that cost one word per output whatever the number of rows. Per row that is
 * H + L bit injections and L·c multiplications (c value columns) instead of d injections:
 * 37 words instead of 100 for d = 100, c = 2; 21 instead of 100 for a 10 x 10 crosstab.
 * levelSplit picks j for the fewest words (then rounds).
 *
 * Steps 1-3 once for the whole column (their rounds paid once; the binary indicators are H + L
 * bits per row), steps 4-6 per block of rows:
 * 1. Bit decomposition of the key (convert.ts a2b: 8 rounds, ~104 bytes per row; with keyBits
 *    the narrow one straight into bit planes, convert-narrow.ts a2bNarrowPlanes).
 * 2. "In domain": the key's bits k..63 are all zero, one AND tree over the word with its low k
 *    bits forced to 1 (compare.ts andTree: 6 rounds, ~8 bytes per row). Keys outside
 *    [0, 2^k) thus fall in no level instead of aliasing into one; keys in [d, 2^k) land in
 *    combinations (h, l) that are not output.
 * 3. The binary indicators of both fields (level-indicators.ts), "in domain" as the low
 *    field's root: max(j, k - j - 1) rounds, 2^j + 2^(k-j) bits per row.
 * 4. Bit injection of the H + L indicators (inject.ts: 2 rounds, 8 bytes per row each).
 * 5. B_l · W for every low value and value payload W (arith.ts mulPairs: 1 round, 8 bytes each;
 *    with every key in the domain the last low value's indicator and products are local, lowTermsOf).
 * 6. All inner products of the A_h with the B_l and the B_l · W, several sums per ring element
 *    where their bounds allow (packed-sums.ts; inner-products.ts: 1 round, 8 bytes per output).
 *    The packed right operands and the derived last low value are linear combinations of the
 *    injected and multiplied vectors, formed inside the inner-product kernel (no pass in JavaScript).
 * Blocks bound the memory (the H + L + L·c arithmetic vectors of a block are held at once) and
 * their packed results are added up; the fields are unpacked once at the end (a2b and weighted
 * injection of the H × bins totals: 10 rounds, when some element holds more than one sum).
 *
 * Cost per row: ~112 + 8(H + L + L·p) bytes for p value payloads (p ≤ c: columns whose sums
 * fit together in 64 bits share one). Keys in [d, 2^k) and outside [0, 2^k) are
 * counted in no level: the caller learns how many rows fell outside only if it opens
 * rows - sum(counts). Sums wrap mod 2^64 (the caller bounds them).
 */

import { UsageError } from '../../errors.js';
import { ONES } from '../../ring/bitops.js';
import { wordsFor } from '../../ring/bits.js';
import { planesOf } from '../../ring/planes.js';
import { mulPairs } from '../protocols/arith.js';
import { andTree } from '../protocols/compare.js';
import { a2b } from '../protocols/convert.js';
import { a2bNarrowPlanes, NARROW_A2B_MAX_BITS } from '../protocols/convert-narrow.js';
import { injectBits } from '../protocols/inject.js';
import { innerProducts, innerProductsOfCombinations } from '../protocols/inner-products.js';
import type { RightCombination } from '../protocols/inner-terms.js';
import { constantSlot, notBits, publicA } from '../sharing.js';
import { ScratchLease } from '../scratch-lease.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare, addA, concatA, subA, sumA } from '../shares.js';
import { fieldIndicators } from './level-indicators.js';
import { binCombinations, payloadScratchWords, payloadVectors, sumLayout, unpackSums, type SumLayout, type ValueBounds } from './packed-sums.js';

/** The largest domain of the one-hot path; larger keys go through groupByKey (sort and scan). */
export const MAX_ONE_HOT_DOMAIN = 4096;
/** Arithmetic indicator words held at once per block (rows x words per row, levelSplit). */
const BLOCK_INDICATORS = 1 << 21;

export interface DomainGroups {
  /** counts[v] = rows whose key is v, for v in 0..d-1. */
  readonly counts: AShare;
  /** sums[c][v] = sum of column c over the rows whose key is v. */
  readonly sums: AShare[];
}

export interface DomainOptions {
  /**
   * Every key is known to lie in [0, domain) (the caller's guarantee: all rows valid, keys from
   * declared levels). A key of at most two levels is then its own indicator (bitKeyGroups).
   */
  readonly inDomain?: boolean;
  /**
   * The key is known to lie in [0, 2^keyBits) (keyBits <= 32): a group index whose table keeps
   * its invariants (secret-table.ts; ops/group-key.ts: index <= domain). The bit decomposition then
   * runs on packed lanes (convert-narrow.ts: 5 rounds and ~3 bytes per row instead of 8 and 104),
   * and "in domain" is local. A key outside that range would be counted as its residue.
   */
  readonly keyBits?: number;
  /**
   * Per value column, bounds that hold in every row (with inDomain: the declared range, widened
   * to 0 for nullable columns). Sums then share ring elements (packed-sums.ts): fewer
   * multiplications and inner-product terms per row. Ignored without inDomain.
   */
  readonly bounds?: readonly (ValueBounds | undefined)[];
}

export async function groupByDomain(s: Session, key: AShare, domain: number, values: readonly AShare[], options: DomainOptions = {}): Promise<DomainGroups> {
  if (!Number.isInteger(domain) || domain < 1 || domain > MAX_ONE_HOT_DOMAIN) {
    throw new UsageError(`groupByDomain: the domain must be a whole number of levels from 1 to ${MAX_ONE_HOT_DOMAIN} (got ${domain}); group larger keys with groupByKey`);
  }
  const n = key.length;
  for (const v of values) if (v.length !== n) throw new UsageError(`groupByDomain: a value column has ${v.length} rows, the key ${n}`);
  if (options.bounds !== undefined && options.bounds.length !== values.length) throw new UsageError(`groupByDomain: ${options.bounds.length} bounds for ${values.length} value columns`);
  if (options.inDomain && domain <= 2) return bitKeyGroups(s, key, domain, values);
  if (n === 0) return { counts: AShare.zeros(domain), sums: values.map(() => AShare.zeros(domain)) };
  // Values pack only when every row lands in an output level (packed-sums.ts); counts always do.
  const bounds = values.map((_, c) => (options.inDomain ? options.bounds?.[c] : undefined));
  const bits = Math.max(1, Math.ceil(Math.log2(domain)));
  // The split by the words per row: injections and one multiplication per low value and value payload.
  const valuePayloads = sumLayout(1, n, bounds).payloads.length - 1;
  const split = levelSplit(domain, valuePayloads);
  const L = 2 ** split.lowBits;
  const layout = sumLayout(L, n, bounds);
  // Steps 1-3 on the whole column at once: their rounds are paid once, not per block, and the
  // binary indicators take H + L bits per row (a few MB at a million rows).
  // The indicators live through the blocks loop and no longer: pooled memory, given back after it.
  const memory = new ScratchLease(s.party.scratch, indicatorWords(n, split.lowBits, bits));
  let totals = AShare.zeros(split.high * layout.bins.length);
  try {
    const fields = await keyIndicators(s, key, split.lowBits, bits, split.high, options.keyBits, memory);
    for (const [start, end] of blockBounds(n, split.words)) {
      const slice = (f: readonly BitShare[]): BitShare[] => f.map((x) => wordAlignedSlice(x, start, end));
      totals = addA(totals, await blockTotals(s, { low: slice(fields.low), high: slice(fields.high) }, split.lowBits, bits, split.high, values.map((v) => v.slice(start, end)), layout, options.inDomain === true));
    }
  } finally {
    memory.close();
  }
  const sums = await unpackSums(s, layout, totals, split.high, L, values.length);
  const pick = (all: AShare): AShare => all.slice(0, domain);
  return { counts: pick(sums[0]), sums: sums.slice(1).map(pick) };
}

/**
 * A key known to be 0 or 1 (domain ≤ 2, every key in it) is the arithmetic indicator of level 1
 * already, and 1 − key that of level 0: count(1) = Σ key, sum_x(1) = <key, x> (one inner-product
 * round, 8 bytes per column), level 0 the totals minus level 1 (local). No a2b, no injection:
 * a two-group t-test's group-by costs one round instead of ~20 and ~120 bytes per row.
 */
async function bitKeyGroups(s: Session, key: AShare, domain: number, values: readonly AShare[]): Promise<DomainGroups> {
  const n = BigInt(key.length);
  const totals = values.map((v) => sumA(v));
  if (domain === 1) return { counts: publicA(s.me, BigUint64Array.of(n)), sums: totals };
  const ones = sumA(key);
  const inner = values.length > 0 ? await innerProducts(s, [key], values) : AShare.zeros(0);
  const pair = (total: AShare, one: AShare): AShare => concatA([subA(total, one), one]);
  return { counts: pair(publicA(s.me, BigUint64Array.of(n)), ones), sums: totals.map((total, c) => pair(total, inner.slice(c, c + 1))) };
}

/** The low field's width j (L = 2^j values) and the high field's used values H, for d levels and c value columns. */
export function levelSplit(domain: number, columns: number): { lowBits: number; bits: number; high: number; words: number } {
  const bits = Math.max(1, Math.ceil(Math.log2(domain)));
  let best = { lowBits: 0, bits, high: domain, words: Infinity, rounds: Infinity };
  for (let j = 0; j <= bits; j++) {
    const low = 2 ** j, high = Math.ceil(domain / low);
    const words = high + low + low * columns;
    const rounds = Math.max(j, bits - j - 1);
    if (words < best.words || (words === best.words && rounds < best.rounds)) best = { lowBits: j, bits, high, words, rounds };
  }
  return { lowBits: best.lowBits, bits, high: best.high, words: best.words };
}

/**
 * The rows of each block: at most BLOCK_INDICATORS / words rows, a multiple of 64 (so that the
 * blocks' indicator bits are whole words of the column's), except that a remainder of at most
 * an eighth of a block joins the last block instead of paying a block's rounds alone (at a
 * million rows and 26 words, 13 blocks and 256 rows: the 256 join the 13th).
 */
export function blockBounds(n: number, words: number): [number, number][] {
  const block = Math.max(64, Math.floor(BLOCK_INDICATORS / words / 64) * 64);
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += block) out.push([start, Math.min(n, start + block)]);
  if (out.length >= 2 && out[out.length - 1][1] - out[out.length - 1][0] <= block / 8) {
    const [tail] = out.splice(out.length - 1, 1);
    out[out.length - 1][1] = tail[1];
  }
  return out;
}

/** Rows [start, end) of a bit share, start a multiple of 64: views of its words, no copy. */
function wordAlignedSlice(x: BitShare, start: number, end: number): BitShare {
  if (start % 64 !== 0) throw new UsageError(`one-hot: a block starts at row ${start}, not at a word`);
  if (start === 0 && end === x.length) return x;
  const from = start >>> 6, to = from + wordsFor(end - start);
  // Inside the column a block ends on a word (a multiple of 64 rows); the last one ends with the column, whose tail is clear.
  return new BitShare(x.a.subarray(from, to), x.b.subarray(from, to), end - start);
}

interface KeyIndicators {
  /** The low field's binary indicators B_0..B_(L-1) (their root: "in domain"). */
  readonly low: readonly BitShare[];
  /** The high field's used values' indicators A_0..A_(H-1) (none when j = k). */
  readonly high: readonly BitShare[];
}

/**
 * Words of the fields' indicators and the terms before them (level-indicators.ts: at most two
 * components of 2^(w+1) terms for a field of w planes), for the key's fields of j and k - j bits.
 */
function indicatorWords(n: number, j: number, k: number): number {
  return wordsFor(n) * (2 ** (j + 2) + (j < k ? 2 ** (k - j + 2) : 0));
}

/** Steps 1-3 (the header): the key's bits, "in domain", and both fields' binary indicators. */
async function keyIndicators(s: Session, key: AShare, j: number, k: number, H: number, keyBits: number | undefined, memory: ScratchLease): Promise<KeyIndicators> {
  const n = key.length;
  const narrow = keyBits !== undefined && keyBits <= NARROW_A2B_MAX_BITS && keyBits <= k + 1;
  // The bits read: k, and bit k too when the key may reach 2^k (keyBits = k + 1).
  const width = narrow ? Math.max(k, keyBits) : k;
  // In domain: bits k..63 all zero. Known below 2^width, that is at most bit k, whose NOT is
  // local (a public 1 when width = k); otherwise one AND tree over the word.
  let decomposed: BitShare[], inDomain: BitShare;
  if (narrow) {
    decomposed = await a2bNarrowPlanes(s, key, width);
    inDomain = notBits(s.me, width > k ? decomposed[k] : new BitShare(new BigUint64Array(wordsFor(n)), new BigUint64Array(wordsFor(n)), n));
  } else {
    const bits = await a2b(s, key);
    const planesA = planesOf(bits.a, width), planesB = planesOf(bits.b, width);
    decomposed = planesA.map((a, i) => new BitShare(a, planesB[i], n));
    inDomain = await andTree(s, ...highBitsClear(s, bits, k), n);
  }
  const planes = decomposed.slice(0, k);
  const fields = await fieldIndicators(s, [{ planes: planes.slice(0, j), root: inDomain }, ...(j < k ? [{ planes: planes.slice(j) }] : [])], n, memory);
  return { low: fields[0], high: j < k ? fields[1].slice(0, H) : [] };
}

/** The H × bins packed inner products of one block of rows (packed-sums.ts lays them out). */
/**
 * With every key in the domain (`derive`), each row has exactly one low and one high value, so
 * the last indicator of each field is 1 minus the others: B_(L-1) is formed locally instead of
 * injected, and the last high value's inner products are Σ_rows right_b minus the others' (local
 * sums): 2 injections fewer per row and 1/H of the local terms.
 */
async function blockTotals(s: Session, fields: KeyIndicators, j: number, k: number, H: number, values: readonly AShare[], layout: SumLayout, derive: boolean): Promise<AShare> {
  const n = values.length > 0 ? values[0].length : fields.low[0].length;
  const L = 2 ** j;
  const lowTerms = fields.low;
  const highTerms = fields.high;
  // The injected indicators and the products live only until the inner products: their memory
  // comes from the scratch pool and goes back after them.
  const lowDerived = derive && L >= 2, highDerived = derive && highTerms.length >= 2;
  const lowInjected = lowDerived ? lowTerms.slice(0, L - 1) : lowTerms;
  const highInjected = highDerived ? highTerms.slice(0, H - 1) : highTerms;
  const indicators = lowInjected.length + highInjected.length;
  const P = layout.payloads.length - 1, M = lowInjected.length;
  const injectedWords = 2 * indicators * n, payloadWords = payloadScratchWords(layout, n), productWords = 2 * P * M * n;
  const arena = s.party.scratch.take(injectedWords + payloadWords + productWords);
  try {
    let at = 0;
    const part = (words: number): BigUint64Array => arena.subarray(at, (at += words));
    const injected = await injectBits(s, [...lowInjected, ...highInjected], part(injectedWords));
    const B = injected.slice(0, M);
    // No high field (j = k): a single high value, the public 1.
    const A = j < k ? injected.slice(M) : [publicA(s.me, new BigUint64Array(n).fill(1n))];
    const payloads = payloadVectors(s, layout, values, part(payloadWords));
    // products[(p - 1) · M + l] = W_p · B_l, one multiplication each for the injected B_l.
    const products = P === 0 ? [] : await mulPairs(s, payloads, B, part(productWords));
    // The base vectors of the right operands: the B_l, the products, the payloads.
    const base = [...B, ...products, ...payloads];
    const right = binCombinations(layout, lowTermsOf(s, L, M, P, lowDerived));
    // totals[h * bins + b] = <A_h, right[b]>.
    const { products: totals, rightTotals } = await innerProductsOfCombinations(s, A, base, right);
    return highDerived ? appendLastHigh(totals, rightTotals) : totals;
  } finally {
    s.party.scratch.give(arena);
  }
}

/**
 * B_l · W_p (B_l for p = 0) as a combination of the base vectors [B_0..B_(M-1), the products
 * W_p · B_l (p-major), W_1..W_P]. With a derived last low value (M = L - 1), B_(L-1) = 1 - Σ_l B_l
 * and W_p · B_(L-1) = W_p - Σ_l W_p · B_l, an identity of the ring whatever the keys: the last
 * low value's indicator and products cost no injection and no multiplication (8 + 8P bytes per
 * row fewer) and are formed only inside the inner-product kernel.
 */
function lowTermsOf(s: Session, L: number, M: number, P: number, lastDerived: boolean): (low: number, payload: number) => RightCombination {
  const slot = constantSlot(s.me);
  const one = { a: slot === 'a' ? 1n : 0n, b: slot === 'b' ? 1n : 0n };
  const product = (p: number, l: number): number => M + (p - 1) * M + l;
  const others = (index: (l: number) => number): [number, bigint][] => Array.from({ length: M }, (_, l) => [index(l), -1n]);
  return (l, p) => {
    if (l < M) return { terms: [[p === 0 ? l : product(p, l), 1n]] };
    if (!lastDerived || l !== L - 1) throw new UsageError(`one-hot: low value ${l} of ${L} is neither injected nor derived`);
    return p === 0 ? { terms: others((i) => i), constant: one } : { terms: [[M + P * M + (p - 1), 1n], ...others((i) => product(p, i))] };
  };
}

/** The last high value's totals: Σ_rows right_b - Σ_h <A_h, right_b> per bin b (A_last = 1 - Σ_h A_h), given Σ_rows right_b. */
function appendLastHigh(totals: AShare, rightTotals: readonly AShare[]): AShare {
  const R = rightTotals.length, H = totals.length / R;
  const out = AShare.zeros(totals.length + R);
  out.a.set(totals.a);
  out.b.set(totals.b);
  rightTotals.forEach((all, b) => {
    let a = all.a[0], c = all.b[0];
    for (let h = 0; h < H; h++) {
      a -= totals.a[h * R + b];
      c -= totals.b[h * R + b];
    }
    out.a[H * R + b] = BigInt.asUintN(64, a);
    out.b[H * R + b] = BigInt.asUintN(64, c);
  });
  return out;
}

/** Components of NOT(key) OR (2^k - 1): all ones exactly when bits k..63 of the key are zero. */
function highBitsClear(s: Session, bits: BShare, k: number): [BigUint64Array, BigUint64Array] {
  const low = k >= 64 ? ONES : (1n << BigInt(k)) - 1n;
  const slot = constantSlot(s.me);
  // NOT flips component 0; OR with a public mask makes those bits a public 1 (component 0 = 1,
  // the others 0).
  const high = ONES ^ low;
  const word = (v: BigUint64Array, holdsConstant: boolean): BigUint64Array => {
    const out = new BigUint64Array(v.length);
    if (holdsConstant) for (let i = 0; i < v.length; i++) out[i] = (v[i] ^ ONES) | low;
    else for (let i = 0; i < v.length; i++) out[i] = v[i] & high;
    return out;
  };
  return [word(bits.a, slot === 'a'), word(bits.b, slot === 'b')];
}
