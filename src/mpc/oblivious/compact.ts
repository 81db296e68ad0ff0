/**
 * Compaction with the row count revealed: keep the rows whose secret predicate bit is 1
 * (the filter of Hamada et al. and of ORQ when the output size is public).
 *
 * 1. The columns and the predicate are shuffled together with one secret permutation
 *    (Chida et al. 2019, protocols/shuffle.ts): 3 rounds.
 * 2. The predicate of the shuffled rows is opened: 1 round.
 * 3. Every party keeps the same rows of its shares (a local selection by public positions).
 *
 * What is revealed: the opened bits are those of a uniformly random arrangement of the rows, so
 * they tell only how many are 1, i.e. the output row count. The kept rows come out in a random
 * order (which is why the order reveals nothing), not in their input order.
 *
 * Cost: 4 rounds. Per row and party: the shuffle's 8 bytes per column (party 0: 16) plus 8 for
 * the predicate word (it travels as one extra shuffled column, party 0: 16), and to open it
 * 1 bit (a binary predicate: the shuffled words' low bits are packed first, locally) or 8 bytes
 * (an arithmetic one).
 *
 * With no column to carry and a binary predicate, nothing is shuffled: the count alone is
 * computed and opened (protocols/count-ones.ts: 2 rounds, 4/3 bytes per row and party), which
 * is exactly what the shuffled bits would tell.
 *
 * The predicate is a packed shared bit (comparisons' output: it is spread locally into one
 * binary word per row, low bit = the predicate) or an arithmetic 0/1 share. An arithmetic
 * predicate must hold 0/1 (its opened values are checked, and anything else stops the
 * computation with a ProtocolError instead of being read as a bit).
 */

import { ProtocolError, UsageError } from '../../errors.js';
import { open, openBits } from '../protocols/io.js';
import { gatherBit, halves } from '../../ring/bitops.js';
import { wordsFor } from '../../ring/bits.js';
import { countOnes } from '../protocols/count-ones.js';
import { shuffle } from '../protocols/shuffle.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare } from '../shares.js';

export interface Compacted {
  /** The kept rows of every column, in a random order. */
  readonly columns: AShare[];
  /** The number of rows kept (public). */
  readonly count: number;
}

export async function compact(s: Session, columns: readonly AShare[], predicate: BitShare | AShare): Promise<Compacted> {
  const n = predicate.length;
  for (const c of columns) if (c.length !== n) throw new UsageError(`compact: a column has ${c.length} rows, the predicate ${n}`);
  if (n === 0) return { columns: columns.map(() => AShare.zeros(0)), count: 0 };
  if (columns.length === 0 && predicate instanceof BitShare) return { columns: [], count: await countOnes(s, predicate) };
  let keep: Uint8Array;
  let shuffled: AShare[];
  if (predicate instanceof BitShare) {
    const out = await shuffle(s, { arith: columns, binary: [bitsAsWords(predicate)] });
    keep = unpackBits(await openBits(s, lowBitsPacked(out.binary[0])), n);
    shuffled = [...out.arith];
  } else {
    const out = await shuffle(s, { arith: [...columns, predicate], binary: [] });
    keep = zeroOne(await open(s, out.arith[columns.length]));
    shuffled = out.arith.slice(0, columns.length);
  }
  const positions = keptPositions(keep);
  return { columns: shuffled.map((c) => gather(c, positions)), count: positions.length };
}

/**
 * One binary word per row whose low bit is the row's shared bit (local: XOR sharing is bitwise).
 * Written through 32-bit views: per-bit BigInt shifts are several times slower in V8.
 */
export function bitsAsWords(x: BitShare): BShare {
  const spread = (words: BigUint64Array): BigUint64Array => {
    const out = new BigUint64Array(x.length);
    spreadBits(halves(words), halves(out), x.length);
    return out;
  };
  return new BShare(spread(x.a), spread(x.b));
}

/** out[2i] = bit i of bits (the low half of word i; the high halves stay 0). */
function spreadBits(bits: Uint32Array, out: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) out[2 * i] = (bits[i >>> 5] >>> (i & 31)) & 1;
}

/** The low bit of every word, packed (local: XOR sharing is bitwise), so that opening sends 1 bit per row, not 8 bytes. */
function lowBitsPacked(x: BShare): BitShare {
  const pack = (words: BigUint64Array): BigUint64Array => {
    const out = new BigUint64Array(wordsFor(words.length));
    gatherBit(halves(words), 0, words.length, 0, halves(out), 0);
    return out;
  };
  return new BitShare(pack(x.a), pack(x.b), x.length);
}

function unpackBits(packed: BigUint64Array, n: number): Uint8Array {
  const bits = halves(packed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bits[i >>> 5] >>> (i & 31)) & 1;
  return out;
}

function zeroOne(values: BigUint64Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (values[i] > 1n) throw new ProtocolError('compact: the arithmetic predicate is not 0/1; pass a comparison bit, or a 0/1 share');
    out[i] = Number(values[i]);
  }
  return out;
}

function keptPositions(keep: Uint8Array): Int32Array {
  let m = 0;
  for (let i = 0; i < keep.length; i++) m += keep[i];
  const out = new Int32Array(m);
  for (let i = 0, o = 0; i < keep.length; i++) if (keep[i] === 1) out[o++] = i;
  return out;
}

/** The rows of `x` at public `positions`. */
export function gather(x: AShare, positions: Int32Array): AShare {
  const a = new BigUint64Array(positions.length), b = new BigUint64Array(positions.length);
  for (let k = 0; k < positions.length; k++) {
    a[k] = x.a[positions[k]];
    b[k] = x.b[positions[k]];
  }
  return new AShare(a, b);
}
