/**
 * The narrow comparisons of a predicate computed in row blocks (ops/predicate.ts
 * narrowComparisonBits): every comparison's bit per row equals the plaintext's, for block sizes
 * that split the rows unevenly and off the 64-bit words (37, 64, 100 rows) and for one block.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, secret, trio } from '../helpers/protocol.js';
import { collectComparisons, narrowComparisonBits, type Compare } from '../../src/ops/predicate.js';
import { comparisonBits as comparisonWidth } from '../../src/ops/comparison-width.js';
import { openBits } from '../../src/mpc/protocols/io.js';
import { checkPlan } from '../../src/plan/check.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { Expr } from '../../src/plan/plan.js';
import type { CheckedPredicate } from '../../src/plan/check-predicate.js';
import { ALL_VALID, SecretTable } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';

after(closeTrio);

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'x', nullable: false, type: 'integer', min: '-300', max: '9999' },
    { name: 'y', nullable: false, type: 'integer', min: '0', max: '500' },
  ],
});
const col = (name: string): Expr => ({ op: 'col', name });
const lit = (value: number): Expr => ({ op: 'lit', value });
// Literals on either side and a column against a column; none at a declared end (those fold away).
const PREDICATE: Expr = { op: 'and', args: [{ op: '>=', args: [col('x'), lit(100)] }, { op: '<=', args: [col('x'), lit(800)] }, { op: '>', args: [lit(250), col('y')] }, { op: '<', args: [col('y'), col('x')] }, { op: '>', args: [col('x'), lit(-7)] }] };

function atoms(n: number): Compare[] {
  const plan = openFor(aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'y']), predicate: PREDICATE }, [{ name: 'c', fn: 'count' }]), ['Auditor']);
  const root = checkPlan(plan, { table: () => ({ name: 't', kind: 'table', schema, rows: n }), recipientRefusal: () => undefined }).root.input;
  const out: Compare[] = [];
  collectComparisons((root as unknown as { input: { predicate: CheckedPredicate } }).input.predicate, out);
  return out;
}

const value = (r: { x: bigint; y: bigint }, o: Compare['left']): bigint => (o.kind === 'constant' ? o.value : o.column.name === 'x' ? r.x : r.y);

test('narrow comparisons in row blocks = plaintext, per comparison and row (uneven blocks, one block)', async () => {
  const t = await trio();
  const rows = fc.array(fc.record({ x: fc.bigInt({ min: -300n, max: 9999n }), y: fc.bigInt({ min: 0n, max: 500n }) }), { minLength: 1, maxLength: 260, size: 'max' });
  await fc.assert(
    fc.asyncProperty(rows, fc.constantFrom(37, 64, 100, 1 << 17), async (data, blockRows) => {
      const lts = atoms(data.length).filter((a) => a.test === 'lt');
      const runs = await t.run(async (s) => {
        const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map((x) => BigInt.asUintN(64, x))), 0);
        const table = new SecretTable(data.length, [{ schema: schema.columns[0], values: await share(data.map((r) => r.x)) }, { schema: schema.columns[1], values: await share(data.map((r) => r.y)) }], ALL_VALID);
        return openBits(s, await narrowComparisonBits(s, lts, table, comparisonWidth(lts), blockRows));
      });
      const n = data.length;
      lts.forEach((a, k) => {
        data.forEach((r, i) => {
          const e = k * n + i;
          const got = (runs[0][e >>> 6] >> BigInt(e & 63)) & 1n;
          assert.equal(got, value(r, a.left) < value(r, a.right) ? 1n : 0n, `comparison ${k}, row ${i} of ${n}, blocks of ${blockRows}`);
        });
      });
    }),
    { numRuns: 25 },
  );
});
