/**
 * Primary-key to foreign-key join, sort-based (ORQ, SOSP'25; the same idea as Asharov et al.
 * and MRR20's oblivious joins): no node learns which rows matched.
 *
 * 1. Stack the two tables: the primary table's rows, then the foreign table's, with an origin
 *    column (0 primary, 1 foreign) and each side's payload padded with zeros on the other.
 * 2. Sort by key (sort.ts sortByKey). The sort is stable and primary rows come first in the stack,
 *    so within a key the primary rows precede the foreign rows.
 * 3. Group flags of the sorted keys (group-flags.ts: 9 rounds).
 * 4. One segmented sum (segmented-scan.ts, 1 round per level) of "is a matchable primary row" and
 *    of the primary payload zeroed outside matchable primary rows: with at most one matchable
 *    primary row per key, the running sum copies its payload down to the foreign rows of its key,
 *    and "is primary" summed says whether the key has its primary row.
 * 5. The declared uniqueness of the primary key is checked, not trusted: at a matchable primary
 *    row the running count minus one is the number of earlier matchable primary rows with its
 *    key; its inner product with "is primary" (the number of pairs of rows sharing a key) is
 *    opened (2 rounds) and a duplicate refused (UsageError) instead of summing two rows' payloads
 *    into a wrong answer. This opens 0 when the data keep the declaration. `foreignUnique` checks
 *    the foreign side the same way (a one-to-one join), in the same round.
 * 6. matched = is a matchable foreign row AND its key has a primary row (1 round).
 * 7. Which rows come out: an inner join keeps the matched foreign rows; a left join keeping the
 *    foreign side keeps every existing foreign row (zeros for the primary payload, matched = 0
 *    where there was no primary row); a left join keeping the primary side (`keep: 'primary'`)
 *    keeps the matched foreign rows and every existing primary row whose key no foreign row has
 *    (found by a segmented count of foreign rows run backwards and an equality with 0).
 * 8. Either compaction (compact.ts, 4 rounds: reveals the output row count), or all
 *    n_primary + n_foreign rows with a secret validity column (reveals nothing).
 *
 * Rows that must not match (a secret validity of 0 after an oblivious filter, a null key) come
 * in as `matchable` = 0: they count neither as primary nor as foreign rows, their primary payload
 * is zeroed before it is copied, so a garbage key that happens to equal another row's key changes
 * nothing. `exists` says which rows a left join keeps when they found no partner.
 *
 * With `keyBits` (the key's declared range) the sort compares the key packed with the row index
 * in one word instead of a 64-bit key and a 32-bit index.
 *
 * Cost: one sort of n_primary + n_foreign rows carrying both payloads, the flags (~24 bytes per
 * row), ceil(log2 n) scan levels of 8 bytes per row and primary payload column, and 3 rounds;
 * plus 1 round (8 bytes per row and primary payload column) when the primary side has secret
 * matchable bits; plus ceil(log2 n) levels of 8 bytes per row, 9 rounds and 2 more for 'primary'.
 */

import { UsageError } from '../../errors.js';
import { dot, mul } from '../protocols/arith.js';
import { eq } from '../protocols/compare.js';
import { bitInject } from '../protocols/convert.js';
import { open } from '../protocols/io.js';
import { indexBits, sortByKey } from '../protocols/sort.js';
import { addConstA, publicA } from '../sharing.js';
import type { Session } from '../session.js';
import { addA, AShare, concatA, negA, splitA, subA } from '../shares.js';
import { compact } from './compact.js';
import { groupFlags } from './group-flags.js';
import { segmentedScan } from './segmented-scan.js';

export interface JoinSide {
  readonly key: AShare;
  readonly payload: readonly AShare[];
  /** 0/1 per row: 1 where the row takes part in matching (valid, key not null). Absent: every row. */
  readonly matchable?: AShare;
  /** 0/1 per row: 1 where the row exists (its validity). Absent: every row. Read only for the side a left join keeps. */
  readonly exists?: AShare;
}

export type JoinHow = 'inner' | 'left';
export type JoinMode = 'reveal-count' | 'oblivious';

export interface JoinOptions {
  /** Refuse duplicate keys among the foreign side's matchable rows as well (a one-to-one join). */
  readonly foreignUnique?: boolean;
  /** Which side a left join keeps: the foreign side (the default) or the primary side. */
  readonly keep?: 'foreign' | 'primary';
  /** The error for a duplicate key on a side (`pairs`: pairs of rows sharing a key); a UsageError by default. */
  readonly refuse?: (side: 'primary' | 'foreign', pairs: bigint) => Error;
  /**
   * Every matchable row's key lies in [0, 2^keyBits) (a declared range, shifted to start at 0).
   * The sort then compares the key packed with the row index in one word (sort.ts keyBits), ~2/3
   * of the bytes of a 64-bit key and index. Rows that are not matchable may hold any key (an
   * invalid row's garbage, a null): they are sorted under key 0 (matchable times key, 1 round for
   * the sides that have `matchable`), where they change nothing, and `key` still returns their own.
   */
  readonly keyBits?: number;
}

export interface Joined {
  readonly key: AShare;
  /** The primary table's payload on each output row (zeros where no primary row matched). */
  readonly primary: AShare[];
  /** The foreign table's payload on each output row (zeros on kept primary rows). */
  readonly foreign: AShare[];
  /** 1 where the foreign row found its primary row (a left join's null marker). */
  readonly matched: AShare;
  /** keep 'primary' only: 1 on foreign rows, 0 on the kept primary rows (the foreign payload's null marker). */
  readonly fromForeign?: AShare;
  /** 'oblivious' only: 1 on the output rows, 0 on the others. */
  readonly valid?: AShare;
  /** 'reveal-count' only: the number of output rows (public). */
  readonly count?: number;
}

export async function pkFkJoin(s: Session, primary: JoinSide, foreign: JoinSide, how: JoinHow, mode: JoinMode, options: JoinOptions = {}): Promise<Joined> {
  const nP = primary.key.length, nF = foreign.key.length, n = nP + nF;
  for (const [side, t] of [['primary', primary], ['foreign', foreign]] as const) {
    for (const c of [...t.payload, ...(t.matchable ? [t.matchable] : []), ...(t.exists ? [t.exists] : [])]) {
      if (c.length !== t.key.length) throw new UsageError(`pkFkJoin: a ${side} column has ${c.length} rows, its key ${t.key.length}`);
    }
  }
  const keepPrimary = how === 'left' && options.keep === 'primary';
  if (n === 0) {
    const none = (k: number): AShare[] => Array.from({ length: k }, () => AShare.zeros(0));
    return { key: AShare.zeros(0), primary: none(primary.payload.length), foreign: none(foreign.payload.length), matched: AShare.zeros(0), ...(keepPrimary ? { fromForeign: AShare.zeros(0) } : {}), ...(mode === 'oblivious' ? { valid: AShare.zeros(0) } : { count: 0 }) };
  }
  const keepForeign = how === 'left' && !keepPrimary;
  // Padded in one allocation (fresh arrays are zero): no zero arrays to build and copy.
  const pad = (c: AShare, before: number, after: number): AShare => {
    const a = new BigUint64Array(before + c.length + after), b = new BigUint64Array(before + c.length + after);
    a.set(c.a, before);
    b.set(c.b, before);
    return new AShare(a, b);
  };
  // The columns the sort carries; optional ones only when a side has them.
  const carried: AShare[] = [publicA(s.me, new BigUint64Array(n).fill(1n, nP))];
  const at = (c: AShare | undefined): number => (c ? carried.push(c) - 1 : -1);
  const isPrimaryAt = at(primary.matchable && pad(primary.matchable, 0, nF));
  const isForeignAt = at(foreign.matchable && pad(foreign.matchable, nP, 0));
  const existsAt = at(keepForeign ? foreign.exists && pad(foreign.exists, nP, 0) : keepPrimary ? primary.exists && pad(primary.exists, 0, nF) : undefined);
  const payloadAt = carried.length;
  carried.push(...primary.payload.map((c) => pad(c, 0, nF)), ...foreign.payload.map((c) => pad(c, nP, 0)));
  const stackedKey = concatA([primary.key, foreign.key]);
  let sortKey = stackedKey;
  let keyAt = -1;
  // Only when the sort will pack key and index into one word (else it compares all 64 bits).
  const packs = options.keyBits !== undefined && options.keyBits + indexBits(n) <= 64;
  if (packs && (primary.matchable || foreign.matchable)) {
    // A key outside the range would be cut to its low bits in the packed comparison and could
    // land inside another key's run, splitting it: rows that may hold one sort under key 0.
    const matchable = concatA([primary.matchable ?? publicA(s.me, new BigUint64Array(nP).fill(1n)), foreign.matchable ?? publicA(s.me, new BigUint64Array(nF).fill(1n))]);
    sortKey = await mul(s, matchable, stackedKey);
    keyAt = carried.push(stackedKey) - 1;
  }
  const sorted = await sortByKey(s, sortKey, carried, options.keyBits === undefined ? {} : { keyBits: options.keyBits });
  const outKey = keyAt >= 0 ? sorted.payload[keyAt] : sorted.key;
  const column = (i: number): AShare | undefined => (i >= 0 ? sorted.payload[i] : undefined);
  const origin = sorted.payload[0];
  const notOrigin = addConstA(s.me, negA(origin), 1n);
  const isPrimary = column(isPrimaryAt) ?? notOrigin;
  const isForeign = column(isForeignAt) ?? origin;
  const own = sorted.payload.slice(payloadAt, payloadAt + primary.payload.length);
  const foreignPayload = sorted.payload.slice(payloadAt + primary.payload.length, payloadAt + primary.payload.length + foreign.payload.length);
  // Only matchable primary rows may be copied down (a garbage key may equal a real one).
  const scanInputs = primary.matchable && own.length > 0 ? splitA(await mul(s, concatA(own.map(() => isPrimary)), concatA(own)), own.map(() => n)) : own;
  const flags = await groupFlags(s, sorted.key);
  const scanned = await segmentedScan(s, flags.continues, [isPrimary, ...scanInputs, ...(options.foreignUnique ? [isForeign] : [])].map((values) => ({ values, op: 'sum' as const })));
  const hasPrimary = scanned[0];
  const copied = scanned.slice(1, 1 + own.length);
  await refuseDuplicates(s, isPrimary, hasPrimary, options.foreignUnique ? { isForeign, running: scanned[scanned.length - 1] } : undefined, options.refuse);
  const hasForeign = keepPrimary ? await keyHasForeign(s, flags.continues, isForeign) : undefined;
  // A foreign row that may not match (dropped, null key) can share its key value with a primary
  // row: what was copied down to it is zeroed when a left join keeps it.
  const zeroUnmatchable = keepForeign && foreign.matchable !== undefined;
  // One round: matched, and for keep 'primary' the matched primary rows and the primary payload's selection.
  const left = [isForeign, ...(hasForeign ? [isPrimary, ...copied.map(() => origin)] : []), ...(zeroUnmatchable ? copied.map(() => isForeign) : [])];
  const right = [hasPrimary, ...(hasForeign ? [hasForeign, ...copied] : []), ...(zeroUnmatchable ? copied : [])];
  const products = splitA(await mul(s, concatA(left), concatA(right)), left.map(() => n));
  const matched = products[0];
  let valid: AShare;
  let primaryOut: AShare[] = copied;
  if (how === 'inner') valid = matched;
  else if (keepForeign) {
    valid = column(existsAt) ?? origin;
    if (zeroUnmatchable) primaryOut = products.slice(1);
  } else {
    // Matched foreign rows, and the existing primary rows that matched none (isPrimary implies exists).
    valid = subA(addA(matched, column(existsAt) ?? notOrigin), products[1]);
    primaryOut = own.map((c, k) => addA(c, products[2 + k]));
  }
  // On the rows a compaction keeps, `matched` is known without carrying it through the shuffle
  // (8 bytes per row and party, 16 for party 0): an inner join keeps only matched rows (1), and
  // keeping the primary side it is 1 exactly on the foreign rows (origin). Only a left join that
  // keeps the foreign side (and the oblivious mode, which moves nothing) carries it.
  const carryMatched = mode === 'oblivious' || keepForeign;
  const columns = [outKey, ...primaryOut, ...foreignPayload, ...(carryMatched ? [matched] : []), ...(keepPrimary ? [origin] : [])];
  const split = (cols: AShare[]): Omit<Joined, 'valid' | 'count'> => ({
    key: cols[0],
    primary: cols.slice(1, 1 + primary.payload.length),
    foreign: cols.slice(1 + primary.payload.length, 1 + primary.payload.length + foreign.payload.length),
    matched: carryMatched ? cols[1 + primary.payload.length + foreign.payload.length] : keepPrimary ? cols[cols.length - 1] : publicA(s.me, new BigUint64Array(cols[0].length).fill(1n)),
    ...(keepPrimary ? { fromForeign: cols[cols.length - 1] } : {}),
  });
  if (mode === 'oblivious') return { ...split(columns), valid };
  const kept = await compact(s, columns, valid);
  return { ...split(kept.columns), count: kept.count };
}

/**
 * Opens, for each side checked, the number of pairs of matchable rows that share a key (the
 * running count minus one, summed over that side's rows: 0 exactly when the key is unique) and
 * refuses a duplicate. One round for the products and one to open them.
 */
async function refuseDuplicates(s: Session, isPrimary: AShare, hasPrimary: AShare, foreign: { isForeign: AShare; running: AShare } | undefined, refuse: JoinOptions['refuse']): Promise<void> {
  const n = isPrimary.length;
  if (n === 0) return;
  const xs = [isPrimary, ...(foreign ? [foreign.isForeign] : [])];
  const ys = [hasPrimary, ...(foreign ? [foreign.running] : [])].map((c) => addConstA(s.me, c, -1n));
  const pairs = await open(s, await dot(s, concatA(xs), concatA(ys), n));
  if (pairs[0] !== 0n && refuse) throw refuse('primary', pairs[0]);
  if (foreign && pairs[1] !== 0n && refuse) throw refuse('foreign', pairs[1]);
  if (pairs[0] !== 0n) throw new UsageError(`pkFkJoin: the primary key is not unique (${pairs[0]} pairs of rows of the primary table share a key); deduplicate it or join it as many-to-many`);
  if (foreign && pairs[1] !== 0n) throw new UsageError(`pkFkJoin: the foreign key is not unique (${pairs[1]} pairs of rows of the foreign table share a key) though the join was declared one-to-one; declare it many-to-one`);
}

/** 1 on the rows whose key some matchable foreign row has (read on primary rows): a backward segmented count, != 0. */
async function keyHasForeign(s: Session, continues: AShare, isForeign: AShare): Promise<AShare> {
  const n = continues.length;
  // Backwards, row j (= n-1-i) continues the segment of row j-1 (= i+1) when row i+1 continued row i.
  const backContinues = AShare.zeros(n);
  for (let j = 1; j < n; j++) {
    backContinues.a[j] = continues.a[n - j];
    backContinues.b[j] = continues.b[n - j];
  }
  const [count] = await segmentedScan(s, backContinues, [{ values: reversed(isForeign), op: 'sum' }]);
  const none = await bitInject(s, await eq(s, reversed(count), AShare.zeros(n)));
  return addConstA(s.me, negA(none), 1n);
}

function reversed(x: AShare): AShare {
  return new AShare(x.a.slice().reverse(), x.b.slice().reverse());
}
