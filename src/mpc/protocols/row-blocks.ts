/**
 * One protocol message streamed as consecutive blocks, so that the sender's compute, the network
 * and the receiver's compute overlap (shuffle.ts): the sender hands each block to the link as
 * soon as its words are final, and the receiver works on each block as it arrives.
 *
 * The message is a vector of `total` words (the columns of a call one after another); it is cut
 * into blocks of BLOCK_WORDS words, the last one shorter (a message of at most BLOCK_WORDS words
 * is one block, an empty one is one empty block). Both ends derive the cut from `total`, which
 * is public, and the link delivers a session's messages in order, so a block needs no header.
 * Blocks are messages, not rounds: every block of a step depends on the same earlier step only,
 * and together they carry exactly the bytes of the one message they replace.
 */

import { asBytes } from '../../ring/z64.js';
import type { PartyId } from '../party.js';
import type { Session } from '../session.js';
import { timeline } from '../timeline.js';

/**
 * Words per block (1 MiB, the link's frame: one block is one frame and one socket write). Chosen
 * by the CPU per party at 2^20 rows over TLS against 2^15, 2^16 and 2^18 (docs/benchmarks.md,
 * s8-shuffle): smaller blocks cost more (a receive, a write and a fresh receive buffer whenever
 * the receiver has fallen behind, per block), larger ones start the receiver later for no
 * measurable saving.
 */
export const BLOCK_WORDS = 1 << 17;

/** How many blocks a message of `total` words is sent in. */
export function blockCount(total: number): number {
  return Math.max(1, Math.ceil(total / BLOCK_WORDS));
}

/** Lets the event loop run once: the link's write completions and incoming bytes are handled. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Sends a vector that is being written front to back in blocks: `column` has the words of one
 * column produced in row ranges that end at block boundaries and sends every block as soon as it
 * is complete. The vector must not be written again once its words are produced.
 */
export class BlockSender {
  private sent = 0;
  /** The last block (or the one empty block) has gone out. */
  private finished = false;

  /**
   * `transfer`: the link may keep views of `out` until it has written them (a vector this party
   * does not keep); otherwise every block is lent (Session.sendLent: written from `out`, not
   * copied when it queues behind a write in flight) and the caller awaits written() before it
   * hands `out` on.
   */
  constructor(
    private readonly s: Session,
    private readonly to: PartyId,
    private readonly out: BigUint64Array,
    private readonly rows: number,
    private readonly transfer: boolean,
  ) {}

  /**
   * Column k (words k·rows .. (k+1)·rows of the vector): `produce(from, to)` writes its rows
   * [from, to), in order; whole blocks go out in between, with a turn of the event loop after
   * each so that the link writes them while the next block is computed.
   */
  async column(k: number, produce: (from: number, to: number) => void): Promise<void> {
    const base = k * this.rows, end = base + this.rows, total = this.out.length;
    for (let at = base; at < end; ) {
      const stop = Math.min(end, (Math.floor(at / BLOCK_WORDS) + 1) * BLOCK_WORDS);
      produce(at - base, stop - base);
      at = stop;
      if (this.flush(at) && at < total) await turn();
    }
    if (end === total && !this.finished) this.flush(total); // an empty message still goes out
  }

  /** Sends the whole blocks below `upTo`, and the last block once `upTo` is the end; true if any went. */
  private flush(upTo: number): boolean {
    const total = this.out.length, before = this.sent;
    while (this.sent + BLOCK_WORDS <= upTo && this.sent < total) this.sendUpTo(this.sent + BLOCK_WORDS);
    if (upTo === total && !this.finished) this.sendUpTo(total);
    return this.sent > before || (total === 0 && this.finished);
  }

  /** Lent blocks not yet written (a vector this party keeps: no copy even behind a write in flight). */
  private readonly lent: Promise<void>[] = [];

  /** Settles once the link reads none of the vector any more: the caller may then write it. */
  async written(): Promise<void> {
    await Promise.all(this.lent);
  }

  private sendUpTo(stop: number): void {
    const block = this.out.subarray(this.sent, stop);
    if (this.transfer) this.s.send(this.to, block, true);
    else this.lent.push(this.s.sendLent(this.to, block));
    if (timeline.on) timeline.mark(this.s.me, `sent ${Math.floor(this.sent / BLOCK_WORDS)} to P${this.to}`);
    this.sent = stop;
    this.finished = stop === this.out.length;
  }
}

/** One received block: words [at, at + words.length) of the message. */
export interface Block {
  readonly words: BigUint64Array;
  readonly at: number;
}

/**
 * Receives the blocks of a message of `total` words from `from`, in order. Each block's buffer
 * goes back to the link once the loop body that read it is done (the next block of its size is
 * received into it): the body must not keep a view of it.
 */
export async function* receiveBlocks(s: Session, from: PartyId, total: number): AsyncGenerator<Block> {
  const count = blockCount(total);
  for (let b = 0, at = 0; b < count; b++) {
    const size = Math.min(BLOCK_WORDS, total - at);
    const words = await s.recv(from, size);
    if (timeline.on) timeline.mark(s.me, `got ${b} from P${from}`);
    yield { words, at };
    if (timeline.on) timeline.mark(s.me, `used ${b} from P${from}`);
    s.release(from, asBytes(words));
    at += size;
  }
}

/**
 * The parts of a block that fall into each column of `rows` words: visit(k, row, offset, count)
 * for column k's rows [row, row + count), found at words [offset, offset + count) of the block.
 */
export async function forColumns(block: Block, rows: number, visit: (k: number, row: number, offset: number, count: number) => Promise<void> | void): Promise<void> {
  const end = block.at + block.words.length;
  for (let at = block.at; at < end; ) {
    const k = Math.floor(at / rows), row = at - k * rows;
    const count = Math.min(end - at, rows - row);
    await visit(k, row, at - block.at, count);
    at += count;
  }
}
