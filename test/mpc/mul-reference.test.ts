/**
 * The multiplication's exact output, pinned: every party's two result components must equal what
 * the protocol of arith.ts's header computes in plaintext from the same PRG keys (party i's
 * z_i = x_i·y_i + x_i·y_{i+1} + x_{i+1}·y_i + K(i,i+1) − K(i−1,i), sent to party i−1). However the
 * parties schedule the round (one message, or row blocks streamed as they are computed:
 * mul-blocks.ts), the result is this one, bit for bit, in one round and 8 bytes per element.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deriveKey, Prg } from '../../src/crypto/prg.js';
import { mul } from '../../src/mpc/protocols/arith.js';
import { MUL_BLOCK_WORDS } from '../../src/mpc/protocols/mul-blocks.js';
import type { Session } from '../../src/mpc/session.js';
import { AShare } from '../../src/mpc/shares.js';
import { closeTrio, trio } from '../helpers/protocol.js';

after(closeTrio);

/** A copy of a session's pairwise PRG, advanced to where the session's own stands. */
function prgLike(s: Session, key: Uint8Array, drawn: number): Prg {
  const prg = new Prg(deriveKey(key, `session:${s.id.toString(16)}`));
  if (drawn > 0) prg.fill(new Uint8Array(drawn));
  return prg;
}

const randomWords = (n: number): BigUint64Array => {
  const v = new BigUint64Array(n);
  if (n > 0) new Uint8Array(v.buffer).set(randomBytes(8 * n));
  return v;
};

type Parts = readonly [BigUint64Array, BigUint64Array, BigUint64Array];

/** Party p's 3-out-of-3 share z_p of x·y, from the additive parts and the keystreams k[p] = K(p, p+1). */
function reference(x: Parts, y: Parts, k: Parts, n: number): BigUint64Array[] {
  return [0, 1, 2].map((p) => {
    const q = (p + 1) % 3, r = (p + 2) % 3;
    const z = new BigUint64Array(n);
    for (let i = 0; i < n; i++) z[i] = x[p][i] * y[p][i] + x[p][i] * y[q][i] + x[q][i] * y[p][i] + k[p][i] - k[r][i];
    return z;
  });
}

/** `into`: the output goes into a caller's buffer of 2n + 3 words, filled with a marker first. */
async function pinned(n: number, into = false): Promise<void> {
  const t = await trio();
  const x: Parts = [randomWords(n), randomWords(n), randomWords(n)];
  const y: Parts = [randomWords(n), randomWords(n), randomWords(n)];
  const results = await t.run(async (s) => {
    const share = (v: Parts): AShare => new AShare(v[s.me].slice(), v[(s.me + 1) % 3].slice());
    const xs = share(x), ys = share(y);
    // Where this party's PRG with its next neighbour stands when the multiplication starts.
    const start = { key: s.party.keyNext, drawn: s.prgNext.drawn, s };
    const m0 = s.stats.messagesSent, b0 = s.stats.bytesSent, r0 = s.stats.rounds;
    const buffer = into ? new BigUint64Array(2 * n + 3).fill(0xdeadbeefn) : undefined;
    const out = await mul(s, xs, ys, buffer);
    if (buffer) {
      assert.ok(out.a.buffer === buffer.buffer && out.b.buffer === buffer.buffer, 'the output lives in the caller\'s buffer');
      assert.deepEqual([out.a.byteOffset, out.b.byteOffset, out.a.length, out.b.length], [0, 8 * n, n, n]);
    }
    const sent = { messages: s.stats.messagesSent - m0, bytes: s.stats.bytesSent - b0, rounds: s.stats.rounds - r0 };
    return { start, sent, a: out.a.slice(), b: out.b.slice() };
  });
  for (const r of results) assert.deepEqual(r.sent, { messages: Math.max(1, Math.ceil(n / MUL_BLOCK_WORDS)), bytes: 8 * n, rounds: 1 });
  const k = results.map((r) => prgLike(r.start.s, r.start.key, r.start.drawn).words(n)) as unknown as Parts;
  const z = reference(x, y, k, n);
  for (let p = 0; p < 3; p++) {
    assert.deepEqual(results[p].a, z[p], `party ${p}, first component`);
    assert.deepEqual(results[p].b, z[(p + 1) % 3], `party ${p}, second component`);
  }
}

test('mul output equals the plaintext protocol for the same keys: short vectors (one message)', async () => {
  for (const n of [0, 1, 2, 7, 100, 8193]) await pinned(n);
});

test('mul output equals the plaintext protocol for the same keys: vectors of several blocks, streamed', async () => {
  // Exactly one block (one message), one word more (two blocks, the second of one word), and
  // three blocks with a short last one.
  await pinned(MUL_BLOCK_WORDS);
  await pinned(MUL_BLOCK_WORDS + 1);
  await pinned(3 * MUL_BLOCK_WORDS - 5);
});

test('mul into a caller\'s buffer writes the same words there, one message or streamed', async () => {
  for (const n of [0, 1, 100, MUL_BLOCK_WORDS, 3 * MUL_BLOCK_WORDS - 5]) await pinned(n, true);
});

test('mul refuses an output buffer too short for both components', async () => {
  const t = await trio();
  const outcomes = await t.run(async (s) => {
    const v = new AShare(randomWords(10), randomWords(10));
    try {
      await mul(s, v, v, new BigUint64Array(19));
      return 'finished';
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  });
  for (const o of outcomes) assert.match(o, /holds 19 words, the product needs 20/);
});

test('a streamed mul whose peer stops mid-round fails with the peer\'s reason, and leaves no rejection unhandled', async () => {
  const t = await trio();
  const n = 3 * MUL_BLOCK_WORDS;
  const unhandled: unknown[] = [];
  const seen = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', seen);
  try {
    // Party 1 multiplies; its next party (2) stops the session at once, so party 1's receive
    // fails while its own blocks are still being computed and sent. Party 0 stops too (it would
    // otherwise wait for party 1's blocks until its timeout).
    const outcomes = await t.run(async (s) => {
      if (s.me !== 1) {
        s.abort(`party ${s.me} stops here`);
        return 'stopped';
      }
      const v = new AShare(randomWords(n), randomWords(n));
      try {
        await mul(s, v, v);
        return 'finished';
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    });
    assert.match(outcomes[1], /party 2 stops here/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', seen);
  }
});
