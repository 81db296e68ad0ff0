import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secret } from '../helpers/protocol.js';
import { localTrio } from '../../src/mpc/local.js';
import { mulPairs } from '../../src/mpc/protocols/arith.js';
import { injectBits } from '../../src/mpc/protocols/inject.js';
import { inputBinary, open, openBinary, openBits, openTo } from '../../src/mpc/protocols/io.js';
import { b2a } from '../../src/mpc/protocols/convert.js';
import { countOnes } from '../../src/mpc/protocols/count-ones.js';
import { groupByDomain } from '../../src/mpc/oblivious/one-hot.js';
import { BitShare } from '../../src/mpc/shares.js';
import { packBits } from '../../src/ring/bits.js';

/**
 * Protocols that hand their received messages back to the link (Session.release) must have read
 * them for the last time: here every link scribbles over a buffer the moment it is given back,
 * so a later read would change a result. The links count what they were given.
 */
async function scribblingTrio() {
  const t = await localTrio({ timeoutMs: 20_000 });
  const given: number[] = [];
  for (const pair of t.links) {
    for (const link of pair) {
      (link as { recycle?: (payload: Uint8Array) => void }).recycle = (payload) => {
        given.push(payload.byteLength);
        payload.fill(0xa5);
      };
    }
  }
  return { t, given };
}

test('injectBits and mulPairs into lent memory give their received messages back to the link after the last read (a link that overwrites them at once changes no result)', async () => {
  const { t, given } = await scribblingTrio();
  try {
    const n = 3000;
    const bits = Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
    const x = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_003n + 5n);
    const [r] = await t.run(async (s) => {
      const b = await inputBinary(s, 1, s.me === 1 ? packBits(bits).words : packBits(bits).words.length);
      const injected = await injectBits(s, [new BitShare(b.a, b.b, n)], new BigUint64Array(2 * n));
      const afterInject = given.length;
      const products = await mulPairs(s, [await secret(s, x, 2)], injected, new BigUint64Array(2 * n));
      return { injected: await open(s, injected[0]), products: await open(s, products[0]), afterInject };
    });
    assert.deepEqual([...r.injected], bits.map(BigInt));
    assert.deepEqual([...r.products], bits.map((b, i) => (b ? x[i] : 0n)));
    // Three messages per party in the injection (d2, z0, z2), one in the multiplication's reshare.
    assert.ok(r.afterInject >= 9, `${r.afterInject} messages given back by the injection`);
    assert.ok(given.length >= 12, `${given.length} messages given back in all`);
  } finally {
    t.close();
  }
});

test('groupByDomain over several blocks, its injections and multiplications releasing their messages, equals a plaintext group-by', async () => {
  const { t, given } = await scribblingTrio();
  try {
    const n = 80_000, d = 100;
    const keys = Array.from({ length: n }, (_, i) => (i * 7919) % d);
    const amount = keys.map((_, i) => BigInt((i * 104729) % 100_001));
    const [r] = await t.run(async (s) => {
      const g = await groupByDomain(s, await secret(s, BigUint64Array.from(keys, BigInt)), d, [await secret(s, BigUint64Array.from(amount), 1)], { inDomain: true, keyBits: 7, bounds: [{ min: 0n, max: 100_000n }] });
      return { counts: await open(s, g.counts), sums: await open(s, g.sums[0]) };
    });
    const counts = new Array<bigint>(d).fill(0n), sums = new Array<bigint>(d).fill(0n);
    keys.forEach((k, i) => {
      counts[k]++;
      sums[k] += amount[i];
    });
    assert.deepEqual([...r.counts], counts);
    assert.deepEqual([...r.sums], sums);
    assert.ok(given.length > 0);
  } finally {
    t.close();
  }
});

test('opens, b2a and countOnes give the component they received back to the link after reading it: a link that overwrites it at once changes no result, and two opens in a row keep the first result', async () => {
  const { t, given } = await scribblingTrio();
  try {
    // Long enough that the messages are buffers of their own (not views of the link's 64 KiB slabs).
    const n = 5000;
    const x = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn);
    const y = BigUint64Array.from({ length: n }, (_, i) => BigInt(n - i) * 1_000_003n);
    const before = given.length;
    const [r0, r1, r2] = await t.run(async (s) => {
      const sx = await secret(s, x, 0), sy = await secret(s, y, 1);
      const opened = await open(s, sx);
      const openedAgain = await open(s, sy); // received into the memory the first open gave back, where a link recycles
      const toParty2 = await openTo(s, 2, sx);
      const bx = await inputBinary(s, 2, s.me === 2 ? x : n);
      const binary = await openBinary(s, bx);
      const packed = await openBits(s, new BitShare(bx.a, bx.b, 64 * n));
      const arithmetic = await open(s, await b2a(s, bx));
      const ones = await countOnes(s, new BitShare(bx.a, bx.b, 64 * n));
      return { opened, openedAgain, toParty2, binary, packed, arithmetic, ones };
    });
    for (const r of [r0, r1, r2]) {
      assert.deepEqual([...r.opened], [...x], 'the first open changed after the second');
      assert.deepEqual([...r.openedAgain], [...y]);
      assert.deepEqual([...r.binary], [...x]);
      assert.deepEqual([...r.packed], [...x]);
      assert.deepEqual([...r.arithmetic], [...x]);
      assert.equal(r.ones, x.reduce((sum, v) => sum + v.toString(2).split('1').length - 1, 0));
    }
    assert.deepEqual([...r2.toParty2!], [...x]);
    assert.equal(r0.toParty2, undefined);
    // Each party: three opens, openBinary, openBits, countOnes's first message (18); party 2's openTo (1); b2a's opening to parties 0 and 2 (2).
    const released = given.length - before;
    assert.ok(released >= 21, `${released} messages given back`);
  } finally {
    t.close();
  }
});
