/**
 * The fits' precise probabilities (src/ops/logit-probabilities.ts): p = σ(η) and q = σ(−η), each
 * within 2^-15 relative (plus a unit 2^-24) of float64 over the declared range |η| ≤ 1000, edges
 * included (η = 0, ±2^-24, where exp underflows, ±1000); −S η = −|η| exactly (the
 * log-likelihood's a); e = exp(−|η|) within 2^-18 relative + 2^-24; and the cost per element the
 * 36-bit sign and the fused exp bring: 52 rounds, and at 2^14 elements at most 282 bytes each
 * (the 64-bit comparison and the separate product for −|η| took 53 rounds and ~288 bytes; the
 * 36-bit comparison has a fixed part of ~47 KB per call, so small batches do not show the gain).
 * The rough path of the early iterations at 12 fraction bits: y − p and w = p(1 − p) within the
 * sigmoid's bound, in 16 rounds and at most 110 bytes per element at 2^14 (at 24 bits: 19 rounds, 119 bytes).
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { open } from '../../src/mpc/protocols/io.js';
import { concatA } from '../../src/mpc/shares.js';
import { LOGIT_EXP_MIN, LOGIT_ROUGH_BITS, probabilities, roughResidualAndWeight } from '../../src/ops/logit-probabilities.js';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { realsIn } from '../helpers/fixmath.js';

after(closeTrio);

const F = 24;
const LIMIT = -LOGIT_EXP_MIN;
const EDGES = [0, 2 ** -24, -(2 ** -24), 1e-6, -1e-6, 0.5, -0.5, 12, -12, 17.3, -17.3, 18, -18, 30, -30, 999.99, -999.99, LIMIT, -LIMIT];

test('p and q within 2^-15 relative of float64 over |η| ≤ 1000, −S η = −|η|, e = exp(−|η|), in 52 rounds', async () => {
  const t = await trio();
  const eta = fc.oneof(realsIn(-LIMIT, LIMIT, EDGES), realsIn(-40, 40, EDGES));
  await fc.assert(
    fc.asyncProperty(fc.array(eta, { minLength: 1, maxLength: 60 }), async (etas) => {
      const n = etas.length;
      const raw = BigUint64Array.from(etas, (v) => BigInt.asUintN(64, BigInt(Math.round(v * 2 ** F))));
      const [r] = await t.run(async (s) => {
        const x = await secret(s, raw, 0);
        const r0 = s.stats.rounds;
        const { p, q, minusSign, e } = await probabilities(s, x, F);
        const rounds = s.stats.rounds - r0;
        return { opened: await open(s, concatA([p, q, minusSign, e])), rounds };
      });
      const at = (k: number, i: number): number => Number(BigInt.asIntN(64, r.opened[k * n + i]));
      etas.forEach((_, i) => {
        const v = Number(BigInt.asIntN(64, raw[i])) / 2 ** F;
        const want = [1 / (1 + Math.exp(-v)), 1 / (1 + Math.exp(v))];
        [0, 1].forEach((k) => {
          const got = at(k, i) / 2 ** F;
          assert.ok(Math.abs(got - want[k]) <= want[k] * 2 ** -15 + 2 ** -24, `η = ${v}: ${k === 0 ? 'p' : 'q'} ${got}, float64 ${want[k]}`);
        });
        assert.equal(at(2, i), v < 0 ? 1 : -1, `η = ${v}: −S`);
        const eWant = Math.exp(-Math.abs(v));
        assert.ok(Math.abs(at(3, i) / 2 ** F - eWant) <= eWant * 2 ** -18 + 2 ** -24, `η = ${v}: e ${at(3, i) / 2 ** F}, float64 ${eWant}`);
      });
      assert.equal(r.rounds, 52);
    }),
    { numRuns: Math.max(10, Math.floor(RUNS / 2)) },
  );
});

test('at 2^14 elements: at most 282 bytes per element and party (the 64-bit sign and the separate −|η| product: ~288)', async () => {
  const t = await trio();
  const n = 1 << 14;
  const raw = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt(Math.round((((i * 7919) % 2001) - 1000) * 2 ** F / 50))));
  const sent = await t.run(async (s) => {
    const x = await secret(s, raw, 0);
    const b0 = s.stats.bytesSent;
    await probabilities(s, x, F);
    return s.stats.bytesSent - b0;
  });
  for (const bytes of sent) assert.ok(bytes <= 282 * n, `${(bytes / n).toFixed(1)} bytes per element`);
});

test('the rough path at 12 fraction bits: y − p and p(1 − p) at 24 bits within the sigmoid\'s 2.43e-4 + 2^-12 + 2^-20; 16 rounds, ≤ 110 bytes per element at 2^14 (24 bits: 19, 119)', async () => {
  const t = await trio();
  const n = 1 << 14;
  const bound = 2.43e-4 + 2 ** -12 + 2 ** -20;
  const etas = Array.from({ length: n }, (_, i) => (i < 8 ? [0, 2 ** -12, -(2 ** -12), 8, -8, 30, -30, 2000][i] : ((((i * 7919) % 4001) - 2000) / 100) * (i % 7 === 0 ? 50 : 1)));
  const raw = BigUint64Array.from(etas, (v) => BigInt.asUintN(64, BigInt(Math.round(v * 2 ** LOGIT_ROUGH_BITS))));
  const ys = BigUint64Array.from(etas, (_, i) => BigInt(i % 3 === 0 ? 1 : 0));
  const [r] = await t.run(async (s) => {
    const [x, y] = [await secret(s, raw, 0), await secret(s, ys, 1)];
    const [r0, b0] = [s.stats.rounds, s.stats.bytesSent];
    const { residual, w } = await roughResidualAndWeight(s, y, x);
    const cost = { rounds: s.stats.rounds - r0, bytes: s.stats.bytesSent - b0 };
    return { opened: await open(s, concatA([residual, w])), ...cost };
  });
  etas.forEach((_, i) => {
    const v = Number(BigInt.asIntN(64, raw[i])) / 2 ** LOGIT_ROUGH_BITS;
    const p = 1 / (1 + Math.exp(-v));
    const residual = Number(BigInt.asIntN(64, r.opened[i])) / 2 ** F;
    const w = Number(BigInt.asIntN(64, r.opened[n + i])) / 2 ** F;
    assert.ok(Math.abs(residual - (Number(ys[i]) - p)) <= bound, `η = ${v}: y − p ${residual}, float64 ${Number(ys[i]) - p}`);
    assert.ok(Math.abs(w - p * (1 - p)) <= bound, `η = ${v}: w ${w}, float64 ${p * (1 - p)}`);
  });
  assert.equal(r.rounds, 16);
  assert.ok(r.bytes <= 110 * n, `${(r.bytes / n).toFixed(1)} bytes per element`);
});
