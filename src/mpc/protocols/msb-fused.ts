/**
 * MSB of d = x - y (or of x) on arithmetic shares, with the addends' sharings never built:
 * the same protocol, rounds and bytes as splitAddends + msbOfSum in compare.ts (ABY3 §5.3: party k
 * inputs v = d_k + d_{k+1} in binary over its third of the vector, w = d_{k+2} is shared for free;
 * then g = v & w in one AND round and the carry tree of compare.ts; 8 rounds, ~26.4 bytes per
 * element and party), with less local work.
 *
 * Why it is cheaper: in each third, v and w are sparse. For this party (k = me, q = next's third,
 * r = previous's third) the components are
 *   own third:  va = mask, vb = sent, wa = 0,   wb = 0
 *   q:          va = 0,    vb = prg,  wa = d_a, wb = 0
 *   r:          va = recv, vb = 0,    wa = 0,   wb = d_b
 * so the propagate words p = v ^ w are written directly (pa = mask | d_a | recv, pb = sent | prg |
 * d_b), and this party's local term of g = v & w is 0 on its own third and pa & pb elsewhere.
 * That replaces four fresh vectors (va, vb, wa, wb), two XOR passes into two more fresh vectors
 * and the general four-operand AND by two vectors from the scratch pool and one pass.
 *
 * Exact whenever x - y does not overflow (|x - y| < 2^63), as lt in compare.ts.
 */

import { UsageError } from '../../errors.js';
import { packTopBits } from '../../ring/bitops.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare } from '../shares.js';
import { carryTrees } from './carry-tree.js';
import { chunkBounds } from './roles.js';

/** MSB of x - y (of x when y is omitted) for each element. 8 rounds. */
export async function msbFused(s: Session, x: AShare, y?: AShare): Promise<BitShare> {
  const n = x.length;
  if (y && y.length !== n) throw new UsageError(`comparison operands differ in length (${n} vs ${y.length})`);
  const bounds = chunkBounds(n);
  const [o0, o1] = [bounds[s.me], bounds[s.me + 1]];
  const [q0, q1] = [bounds[s.next], bounds[s.next + 1]];
  const [r0, r1] = [bounds[s.prev], bounds[s.prev + 1]];
  const pool = s.party.scratch;
  const pa = pool.take(n), pb = pool.take(n);
  try {
    // Round 1: this party's third of v, masked by x_k (the PRG shared with the previous party,
    // drawn straight into pa), to the next party; the next party's x_k (PRG shared with it)
    // straight into pb.
    s.prgPrev.fill(bytesOf(pa.subarray(o0, o1)));
    const sent = new BigUint64Array(o1 - o0);
    if (y) differenceOfSumsXor(x.a, x.b, y.a, y.b, o0, pa, sent);
    else sumXor(x.a, x.b, o0, pa, sent);
    pb.set(sent, o0);
    s.prgNext.fill(bytesOf(pb.subarray(q0, q1)));
    s.round();
    s.send(s.next, sent, true);
    difference(x.a, y?.a, q0, q1, pa); // w_a on the next party's third
    difference(x.b, y?.b, r0, r1, pb); // w_b on the previous party's third
    await s.recvInto(s.prev, pa.subarray(r0, r1)); // received in place: no message buffer, no copy

    // Round 2: g = v & w. The zero-sharing masks this party's term (none on its own third).
    s.round();
    const z = s.zeroShareXor(n);
    andInto(z, pa, pb, q0, q1);
    andInto(z, pa, pb, r0, r1);
    s.send(s.prev, z);
    const gb = await s.recv(s.next, n);

    // Rounds 3-8: the carry into bit 63 (tree on g << 1, p << 1), then MSB = p63 ^ carry.
    const [tree] = await carryTrees(s, [{ g: new BShare(z, gb), p: new BShare(pa, pb), n, width: 64, shiftIn: true }]);
    const carry = tree.g;
    xorInto(carry.a, packTopBits(pa));
    xorInto(carry.b, packTopBits(pb));
    return carry;
  } finally {
    pool.give(pa);
    pool.give(pb);
  }
}

function bytesOf(v: BigUint64Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

// Element loops as small functions (see kernels.ts).

function differenceOfSumsXor(xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, from: number, mask: BigUint64Array, out: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (xa[from + i] + xb[from + i] - ya[from + i] - yb[from + i]) ^ mask[from + i];
}

function sumXor(xa: BigUint64Array, xb: BigUint64Array, from: number, mask: BigUint64Array, out: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (xa[from + i] + xb[from + i]) ^ mask[from + i];
}

/** out[from..to) = x - y (or x) on one component. */
function difference(x: BigUint64Array, y: BigUint64Array | undefined, from: number, to: number, out: BigUint64Array): void {
  if (y) for (let i = from; i < to; i++) out[i] = x[i] - y[i];
  else out.set(x.subarray(from, to), from);
}

function andInto(z: BigUint64Array, a: BigUint64Array, b: BigUint64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) z[i] ^= a[i] & b[i];
}

function xorInto(w: BigUint64Array, v: BigUint64Array): void {
  for (let i = 0; i < w.length; i++) w[i] ^= v[i];
}
