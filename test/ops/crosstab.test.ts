/**
 * crosstab (ops/crosstab.ts) against a plaintext reference: cells counted per combination,
 * cells below k open as null (suppressed inside MPC), margins as sums of the published cells
 * (null keys mean "all"), nullable keys as a level of their own without margins.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { open } from '../../src/mpc/protocols/io.js';
import { crosstab } from '../../src/ops/crosstab.js';
import { checkCrosstab } from '../../src/plan/check-crosstab.js';
import type { CheckedScan } from '../../src/plan/check.js';
import { tableType } from '../../src/plan/types.js';
import { ALL_VALID, SecretTable } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';

after(closeTrio);

interface Case { rows: { c: number | null; b: boolean; valid: boolean }[]; k?: number; margins: boolean; nullable: boolean; secretValidity: boolean }

const caseArb: fc.Arbitrary<Case> = fc
  .record({ margins: fc.boolean(), k: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), secretValidity: fc.boolean(), nullableIfNoMargins: fc.boolean() })
  .chain(({ margins, k, secretValidity, nullableIfNoMargins }) => {
    const nullable = !margins && nullableIfNoMargins;
    const row = fc.record({
      c: nullable ? fc.option(fc.integer({ min: 0, max: 2 }), { nil: null, freq: 4 }) : fc.integer({ min: 0, max: 2 }),
      b: fc.boolean(),
      valid: secretValidity ? fc.boolean() : fc.constant(true),
    });
    return fc.array(row, { maxLength: 20 }).map((rows) => ({ rows, margins, nullable, secretValidity, ...(k !== undefined ? { k } : {}) }));
  });

test('crosstab = plaintext reference (suppression below k, margins of published cells, null keys, secret validity)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async (k) => {
      const schema = parseSchema({ version: 1, columns: [{ name: 'c', nullable: k.nullable, type: 'category', dictionary: ['a', 'b', 'c'] }, { name: 'b', nullable: false, type: 'boolean' }] });
      const n = k.rows.length;
      const input: CheckedScan = { op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows: n }, columns: ['c', 'b'], type: tableType(schema, n) };
      const node = checkCrosstab({ op: 'crosstab', input: { op: 'scan', table: 't' }, by: ['c', 'b'], margins: k.margins, ...(k.k !== undefined ? { suppress_below: k.k } : {}) }, input, '/x', []);
      const [r] = await t.run(async (s) => {
        const share = (v: bigint[]) => secret(s, BigUint64Array.from(v), 1);
        const c = { schema: schema.columns[0], values: await share(k.rows.map((r) => BigInt(r.c ?? 0))), ...(k.nullable ? { present: await share(k.rows.map((r) => (r.c === null ? 0n : 1n))) } : {}) };
        const b = { schema: schema.columns[1], values: await share(k.rows.map((r) => (r.b ? 1n : 0n))) };
        const validity = k.secretValidity ? { kind: 'secret' as const, share: await share(k.rows.map((r) => (r.valid ? 1n : 0n))) } : ALL_VALID;
        const out = await crosstab(s, node, new SecretTable(n, [c, b], validity));
        const read = async (x: { values: import('../../src/mpc/shares.js').AShare; present?: import('../../src/mpc/shares.js').AShare }) => ({ values: [...(await open(s, x.values))], present: x.present ? [...(await open(s, x.present))] : undefined });
        return Promise.all(out.columns.map(read));
      });
      const [cc, bb, count] = r;
      const cells = new Map<string, number>();
      for (const row of k.rows.filter((x) => x.valid)) cells.set(`${row.c}|${row.b}`, (cells.get(`${row.c}|${row.b}`) ?? 0) + 1);
      const published = (key: string): number => {
        const v = cells.get(key) ?? 0;
        return k.k !== undefined && v < k.k ? 0 : v;
      };
      const cLevels: (number | null)[] = k.nullable ? [0, 1, 2, null] : [0, 1, 2];
      const expected: { c: number | null | 'all'; b: boolean | 'all'; count: number | null }[] = [];
      for (const c of [...cLevels, ...(k.margins ? ['all' as const] : [])]) {
        for (const b of [false, true, ...(k.margins ? ['all' as const] : [])]) {
          if (c === 'all' || b === 'all') {
            let total = 0;
            for (const cv of c === 'all' ? cLevels : [c]) for (const bv of b === 'all' ? [false, true] : [b]) total += published(`${cv}|${bv}`);
            expected.push({ c, b, count: total });
          } else {
            const v = cells.get(`${c}|${b}`) ?? 0;
            expected.push({ c, b, count: k.k !== undefined && v < k.k ? null : v });
          }
        }
      }
      const got = count.values.map((v, i) => ({
        c: cc.present?.[i] === 0n ? (k.margins ? 'all' : null) : Number(cc.values[i]),
        b: bb.present?.[i] === 0n ? 'all' : bb.values[i] === 1n,
        count: count.present?.[i] === 0n ? (v === 0n ? null : -1) : Number(v),
      }));
      assert.deepEqual(got, expected);
    }),
    { numRuns: Math.max(25, RUNS) },
  );
});
