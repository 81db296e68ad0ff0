/**
 * Bit planes of secret columns (mpc/protocols/value-planes.ts: the bit-sliced conversion of
 * v − min into planes) against the plaintext bits: ranges of 0 to 64 bits, negative minimums,
 * values at both ends of the range, n = 0, 1 and lengths that end inside a word, several columns
 * of different widths in one call (they run in lockstep).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, trio } from '../helpers/protocol.js';
import { input, openBits } from '../../src/mpc/protocols/io.js';
import { valuePlanes } from '../../src/mpc/protocols/value-planes.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

interface PlainColumn {
  readonly min: bigint;
  readonly bits: number;
  readonly offsets: readonly bigint[];
}

const columnArb = (n: number): fc.Arbitrary<PlainColumn> =>
  fc.record({ min: fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), bits: fc.constantFrom(0, 1, 5, 18, 31, 32, 33, 63, 64) }).chain(({ min, bits }) => {
    const top = bits === 0 ? 0n : (1n << BigInt(bits)) - 1n;
    const offset = fc.oneof(fc.bigInt({ min: 0n, max: top }), fc.constantFrom(0n, top));
    return fc.array(offset, { minLength: n, maxLength: n }).map((offsets) => ({ min, bits, offsets }));
  });

const tableArb = fc.integer({ min: 0, max: 150 }).chain((n) => fc.array(columnArb(n), { minLength: 1, maxLength: 3 }));

/** Plane j of a column, opened: bit j of every row's v − min, row i at bit i & 63 of word i >>> 6. */
async function openedPlanes(columns: readonly PlainColumn[]): Promise<bigint[][][]> {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const shared = [];
    for (const c of columns) {
      const values = c.offsets.map((o) => BigInt.asUintN(64, c.min + o));
      shared.push({ values: await input(s, 0, s.me === 0 ? BigUint64Array.from(values) : values.length), min: c.min, bits: c.bits });
    }
    const planes = await valuePlanes(s, shared);
    const out: bigint[][][] = [];
    for (const column of planes) {
      const opened: bigint[][] = [];
      for (const plane of column) opened.push([...(await openBits(s, plane))]);
      out.push(opened);
    }
    return out;
  });
  return r;
}

function plainPlanes(c: PlainColumn): bigint[][] {
  const words = Math.ceil(c.offsets.length / 64);
  return Array.from({ length: c.bits }, (_, j) => {
    const plane = Array<bigint>(words).fill(0n);
    c.offsets.forEach((o, i) => {
      if ((o >> BigInt(j)) & 1n) plane[i >>> 6] |= 1n << BigInt(i & 63);
    });
    return plane;
  });
}

test('valuePlanes = the plaintext bits of v − min, plane by plane, for every width and column', async () => {
  await fc.assert(
    fc.asyncProperty(tableArb, async (columns) => {
      assert.deepEqual(await openedPlanes(columns), columns.map(plainPlanes));
    }),
    { numRuns: Math.max(25, RUNS) },
  );
});

test('refuses a range wider than 64 bits', async () => {
  const t = await trio();
  await assert.rejects(
    t.run(async (s) => valuePlanes(s, [{ values: await input(s, 0, s.me === 0 ? BigUint64Array.of(1n) : 1), min: 0n, bits: 65 }])),
    UsageError,
  );
});
