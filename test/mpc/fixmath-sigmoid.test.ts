import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeTrio, secret, trio } from '../helpers/protocol.js';
import { open, openBits } from '../../src/mpc/protocols/io.js';
import { sigmoid, thermometer } from '../../src/mpc/protocols/fixmath/sigmoid.js';
import { unpackBits } from '../../src/ring/bits.js';

after(closeTrio);

const F = 16;
const enc = (v: number) => BigInt.asUintN(64, BigInt(Math.round(v * 2 ** F)));
const dec = (v: bigint) => Number(BigInt.asIntN(64, v)) / 2 ** F;

test('debug thermometer and sigmoid', async () => {
  const t = await trio();
  const xs = [-100, -8, -7.9, -4, -3.99, -1, -0.5, 0, 0.5, 1, 3.99, 4, 7.99, 8, 100, 0, 0];
  const x = BigUint64Array.from(xs.map(enc));
  x[x.length - 1] = (1n << 63n) - 1n;
  x[x.length - 2] = 1n << 63n;
  const [r] = await t.run(async (s) => {
    const xsh = await secret(s, x, 1);
    const th = await thermometer(s, xsh, F);
    const bits = await Promise.all(th.map((b) => openBits(s, b)));
    const r0 = s.stats.rounds, b0 = s.stats.bytesSent;
    const y = await sigmoid(s, xsh);
    return { bits, y: await open(s, y), rounds: s.stats.rounds - r0, bytes: s.stats.bytesSent - b0 };
  });
  const B = [-8, -4, -1, 1, 4, 8];
  xs.forEach((v, i) => {
    const got = r.bits.map((w) => unpackBits({ words: w, length: xs.length })[i]);
    const sv = Number(BigInt.asIntN(64, x[i])) / 2 ** F;
    const want = B.map((b) => (sv >= b ? 1 : 0));
    console.log(v, got.join(''), want.join(''), dec(r.y[i]), 1 / (1 + Math.exp(-sv)));
  });
  console.log('rounds', r.rounds, 'bytes', r.bytes);
  assert.ok(true);
});
