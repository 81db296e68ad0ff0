/**
 * The shuffle's exact output, pinned: every party's two result components must equal what the
 * protocol of shuffle.ts's header computes in plaintext from the same PRG keys (the three
 * pairwise permutations piA, piB, piC and the masks z1, z2, r, s, drawn in the order the header
 * gives). However the parties schedule their work (whole vectors or streamed row blocks), the
 * result is this one, bit for bit.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deriveKey, Prg } from '../../src/crypto/prg.js';
import { composedPermutation, drawPermutation } from '../../src/mpc/protocols/permutation.js';
import { BLOCK_WORDS, blockCount } from '../../src/mpc/protocols/row-blocks.js';
import { arenaLimit } from '../../src/mpc/protocols/permute-wasm.js';
import { shuffle } from '../../src/mpc/protocols/shuffle.js';
import type { Session } from '../../src/mpc/session.js';
import { AShare, BShare } from '../../src/mpc/shares.js';
import { closeTrio, trio } from '../helpers/protocol.js';

after(closeTrio);

/** A copy of a session's pairwise PRG, advanced to where the session's own stands. */
function prgLike(s: Session, key: Uint8Array, drawn: number): Prg {
  const prg = new Prg(deriveKey(key, `session:${s.id.toString(16)}`));
  if (drawn > 0) prg.fill(new Uint8Array(drawn));
  return prg;
}

interface Column {
  /** The three additive (or XOR) parts: party i holds (x[i], x[i + 1]). */
  readonly x: readonly [BigUint64Array, BigUint64Array, BigUint64Array];
  readonly binary: boolean;
}

const randomWords = (n: number): BigUint64Array => {
  const v = new BigUint64Array(n);
  if (n > 0) new Uint8Array(v.buffer).set(randomBytes(8 * n));
  return v;
};

const add = (u: bigint, v: bigint, binary: boolean): bigint => (binary ? u ^ v : BigInt.asUintN(64, u + v));
const sub = (u: bigint, v: bigint, binary: boolean): bigint => (binary ? u ^ v : BigInt.asUintN(64, u - v));
const permute = (v: BigUint64Array, perm: Int32Array): BigUint64Array => BigUint64Array.from(perm, (from) => v[from]);

/**
 * Every party's (a, b) after the shuffle, computed in plaintext from the three pairwise PRGs
 * (each at the point where the shuffle starts drawing): piA and z1 from {0,1}; piB and z2 from
 * {1,2}; piC, then r (all columns), then s from {2,0}.
 */
function reference(cols: readonly Column[], n: number, prg01: Prg, prg12: Prg, prg20: Prg): [BigUint64Array, BigUint64Array][][] {
  const piA = composedPermutation(drawPermutation(prg01, n));
  const piB = composedPermutation(drawPermutation(prg12, n));
  const piC = composedPermutation(drawPermutation(prg20, n));
  const r = cols.map(() => prg20.words(n));
  const out: [BigUint64Array, BigUint64Array][][] = [[], [], []];
  for (const c of cols) {
    const z1 = prg01.words(n), z2 = prg12.words(n), sMask = prg20.words(n);
    const k = out[0].length;
    const x01 = c.x[0].map((v, i) => add(v, c.x[1][i], c.binary));
    const toP2 = permute(x01, piA).map((v, i) => add(v, z1[i], c.binary)); // round 1, party 0 -> 2
    const m1 = permute(permute(c.x[2], piA).map((v, i) => sub(v, z1[i], c.binary)), piB).map((v, i) => add(v, z2[i], c.binary)); // round 2, party 1 -> 0
    const c0 = permute(m1, piC);
    const c2 = permute(permute(toP2, piB).map((v, i) => sub(v, z2[i], c.binary)), piC);
    const y0 = r[k];
    const y1 = c0.map((v, i) => sub(v, sMask[i], c.binary));
    const y2 = c2.map((v, i) => sub(add(v, sMask[i], c.binary), y0[i], c.binary));
    out[0].push([y0, y1]);
    out[1].push([y1, y2]);
    out[2].push([y2, y0]);
  }
  return out;
}

async function pinned(n: number, kinds: readonly boolean[]): Promise<void> {
  const t = await trio();
  const cols: Column[] = kinds.map((binary) => ({ x: [randomWords(n), randomWords(n), randomWords(n)], binary }));
  const results = await t.run(async (s) => {
    const mine = (c: Column): [BigUint64Array, BigUint64Array] => [c.x[s.me].slice(), c.x[(s.me + 1) % 3].slice()];
    const arith = cols.filter((c) => !c.binary).map((c) => new AShare(...mine(c)));
    const binary = cols.filter((c) => c.binary).map((c) => new BShare(...mine(c)));
    // Where this party's PRG with its next neighbour stands when the shuffle starts.
    const start = { key: s.party.keyNext, drawn: s.prgNext.drawn, s };
    const m0 = s.stats.messagesSent, b0 = s.stats.bytesSent, r0 = s.stats.rounds;
    const out = await shuffle(s, { arith, binary });
    const sent = { messages: s.stats.messagesSent - m0, bytes: s.stats.bytesSent - b0, rounds: s.stats.rounds - r0 };
    return { start, sent, out: [...out.arith, ...out.binary].map((c) => [c.a.slice(), c.b.slice()] as [BigUint64Array, BigUint64Array]) };
  });
  // The same bytes as one message per step, in blocks of BLOCK_WORDS words; still 3 rounds.
  const total = n * kinds.length, blocks = total === 0 ? 0 : blockCount(total);
  assert.deepEqual(results.map((r) => r.sent), [
    { messages: 2 * blocks, bytes: 16 * total, rounds: 3 },
    { messages: blocks, bytes: 8 * total, rounds: 3 },
    { messages: blocks, bytes: 8 * total, rounds: 3 },
  ]);
  const prg = (p: 0 | 1 | 2): Prg => prgLike(results[p].start.s, results[p].start.key, results[p].start.drawn);
  // The shuffle's columns are the arithmetic ones first, then the binary ones.
  const ordered = [...cols.filter((c) => !c.binary), ...cols.filter((c) => c.binary)];
  const expected = reference(ordered, n, prg(0), prg(1), prg(2));
  for (let p = 0; p < 3; p++) {
    ordered.forEach((_, k) => {
      assert.deepEqual(results[p].out[k][0], expected[p][k][0], `party ${p}, column ${k}, first component`);
      assert.deepEqual(results[p].out[k][1], expected[p][k][1], `party ${p}, column ${k}, second component`);
    });
  }
}

test('shuffle output equals the plaintext protocol for the same keys: short columns, arithmetic and binary', async () => {
  for (const n of [0, 1, 2, 7, 100]) await pinned(n, [false, true]);
});

test('shuffle output equals the plaintext protocol for the same keys: several buckets, one column', async () => {
  await pinned(5000, [false]);
  await pinned(5000, [true]);
});

test('shuffle output equals the plaintext protocol for the same keys: columns longer than a block, blocks across columns', async () => {
  // Three columns of half a block and a row: the first block ends two rows before the end of
  // the second column.
  const half = BLOCK_WORDS / 2 + 1;
  assert.equal(blockCount(3 * half), 2);
  await pinned(half, [false, true, false]);
  // Exactly two blocks in one column, and one row more than a block.
  await pinned(2 * BLOCK_WORDS, [false]);
  await pinned(BLOCK_WORDS + 1, [true]);
});

test('shuffle output equals the plaintext protocol for the same keys: the JavaScript passes (columns above the wasm arena limit)', async () => {
  const saved = arenaLimit.rows;
  arenaLimit.rows = 0;
  try {
    for (const n of [1, 100]) await pinned(n, [false, true]);
    await pinned(5000, [false, true]);
  } finally {
    arenaLimit.rows = saved;
  }
});
