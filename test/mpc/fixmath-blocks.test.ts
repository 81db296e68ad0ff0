import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, signed, trio, u64, vectorOf } from '../helpers/protocol.js';
import { inputBinary, open, openBits } from '../../src/mpc/protocols/io.js';
import { truncationBytes } from '../../src/mpc/protocols/trunc-narrow.js';
import { BitShare } from '../../src/mpc/shares.js';
import { packBits, unpackBits, wordsFor } from '../../src/ring/bits.js';
import { bitMasks, decrementPlanes, incrementPlanes, planesOf } from '../../src/ring/planes.js';
import { addendPlanes } from '../../src/mpc/protocols/fixmath/addends.js';
import { CarryNetwork, suffixOr } from '../../src/mpc/protocols/fixmath/adder.js';
import { BitCircuit } from '../../src/mpc/protocols/fixmath/circuit.js';
import { injectBits } from '../../src/mpc/protocols/inject.js';
import { leadingOne } from '../../src/mpc/protocols/fixmath/normalize.js';
import { parallel } from '../../src/mpc/protocols/fixmath/parallel.js';
import { truncate } from '../../src/mpc/protocols/trunc.js';
import { mul } from '../../src/mpc/protocols/arith.js';
import type { Session } from '../../src/mpc/session.js';

after(closeTrio);

/** Bit j of element i of opened planes. */
const planeBit = (planes: BigUint64Array[], j: number, i: number): bigint => (planes[j][i >>> 6] >> BigInt(i & 63)) & 1n;
const fromPlanes = (planes: BigUint64Array[], i: number): bigint => planes.reduce((v, _, j) => v | (planeBit(planes, j, i) << BigInt(j)), 0n);

test('planes: transposition of any length and width, bit masks, increments in the clear', () => {
  fc.assert(
    fc.property(vectorOf(u64, 200), fc.integer({ min: 1, max: 64 }), (x, bits) => {
      const planes = planesOf(x, bits);
      x.forEach((v, i) => assert.equal(fromPlanes(planes, i), v & ((1n << BigInt(bits)) - 1n)));
      for (let j = 0; j < bits; j++) assert.equal(planes[j].length, wordsFor(x.length));
      const up = incrementPlanes(planes), down = decrementPlanes(planes);
      const mod = 1n << BigInt(bits);
      x.forEach((v, i) => {
        assert.equal(fromPlanes(up, i), ((v % mod) + 1n) % mod);
        assert.equal(fromPlanes(down, i), ((v % mod) - 1n + mod) % mod);
      });
    }),
    { numRuns: RUNS },
  );
  const bitsIn = packBits([1, 0, 1, 1, 0, 0, 1, ...new Array(70).fill(0), 1]);
  const masks = new BigUint64Array(6);
  bitMasks(bitsIn.words, 2, 8, masks);
  assert.deepEqual([...masks].map((m) => (m === 0n ? 0 : m === 0xffffffffffffffffn ? 1 : -1)), [1, 1, 0, 0, 1, 0]);
});

test('addendPlanes: v + w = x bit for bit, one round, each party inputs a third', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(vectorOf(u64, 300), fc.integer({ min: 1, max: 64 }), async (x, bits) => {
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 2);
        const r0 = s.stats.rounds;
        const planes = await addendPlanes(s, xs, bits);
        const rounds = s.stats.rounds - r0;
        return { rounds, v: await Promise.all(planes.v.map((p) => openBits(s, p))), w: await Promise.all(planes.w.map((p) => openBits(s, p))) };
      });
      assert.equal(r.rounds, 1);
      const mod = (1n << BigInt(bits)) - 1n;
      x.forEach((v, i) => assert.equal((fromPlanes(r.v, i) + fromPlanes(r.w, i)) & mod, v & mod, `element ${i}`));
    }),
    { numRuns: RUNS },
  );
});

test('carry network: every sum bit and group signal of v + w; rounds = AND depth', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(vectorOf(u64, 150), fc.integer({ min: 0, max: 62 }), fc.integer({ min: 1, max: 40 }), async (x, lo, size) => {
      const hi = Math.min(64, lo + size);
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 1);
        const planes = await addendPlanes(s, xs, 64);
        const c = new BitCircuit(x.length);
        const v = planes.v.map((p) => c.input(p)), w = planes.w.map((p) => c.input(p));
        const net = CarryNetwork.of(c, v, w);
        const outputs = [...Array.from({ length: 64 }, (_, j) => net.sumBit(j)), net.group(lo, hi).G, net.group(lo, hi).P];
        const r0 = s.stats.rounds;
        const bits = await c.evaluate(s, outputs);
        const rounds = s.stats.rounds - r0;
        return {
          rounds,
          depth: c.cost(outputs).depth,
          bits: await Promise.all(bits.map((b) => openBits(s, b))),
          v: await Promise.all(planes.v.map((p) => openBits(s, p))),
          w: await Promise.all(planes.w.map((p) => openBits(s, p))),
        };
      });
      assert.equal(r.rounds, r.depth);
      const sum = r.bits.slice(0, 64);
      x.forEach((value, i) => {
        assert.equal(fromPlanes(sum, i), value, `sum of element ${i}`);
        const mask = (1n << BigInt(hi - lo)) - 1n;
        const vv = (fromPlanes(r.v, i) >> BigInt(lo)) & mask, ww = (fromPlanes(r.w, i) >> BigInt(lo)) & mask;
        assert.equal(planeBit(r.bits, 64, i), (vv + ww) >> BigInt(hi - lo), `G of [${lo}, ${hi})`);
        assert.equal(planeBit(r.bits, 65, i), (vv ^ ww) === mask ? 1n : 0n, `P of [${lo}, ${hi})`);
      });
    }),
    { numRuns: RUNS },
  );
});

/** Shares packed bits from party 0. */
async function sharedBits(s: Session, bits: readonly number[]): Promise<BitShare> {
  const words = packBits(bits).words;
  const b = await inputBinary(s, 0, s.me === 0 ? words : wordsFor(bits.length));
  return new BitShare(b.a, b.b, bits.length);
}

test('circuit: constant folding, suffix OR, the cost of a circuit', async () => {
  const t = await trio();
  const bits = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 100 });
  await fc.assert(
    fc.asyncProperty(fc.array(bits, { minLength: 1, maxLength: 12 }), async (rows) => {
      const n = rows[0].length;
      const columns = rows.map((row) => Array.from({ length: n }, (_, i) => row[i % row.length]));
      const [r] = await t.run(async (s) => {
        const c = new BitCircuit(n);
        const wires = [];
        for (const col of columns) wires.push(c.input(await sharedBits(s, col)));
        assert.equal(c.and(wires[0], c.zero).id, c.zero.id);
        assert.equal(c.and(wires[0], c.one).id, wires[0].id);
        assert.equal(c.xor(wires[0], wires[0]).id, c.zero.id);
        assert.equal(c.not(c.not(wires[0])).id, wires[0].id);
        assert.equal(c.cost([c.or(wires[0], c.zero)]).gates, 0);
        const outputs = [...suffixOr(c, wires), c.andAll(wires), c.mux(wires[0], c.one, c.zero)];
        return Promise.all((await c.evaluate(s, outputs)).map((b) => openBits(s, b)));
      });
      for (let i = 0; i < n; i++) {
        const column = columns.map((col) => col[i]);
        column.forEach((_, k) => assert.equal(unpackBits({ words: r[k], length: n })[i], column.slice(k).some((b) => b === 1) ? 1 : 0));
        assert.equal(unpackBits({ words: r[columns.length], length: n })[i], column.every((b) => b === 1) ? 1 : 0);
        assert.equal(unpackBits({ words: r[columns.length + 1], length: n })[i], column[0]);
      }
    }),
    { numRuns: RUNS },
  );
});

test('injectBits: several vectors to arithmetic 0/1 in 2 rounds, 8 bytes per bit and party', async () => {
  const t = await trio();
  const bits = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 0, maxLength: 150 });
  await fc.assert(
    fc.asyncProperty(fc.array(bits, { minLength: 1, maxLength: 5 }), async (vectors) => {
      const [r] = await t.run(async (s) => {
        const shared = [];
        for (const v of vectors) shared.push(await sharedBits(s, v));
        const r0 = s.stats.rounds;
        const arithmetic = await injectBits(s, shared);
        const rounds = s.stats.rounds - r0;
        return { rounds, values: await Promise.all(arithmetic.map((a) => open(s, a))) };
      });
      assert.equal(r.rounds, 2);
      vectors.forEach((v, k) => assert.deepEqual([...r.values[k]], v.map(BigInt)));
    }),
    { numRuns: RUNS },
  );
  const n = 3000;
  const results = await t.run(async (s) => {
    const shared = await sharedBits(s, Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0));
    const b0 = s.stats.bytesSent;
    await injectBits(s, [shared]);
    return (s.stats.bytesSent - b0) / n;
  });
  assert.deepEqual(results, [8, 8, 8]);
});

test('leadingOne: bits of any function of the leading-one position, signed and unsigned', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 2, max: 40 }), fc.boolean(), fc.array(fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), { minLength: 1, maxLength: 60 }), async (bits, isSigned, raw) => {
      const limit = (1n << BigInt(bits)) - 1n;
      const values = raw.map((v, i) => {
        const m = v & limit;
        return isSigned && i % 2 === 1 ? -m : m;
      });
      const x = BigUint64Array.from(values.map((v) => BigInt.asUintN(64, v)));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0);
        const lead = await leadingOne(s, xs, bits, isSigned, [
          { width: 6, value: (p) => p },
          { width: 6, value: (p) => bits - 1 - p },
        ]);
        return { p: await Promise.all(lead.values[0].map((b) => openBits(s, b))), e: await Promise.all(lead.values[1].map((b) => openBits(s, b))), sign: lead.sign ? await openBits(s, lead.sign) : undefined };
      });
      values.forEach((v, i) => {
        // The one's complement magnitude |x| - [x < 0], with bit 0 treated as set.
        const magnitude = v < 0n ? -v - 1n : v;
        const expected = magnitude <= 1n ? 0 : magnitude.toString(2).length - 1;
        assert.equal(Number(fromPlanes(r.p, i)), expected, `p of ${v}`);
        assert.equal(Number(fromPlanes(r.e, i)), bits - 1 - expected, `e of ${v}`);
        if (r.sign) assert.equal(planeBit([r.sign], 0, i), v < 0n ? 1n : 0n);
      });
    }),
    { numRuns: RUNS },
  );
});

test('parallel: branches overlap (rounds = the longer branch), bytes add up', async () => {
  const t = await trio();
  const x = BigUint64Array.from([3n, 5n, 7n]);
  const [r] = await t.run(async (s) => {
    const xs = await secret(s, x, 0);
    const r0 = s.stats.rounds, b0 = s.stats.bytesSent;
    const [a, b] = await parallel(
      s,
      async (sub) => mul(sub, await mul(sub, xs, xs), xs),
      (sub) => mul(sub, xs, xs),
    );
    return { rounds: s.stats.rounds - r0, bytes: s.stats.bytesSent - b0, a: await open(s, a), b: await open(s, b) };
  });
  assert.equal(r.rounds, 2);
  assert.equal(r.bytes, 3 * 3 * 8);
  assert.deepEqual([...r.a].map(signed), [27n, 125n, 343n]);
  assert.deepEqual([...r.b].map(signed), [9n, 25n, 49n]);
});

test('truncate: floor(z / 2^m) or one more on (-2^62, 2^62), additive and replicated inputs; 3 rounds, balanced bytes', async () => {
  const t = await trio();
  const TWO62 = 1n << 62n;
  const value = fc.oneof(fc.bigInt({ min: -TWO62 + 1n, max: TWO62 - 1n }), fc.constantFrom(0n, 1n, -1n, TWO62 - 1n, -TWO62 + 1n, 1n << 40n, -(1n << 40n)));
  await fc.assert(
    fc.asyncProperty(fc.array(value, { maxLength: 80 }), fc.integer({ min: 1, max: 62 }), fc.boolean(), async (zs, m, replicated) => {
      const z = BigUint64Array.from(zs.map((v) => BigInt.asUintN(64, v)));
      const [r] = await t.run(async (s) => {
        const x = await secret(s, z, 2);
        const r0 = s.stats.rounds;
        // The a components of a replicated sharing are an additive sharing of the same value.
        const y = replicated ? await truncate(s, x.a, m, x.b) : await truncate(s, x.a, m);
        const rounds = s.stats.rounds - r0;
        return { rounds, y: await open(s, y) };
      });
      assert.equal(r.rounds, 3);
      zs.forEach((v, i) => {
        const d = signed(r.y[i]) - (v >> BigInt(m));
        assert.ok(d === 0n || d === 1n, `truncate(${v}, ${m}) = ${signed(r.y[i])}`);
      });
    }),
    { numRuns: RUNS },
  );
  // The messages that carry the top bits' product travel in m bits (2 bytes up to m = 16, 4 up
  // to 32, 8 above): 8 + width bytes per element for an additive input, 16/3 + width for a
  // replicated one (nobody sends the third component).
  const n = 3000;
  for (const [m, width] of [[16, 2], [17, 4], [32, 4], [33, 8]]) {
    const bytes = await t.run(async (s) => {
      const x = await secret(s, new BigUint64Array(n), 0);
      const b0 = s.stats.bytesSent;
      await truncate(s, x.a, m);
      const b1 = s.stats.bytesSent;
      await truncate(s, x.a, m, x.b);
      return [(b1 - b0) / n, (s.stats.bytesSent - b1) / n];
    });
    for (const [additive, replicated] of bytes) {
      assert.equal(additive, 8 + width, `m = ${m}`);
      assert.ok(Math.abs(replicated - (16 / 3 + width)) < 0.01, `m = ${m}: ${replicated}`);
      // The figure the plan's cost estimate uses (plan/expr-circuit.ts).
      assert.equal(truncationBytes(m, false), additive);
      assert.ok(Math.abs(truncationBytes(m, true) - replicated) < 0.01);
    }
  }
});
