/**
 * Job functions used by the runner tests (embedded threads and process cluster). Not a test file
 * itself: the runners import it by URL in each party.
 */

import { dot, mul, mulPairs } from '../../src/mpc/protocols/arith.js';
import { fxmul } from '../../src/mpc/protocols/trunc.js';
import { input, open, randomA } from '../../src/mpc/protocols/io.js';
import type { PartyId } from '../../src/mpc/party.js';
import type { Session } from '../../src/mpc/session.js';

export interface MulArgs {
  /** Party 0's private vector (only party 0 gets it). */
  readonly x?: BigUint64Array;
  /** Party 1's private vector (only party 1 gets it). */
  readonly y?: BigUint64Array;
  readonly n: number;
}

/** x (from party 0) times y (from party 1), opened to everybody. */
export async function mulOpen(s: Session, args: MulArgs, me: PartyId): Promise<{ z: BigUint64Array; rounds: number; bytes: number }> {
  const xs = await input(s, 0, me === 0 ? args.x! : args.n);
  const ys = await input(s, 1, me === 1 ? args.y! : args.n);
  const z = await open(s, await mul(s, xs, ys));
  return { z, rounds: s.stats.rounds, bytes: s.stats.bytesSent };
}

/**
 * `rounds` fixed-point products x*y >> 16 of the same shares, each opened: over TLS the
 * truncation receives every later product's messages into the buffers it gave back.
 */
export async function fxmulOpen(s: Session, args: MulArgs & { rounds: number }, me: PartyId): Promise<BigUint64Array[]> {
  const xs = await input(s, 0, me === 0 ? args.x! : args.n);
  const ys = await input(s, 1, me === 1 ? args.y! : args.n);
  const out: BigUint64Array[] = [];
  for (let r = 0; r < args.rounds; r++) out.push(await open(s, await fxmul(s, xs, ys, 16)));
  return out;
}

/**
 * x and y (from parties 0 and 1) multiplied every way whose messages are received in place over
 * TLS (Session.recvInto, Session.sendLent): mul, mulPairs with and without lent memory, dot
 * with long outputs. Each product is opened to everybody.
 */
export async function productsOpen(s: Session, args: MulArgs, me: PartyId): Promise<{ mul: BigUint64Array; pairs: BigUint64Array[]; pairsInto: BigUint64Array[]; dot: BigUint64Array }> {
  const xs = await input(s, 0, me === 0 ? args.x! : args.n);
  const ys = await input(s, 1, me === 1 ? args.y! : args.n);
  const product = await open(s, await mul(s, xs, ys));
  const pairs = await mulPairs(s, [xs], [ys, xs]);
  const openedPairs = [await open(s, pairs[0]), await open(s, pairs[1])];
  const lent = new BigUint64Array(4 * args.n);
  const pairsInto = await mulPairs(s, [ys], [xs, ys], lent);
  const openedInto = [await open(s, pairsInto[0]), await open(s, pairsInto[1])];
  const dots = await open(s, await dot(s, xs, ys, 2));
  return { mul: product, pairs: openedPairs, pairsInto: openedInto, dot: dots };
}

/** `rounds` sequential multiplications of random shared vectors of `n` elements. */
export async function mulLoop(s: Session, args: { n: number; rounds: number }): Promise<number> {
  let x = randomA(s, args.n);
  const y = randomA(s, args.n);
  for (let r = 0; r < args.rounds; r++) x = await mul(s, x, y);
  return s.stats.rounds;
}

/** Party 2 never sends what the others wait for. */
export async function stall(s: Session, _args: unknown, me: PartyId): Promise<string> {
  if (me === 2) return 'stalled';
  await s.recv(2, 1);
  return 'unreachable';
}

/** Party 1 fails; the others wait for a message from it. */
export async function boom(s: Session, _args: unknown, me: PartyId): Promise<string> {
  if (me === 1) throw new Error('boom in party 1');
  await s.recv(1, 4);
  return 'unreachable';
}

/** Echoes the arguments and the party (plumbing checks). */
export function echo(_s: Session, args: unknown, me: PartyId): { me: PartyId; args: unknown } {
  return { me, args };
}

/** The V8 and node flags the party's process runs with (party-environment.ts COLOCATED_PARTY_FLAGS). */
export function execArgv(): string[] {
  return [...process.execArgv];
}
