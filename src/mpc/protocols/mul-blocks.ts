/**
 * A long multiplication's single round streamed in row blocks (Araki et al., CCS'16, as in
 * arith.ts: one round, 8 bytes per element; the blocks are messages of that one round, not
 * rounds). Each block's zero-sharing and products are computed and handed to the link at once, so
 * that the previous party decrypts block b while this party still computes block b + 1, and this
 * party copies the next party's blocks into its result between its own.
 *
 * Why (s10-mul, bench/mul-timeline.ts): with the vector sent whole, a party's socket saw its first
 * byte only after its ~9 ms of local work and the TLS encryption of all 8 MiB, and its receiver
 * could do nothing with a message before its last byte: three single-threaded processes on two
 * cores left a core idle while the last receiver decrypted alone.
 *
 * The words sent and the keystream drawn are those of the unstreamed round (the zero-sharing is
 * drawn block after block from the same two streams, in order), so a vector's shares are
 * bit-identical whichever way it went; test/mpc/mul-reference.test.ts pins them.
 */

import { uninitializedWords } from '../../ring/z64.js';
import { AShare } from '../shares.js';
import type { Session } from '../session.js';
import { timeline } from '../timeline.js';
import { BlockSender, blockCount, receiveBlocks } from './row-blocks.js';

/** x·y of two vectors of equal length (checked by the caller), in blocks. One round. */
export async function mulInBlocks(s: Session, x: AShare, y: AShare): Promise<AShare> {
  const n = x.length;
  const z = uninitializedWords(n);
  s.round();
  // z is this party's share: it is never written again once produced, so the link may keep views of it.
  const sender = new BlockSender(s, s.prev, z, n, true);
  // Both at once, and under one Promise.all: a receive that fails (the peer aborted or vanished)
  // while blocks are still being computed rejects the multiplication at once instead of lying
  // unhandled until the last block is out.
  const [, b] = await Promise.all([sender.column(0, (from, to) => productTerms(s, x, y, z, from, to)).then(() => timeline.mark(s.me, 'sent')), receiveInto(s, n)]);
  timeline.mark(s.me, 'received');
  return new AShare(z, b);
}

/** z[from, to) = this party's 3-out-of-3 share of x·y there: the zero-sharing's words for those rows plus the cross terms. */
function productTerms(s: Session, x: AShare, y: AShare, z: BigUint64Array, from: number, to: number): void {
  s.zeroShareInto(z.subarray(from, to));
  const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
  for (let i = from; i < to; i++) z[i] += xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
}

/** The next party's blocks of `n` words, copied into one vector as they come (each block's buffer goes back to the link). */
async function receiveInto(s: Session, n: number): Promise<BigUint64Array> {
  const out = uninitializedWords(n);
  for await (const block of receiveBlocks(s, s.next, n)) out.set(block.words, block.at);
  return out;
}

/** Whether a vector of `n` words is worth streaming: more than one block (a shorter one is one message either way). */
export const streamsInBlocks = (n: number): boolean => blockCount(n) > 1;
