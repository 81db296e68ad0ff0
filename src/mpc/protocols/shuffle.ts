/**
 * Oblivious shuffle of table columns with one secret random permutation (Chida, Hamada, Ikarashi,
 * Kikuchi, Pinkas, ePrint 2019/695: pairwise-known permutations with resharing).
 *
 * The permutation is pi = piC ∘ piB ∘ piA, where piA is drawn from the PRG of parties {0,1},
 * piB from {1,2} and piC from {2,0}: every party misses one of them, so none knows pi.
 * The data travels as a 2-out-of-2 sharing held by the pair that applies the next permutation;
 * both holders permute their halves and re-randomise with a mask from their common PRG, then
 * one half moves on to the third party, which joins the next pair:
 *   start   {0,1}: party 0 holds x0 + x1, party 1 holds x2 (free from the replicated shares)
 *   round 1 party 0 -> 2: piA(x0 + x1) + z1            now held by {1,2}
 *   round 2 party 1 -> 0: piB(piA(x2) - z1) + z2        now held by {2,0}
 *   round 3 parties 0 and 2 apply piC (c0, c2 with c0 + c2 = pi(x)) and, with r and s from
 *           PRG {2,0}, make the result replicated again: y0 = r, party 0 -> 1: y1 = c0 - s,
 *           party 2 -> 1: y2 = c2 + s - r.
 * Every message is masked by a PRG output its receiver does not know; party 1's two messages
 * of round 3 are (c0 - s, c2 + s - r) with (s, r) uniform and unknown to it, so they are
 * uniform and independent (the map (s, r) -> (-s, s - r) is a bijection). Party 1's message
 * of round 2 does not depend on round 1: rounds 1 and 2 overlap. 3 rounds; per column and
 * element, party 0 sends 16 bytes, parties 1 and 2 send 8 (32 in all: each of the three steps
 * hands one 8-byte half on, and the last also sends the third party its second share; no
 * step can skip a message, since each 2-out-of-2 half is known to one party only).
 *
 * Arithmetic columns combine with + and -, binary columns with XOR; all columns of one call
 * travel in the same messages. Every permutation is applied in two passes (permutation.ts)
 * with the masks added in the second (permute-masked.ts); a party that applies two
 * permutations in a row fuses the first one's second pass with the next one's first.
 *
 * Streaming (s8-shuffle): each of the four messages is sent in row blocks (row-blocks.ts), so
 * that the three steps overlap instead of waiting for each other. A sender needs its whole
 * input before it can gather (the scatter pass places every row by the full permutation), but
 * its gather writes the output front to back, and each block of the message goes to the link
 * as soon as it is written; the receiver scatters every block into place as it arrives and
 * gathers a column once all of it is there. Every permutation stays one uniformly random
 * permutation of all n rows (never one per block), every word is masked exactly as above, and
 * the keystreams are drawn in the same order, so the output is bit for bit the one of the
 * unstreamed protocol (test/mpc/shuffle-reference.test.ts pins it against a plaintext model).
 * The cut into blocks is a function of n and the number of columns alone (public), and a block
 * is a slice of the same masked message: each receiver sees the same words as before. Still 3
 * rounds (a block depends on the step before, never on another block of its own step) and the
 * same 32 bytes per column and row; a message of k·n words is ceil(k·n / 2^17) link messages.
 *
 * Schedule (s9-shuffle, from the timeline of bench/shuffle-timeline.ts): the longest chain is
 * party 0's first permutation, party 2's two, party 1 receiving; party 2 therefore draws piC and
 * r while party 0's message is still arriving (after its first block). Only when each party
 * draws moves, not what: every PRG is read in the same order, so every message is masked by the
 * same words as above and the security argument stands unchanged.
 */

import type { Prg } from '../../crypto/prg.js';
import { UsageError } from '../../errors.js';
import { asBytes, uninitializedWords } from '../../ring/z64.js';
import type { PartyId } from '../party.js';
import type { Session } from '../session.js';
import { timeline } from '../timeline.js';
import { AShare, BShare } from '../shares.js';
import { drawPermutation, type StagedPermutation } from './permutation.js';
import { gatherMaskedRows, gatherMaskedScatter, scatterRows, scatterSum, type Combine } from './permute-masked.js';
import { takeArena, giveArena, type PermuteArena } from './permute-wasm.js';
import { BLOCK_WORDS, BlockSender, blockCount, forColumns, receiveBlocks } from './row-blocks.js';

export interface Columns {
  readonly arith: readonly AShare[];
  readonly binary: readonly BShare[];
}

export async function shuffle(s: Session, cols: Columns): Promise<Columns> {
  const all = [...cols.arith, ...cols.binary];
  if (all.length === 0) return cols;
  const n = all[0].length;
  for (const c of all) if (c.length !== n) throw new UsageError(`shuffle: columns differ in length (${c.length} vs ${n})`);

  s.round();
  s.round();
  s.round();
  // No rows: nothing to permute and nothing to send (every party knows n).
  if (n === 0) return { arith: cols.arith.map(() => new AShare(new BigUint64Array(0), new BigUint64Array(0))), binary: cols.binary.map(() => new BShare(new BigUint64Array(0), new BigUint64Array(0))) };
  // Scratch that never leaves the party (two staging vectors, the permutations' index arrays)
  // comes from the party's pool: fresh arrays would cost page faults on first touch.
  const pool = s.party.scratch;
  const taken: BigUint64Array[] = [];
  const take = (words: number): BigUint64Array => {
    const v = pool.take(words);
    taken.push(v);
    return v;
  };
  // The gathers run in wasm on an arena that holds the staging vectors and index arrays
  // (permute-wasm.ts); columns too long for one fall back to the JavaScript passes.
  const arena = takeArena(n);
  let slot: 0 | 1 = 0;
  const draw = (prg: Prg): StagedPermutation => {
    let memory: Int32Array;
    if (arena) memory = arena.indices(slot++ as 0 | 1);
    else {
      const words = take(n);
      memory = new Int32Array(words.buffer, words.byteOffset, 2 * n);
    }
    const p = drawPermutation(prg, n, undefined, memory, arena);
    timeline.mark(s.me, 'drawn');
    return p;
  };
  timeline.mark(s.me, 'start');
  try {
    // Party 0 applies its two permutations one at a time: it needs no second staging vector.
    const tmp = arena ? arena.tmp.subarray(0, n) : take(n);
    const tmp2 = arena ? arena.tmp2.subarray(0, n) : s.me === 0 ? new BigUint64Array(0) : take(n);
    const passes: Passes = arena ?? { gatherMaskedRows, gatherMaskedScatter, scatterRows, scatterSum };
    const job: Job = { s, cols, all, n, tmp, tmp2, draw, passes };
    if (s.me === 0) return await party0(job);
    if (s.me === 1) return await party1(job);
    return await party2(job);
  } finally {
    for (const v of taken) pool.give(v);
    if (arena) giveArena(arena);
    timeline.mark(s.me, 'done');
  }
}

/** The passes, in wasm on an arena or in JavaScript (permute-masked.ts). */
type Passes = Pick<PermuteArena, 'gatherMaskedRows' | 'gatherMaskedScatter' | 'scatterRows' | 'scatterSum'>;

interface Job {
  readonly s: Session;
  readonly cols: Columns;
  readonly all: ReadonlyArray<AShare | BShare>;
  readonly n: number;
  readonly tmp: BigUint64Array;
  readonly tmp2: BigUint64Array;
  readonly draw: (prg: Prg) => StagedPermutation;
  readonly passes: Passes;
}

/** How column k combines with a mask: arithmetic columns add (or subtract), binary ones XOR. */
const combineOf = (job: Job, k: number, subtract: boolean): Combine => (k >= job.cols.arith.length ? 'xor' : subtract ? 'sub' : 'add');

/** Stacked columns (n words each) back into shares: y for the first component, z for the second. */
function shares(job: Job, y: BigUint64Array, z: BigUint64Array): Columns {
  const { n } = job;
  const ca = job.cols.arith.length;
  const part = (v: BigUint64Array, k: number): BigUint64Array => v.subarray(k * n, (k + 1) * n);
  return {
    arith: job.cols.arith.map((_, k) => new AShare(part(y, k), part(z, k))),
    binary: job.cols.binary.map((_, k) => new BShare(part(y, ca + k), part(z, ca + k))),
  };
}

/** Party 0: piA on x0 + x1 with z1, to party 2; then piC on party 1's message with s, to party 1. */
async function party0(job: Job): Promise<Columns> {
  const { s, all, n, tmp } = job;
  const total = all.length * n;
  const piA = job.draw(s.prgNext);
  const toP2 = uninitializedWords(total);
  const toP2Blocks = new BlockSender(s, 2, toP2, n, true);
  for (let k = 0; k < all.length; k++) {
    const c = all[k], combine = combineOf(job, k, false);
    job.passes.scatterSum(c.a, c.b, piA.place, tmp, k >= job.cols.arith.length);
    await toP2Blocks.column(k, (from, to) => job.passes.gatherMaskedRows(tmp, piA, toP2, k * n, s.prgNext, combine, from, to)); // + z1
  }
  // Everything that does not need party 1's message is done before its first block arrives.
  const piC = job.draw(s.prgPrev);
  const y0 = uninitializedWords(total);
  s.prgPrev.fill(asBytes(y0)); // r
  const toP1 = uninitializedWords(total);
  const toP1Blocks = new BlockSender(s, 1, toP1, n, false);
  // Each block of party 1's message is scattered as it arrives; a column, once whole, is gathered
  // and streamed on to party 1.
  for await (const block of receiveBlocks(s, 1, total)) {
    await forColumns(block, n, async (k, row, offset, count) => {
      job.passes.scatterRows(block.words, offset, piC.place, row, count, tmp);
      if (row + count < n) return;
      const combine = combineOf(job, k, true);
      await toP1Blocks.column(k, (from, to) => job.passes.gatherMaskedRows(tmp, piC, toP1, k * n, s.prgPrev, combine, from, to)); // - s
    });
  }
  await toP1Blocks.written();
  return shares(job, y0, toP1);
}

/** Party 1: piA on x2 with z1, then piB with z2, to party 0; receives its two result shares. */
async function party1(job: Job): Promise<Columns> {
  const { s, all, n, tmp, tmp2 } = job;
  const total = all.length * n;
  const piA = job.draw(s.prgPrev);
  const piB = job.draw(s.prgNext);
  const toP0 = uninitializedWords(total);
  const toP0Blocks = new BlockSender(s, 0, toP0, n, true);
  for (let k = 0; k < all.length; k++) {
    job.passes.scatterRows(all[k].b, 0, piA.place, 0, n, tmp);
    job.passes.gatherMaskedScatter(tmp, piA, s.prgPrev, combineOf(job, k, true), piB, tmp2); // - z1
    const combine = combineOf(job, k, false);
    await toP0Blocks.column(k, (from, to) => job.passes.gatherMaskedRows(tmp2, piB, toP0, k * n, s.prgNext, combine, from, to)); // + z2
  }
  const [y1, y2] = await Promise.all([assemble(s, 0, total), assemble(s, 2, total)]);
  return shares(job, y1, y2);
}

/**
 * A message received in blocks, in one vector: every block's receive is posted at once into its
 * place (Session.recvInto, answered in order), so the link writes each block there as it
 * decrypts it instead of into a buffer of its own that would then be copied (~2.5 ms per 16 MiB).
 */
async function assemble(s: Session, from: PartyId, total: number): Promise<BigUint64Array> {
  const out = uninitializedWords(total);
  const blocks: Promise<void>[] = [];
  for (let b = 0, at = 0; b < blockCount(total); b++) {
    const size = Math.min(BLOCK_WORDS, total - at);
    const mark = timeline.on ? `got ${b} from P${from}` : '';
    const into = s.recvInto(from, out.subarray(at, at + size));
    blocks.push(timeline.on ? into.then(() => timeline.mark(s.me, mark)) : into);
    at += size;
  }
  await Promise.all(blocks);
  return out;
}

/** Party 2: piB on party 0's message with z2, then piC with s and r, to party 1. */
async function party2(job: Job): Promise<Columns> {
  const { s, all, n, tmp, tmp2 } = job;
  const total = all.length * n;
  // piB places party 0's blocks as they arrive; piC and r are needed only once a column is
  // whole, but they depend on keys alone. The timeline (bench/shuffle-timeline.ts, s9-shuffle)
  // shows party 0's first message as the head of the longest chain (party 0 -> 2 -> 1) and
  // party 2 idle between its blocks (~0.5 ms of work per block against one every 3-6 ms), so
  // party 2 draws them once the first block is placed: drawn after the last one, as before, they
  // sat on that chain. Not at the start either: there the three parties' draws share two cores
  // with party 0's first permutation.
  const piB = job.draw(s.prgPrev);
  let later: { piC: StagedPermutation; y0: BigUint64Array } | undefined;
  const drawLater = (): { piC: StagedPermutation; y0: BigUint64Array } => {
    const piC = job.draw(s.prgNext);
    const y0 = uninitializedWords(total);
    s.prgNext.fill(asBytes(y0)); // r
    return { piC, y0 };
  };
  const toP1 = uninitializedWords(total);
  const toP1Blocks = new BlockSender(s, 1, toP1, n, false);
  for await (const block of receiveBlocks(s, 0, total)) {
    await forColumns(block, n, async (k, row, offset, count) => {
      job.passes.scatterRows(block.words, offset, piB.place, row, count, tmp);
      const { piC, y0 } = (later ??= drawLater());
      if (row + count < n) return;
      job.passes.gatherMaskedScatter(tmp, piB, s.prgPrev, combineOf(job, k, true), piC, tmp2); // - z2
      const combine = combineOf(job, k, false);
      await toP1Blocks.column(k, (from, to) => job.passes.gatherMaskedRows(tmp2, piC, toP1, k * n, s.prgNext, combine, from, to, y0)); // + s - r
    });
  }
  await toP1Blocks.written();
  return shares(job, toP1, (later ??= drawLater()).y0);
}
