/**
 * Makes a session's pairwise PRG streams (the only randomness the noise sampler's output depends
 * on) come from fixed keys, so a statistical test of sampled values is deterministic. Test-only:
 * real sessions derive these keys from the keys the parties agreed on when they connected.
 */
import { createHash } from 'node:crypto';
import { Prg, PRG_KEY_BYTES } from '../../src/crypto/prg.js';
import type { Session } from '../../src/mpc/session.js';

/** The key of the pair {i, j} (i, j in 0..2) for `seed`: pairKeys[i][j] = pairKeys[j][i]. */
export function pairKey(seed: string, i: number, j: number): Uint8Array {
  const [lo, hi] = i < j ? [i, j] : [j, i];
  return createHash('sha256').update(`${seed}:${lo}-${hi}`).digest().subarray(0, PRG_KEY_BYTES);
}

/** Replaces `s`'s streams shared with its neighbours by streams from `seeds` (a seed per pair, as "01", "12", "02"). */
export function seedPairwise(s: Session, seeds: Readonly<Record<'01' | '12' | '02', string>>): void {
  const seedOf = (i: number, j: number): string => seeds[(i < j ? `${i}${j}` : `${j}${i}`) as '01' | '12' | '02'];
  const writable = s as unknown as { prgNext: Prg; prgPrev: Prg };
  writable.prgNext = new Prg(pairKey(seedOf(s.me, s.next), s.me, s.next));
  writable.prgPrev = new Prg(pairKey(seedOf(s.me, s.prev), s.me, s.prev));
}
