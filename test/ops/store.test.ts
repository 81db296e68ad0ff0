/**
 * ops/store.ts against a plaintext reference: the components the three nodes would store
 * reconstruct to exactly the valid rows of the input (values and present bits, in the stored
 * schema's encoded order); a secret validity is compacted (the row count is then reported as
 * opened), a public one is kept as it is. Reconstruction: node i holds (x_i, x_{i+1}), so the
 * sum of the three nodes' first components is the value.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { storeShares } from '../../src/ops/store.js';
import { checkPlan } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { ALL_VALID, SecretTable } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';

after(closeTrio);

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'x', nullable: true, type: 'integer', min: '-50', max: '50' },
    { name: 'y', nullable: false, type: 'integer', min: '0', max: '1000' },
  ],
});

const ring = (v: bigint) => BigInt.asUintN(64, v);

test('stored components reconstruct to the valid rows; a secret validity is compacted', async () => {
  const t = await trio();
  const checked = checkPlan(parsePlan({ version: 1, root: { op: 'store', table: 'kept', input: { op: 'scan', table: 'src' } } }), {
    table: (n) => (n === 'src' ? { name: 'src', kind: 'table', schema, rows: 20 } : undefined),
    recipientRefusal: () => undefined,
    storeTarget: () => undefined,
    requester: 'Analyst',
  });
  const store = checked.root.store!;
  const rowArb = fc.record({ x: fc.bigInt({ min: -50n, max: 50n }), present: fc.boolean(), y: fc.bigInt({ min: 0n, max: 1000n }), valid: fc.boolean() });
  await fc.assert(
    fc.asyncProperty(fc.array(rowArb, { maxLength: 20 }), fc.boolean(), async (rows, secretValidity) => {
      const runs = await t.run(async (s) => {
        const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map(ring)), 0);
        const x = await share(rows.map((r) => (r.present ? r.x : 0n)));
        const present = await share(rows.map((r) => (r.present ? 1n : 0n)));
        const y = await share(rows.map((r) => r.y));
        const validity = secretValidity ? { kind: 'secret' as const, share: await share(rows.map((r) => (r.valid ? 1n : 0n))) } : ALL_VALID;
        const table = new SecretTable(rows.length, [{ schema: schema.columns[0], values: x, present }, { schema: schema.columns[1], values: y }], validity);
        return storeShares(s, table, store);
      });
      const kept = secretValidity ? rows.filter((r) => r.valid) : rows;
      for (const run of runs) {
        assert.equal(run.rows, kept.length);
        assert.equal(run.compacted, secretValidity);
        assert.deepEqual(run.columns.map((c) => c.name), ['x', 'x$valid', 'y']);
      }
      const value = (column: number, row: number) => BigInt.asIntN(64, runs[0].columns[column].a[row] + runs[1].columns[column].a[row] + runs[2].columns[column].a[row]);
      const got = Array.from({ length: runs[0].rows }, (_, i) => JSON.stringify([String(value(0, i)), String(value(1, i)), String(value(2, i))])).sort();
      const want = kept.map((r) => JSON.stringify([String(r.present ? r.x : 0n), r.present ? '1' : '0', String(r.y)])).sort();
      assert.deepEqual(got, want);
      // Replicated: node i's second component is node i+1's first.
      for (const i of [0, 1, 2]) for (const c of [0, 1, 2]) assert.deepEqual(runs[i].columns[c].b, runs[(i + 1) % 3].columns[c].a);
    }),
    { numRuns: Math.min(RUNS, 25) },
  );
});
