import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { closeTrio, RUNS, secret, signed, signedIn, TWO62, trio } from '../helpers/protocol.js';
import { open } from '../../src/mpc/protocols/io.js';
import { fxmul, trunc } from '../../src/mpc/protocols/trunc.js';
import { localTrio } from '../../src/mpc/local.js';

after(closeTrio);

/** The result must be floor(z / 2^m) or one more. */
function assertTruncated(got: bigint, z: bigint, m: number, what: string): void {
  const floor = signed(z) >> BigInt(m);
  const diff = signed(got) - floor;
  assert.ok(diff === 0n || diff === 1n, `${what}: ${signed(got)} is not floor(${signed(z)} / 2^${m}) = ${floor} (+1)`);
}

test('trunc is exact to one unit in the last place on the whole range (-2^62, 2^62); 3 rounds', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.array(signedIn(-TWO62 + 1n, TWO62 - 1n), { maxLength: 80 }), fc.integer({ min: 1, max: 62 }), async (zs, m) => {
      const z = BigUint64Array.from(zs);
      const [r] = await t.run(async (s) => {
        const x = await secret(s, z, 1);
        const r0 = s.stats.rounds;
        const y = await trunc(s, x, m);
        const rounds = s.stats.rounds - r0;
        return { y: await open(s, y), rounds };
      });
      assert.equal(r.rounds, 3);
      z.forEach((v, i) => assertTruncated(r.y[i], v, m, `element ${i}`));
    }),
    { numRuns: RUNS },
  );
});

test('fxmul = (x*y) >> f within one unit, whenever |x*y| < 2^62', async () => {
  const t = await trio();
  const half = (1n << 31n) - 1n;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(signedIn(-half, half), signedIn(-half, half)), { maxLength: 60 }), fc.integer({ min: 1, max: 40 }), async (pairs, f) => {
      const x = BigUint64Array.from(pairs.map((p) => p[0])), y = BigUint64Array.from(pairs.map((p) => p[1]));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0), ys = await secret(s, y, 2);
        const r0 = s.stats.rounds;
        const z = await fxmul(s, xs, ys, f);
        const rounds = s.stats.rounds - r0;
        return { z: await open(s, z), rounds };
      });
      assert.equal(r.rounds, 3);
      x.forEach((v, i) => assertTruncated(r.z[i], BigInt.asUintN(64, signed(v) * signed(y[i])), f, `pair ${i}`));
    }),
    { numRuns: RUNS },
  );
});

test('ten million truncations, none off by more than one unit in the last place', async () => {
  const t = await trio();
  const chunk = 1 << 20;
  let checked = 0;
  for (let round = 0; round < 10; round++) {
    const n = round < 9 ? chunk : 10_000_000 - 9 * chunk;
    const z = new BigUint64Array(n);
    new Uint8Array(z.buffer).set(randomBytes(8 * n));
    // Uniform in [-2^62, 2^62): keep 63 random bits and sign-extend bit 62.
    for (let i = 0; i < n; i++) z[i] = BigInt.asUintN(64, BigInt.asIntN(63, z[i]));
    const m = [16, 1, 20, 31, 62][round % 5];
    const [y] = await t.run(async (s) => open(s, await trunc(s, await secret(s, z, round % 3 as 0 | 1 | 2), m)));
    const M = BigInt(m);
    for (let i = 0; i < n; i++) {
      const d = BigInt.asIntN(64, y[i]) - (BigInt.asIntN(64, z[i]) >> M);
      if (d !== 0n && d !== 1n) assert.fail(`value ${i} of chunk ${round}: error ${d} units`);
    }
    checked += n;
  }
  assert.equal(checked, 10_000_000);
});

test('fxmul re-masks every word it sends: two runs on the same shares send no word twice (rho hides the unmasked product share)', async () => {
  const views: Uint8Array[][] = [[], [], []];
  let recording = false;
  const tapped = await localTrio({
    timeoutMs: 20_000,
    tap: (to, _from, _session, payload) => {
      if (recording) views[to].push(payload.slice());
    },
  });
  try {
    const n = 31; // chunks of 11, 10 and 10: no fxmul message has the n words of an opening
    const x = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt(i * 1000 - 7000)));
    const y = BigUint64Array.from({ length: n }, (_, i) => BigInt(i + 3) << 16n);
    const perRun: Uint8Array[][][] = [];
    await tapped.run(async (s) => {
      const xs = await secret(s, x, 0), ys = await secret(s, y, 1);
      for (let run = 0; run < 2; run++) {
        // The openings keep the runs apart (their messages, n words long, are left out below).
        await open(s, xs);
        if (s.me === 0) {
          recording = true;
          for (const v of views) v.length = 0;
        }
        await fxmul(s, xs, ys, 16);
        await open(s, xs);
        if (s.me === 0) {
          recording = false;
          perRun.push(views.map((v) => [...v]));
        }
      }
    });
    for (let party = 0; party < 3; party++) {
      const words = (r: number): bigint[] => perRun[r][party].filter((p) => p.byteLength % 8 === 0 && p.byteLength !== 8 * n).flatMap((p) => [...new BigUint64Array(p.buffer, p.byteOffset, p.byteLength / 8)]);
      const first = new Set(words(0));
      const repeated = words(1).filter((w) => first.has(w));
      assert.ok(words(1).length > 0, `party ${party} received nothing`);
      assert.deepEqual(repeated, [], `party ${party} received the same word in both runs`);
    }
  } finally {
    tapped.close();
  }
});
