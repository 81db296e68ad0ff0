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
 *   round 3 parties 0 and 2 -> 1: their halves minus masks from PRG {2,0}: replicated again.
 * Every message is masked by a PRG output its receiver does not know. 3 rounds; per column
 * and element, party 0 sends 16 bytes, parties 1 and 2 send 8.
 *
 * Arithmetic columns combine with + and -, binary columns with XOR; all columns of one call
 * travel in the same messages.
 */

import type { Prg } from '../../crypto/prg.js';
import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare, BShare } from '../shares.js';
import { drawPermutation, permuteStacked, permuteStackedInto } from './permutation.js';

export interface Columns {
  readonly arith: readonly AShare[];
  readonly binary: readonly BShare[];
}

/**
 * In place: v[i] += sign*mask[i] on the arithmetic prefix of `split` words, v[i] ^= mask[i]
 * on the binary rest.
 */
function mask(v: BigUint64Array, m: BigUint64Array, split: number, subtract: boolean): void {
  if (subtract) for (let i = 0; i < split; i++) v[i] -= m[i];
  else for (let i = 0; i < split; i++) v[i] += m[i];
  for (let i = split; i < v.length; i++) v[i] ^= m[i];
}

/**
 * mask(v, m, split, subtract) for the next v.length words of `prg` as m, streamed in chunks:
 * no 8-byte-per-element mask vector is allocated (a fresh one costs page faults on first touch,
 * more than the keystream itself). The holder of the same PRG draws the same words.
 */
function maskFrom(v: BigUint64Array, prg: Prg, split: number, subtract: boolean): void {
  prg.chunks(v.length, (m, at) => maskChunk(v, m, at, split, subtract));
}

function maskChunk(v: BigUint64Array, m: BigUint64Array, at: number, split: number, subtract: boolean): void {
  const arith = Math.max(0, Math.min(m.length, split - at));
  if (subtract) for (let j = 0; j < arith; j++) v[at + j] -= m[j];
  else for (let j = 0; j < arith; j++) v[at + j] += m[j];
  for (let j = arith; j < m.length; j++) v[at + j] ^= m[j];
}

export async function shuffle(s: Session, cols: Columns): Promise<Columns> {
  const all = [...cols.arith, ...cols.binary];
  if (all.length === 0) return cols;
  const n = all[0].length;
  for (const c of all) if (c.length !== n) throw new UsageError(`shuffle: columns differ in length (${c.length} vs ${n})`);
  const ca = cols.arith.length;
  const total = all.length * n;

  s.round();
  s.round();
  s.round();
  // The starting 2-out-of-2 half of the pair {0,1} (party 2 has none), and the scratch of the
  // two-pass permutation: both only read here, never sent, so they come from the party's pool.
  const pool = s.party.scratch;
  const taken: BigUint64Array[] = [];
  const take = (words: number): BigUint64Array => {
    const v = pool.take(words);
    taken.push(v);
    return v;
  };
  let half: BigUint64Array = new BigUint64Array(0);
  if (s.me === 0) {
    half = take(total);
    cols.arith.forEach((c, k) => {
      for (let i = 0; i < n; i++) half[k * n + i] = c.a[i] + c.b[i];
    });
    cols.binary.forEach((c, k) => {
      const o = (ca + k) * n;
      for (let i = 0; i < n; i++) half[o + i] = c.a[i] ^ c.b[i];
    });
  } else if (s.me === 1) {
    if (all.length === 1) half = all[0].b;
    else {
      half = take(total);
      all.forEach((c, k) => half.set(c.b, k * n));
    }
  }
  try {
    // Parties 1 and 2 keep their first permuted vector to themselves: it too comes from the pool.
    const between = s.me === 0 ? new BigUint64Array(0) : take(total);
    return await shuffleSteps(s, all, ca, n, half, take(n), between);
  } finally {
    for (const v of taken) pool.give(v);
  }
}

/**
 * The three rounds. A mask used once is streamed into its vector (maskFrom); one used twice,
 * or one that becomes a share of the result (rho1, rho2), is drawn whole.
 */
async function shuffleSteps(s: Session, all: ReadonlyArray<AShare | BShare>, ca: number, n: number, half: BigUint64Array, tmp: BigUint64Array, between: BigUint64Array): Promise<Columns> {
  const total = all.length * n;
  const split = ca * n;
  const pieces = (v: BigUint64Array): [BigUint64Array[], BigUint64Array[]] => {
    const a: BigUint64Array[] = [], b: BigUint64Array[] = [];
    for (let k = 0; k < all.length; k++) (k < ca ? a : b).push(v.subarray(k * n, (k + 1) * n));
    return [a, b];
  };

  if (s.me === 0) {
    const piA = drawPermutation(s.prgNext, n);
    const toP2 = permuteStacked(half, piA, tmp);
    maskFrom(toP2, s.prgNext, split, false); // z1
    s.send(2, toP2, true);
    // Everything that does not need party 1's message is done before waiting for it.
    const piC = drawPermutation(s.prgPrev, n);
    const fromP1 = await s.recv(1, total);
    const mine = permuteStacked(fromP1, piC, tmp);
    maskFrom(mine, s.prgPrev, split, true); // z3
    const rho1 = s.prgPrev.words(total);
    const toP1 = mine;
    mask(toP1, rho1, split, true);
    const y0 = rho1;
    maskFrom(y0, s.prgPrev, split, false); // rho2
    s.send(1, toP1);
    const [y0a, y0b] = pieces(y0), [y1a, y1b] = pieces(toP1);
    return { arith: y0a.map((v, k) => new AShare(v, y1a[k])), binary: y0b.map((v, k) => new BShare(v, y1b[k])) };
  }

  if (s.me === 1) {
    const piA = drawPermutation(s.prgPrev, n);
    const mine = permuteStackedInto(half, piA, tmp, between);
    maskFrom(mine, s.prgPrev, split, true); // z1
    const piB = drawPermutation(s.prgNext, n);
    const toP0 = permuteStacked(mine, piB, tmp);
    maskFrom(toP0, s.prgNext, split, false); // z2
    s.send(0, toP0, true);
    const y1 = await s.recv(0, total);
    const y2 = await s.recv(2, total);
    const [y1a, y1b] = pieces(y1), [y2a, y2b] = pieces(y2);
    return { arith: y1a.map((v, k) => new AShare(v, y2a[k])), binary: y1b.map((v, k) => new BShare(v, y2b[k])) };
  }

  // Party 2.
  // piB and piC are drawn before the wait; the masks z2 and z3 that follow each of them in its
  // stream are streamed in after it (the streams are the same, only drawn later).
  const piB = drawPermutation(s.prgPrev, n);
  const piC = drawPermutation(s.prgNext, n);
  const fromP0 = await s.recv(0, total);
  const mine = permuteStackedInto(fromP0, piB, tmp, between);
  maskFrom(mine, s.prgPrev, split, true); // z2
  const held = permuteStacked(mine, piC, tmp);
  maskFrom(held, s.prgNext, split, false); // z3
  const rho1 = s.prgNext.words(total);
  const toP1 = held, y0 = rho1;
  // rho2 is streamed: toP1 -= rho2 and y0 += rho2 (XOR on binary columns) chunk by chunk.
  s.prgNext.chunks(total, (m, at) => {
    maskChunk(toP1, m, at, split, true);
    maskChunk(y0, m, at, split, false);
  });
  s.send(1, toP1);
  const [y2a, y2b] = pieces(toP1), [y0a, y0b] = pieces(y0);
  return { arith: y2a.map((v, k) => new AShare(v, y0a[k])), binary: y2b.map((v, k) => new BShare(v, y0b[k])) };
}
