/**
 * Many-to-many join up to a declared output bound M (Krastnikov, Kerschbaum and Stebila,
 * "Efficient Oblivious Database Joins", VLDB 2020, built from this codebase's sort, segmented
 * scans, compaction and shuffle): no node learns which rows matched, nor how many rows share a
 * key; what is opened is whether the output exceeds M, then (reveal-count) the output row count.
 *
 * 1. Stack left then right rows (origin 0/1, each side's payload in shared slots, zero on the
 *    other side's rows) and sort by key (stable: within a key the left rows come first).
 * 2. Group flags; a forward segmented sum of "matchable left" and "matchable right" and a
 *    backward one of "matchable right" give per row: cL (left rows of its key, read on right
 *    rows), cR (right rows of its key) and iR (a right row's rank among them).
 * 3. Multiplicities: a left row appears cR times, a right row cL times (both 0 when not
 *    matchable); a left join adds each existing left row that matched nothing once. The total is
 *    compared with M and that one bit opened: more is refused, and nothing else is learned.
 * 4. Output layout: key by key, each left row's copies side by side with its key's right rows in
 *    order, i.e. the pair (k-th left row, iR-th right row) of a key whose outputs start at g lies
 *    at g + k·cR + iR; the left join's unmatched rows follow, from the inner total T on. Left
 *    row i starts at the exclusive prefix sum of the left multiplicities; its copies are
 *    consecutive. Right row copies are made consecutive first and then routed.
 * 5. One oblivious expansion (expand.ts) repeats each left row at its positions and each right
 *    row cL times; the right copy k goes to g + k·cR + iR (copies past the right total stay in
 *    place), which is a permutation of 0 … M − 1: the copies are shuffled, the destinations of
 *    the shuffled rows opened (a random permutation, nothing else) and put in place locally.
 * 6. The two sides are zipped row by row: left copy p with the right copy routed to p.
 *
 * Cost (n = left + right rows, L = ceil(log2 n), L' = ceil(log2(n + 2M))): sort of n rows carrying
 * 3 (+1 for a left join) + max(P_left, P_right) columns; 9 rounds of flags; 2 scans of L levels
 * (8 bytes per row and column per level); 1 multiplication round (24 bytes per row); eq with 0 and
 * injection (9 rounds); a left join 1 more multiplication; the bound check (10 rounds + 1 to open,
 * one element); 1 multiplication (24 bytes per row); the expansion (expand.ts: a sort of n + 2M
 * rows, L' scan levels, a compaction, an lt of 2M); 2 multiplications (the routing, 8 bytes per
 * output row, + 8·P_right for a left join), a shuffle and an opening (4 rounds), and for
 * reveal-count a compaction (4 rounds).
 */

import { ProtocolError, UsageError } from '../../errors.js';
import { mul } from '../protocols/arith.js';
import { eq, lt } from '../protocols/compare.js';
import { bitInject } from '../protocols/convert.js';
import { open } from '../protocols/io.js';
import { shuffle } from '../protocols/shuffle.js';
import { sortByKey } from '../protocols/sort.js';
import { addConstA, addPublicA, publicA } from '../sharing.js';
import type { Session } from '../session.js';
import { addA, AShare, concatA, negA, prefixSumA, scaleA, splitA, subA, sumA } from '../shares.js';
import { compact, gather } from './compact.js';
import { expand } from './expand.js';
import { groupFlags } from './group-flags.js';
import { segmentedScan } from './segmented-scan.js';

export interface ManySide {
  readonly key: AShare;
  readonly payload: readonly AShare[];
  /** 0/1 per row: 1 where the row takes part in matching (valid, key not null). Absent: every row. */
  readonly matchable?: AShare;
  /** 0/1 per row: 1 where the row exists (a left join keeps the left rows that matched nothing). Absent: every row. */
  readonly exists?: AShare;
}

export interface ManyJoined {
  readonly left: AShare[];
  /** The right payload of each output row; zeros where no right row matched (a left join). */
  readonly right: AShare[];
  /** 1 where the output row has a right row (a left join's null marker for the right side). */
  readonly matched: AShare;
  /** 'oblivious' only: the output's bound rows with 1 on the output rows. */
  readonly valid?: AShare;
  /** 'reveal-count' only: the number of output rows (public). */
  readonly count?: number;
}

export async function manyToManyJoin(s: Session, left: ManySide, right: ManySide, how: 'inner' | 'left', mode: 'reveal-count' | 'oblivious', bound: number, exceeds: () => Error): Promise<ManyJoined> {
  const nL = left.key.length, nR = right.key.length, n = nL + nR;
  const pL = left.payload.length, pR = right.payload.length;
  if (!Number.isSafeInteger(bound) || bound < 1) throw new UsageError(`manyToManyJoin: the bound is a whole number of rows, at least 1 (got ${bound})`);
  if (n === 0) return noRows(pL, pR, mode, bound);
  const ones = (k: number): AShare => publicA(s.me, new BigUint64Array(k).fill(1n));
  const pad = (c: AShare, before: number, after: number): AShare => concatA([AShare.zeros(before), c, AShare.zeros(after)]);
  const slots = Array.from({ length: Math.max(pL, pR) }, (_, i) => addA(i < pL ? pad(left.payload[i], 0, nR) : AShare.zeros(n), i < pR ? pad(right.payload[i], nL, 0) : AShare.zeros(n)));
  const origin = publicA(s.me, new BigUint64Array(n).fill(1n, nL));
  const keepsLeft = how === 'left';
  const carried = [origin, pad(left.matchable ?? ones(nL), 0, nR), pad(right.matchable ?? ones(nR), nL, 0), ...(keepsLeft ? [pad(left.exists ?? ones(nL), 0, nR)] : []), ...slots];
  const sorted = await sortByKey(s, concatA([left.key, right.key]), carried);
  const [side, isL, isR] = sorted.payload;
  const existsL = keepsLeft ? sorted.payload[3] : undefined;
  const payload = sorted.payload.slice(keepsLeft ? 4 : 3);

  const flags = await groupFlags(s, sorted.key);
  const [runL, runR] = await segmentedScan(s, flags.continues, [{ values: isL, op: 'sum' }, { values: isR, op: 'sum' }]);
  const restR = await backwardSum(s, flags.continues, isR);
  const cR = subA(addA(runR, restR), isR); // right rows of the key (left rows come first: restR there)
  const [multL, multR, cross] = splitA(await mul(s, concatA([isL, isR, runL]), concatA([cR, runL, cR])), [n, n, n]);
  const [zL, zR] = splitA(await bitInject(s, await eq(s, concatA([multL, multR]), AShare.zeros(2 * n))), [n, n]);
  const unmatched = existsL ? await mul(s, existsL, zL) : AShare.zeros(n);
  const inner = sumA(multL);
  const total = addA(inner, sumA(unmatched));
  const over = await open(s, await bitInject(s, await lt(s, publicA(s.me, BigUint64Array.of(BigInt(bound))), total)));
  if (over[0] === 1n) throw exceeds();

  // Starts: a left row with copies at its exclusive prefix sum, an unmatched one at T + its rank
  // among those, a right row at its own prefix sum; rows without copies at `bound`.
  const exclusive = (x: AShare): AShare => subA(prefixSumA(x), x);
  const before = exclusive(multL);
  const hasL = addConstA(s.me, negA(zL), 1n), hasR = addConstA(s.me, negA(zR), 1n);
  const tail = addA(broadcast(inner, n), exclusive(unmatched));
  const [atL, atR, atU] = splitA(await mul(s, concatA([hasL, hasR, unmatched]), concatA([before, exclusive(multR), tail])), [n, n, n]);
  const m = BigInt(bound);
  const startL = addConstA(s.me, subA(addA(atL, atU), scaleA(addA(hasL, unmatched), m)), m);
  const startR = addConstA(s.me, subA(atR, scaleA(hasR, m)), m);
  const start = addConstA(s.me, addA(startL, startR), -m); // one of them is `bound`
  const length = addA(addA(multL, unmatched), multR);
  const groupStart = subA(before, cross);
  const rank = addConstA(s.me, runR, -1n);

  const ex = await expand(s, { side, start, length, values: [cR, rank, groupStart, ...payload] }, bound);
  const leftOut = ex.values[0].slice(3, 3 + pL);
  const [partners, rankOut, groupOut, ...rightSlots] = ex.values[1];
  const rightValues = rightSlots.slice(0, pR);
  const validR = ex.valid[1];
  const positions = new BigUint64Array(bound);
  for (let p = 0; p < bound; p++) positions[p] = BigInt(p);
  const copy = await mul(s, ex.offset[1], partners);
  const move = addPublicA(s.me, addA(addA(groupOut, copy), rankOut), positions.map((p) => BigInt.asUintN(64, -p)));
  // Right copies past the right total stay where they are; a left join zeroes them (their slots repeat the last right row).
  const factors = [move, ...(keepsLeft ? rightValues : [])];
  const products = splitA(await mul(s, concatA(factors.map(() => validR)), concatA(factors)), factors.map(() => bound));
  const destination = addPublicA(s.me, products[0], positions);
  const routed = await route(s, destination, [validR, ...(keepsLeft ? products.slice(1) : rightValues)], bound);
  const [matched, ...rightOut] = routed;

  const valid = ex.valid[0];
  if (mode === 'oblivious') return { left: leftOut, right: rightOut, matched, valid };
  const kept = await compact(s, [...leftOut, ...rightOut, matched], valid);
  return { left: kept.columns.slice(0, pL), right: kept.columns.slice(pL, pL + pR), matched: kept.columns[pL + pR], count: kept.count };
}

/** Rows moved to their secret destinations, a permutation of 0 … bound − 1: shuffle, open the destinations, place. */
async function route(s: Session, destination: AShare, columns: readonly AShare[], bound: number): Promise<AShare[]> {
  const shuffled = await shuffle(s, { arith: [destination, ...columns], binary: [] });
  const opened = await open(s, shuffled.arith[0]);
  const at = new Int32Array(bound).fill(-1);
  opened.forEach((d, k) => {
    if (d >= BigInt(bound) || at[Number(d)] !== -1) throw new ProtocolError(`manyToManyJoin: the opened routing destinations are not a permutation of the ${bound} output rows`);
    at[Number(d)] = k;
  });
  return shuffled.arith.slice(1).map((c) => gather(c, at));
}

/** Per row, the sum of `x` from the row to the end of its segment: the segmented scan run backwards. */
async function backwardSum(s: Session, continues: AShare, x: AShare): Promise<AShare> {
  const n = continues.length;
  // Backwards, row j (= n-1-i) continues the segment of row j-1 (= i+1) when row i+1 continued row i.
  const back = AShare.zeros(n);
  for (let j = 1; j < n; j++) {
    back.a[j] = continues.a[n - j];
    back.b[j] = continues.b[n - j];
  }
  const [sums] = await segmentedScan(s, back, [{ values: reversed(x), op: 'sum' }]);
  return reversed(sums);
}

function reversed(x: AShare): AShare {
  return new AShare(x.a.slice().reverse(), x.b.slice().reverse());
}

/** A one-element share repeated n times (each party repeats its components: linear). */
function broadcast(x: AShare, n: number): AShare {
  return new AShare(new BigUint64Array(n).fill(x.a[0]), new BigUint64Array(n).fill(x.b[0]));
}

function noRows(pL: number, pR: number, mode: 'reveal-count' | 'oblivious', bound: number): ManyJoined {
  const size = mode === 'oblivious' ? bound : 0;
  const zeros = (k: number): AShare[] => Array.from({ length: k }, () => AShare.zeros(size));
  return { left: zeros(pL), right: zeros(pR), matched: AShare.zeros(size), ...(mode === 'oblivious' ? { valid: AShare.zeros(size) } : { count: 0 }) };
}
