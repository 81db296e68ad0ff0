/**
 * Group-by on a key with a small public domain 0..d-1 (categories, booleans, small declared
 * ranges): one-hot indicators, then counts and sums as inner products (the fast path for
 * category columns; no sort, nothing revealed).
 *
 * Per block of rows:
 * 1. Bit decomposition of the key (convert.ts a2b: 8 rounds, ~104 bytes per row).
 * 2. "In domain": the key's bits k..63 are all zero (k = ceil(log2 d)), one AND tree over the
 *    word with its low k bits forced to 1 (compare.ts andTree: 6 rounds, ~8 bytes per row).
 *    Keys outside [0, 2^k) thus fall in no level instead of aliasing into one.
 * 3. The indicators of all 2^k levels by a product tree over the key's bit planes: starting
 *    from "in domain", each bit b splits every term t into t AND NOT b = t ^ (t AND b) and
 *    t AND b; one batched AND per bit: k rounds, 2^k - 1 bits per row in all.
 * 4. Bit injection of the d indicators that are levels (inject.ts: 2 rounds, 8 bytes per
 *    row and level).
 * 5. Counts: the sum of each injected indicator (local). Sums: all inner products of the
 *    indicators with the value columns (inner-products.ts: 1 round, 8 bytes per output).
 * Blocks bound the memory (d injected indicators of every row of a block are held at once) and
 * their results are added up; each block costs k + 17 rounds.
 *
 * Cost per row: ~112 + (2^k - 1)/8 + 8d bytes. Keys in [d, 2^k) and outside [0, 2^k) are
 * counted in no level: the caller learns how many rows fell outside only if it opens
 * rows - sum(counts). Sums wrap mod 2^64 (the caller bounds them).
 */

import { UsageError } from '../../errors.js';
import { ONES } from '../../ring/bitops.js';
import { planesOf } from '../../ring/planes.js';
import { andBits } from '../protocols/binary.js';
import { andTree } from '../protocols/compare.js';
import { a2b } from '../protocols/convert.js';
import { injectBits } from '../protocols/inject.js';
import { innerProducts } from '../protocols/inner-products.js';
import { constantSlot } from '../sharing.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare, addA, concatBits, sliceBits, sumA, xorBits } from '../shares.js';

/** The largest domain of the one-hot path; larger keys go through groupByKey (sort and scan). */
export const MAX_ONE_HOT_DOMAIN = 4096;
/** Indicators held at once per block (rows x levels). */
const BLOCK_INDICATORS = 1 << 21;

export interface DomainGroups {
  /** counts[v] = rows whose key is v, for v in 0..d-1. */
  readonly counts: AShare;
  /** sums[c][v] = sum of column c over the rows whose key is v. */
  readonly sums: AShare[];
}

export async function groupByDomain(s: Session, key: AShare, domain: number, values: readonly AShare[]): Promise<DomainGroups> {
  if (!Number.isInteger(domain) || domain < 1 || domain > MAX_ONE_HOT_DOMAIN) {
    throw new UsageError(`groupByDomain: the domain must be a whole number of levels from 1 to ${MAX_ONE_HOT_DOMAIN} (got ${domain}); group larger keys with groupByKey`);
  }
  const n = key.length;
  for (const v of values) if (v.length !== n) throw new UsageError(`groupByDomain: a value column has ${v.length} rows, the key ${n}`);
  let counts = AShare.zeros(domain);
  let sums = values.map(() => AShare.zeros(domain));
  const block = Math.max(64, Math.floor(BLOCK_INDICATORS / domain / 64) * 64);
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    const part = await blockGroups(s, key.slice(start, end), domain, values.map((v) => v.slice(start, end)));
    counts = addA(counts, part.counts);
    sums = sums.map((acc, c) => addA(acc, part.sums[c]));
  }
  return { counts, sums };
}

async function blockGroups(s: Session, key: AShare, domain: number, values: readonly AShare[]): Promise<DomainGroups> {
  const n = key.length;
  const k = Math.max(1, Math.ceil(Math.log2(domain)));
  const bits = await a2b(s, key);
  const inDomain = await andTree(s, ...highBitsClear(s, bits, k), n);
  const planesA = planesOf(bits.a, k), planesB = planesOf(bits.b, k);
  let terms: BitShare[] = [inDomain];
  for (let j = 0; j < k; j++) {
    const m = terms.length;
    const b = new BitShare(planesA[j], planesB[j], n);
    const both = await andBits(s, concatBits(terms), concatBits(terms.map(() => b)));
    const withBit = terms.map((_, t) => sliceBits(both, t * n, n));
    const next: BitShare[] = new Array<BitShare>(2 * m);
    terms.forEach((t, i) => {
      next[i] = xorBits(t, withBit[i]); // t AND NOT b
      next[i + m] = withBit[i]; // level index gains bit j
    });
    terms = next;
  }
  const indicators = await injectBits(s, terms.slice(0, domain));
  const counts = new AShare(new BigUint64Array(domain), new BigUint64Array(domain));
  indicators.forEach((x, v) => {
    const c = sumA(x);
    counts.a[v] = c.a[0];
    counts.b[v] = c.b[0];
  });
  if (values.length === 0) return { counts, sums: [] };
  // products[v * values.length + c] = <indicator v, column c>.
  const products = await innerProducts(s, indicators, values);
  const sums = values.map((_, c) => {
    const out = AShare.zeros(domain);
    for (let v = 0; v < domain; v++) {
      out.a[v] = products.a[v * values.length + c];
      out.b[v] = products.b[v * values.length + c];
    }
    return out;
  });
  return { counts, sums };
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
