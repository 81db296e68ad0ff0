/**
 * Segmented inclusive scans (sum, min, max) over rows grouped into contiguous segments, as in
 * Sharemind's and ORQ's aggregation networks.
 *
 * Each row starts as the pair (g, x): g = 1 when the row continues the segment of the row
 * before it ("continues"), x its value. Two adjacent ranges L (earlier) and R combine as
 *   g = g_R * g_L,
 *   sum:      x = x_R + g_R * x_L
 *   min/max:  x = x_R + g_R * c * (x_L - x_R),  c = [x_L < x_R] (min) or [x_R < x_L] (max)
 * (R's range reaches back into L's segment exactly when g_R = 1). This operator is associative,
 * so any prefix network computes every row's scan. Two networks, the same answers:
 *
 * - 'work-efficient' (Brent & Kung 1982; Blelloch's up-sweep/down-sweep): an up-sweep of
 *   floor(log2 n) levels combines ranges of 1, 2, 4, ... rows into every second, fourth, ...
 *   row; a down-sweep of about as many levels completes the rows in between. About 2n combines
 *   in all, in ~2 log2 n levels.
 * - 'doubling' (Hillis & Steele 1986): ceil(log2 n) levels of n - d combines each (d = 1, 2, 4,
 *   ...): n log2 n combines in half as many levels.
 *
 * A combine costs 8 bytes per column for the products with g_R, plus 8 for the flags; with
 * min/max columns, also a batched less-than (~32 bytes per column), its bit injection (8) and
 * the selection (8). Per level: 1 round with sums only, 12 with min/max. At a million rows the
 * work-efficient network sends ~10x fewer bytes (2n instead of 20n combines) for twice the
 * rounds; 'auto' takes it from WORK_EFFICIENT_FROM rows, where bytes outweigh rounds.
 * Nothing is opened.
 *
 * Ranges: sums wrap mod 2^64 (the caller bounds them); min/max compare with lt, exact when any
 * two values of a column differ by less than 2^63, e.g. all in [-2^62, 2^62).
 */

import { UsageError } from '../../errors.js';
import { mul, mulPairs } from '../protocols/arith.js';
import { lt } from '../protocols/compare.js';
import { bitInject } from '../protocols/convert.js';
import type { Session } from '../session.js';
import { AShare, concatA, splitA, subA } from '../shares.js';

export type ScanOp = 'sum' | 'min' | 'max';

export interface ScanColumn {
  readonly values: AShare;
  readonly op: ScanOp;
}

export type ScanNetwork = 'auto' | 'work-efficient' | 'doubling';

/** From this many rows 'auto' takes the work-efficient network (below, rounds cost more than bytes). */
export const WORK_EFFICIENT_FROM = 4096;

/**
 * Inclusive segmented scans of each column. `continues[i]` is an arithmetic 0/1 share: 1 when
 * row i belongs to the segment of row i-1 (group-flags.ts computes it for sorted keys).
 */
export async function segmentedScan(s: Session, continues: AShare, columns: readonly ScanColumn[], network: ScanNetwork = 'auto'): Promise<AShare[]> {
  const n = continues.length;
  for (const c of columns) if (c.values.length !== n) throw new UsageError(`segmentedScan: a column has ${c.values.length} rows, the flags ${n}`);
  const state: ScanState = { g: copy(continues), x: columns.map((c) => copy(c.values)), ops: columns.map((c) => c.op) };
  const workEfficient = network === 'work-efficient' || (network === 'auto' && n >= WORK_EFFICIENT_FROM);
  for (const level of workEfficient ? brentKungLevels(n) : doublingLevels(n)) await combine(s, state, level);
  return state.x;
}

interface ScanState {
  /** Per row: 1 when the row's range reaches back into the segment of the row before the range. */
  g: AShare;
  readonly x: AShare[];
  readonly ops: readonly ScanOp[];
}

/** One level of a prefix network: row `first + j*step` (j < count) absorbs the range ending `d` rows earlier. */
export interface ScanLevel {
  readonly first: number;
  readonly step: number;
  readonly count: number;
  readonly d: number;
  /** Whether a later level reads the flags this level writes. */
  readonly flagsUsed: boolean;
}

/** Hillis–Steele: every row i >= d absorbs row i - d, d = 1, 2, 4, ... */
export function doublingLevels(n: number): ScanLevel[] {
  const out: ScanLevel[] = [];
  for (let d = 1; d < n; d *= 2) out.push({ first: d, step: 1, count: n - d, d, flagsUsed: 2 * d < n });
  return out;
}

/**
 * Brent–Kung: up-sweep rows 2d-1, 4d-1, ... absorb d rows back (d = 1, 2, 4, ...); down-sweep
 * rows 3d-1, 5d-1, ... absorb d rows back (d from the top down). After the up-sweep, row i holds
 * the range of the largest power of two dividing i + 1; the down-sweep completes every row
 * whose range does not yet start at row 0 from a row that already does.
 */
export function brentKungLevels(n: number): ScanLevel[] {
  const levels: { first: number; step: number; d: number }[] = [];
  let top = 1;
  for (let d = 1; 2 * d <= n; d *= 2) {
    levels.push({ first: 2 * d - 1, step: 2 * d, d });
    top = d;
  }
  const up = levels.length;
  for (let d = top; d >= 1; d /= 2) if (3 * d - 1 < n) levels.push({ first: 3 * d - 1, step: 2 * d, d });
  // A down-sweep level's results start at row 0: nothing reads their flags again. Neither does
  // anything read the last up-sweep level's (its rows are never a right-hand range again).
  return levels.map((l, k) => ({ ...l, count: Math.floor((n - 1 - l.first) / l.step) + 1, flagsUsed: k < up - 1 }));
}

async function combine(s: Session, st: ScanState, level: ScanLevel): Promise<void> {
  const { first, step, count, d } = level;
  const own = (v: AShare): AShare => strided(v, first, step, count);
  const back = (v: AShare): AShare => strided(v, first - d, step, count);
  const extremes = st.ops.map((op, k) => (op === 'sum' ? -1 : k)).filter((k) => k >= 0);
  const sums = st.ops.map((op, k) => (op === 'sum' ? k : -1)).filter((k) => k >= 0);
  const lefts = st.x.map(back), rights = st.x.map(own);
  // Which rows take their neighbour's extreme: [x_L < x_R] for min, [x_R < x_L] for max.
  let better: AShare[] = [];
  if (extremes.length > 0) {
    const a = concatA(extremes.map((k) => (st.ops[k] === 'min' ? lefts[k] : rights[k])));
    const b = concatA(extremes.map((k) => (st.ops[k] === 'min' ? rights[k] : lefts[k])));
    better = splitA(await bitInject(s, await lt(s, a, b)), extremes.map(() => count));
  }
  // One round: g_R times (the better bits, the left sums, the left flags).
  const gR = own(st.g);
  const factors = [...better, ...sums.map((k) => lefts[k]), ...(level.flagsUsed ? [back(st.g)] : [])];
  // gR times each factor in one batch, without copying gR once per factor and the factors into one vector.
  const products = await mulPairs(s, [gR], factors);
  sums.forEach((k, j) => addStrided(st.x[k], first, step, products[extremes.length + j]));
  if (extremes.length > 0) {
    // One round: the selection x_R += take * (x_L - x_R).
    const take = concatA(products.slice(0, extremes.length));
    const diffs = concatA(extremes.map((k) => subA(lefts[k], rights[k])));
    const deltas = splitA(await mul(s, take, diffs), extremes.map(() => count));
    extremes.forEach((k, j) => addStrided(st.x[k], first, step, deltas[j]));
  }
  if (level.flagsUsed) setStrided(st.g, first, step, products[products.length - 1]);
}

function copy(x: AShare): AShare {
  return new AShare(x.a.slice(), x.b.slice());
}

/** Rows first, first + step, ... (count of them), as a new share. */
function strided(x: AShare, first: number, step: number, count: number): AShare {
  if (step === 1) return x.slice(first, first + count);
  return new AShare(pick(x.a, first, step, count), pick(x.b, first, step, count));
}

function pick(v: BigUint64Array, first: number, step: number, count: number): BigUint64Array {
  const out = new BigUint64Array(count);
  for (let j = 0, i = first; j < count; j++, i += step) out[j] = v[i];
  return out;
}

/** x[first + j*step] += y[j] (in place). */
function addStrided(x: AShare, first: number, step: number, y: AShare): void {
  addInto(x.a, first, step, y.a);
  addInto(x.b, first, step, y.b);
}

function addInto(x: BigUint64Array, first: number, step: number, y: BigUint64Array): void {
  for (let j = 0, i = first; j < y.length; j++, i += step) x[i] += y[j];
}

/** x[first + j*step] = y[j] (in place). */
function setStrided(x: AShare, first: number, step: number, y: AShare): void {
  setInto(x.a, first, step, y.a);
  setInto(x.b, first, step, y.b);
}

function setInto(x: BigUint64Array, first: number, step: number, y: BigUint64Array): void {
  for (let j = 0, i = first; j < y.length; j++, i += step) x[i] = y[j];
}
