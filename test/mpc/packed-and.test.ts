/**
 * mpc/protocols/packed-and.ts: andBatch and andScalarBatch (with and without the folded XOR)
 * against plaintext AND over pairs whose words cross the keystream's 8,192-word chunks and pair
 * boundaries inside a chunk (empty pairs too); each party's local share (what it sends) is
 * masked: for zero inputs it is not zero and the three XOR to zero; Prg.xorChunks hands out the
 * words Prg.xor writes and draws as much.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeTrio, trio } from '../helpers/protocol.js';
import { inputBinary, openBinary } from '../../src/mpc/protocols/io.js';
import { andBatch, andScalarBatch } from '../../src/mpc/protocols/packed-and.js';
import { BShare } from '../../src/mpc/shares.js';
import { Prg } from '../../src/crypto/prg.js';

after(closeTrio);

const LENGTHS = [3, 8190, 0, 5, 9000, 1, 8192];

function randomWords(n: number): BigUint64Array {
  const out = new BigUint64Array(n);
  new Uint8Array(out.buffer).set(randomBytes(8 * n));
  return out;
}

test('andBatch and andScalarBatch = plaintext AND (and XOR), across keystream chunks and pairs', async () => {
  const xs = LENGTHS.map(randomWords), ys = LENGTHS.map(randomWords), plus = LENGTHS.map(randomWords);
  const bits = LENGTHS.map((_, q) => BigInt(q % 2)); // the scalar's bit per pair
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const share = async (v: BigUint64Array): Promise<BShare> => inputBinary(s, 0, s.me === 0 ? v : v.length);
    const x: BShare[] = [], y: BShare[] = [], z: BShare[] = [], p: BShare[] = [];
    for (let q = 0; q < LENGTHS.length; q++) {
      x.push(await share(xs[q]));
      y.push(await share(ys[q]));
      z.push(await share(plus[q]));
      p.push(await share(BigUint64Array.of(bits[q] === 1n ? (1n << 64n) - 1n : 0n)));
    }
    const products = await andBatch(s, x.map((xq, q) => ({ x: xq, y: y[q] })));
    const scalar = await andScalarBatch(s, x.map((xq, q) => ({ x: xq, pa: p[q].a[0], pb: p[q].b[0], plus: q % 3 === 0 ? undefined : z[q] })));
    const opened: BigUint64Array[] = [];
    for (const w of [...products, ...scalar.parts]) opened.push(await openBinary(s, new BShare(w.a, w.b)));
    return opened;
  });
  LENGTHS.forEach((n, q) => {
    const want = xs[q].map((v, i) => v & ys[q][i]);
    assert.deepEqual(r[q], want, `andBatch pair ${q} (${n} words)`);
    const mask = bits[q] === 1n ? (1n << 64n) - 1n : 0n;
    const wantScalar = xs[q].map((v, i) => (v & mask) ^ (q % 3 === 0 ? 0n : plus[q][i]));
    assert.deepEqual(r[LENGTHS.length + q], wantScalar, `andScalarBatch pair ${q} (${n} words)`);
  });
});

test('each local share is masked: zero inputs give nonzero shares that XOR to zero', async () => {
  const n = 20_000;
  const zero = (): BShare => new BShare(new BigUint64Array(n), new BigUint64Array(n));
  const t = await trio();
  const shares = await t.run(async (s) => {
    const [products] = await andBatch(s, [{ x: zero(), y: zero() }]);
    const scalar = await andScalarBatch(s, [{ x: zero(), pa: 0n, pb: 0n }]);
    return [products.a.slice(), scalar.parts[0].a.slice()];
  });
  for (const k of [0, 1]) {
    for (const [party, sh] of shares.entries()) assert.ok(sh[k].some((w) => w !== 0n), `party ${party}'s ${k === 0 ? 'andBatch' : 'andScalarBatch'} share is all zero`);
    const xor = shares[0][k].map((w, i) => w ^ shares[1][k][i] ^ shares[2][k][i]);
    assert.ok(xor.every((w) => w === 0n), 'the three shares do not XOR to the product');
  }
});

test('Prg.xorChunks hands out the words Prg.xor writes, in order, and draws as much', () => {
  for (const words of [0, 1, 8191, 8192, 8193, 3 * 8192 + 5]) {
    const key = (k: number): Uint8Array => new Uint8Array(16).fill(k);
    const a1 = new Prg(key(1)), b1 = new Prg(key(2)), a2 = new Prg(key(1)), b2 = new Prg(key(2));
    const want = Prg.xor(a1, b1, new BigUint64Array(words));
    const got = new BigUint64Array(words);
    let next = 0;
    Prg.xorChunks(a2, b2, words, (chunk, at) => {
      assert.equal(at, next);
      assert.ok(chunk.length <= 8192 && chunk.length > 0);
      got.set(chunk, at);
      next += chunk.length;
    });
    assert.equal(next, words);
    assert.deepEqual(got, want);
    assert.equal(a2.drawn, a1.drawn);
    assert.equal(b2.drawn, b1.drawn);
  }
});
