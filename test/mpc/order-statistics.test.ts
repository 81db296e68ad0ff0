/**
 * Order statistics by selection (mpc/protocols/order-statistics.ts) against a plaintext sort, and
 * what its opened comparisons can reveal: a comparator that watches every comparison (opening
 * its operands, which only a test may do) checks that no two equal keys are ever compared, and
 * records the opened bits. With the same shuffle randomness (fixed pairwise PRG keys), inputs
 * with the same rank order, ties included (a constant column and 0, 1, 2, …), give the same
 * transcript: the opened bits depend on the shuffled rank order, never on the values.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { seedPairwise } from '../helpers/seeded-session.js';
import { openBits } from '../../src/mpc/protocols/io.js';
import { keySign, selectRanks, type RankedColumn } from '../../src/mpc/protocols/order-statistics.js';
import { indexBits, type SignComparator } from '../../src/mpc/protocols/sort.js';
import { AShare } from '../../src/mpc/shares.js';
import type { Session } from '../../src/mpc/session.js';
import { open } from '../../src/mpc/protocols/io.js';
import { unpackBits } from '../../src/ring/bits.js';

after(closeTrio);

const ring = (v: bigint): bigint => BigInt.asUintN(64, v);

interface PlainColumn {
  readonly min: bigint;
  readonly keyBits: number;
  readonly values: readonly bigint[];
  readonly ranks: readonly number[];
}

const columnArb: fc.Arbitrary<PlainColumn> = fc
  .record({ min: fc.bigInt({ min: -1000n, max: 1000n }), keyBits: fc.constantFrom(0, 1, 3, 12, 25, 40), n: fc.integer({ min: 0, max: 90 }) })
  .chain(({ min, keyBits, n }) => {
    const top = min + (1n << BigInt(keyBits)) - 1n;
    const value = fc.oneof(fc.bigInt({ min, max: top }), fc.constantFrom(min, top));
    return fc.record({
      min: fc.constant(min),
      keyBits: fc.constant(keyBits),
      values: fc.array(value, { minLength: n, maxLength: n }),
      ranks: n === 0 ? fc.constant([]) : fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 7 }),
    });
  });

/** Every comparison watched: its difference opened (it must not be 0: no equal keys), its bits opened and kept. */
function watching(s: Session, bits: number, transcript: number[][], equalPairs: { count: number }): SignComparator {
  const compare = keySign(s, bits);
  return async (d, m) => {
    const difference = await open(s, new AShare(d.a.slice(0, m), d.b.slice(0, m)));
    for (let i = 0; i < m; i++) if (difference[i] === 0n) equalPairs.count++;
    const lt = await compare(d, m);
    transcript.push([...unpackBits({ words: await openBits(s, lt), length: m })]);
    return lt;
  };
}

async function run(columns: readonly PlainColumn[], seed?: string): Promise<{ values: bigint[][]; transcript: number[][]; equal: number; levels: number }> {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    if (seed !== undefined) seedPairwise(s, { '01': `${seed}01`, '12': `${seed}12`, '02': `${seed}02` });
    const shared: RankedColumn[] = [];
    for (const c of columns) shared.push({ values: await secret(s, BigUint64Array.from(c.values.map(ring)), 1), min: c.min, keyBits: c.keyBits, ranks: c.ranks });
    const transcript: number[][] = [];
    const equalPairs = { count: 0 };
    const bits = Math.max(0, ...columns.map((c) => c.keyBits + indexBits(c.values.length)));
    const out = await selectRanks(s, shared, watching(s, bits, transcript, equalPairs));
    const values: bigint[][] = [];
    for (const v of out.values) values.push([...(await open(s, v))].map((x) => BigInt.asIntN(64, x)));
    return { values, transcript, equal: equalPairs.count, levels: out.levels };
  });
  return r;
}

test('selected order statistics = a plaintext sort at those ranks (ties, range ends, one value, several columns at once); no equal keys ever compared', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(columnArb, { minLength: 1, maxLength: 3 }), async (columns) => {
      const r = await run(columns);
      columns.forEach((c, j) => {
        const sorted = [...c.values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        assert.deepEqual(r.values[j], c.ranks.map((k) => sorted[k]), `column ${j}: ${c.values.join(',')} at ${c.ranks.join(',')}`);
      });
      assert.equal(r.equal, 0, 'two equal keys were compared');
    }),
    { numRuns: Math.max(30, RUNS) },
  );
});

test('the opened comparisons depend on the rank order only: a constant column, 0 … n − 1 and another column of that order give one transcript', async () => {
  const n = 300;
  const ranks = [0, 74, 75, 149, 150, 224, 225, n - 1];
  const constant: PlainColumn = { min: 0n, keyBits: 12, values: Array.from({ length: n }, () => 7n), ranks };
  const increasing: PlainColumn = { min: 0n, keyBits: 12, values: Array.from({ length: n }, (_, i) => BigInt(i)), ranks };
  // Strictly increasing with irregular steps: the same order as 0 … n − 1, other values.
  const stretched: PlainColumn = { min: -5000n, keyBits: 40, values: Array.from({ length: n }, (_, i) => BigInt(i * i * 3 + (i % 7)) - 5000n), ranks };
  const a = await run([constant], 'same');
  const b = await run([increasing], 'same');
  const c = await run([stretched], 'same');
  assert.ok(a.transcript.length > 2, `a selection of ${n} rows takes several batches (${a.transcript.length})`);
  assert.deepEqual(b.transcript, a.transcript);
  assert.deepEqual(c.transcript, a.transcript);
  for (const r of [a, b, c]) assert.equal(r.equal, 0);
  // Other shuffle randomness, another transcript (the order itself is what the shuffle hides).
  const d = await run([increasing], 'other');
  assert.notDeepEqual(d.transcript, b.transcript);
  assert.deepEqual(d.values, b.values);
});

test('selection of a few ranks of 20,000 rows compares each row fewer than six times (typically about 2; a sort: ~15), in few levels (short segments finished whole): medians of 15 selections', async () => {
  const n = 20_000;
  const values = Array.from({ length: n }, (_, i) => BigInt((i * 7919) % 10_007));
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const t = await trio();
  const comparisonCounts: number[] = [];
  const levelCounts: number[] = [];
  for (let run = 0; run < 15; run++) {
    const [r] = await t.run(async (s) => {
      const comparisons = { count: 0 };
      const compare = keySign(s, 14 + indexBits(n));
      const counting: SignComparator = (d, m) => {
        comparisons.count += m;
        return compare(d, m);
      };
      const out = await selectRanks(s, [{ values: await secret(s, BigUint64Array.from(values), 0), min: 0n, keyBits: 14, ranks: [n / 2 - 1, n / 2] }], counting);
      return { comparisons: comparisons.count, levels: out.levels, median: [...(await open(s, out.values[0]))] };
    });
    assert.deepEqual(r.median, [sorted[n / 2 - 1], sorted[n / 2]]);
    comparisonCounts.push(r.comparisons);
    levelCounts.push(r.levels);
  }
  // The pivots are random, so one selection's cost is too: in 400 runs the levels ranged 3–15
  // (median 8; 11 was exceeded in 4 %, which failed a full suite run when one run was checked).
  // The median of 15 exceeds these bounds with probability ~3e-5; without short segments ranked
  // whole every selection takes ~14 levels, and a sort ~15 n comparisons.
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  assert.ok(median(comparisonCounts) < 6 * n, `comparisons for ${n} rows: ${comparisonCounts.join(', ')}`);
  assert.ok(median(levelCounts) <= 10, `levels: ${levelCounts.join(', ')}`);
});

test('edge columns on every comparator (≤ 32, 33–48 and 64 key bits) and through the value extraction: all equal, one row, two rows, both range ends, duplicates, a zero-width range', async () => {
  const at = (min: bigint, keyBits: number, values: readonly bigint[], ranks: readonly number[]): PlainColumn => ({ min, keyBits, values, ranks });
  const top = (min: bigint, keyBits: number): bigint => min + (1n << BigInt(keyBits)) - 1n;
  // keyBits + ⌈log2 n⌉ + 1: 12 bits → ltNarrow, 30 or 40 → ltSplit (8- and 16-bit high lanes), 56 → lt.
  for (const keyBits of [12, 30, 40, 56]) {
    const min = -(1n << BigInt(Math.min(keyBits, 40) - 1)) + 3n;
    const hi = top(min, keyBits);
    const columns = [
      at(min, keyBits, Array.from({ length: 9 }, () => hi), [0, 4, 8]),
      at(min, keyBits, [hi], [0]),
      at(min, keyBits, [hi, min], [0, 1]),
      at(min, keyBits, [min, min], [0, 1]),
      at(min, keyBits, [min, hi, min, hi, 0n, hi, min], [0, 1, 2, 3, 4, 5, 6]),
      at(7n, 0, [7n, 7n, 7n], [0, 2]),
    ];
    const r = await run(columns);
    columns.forEach((c, j) => {
      const sorted = [...c.values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      assert.deepEqual(r.values[j], c.ranks.map((k) => sorted[k]), `${keyBits} bits, column ${j}`);
    });
    assert.equal(r.equal, 0);
  }
});
