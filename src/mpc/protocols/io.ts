/**
 * Getting values into and out of replicated sharing.
 *
 * input: party j holds v. Components: x_j = PRG shared by j and j-1, x_{j-1} = 0,
 * x_{j+1} = v - x_j, which j sends to j+1. One round, 8 bytes per element from j only.
 * Party j-1 sees (0, x_j) and party j+1 sees (v - x_j, 0): both independent of v.
 *
 * open: every party is missing one component, which its previous party holds as `a`. The
 * received component is read once, into the opened values, and then given back to its link
 * (Session.release), which receives the next message of that size into it instead of fresh memory.
 */

import { UsageError } from '../../errors.js';
import type { PartyId } from '../party.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare } from '../shares.js';
import { subKernel, sum3, xor3, xorKernel } from './kernels.js';

/** Party `owner` shares `values` (only the owner passes them; the others pass the length). */
export async function input(s: Session, owner: PartyId, values: BigUint64Array | number): Promise<AShare> {
  const [a, b] = await inputComponents(s, owner, values, subKernel);
  return new AShare(a, b);
}

/** Binary version of `input` (XOR sharing of 64-bit words). */
export async function inputBinary(s: Session, owner: PartyId, values: BigUint64Array | number): Promise<BShare> {
  const [a, b] = await inputComponents(s, owner, values, xorKernel);
  return new BShare(a, b);
}

/**
 * The input protocol for either sharing; `remove(out, v, x)` writes v minus (or XOR) x.
 * Components: x_j from the PRG of j and j-1, x_{j-1} = 0, x_{j+1} = v - x_j sent to j+1.
 */
async function inputComponents(
  s: Session,
  owner: PartyId,
  values: BigUint64Array | number,
  remove: (out: BigUint64Array, v: BigUint64Array, x: BigUint64Array) => void,
): Promise<[BigUint64Array, BigUint64Array]> {
  const n = typeof values === 'number' ? values : values.length;
  s.round();
  if (s.me === owner) {
    if (typeof values === 'number') throw new UsageError(`party ${owner} must pass the values it inputs`);
    const xj = s.prgPrev.words(n);
    const xNext = new BigUint64Array(n);
    remove(xNext, values, xj);
    s.send(s.next, xNext);
    return [xj, xNext];
  }
  if (s.me === (owner + 1) % 3) return [await s.recv(owner, n), new BigUint64Array(n)];
  // The party before the owner: it holds x_{j-1} = 0 and x_j from the PRG it shares with j.
  return [new BigUint64Array(n), s.prgNext.words(n)];
}

/** Fresh shares of a uniformly random vector that no party knows. No communication. */
export function randomA(s: Session, n: number): AShare {
  return new AShare(s.prgPrev.words(n), s.prgNext.words(n));
}

/** Opens to all three parties. One round, 8 bytes per element per party. */
export async function open(s: Session, x: AShare): Promise<BigUint64Array> {
  s.round();
  s.send(s.next, x.a);
  return combineReceived(s, x.a, x.b, await s.recv(s.prev, x.length), sum3);
}

/** `combine(a, b, missing)` into a new vector, then `missing` (received from the previous party, read for the last time) back to its link. */
function combineReceived(s: Session, a: BigUint64Array, b: BigUint64Array, missing: BigUint64Array, combine: (a: BigUint64Array, b: BigUint64Array, c: BigUint64Array) => BigUint64Array): BigUint64Array {
  const out = combine(a, b, missing);
  s.releaseWords(s.prev, missing);
  return out;
}

/** Opens to party `to` only; the others learn nothing and get undefined. One round. */
export async function openTo(s: Session, to: PartyId, x: AShare): Promise<BigUint64Array | undefined> {
  s.round();
  if (s.me === to) {
    return combineReceived(s, x.a, x.b, await s.recv(s.prev, x.length), sum3);
  }
  if (s.next === to) s.send(to, x.a);
  return undefined;
}

export async function openBinary(s: Session, x: BShare): Promise<BigUint64Array> {
  s.round();
  s.send(s.next, x.a);
  return combineReceived(s, x.a, x.b, await s.recv(s.prev, x.length), xor3);
}

/** Opens packed bits to all parties; returns packed words. */
export async function openBits(s: Session, x: BitShare): Promise<BigUint64Array> {
  s.round();
  s.send(s.next, x.a);
  return combineReceived(s, x.a, x.b, await s.recv(s.prev, x.a.length), xor3);
}
