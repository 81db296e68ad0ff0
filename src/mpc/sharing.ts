/**
 * The replicated-sharing convention, in one place. Everything else (the client dealing an
 * upload, a node reading stored shares, protocols adding constants, a recipient opening a
 * result) asks this module instead of writing the convention out again.
 *
 *   x = x0 + x1 + x2 (mod 2^64), or x0 ^ x1 ^ x2 for binary shares.
 *   Party i holds (x_i, x_{i+1}) as its components (a, b).
 *   A public constant goes into component 0: party 0 holds it as a, party 2 as b, party 1 not at all.
 *   Dealing v: x0 and x1 uniformly random, x2 = v - x0 - x1.
 *   Reconstruction: component j is reported by party j (as a) and party j-1 (as b); any two
 *   parties give all three, and with three every component is cross-checked.
 *   Masking before opening: r0 + r1 + r2 = 0 from the key all three parties share, added
 *   component-wise, so a recipient sees uniformly random components that add up to the value.
 */

import { randomBytes } from 'node:crypto';
import { Prg, PRG_KEY_BYTES } from '../crypto/prg.js';
import { randomPool } from '../crypto/random-pool.js';
import { IntegrityError, UsageError } from '../errors.js';
import { clearTail, notWords } from '../ring/bits.js';
import type { ColumnComponents, Component, SharePayload } from '../wire/share-payload.js';
import type { PartyId } from './party.js';
import { AShare, BShare, BitShare } from './shares.js';

export type ComponentIndex = 0 | 1 | 2;

/** The components party `p` holds, as (a, b). */
export function heldComponents(p: PartyId): readonly [ComponentIndex, ComponentIndex] {
  return [p, ((p + 1) % 3) as ComponentIndex];
}

/** Picks party `p`'s pair (a, b) out of all three components of something dealt. */
export function componentsFor<T>(p: PartyId, components: readonly [T, T, T]): { readonly a: T; readonly b: T } {
  const [i, j] = heldComponents(p);
  return { a: components[i], b: components[j] };
}

/** Where party `me` keeps component 0 (the one public constants are added to), if it holds it. */
export function constantSlot(me: PartyId): 'a' | 'b' | undefined {
  return me === 0 ? 'a' : me === 2 ? 'b' : undefined;
}

/** The third component of a dealt vector: x2 = v - x0 - x1 (written into `out`, which may be x0). */
export function thirdComponent(v: BigUint64Array, x0: BigUint64Array, x1: BigUint64Array, out: BigUint64Array = new BigUint64Array(v.length)): BigUint64Array {
  for (let i = 0; i < v.length; i++) out[i] = v[i] - x0[i] - x1[i];
  return out;
}

// ---- dealing (on the data owner's machine) ----------------------------------------------------

const PARTIES = [0, 1, 2] as const;

/**
 * Splits encoded columns into the three nodes' payloads. Per column, x0 and x1 come from two
 * fresh 16-byte seeds, so node 0 receives two seeds (32 bytes whatever the row count), node 1
 * (seed1, x2) and node 2 (x2, seed0) (wire/share-payload.ts describes the format).
 */
export function dealColumns(columns: readonly BigUint64Array[], rows: number): [SharePayload, SharePayload, SharePayload] {
  const per: ColumnComponents[][] = [[], [], []];
  for (const v of columns) {
    if (v.length !== rows) throw new UsageError(`column has ${v.length} values, the table has ${rows} rows`);
    const seed0 = randomBytes(PRG_KEY_BYTES), seed1 = randomBytes(PRG_KEY_BYTES);
    const x0 = new Prg(seed0).words(rows), x1 = new Prg(seed1).words(rows);
    // x2 written over x0 (each x0[i] is read before it is overwritten).
    const x2 = thirdComponent(v, x0, x1, x0);
    const components: [Component, Component, Component] = [{ kind: 'seed', seed: seed0 }, { kind: 'seed', seed: seed1 }, { kind: 'words', words: x2 }];
    for (const p of PARTIES) per[p].push(componentsFor(p, components));
  }
  return [
    { rows, columns: per[0] },
    { rows, columns: per[1] },
    { rows, columns: per[2] },
  ];
}

/**
 * Deals one row (a contribution): the masks x0 and x1 are drawn directly rather than from seeds,
 * because a seed (16 bytes and a PRG set-up) costs more than the 8-byte word it would expand to.
 * The shares are the same as dealColumns' for one row.
 */
export function dealRow(values: readonly bigint[]): [SharePayload, SharePayload, SharePayload] {
  const per: ColumnComponents[][] = [[], [], []];
  const drawn = randomPool.take(16 * values.length);
  const masks = new BigUint64Array(2 * values.length);
  new Uint8Array(masks.buffer).set(drawn);
  drawn.fill(0);
  for (let c = 0; c < values.length; c++) {
    const x0 = masks.slice(2 * c, 2 * c + 1), x1 = masks.slice(2 * c + 1, 2 * c + 2);
    const x2 = thirdComponent(BigUint64Array.of(BigInt.asUintN(64, values[c])), x0, x1);
    const components: [Component, Component, Component] = [{ kind: 'words', words: x0 }, { kind: 'words', words: x1 }, { kind: 'words', words: x2 }];
    for (const p of PARTIES) per[p].push(componentsFor(p, components));
  }
  masks.fill(0n);
  return [
    { rows: 1, columns: per[0] },
    { rows: 1, columns: per[1] },
    { rows: 1, columns: per[2] },
  ];
}

// ---- public constants -------------------------------------------------------------------------

/** Adds a public scalar (to component 0). */
export function addConstA(me: PartyId, x: AShare, c: bigint): AShare {
  const k = BigInt.asUintN(64, c);
  const out = { a: x.a.slice(), b: x.b.slice() };
  const slot = constantSlot(me);
  // The component is looked up once: indexing out[slot] inside the loop kept V8 from compiling it to a native loop.
  if (slot) addWord(out[slot], k);
  return new AShare(out.a, out.b);
}

/** Adds a public vector (to component 0). */
export function addPublicA(me: PartyId, x: AShare, c: BigUint64Array): AShare {
  if (x.length !== c.length) throw new IntegrityError(`operands differ in length (${x.length} vs ${c.length})`);
  const out = { a: x.a.slice(), b: x.b.slice() };
  const slot = constantSlot(me);
  if (slot) addWords(out[slot], c);
  return new AShare(out.a, out.b);
}

function addWord(v: BigUint64Array, k: bigint): void {
  for (let i = 0; i < v.length; i++) v[i] += k;
}

function addWords(v: BigUint64Array, c: BigUint64Array): void {
  for (let i = 0; i < v.length; i++) v[i] += c[i];
}

/** Arithmetic shares of a public vector (no communication, no randomness: the value is public). */
export function publicA(me: PartyId, c: BigUint64Array): AShare {
  const out = { a: new BigUint64Array(c.length), b: new BigUint64Array(c.length) };
  const slot = constantSlot(me);
  if (slot) out[slot].set(c);
  return new AShare(out.a, out.b);
}

/** Binary shares of public words. */
export function publicB(me: PartyId, c: BigUint64Array): BShare {
  const out = { a: new BigUint64Array(c.length), b: new BigUint64Array(c.length) };
  const slot = constantSlot(me);
  if (slot) out[slot].set(c);
  return new BShare(out.a, out.b);
}

/** XOR with a public word per element, or one word for all (applied to component 0). */
export function xorPublicB(me: PartyId, x: BShare, c: BigUint64Array | bigint): BShare {
  const out = { a: x.a.slice(), b: x.b.slice() };
  const slot = constantSlot(me);
  if (slot) {
    const target = out[slot];
    if (typeof c === 'bigint') {
      const k = BigInt.asUintN(64, c);
      for (let i = 0; i < target.length; i++) target[i] ^= k;
    } else {
      for (let i = 0; i < target.length; i++) target[i] ^= c[i];
    }
  }
  return new BShare(out.a, out.b);
}

/**
 * Logical NOT of shared bits: flip component 0. The flipped component is written straight from
 * the source (no copy first) and chosen by a plain branch on the public party index: the keyed
 * store `out[slot]` this replaced gave V8 no stable feedback in a node, where each process is one
 * party, and it deoptimised every query ("insufficient type feedback", docs/benchmarks.md s10-deopt).
 */
export function notBits(me: PartyId, x: BitShare): BitShare {
  const slot = constantSlot(me);
  const a = slot === 'a' ? flippedBits(x.a, x.length) : x.a.slice();
  const b = slot === 'b' ? flippedBits(x.b, x.length) : x.b.slice();
  return new BitShare(a, b, x.length);
}

function flippedBits(words: BigUint64Array, length: number): BigUint64Array {
  const out = notWords(words);
  clearTail(out, length);
  return out;
}

// ---- reconstruction and masking ---------------------------------------------------------------

/** One party's report of its two components of a value. */
export interface ComponentReport {
  readonly party: PartyId;
  readonly a: bigint;
  readonly b: bigint;
}

/**
 * The value from the reports of at least two different parties. Every component reported twice
 * must agree: a disagreement means a faulty or tampered share and is refused, never averaged.
 * `what` names the value in errors.
 */
export function reconstructValue(reports: readonly ComponentReport[], what: string): bigint {
  const seen: (bigint | undefined)[] = [undefined, undefined, undefined];
  for (const r of reports) {
    const [i, j] = heldComponents(r.party);
    for (const [idx, val] of [[i, r.a], [j, r.b]] as const) {
      const earlier = seen[idx];
      if (earlier !== undefined && earlier !== val) throw new IntegrityError(`nodes disagree on component ${idx} of '${what}': one of them is faulty or tampered with`);
      seen[idx] = val;
    }
  }
  if (seen.some((c) => c === undefined)) throw new IntegrityError(`component missing for '${what}'`);
  return BigInt.asUintN(64, seen[0]! + seen[1]! + seen[2]!);
}

/**
 * Re-randomises shares before they leave for a recipient: r0 + r1 + r2 = 0 per element, drawn
 * from `common` (the PRG all three parties share in this session, so all draw the same r), and
 * party `me` adds (r_me, r_{me+1}). The value is unchanged; each component becomes uniform.
 */
export function maskForOpening(me: PartyId, common: Prg, x: AShare): AShare {
  const n = x.length;
  const drawn = common.words(2 * n);
  const r: [BigUint64Array, BigUint64Array, BigUint64Array] = [drawn.subarray(0, n), drawn.subarray(n, 2 * n), new BigUint64Array(n)];
  for (let i = 0; i < n; i++) r[2][i] = -(r[0][i] + r[1][i]);
  const mine = componentsFor(me, r);
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = x.a[i] + mine.a[i];
    b[i] = x.b[i] + mine.b[i];
  }
  return new AShare(a, b);
}
