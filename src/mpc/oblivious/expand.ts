/**
 * Oblivious expansion (the "oblivious distribution" and fill of Krastnikov, Kerschbaum and
 * Stebila, "Efficient Oblivious Database Joins", VLDB 2020, built here from sort, segmented scan
 * and compaction): each source row i of side σ_i (0 or 1, secret) with a secret start s_i and
 * length ℓ_i is repeated at positions s_i … s_i + ℓ_i − 1 of its side's output of `bound` rows.
 * The active sources (ℓ_i > 0) of a side must tile [0, total) with distinct starts; an inactive
 * source must have start = bound (it then covers nothing).
 *
 * 1. Stack the sources, a barrier per side and 2·bound filler rows (one per side and position
 *    p, public), with the sort key σ·(2·bound + 3) + 2·start + 1 for sources, σ·(2·bound + 3)
 *    for the barriers and σ·(2·bound + 3) + 2p + 2 for fillers, and sort (sort.ts; the key's
 *    bit width is public, so the packed comparison applies). A source comes right before the
 *    filler of its start, inactive ones after every filler of their side.
 * 2. A segmented sum with a segment starting at every source row and barrier (a source of
 *    length 0, so a side's first fillers never continue the other side's last source) copies
 *    each source's values (and start, length) down to the fillers it precedes.
 * 3. Compaction keeps the 2·bound filler rows (their number is public, so nothing is learned),
 *    shuffled; their (side, position) tags are opened on the shuffled rows, which shows a random
 *    permutation of the public set of tags only, and the rows are put in place locally.
 * 4. offset = p − start, valid = [offset < length] (one batched comparison).
 *
 * Nothing is opened but the permutation of public tags; the sort's opened comparisons are of
 * shuffled rows with distinct (key, index) pairs.
 *
 * Cost: one sort of n + 2·bound + 2 rows carrying 4 + v columns, ceil(log2(n + 2·bound)) scan levels
 * of 8·(2 + v) bytes per row, a compaction (4 rounds, 8·(3 + v) + 16 bytes per row), one lt of
 * 2·bound rows (8 + 2 rounds).
 */

import { ProtocolError } from '../../errors.js';
import { lt } from '../protocols/compare.js';
import { injectBits } from '../protocols/inject.js';
import { open } from '../protocols/io.js';
import { sortByKey } from '../protocols/sort.js';
import { addConstA, addPublicA, publicA } from '../sharing.js';
import type { Session } from '../session.js';
import { addA, AShare, concatA, negA, scaleA } from '../shares.js';
import { compact, gather } from './compact.js';
import { segmentedScan } from './segmented-scan.js';

export interface Sources {
  /** 0 or 1: the side whose output the row goes to. */
  readonly side: AShare;
  readonly start: AShare;
  readonly length: AShare;
  readonly values: readonly AShare[];
}

export interface Expanded {
  /** Per side, `bound` rows: the values of the source covering the position. */
  readonly values: readonly [AShare[], AShare[]];
  /** Per side: the position minus the covering source's start (its copy number). */
  readonly offset: readonly [AShare, AShare];
  /** Per side: 1 where a source covers the position, 0 after the last one. */
  readonly valid: readonly [AShare, AShare];
}

export async function expand(s: Session, src: Sources, bound: number): Promise<Expanded> {
  const n = src.start.length;
  const fillers = 2 * bound;
  const stride = BigInt(2 * bound + 3);
  // Public rows after the sources: per side a barrier (key side·stride, a source of length 0 so
  // that no side's fillers continue the other side's segment), then the fillers.
  const extra = 2 + fillers;
  const publicKeys = new BigUint64Array(extra);
  const tags = new BigUint64Array(n + extra);
  const isSource = new BigUint64Array(n + extra).fill(1n, 0, n + 2);
  for (let side = 0; side < 2; side++) {
    publicKeys[side] = BigInt(side) * stride;
    for (let p = 0; p < bound; p++) {
      const i = side * bound + p;
      publicKeys[2 + i] = BigInt(side) * stride + 2n * BigInt(p) + 2n;
      tags[n + 2 + i] = BigInt(i);
    }
  }
  const sourceKey = addConstA(s.me, addA(scaleA(src.side, stride), scaleA(src.start, 2n)), 1n);
  const key = concatA([sourceKey, publicA(s.me, publicKeys)]);
  const pad = (c: AShare): AShare => concatA([c, AShare.zeros(extra)]);
  const carried = [publicA(s.me, isSource), publicA(s.me, tags), pad(src.start), pad(src.length), ...src.values.map(pad)];
  const keyBits = (2n * stride).toString(2).length;
  const sorted = await sortByKey(s, key, carried, { keyBits });
  const [sourceBit, tag, ...copied] = sorted.payload;
  // A segment starts at each source (and barrier).
  const continues = addConstA(s.me, negA(sourceBit), 1n);
  const filled = await segmentedScan(s, continues, copied.map((values) => ({ values, op: 'sum' as const })));
  const fillerBit = addConstA(s.me, negA(sourceBit), 1n);
  const kept = await compact(s, [tag, ...filled], fillerBit);
  if (kept.count !== fillers) throw new ProtocolError(`expand: ${kept.count} filler rows after compaction, ${fillers} expected`);
  // The tags of shuffled fillers are a random permutation of 0 … 2·bound − 1: put each row at its tag.
  const opened = await open(s, kept.columns[0]);
  const at = new Int32Array(fillers).fill(-1);
  opened.forEach((t, k) => {
    if (t >= BigInt(fillers) || at[Number(t)] !== -1) throw new ProtocolError('expand: the opened filler tags are not a permutation of the public tags');
    at[Number(t)] = k;
  });
  const placed = kept.columns.slice(1).map((c) => gather(c, at));
  const half = (c: AShare, side: number): AShare => c.slice(side * bound, (side + 1) * bound);
  const positions = new BigUint64Array(fillers);
  for (let i = 0; i < fillers; i++) positions[i] = BigInt(i % bound);
  const [start, length, ...values] = placed;
  const offset = addPublicA(s.me, negA(start), positions);
  const [valid] = await injectBits(s, [await lt(s, offset, length)]);
  return {
    values: [values.map((c) => half(c, 0)), values.map((c) => half(c, 1))],
    offset: [half(offset, 0), half(offset, 1)],
    valid: [half(valid, 0), half(valid, 1)],
  };
}
