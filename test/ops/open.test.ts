/**
 * open (ops/open.ts) against a plaintext reference: every result column opens to its values,
 * a nullable column also to its present bits; with a secret validity every cell opens times the
 * validity and the validity opens as "$valid", so the rows a recipient drops (validity 0) open
 * as zeros and say nothing of what they held.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { openTable } from '../../src/ops/open.js';
import { VALID_COLUMN } from '../../src/secret/outputs.js';
import { ALL_VALID, SecretTable } from '../../src/secret/secret-table.js';
import type { QueryOutputInfo } from '../../src/wire/api.js';
import { openOutputs } from '../helpers/outputs.js';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';

after(closeTrio);

const OUTPUTS: QueryOutputInfo[] = [
  { name: 'x', fn: 'column', column: 'x', scale: 0, type: { type: 'integer', min: '-1000', max: '1000' }, parts: [{ column: 'x', part: 'value' }] },
  { name: 'y', fn: 'column', column: 'y', scale: 0, type: { type: 'integer', min: '0', max: '9' }, parts: [{ column: 'y', part: 'value' }, { column: 'y.present', part: 'present' }] },
];

test('open: values and present bits open as they are; under a secret validity, times the validity, with $valid (property)', async () => {
  const t = await trio();
  const row = fc.record({ x: fc.integer({ min: -1000, max: 1000 }), y: fc.integer({ min: 0, max: 9 }), present: fc.boolean(), valid: fc.boolean() });
  await fc.assert(
    fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), fc.boolean(), async (rows, withValidity) => {
      const u64 = (f: (r: (typeof rows)[number]) => bigint) => BigUint64Array.from(rows, (r) => BigInt.asUintN(64, f(r)));
      const runs = await t.run(async (s) => {
        const x = await secret(s, u64((r) => BigInt(r.x)));
        const y = await secret(s, u64((r) => (r.present ? BigInt(r.y) : 0n)));
        const present = await secret(s, u64((r) => (r.present ? 1n : 0n)));
        const valid = await secret(s, u64((r) => (r.valid ? 1n : 0n)));
        const table = new SecretTable(
          rows.length,
          [
            { schema: { name: 'x', type: { kind: 'integer', min: -1000n, max: 1000n }, nullable: false }, values: x },
            { schema: { name: 'y', type: { kind: 'integer', min: 0n, max: 9n }, nullable: true }, values: y, present },
          ],
          withValidity ? { kind: 'secret', share: valid } : ALL_VALID,
        );
        return { outputs: await openTable(s, table, OUTPUTS, ['R']) };
      });
      const opened = openOutputs(runs);
      const v = (r: (typeof rows)[number]): bigint => (withValidity && !r.valid ? 0n : 1n);
      assert.deepEqual([...opened.keys()], ['x', 'y', 'y.present', ...(withValidity ? [VALID_COLUMN] : [])]);
      assert.deepEqual(opened.get('x'), rows.map((r) => BigInt(r.x) * v(r)));
      assert.deepEqual(opened.get('y'), rows.map((r) => (r.present ? BigInt(r.y) : 0n) * v(r)));
      assert.deepEqual(opened.get('y.present'), rows.map((r) => (r.present ? 1n : 0n) * v(r)));
      if (withValidity) assert.deepEqual(opened.get(VALID_COLUMN), rows.map((r) => (r.valid ? 1n : 0n)));
      for (const run of runs) assert.equal(run.outputs.rows, rows.length);
    }),
    { numRuns: Math.max(10, Math.floor(RUNS / 2)) },
  );
});
