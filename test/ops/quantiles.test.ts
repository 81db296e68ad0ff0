/**
 * ops/quantiles.ts on shared tables against a plaintext type-7 reference: y (not nullable) on a
 * publicly valid table takes the selection path (ops/quantile-selection.ts: quickselect on these
 * small tables, the radix search where (value, row) does not fit 63 bits), x (nullable) and
 * every column after an oblivious filter (a secret validity) the sort path, all in one call;
 * random declared ranges with their ends, ties, nulls, one row, all null, p = 0 and 1.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, trio } from '../helpers/protocol.js';
import { open } from '../../src/mpc/protocols/io.js';
import { quantiles, type QuantileParts } from '../../src/ops/quantiles.js';
import { selectable } from '../../src/ops/quantile-selection.js';
import { packsForSelection } from '../../src/mpc/protocols/radix-select.js';
import { bitLength } from '../../src/plan/sort-layout.js';
import { FRACTION_UNIT } from '../../src/plan/functions/quantile.js';
import { caseArb, factsOf, shareCase, signed, type Row } from './order-helpers.js';

after(closeTrio);

/** Type 7 as (lower, upper, weight in millionths), or undefined without values. */
function reference(values: readonly bigint[], fraction: bigint): { lower: bigint; upper: bigint; weight: bigint } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const h = BigInt(sorted.length - 1) * fraction;
  const lo = Number(h / FRACTION_UNIT), weight = h % FRACTION_UNIT;
  return { lower: sorted[lo], upper: weight > 0n ? sorted[lo + 1] : sorted[lo], weight };
}

const fractionArb = fc.oneof(fc.constantFrom(0n, FRACTION_UNIT, FRACTION_UNIT / 2n, FRACTION_UNIT / 4n, (3n * FRACTION_UNIT) / 4n), fc.bigInt({ min: 0n, max: FRACTION_UNIT }));

test('quantiles of a non-null column (selection) and a nullable one (sort), with and without a filter, are the exact type-7 parts', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, fc.array(fractionArb, { minLength: 1, maxLength: 4 }), async (k, fractions) => {
      const facts = factsOf(k);
      const requests = fractions.flatMap((fraction) => [{ column: facts.y, fraction }, { column: facts.x, fraction }]);
      const [got] = await t.run(async (s) => {
        const table = await shareCase(s, k);
        const parts = await quantiles(s, table, requests);
        const opened = async (p: QuantileParts) => ({
          lower: signed((await open(s, p.lower))[0]),
          upper: signed((await open(s, p.upper))[0]),
          weight: (await open(s, p.fraction))[0],
          present: (await open(s, p.present))[0],
        });
        const out = [];
        for (const p of parts) out.push(await opened(p));
        return { out, selected: selectable(table, facts.y) };
      });
      const fits = packsForSelection(bitLength(k.yr.max - k.yr.min), k.rows.length);
      assert.equal(got.selected, !k.secretValidity && k.rows.length > 0 && fits, 'the non-null column of a publicly valid table is selected when its range has at most 64 bits');
      const valid = k.rows.filter((r: Row) => r.valid);
      requests.forEach((r, i) => {
        const values = valid.map((row) => row[r.column.name as 'x' | 'y']).filter((v): v is bigint => v !== null);
        const want = reference(values, r.fraction);
        const g = got.out[i];
        if (want === undefined) assert.deepEqual(g, { lower: 0n, upper: 0n, weight: 0n, present: 0n });
        else assert.deepEqual(g, { ...want, present: 1n }, `${r.column.name} at ${r.fraction} of ${values.join(',')}`);
      });
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});
