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
 * Since s11-mul no block is copied by the links on the way (docs/benchmarks.md, s11-mul): each is
 * lent to the link (Session.sendLent: the link writes it from this party's memory instead of
 * staging a copy; the multiplication returns only once every lent block is written), and each of the next party's blocks is
 * received straight into its place in the result (Session.recvInto: the link's frame reader
 * copies the decrypted bytes there, with no 1 MiB message buffer and no copy out of it).
 *
 * The words sent and the keystream drawn are those of the unstreamed round (the zero-sharing is
 * drawn block after block from the same two streams, in order), so a vector's shares are
 * bit-identical whichever way it went; test/mpc/mul-reference.test.ts pins them.
 */

import { uninitializedWords } from '../../ring/z64.js';
import { AShare } from '../shares.js';
import type { Session } from '../session.js';
import { timeline } from '../timeline.js';
import { BLOCK_WORDS } from './row-blocks.js';

/**
 * Words per block: 1 MiB, the link's frame (one block is one frame and one socket write), as the
 * shuffle's blocks (row-blocks.ts). Measured under load (docs/benchmarks.md, s10-mul): 2^16 words
 * cost more CPU per party, 2^18 and 2^19 no less than 2^17 beyond the load's scatter, and a
 * smaller block starts the previous party's decryption sooner.
 */
export const MUL_BLOCK_WORDS = BLOCK_WORDS;

/** Whether a vector of `n` words is streamed: more than one block (a shorter one is one message either way). */
export const streamsInBlocks = (n: number): boolean => n > MUL_BLOCK_WORDS;

/** Lets the event loop run once: the link's write completions and incoming bytes are handled. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** x·y of two vectors of equal length (checked by the caller), in blocks, into `into` when given (arith.ts mul). One round. */
export async function mulInBlocks(s: Session, x: AShare, y: AShare, into?: BigUint64Array): Promise<AShare> {
  const n = x.length;
  const z = into ? into.subarray(0, n) : uninitializedWords(n);
  s.round();
  // Both at once, and under one Promise.all: a receive that fails (the peer aborted or vanished)
  // while blocks are still being computed rejects the multiplication at once instead of lying
  // unhandled until the last block is out. The receives wait before the first block is computed,
  // so that every block arriving meanwhile is placed, not copied.
  const [b] = await Promise.all([receiveInto(s, into ? into.subarray(n, 2 * n) : uninitializedWords(n)), sendBlocks(s, x, y, z)]);
  timeline.mark(s.me, 'received');
  return new AShare(z, b);
}

/** Computes z block by block and sends each block to the previous party as soon as it is final. */
async function sendBlocks(s: Session, x: AShare, y: AShare, z: BigUint64Array): Promise<void> {
  const n = z.length;
  const lent: Promise<void>[] = [];
  for (let from = 0; from < n; from += MUL_BLOCK_WORDS) {
    const to = Math.min(n, from + MUL_BLOCK_WORDS);
    productTerms(s, x, y, z, from, to);
    // z is not written again here; it is lent until the link has written it.
    lent.push(s.sendLent(s.prev, z.subarray(from, to)));
    if (timeline.on) timeline.mark(s.me, `sent ${from / MUL_BLOCK_WORDS} to P${s.prev}`);
    if (to < n) await turn();
  }
  // z becomes the caller's share, which callers may update in place: not before the link is done
  // with it (usually long before the next party's last block is in).
  await Promise.all(lent);
  timeline.mark(s.me, 'sent');
}

/** z[from, to) = this party's 3-out-of-3 share of x·y there: the zero-sharing's words for those rows plus the cross terms. */
function productTerms(s: Session, x: AShare, y: AShare, z: BigUint64Array, from: number, to: number): void {
  s.zeroShareInto(z.subarray(from, to));
  const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
  for (let i = from; i < to; i++) z[i] += xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
}

/**
 * The next party's blocks, each received into its place in `out`: all the
 * receives wait at once, so the link places every block that starts arriving from now on.
 */
async function receiveInto(s: Session, out: BigUint64Array): Promise<BigUint64Array> {
  const n = out.length;
  const blocks: Promise<void>[] = [];
  for (let from = 0; from < n; from += MUL_BLOCK_WORDS) {
    const got = s.recvInto(s.next, out.subarray(from, Math.min(n, from + MUL_BLOCK_WORDS)));
    blocks.push(timeline.on ? got.then(() => timeline.mark(s.me, `got ${from / MUL_BLOCK_WORDS} from P${s.next}`)) : got);
  }
  await Promise.all(blocks);
  return out;
}
