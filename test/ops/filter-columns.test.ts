/**
 * A reveal-count filter carries only the columns its consumer reads (ops/filter-columns.ts):
 * which columns the plan's consumers keep, and counts and sums through a filter that carries
 * none or some, against a plaintext reference at the edges (no row kept, every row kept,
 * bounds at the declared range's ends, an empty table), across word boundaries of the packed
 * predicate bits.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { execute } from '../../src/ops/execute.js';
import { filter } from '../../src/ops/filter.js';
import { filterCarriedColumns } from '../../src/ops/filter-columns.js';
import type { StoredSecretTable, StoredTableReader } from '../../src/ops/table-reader.js';
import { openOutputs } from '../helpers/outputs.js';
import { checkPlan, type CatalogTable, type CheckedFilter } from '../../src/plan/check.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { AggregateSpec, Expr, FilterMode, Plan } from '../../src/plan/plan.js';
import { ALL_VALID, SecretTable } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';

after(closeTrio);

const MIN = -50n, MAX = 9999n;
const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'x', nullable: false, type: 'integer', min: String(MIN), max: String(MAX) },
    { name: 'y', nullable: false, type: 'integer', min: '0', max: '9' },
  ],
});
const catalogOf = (rows: number): CatalogTable => ({ name: 't', kind: 'table', schema, rows });
const col = (name: string): Expr => ({ op: 'col', name });
const lit = (value: bigint): Expr => ({ op: 'lit', value: Number(value) });
const check = (plan: Plan, rows: number) => checkPlan(plan, { table: () => catalogOf(rows), recipientRefusal: () => undefined });

function readerOf(xs: readonly bigint[], ys: readonly bigint[]): StoredTableReader {
  return {
    async read(s) {
      const share = (v: readonly bigint[]) => secret(s, BigUint64Array.from(v.map((x) => BigInt.asUintN(64, x))), 0);
      const columns = [
        { schema: schema.columns[0], values: await share(xs) },
        { schema: schema.columns[1], values: await share(ys) },
      ];
      return new Map<string, StoredSecretTable>([['t', { table: new SecretTable(xs.length, columns, ALL_VALID), source: 'uploaded' }]]);
    },
  };
}

/** lo <= x <= hi (a range predicate, as the relational benchmark's), with y < 9 so that a column other than x matters. */
const between = (lo: bigint, hi: bigint): Expr => ({ op: 'and', args: [{ op: '>=', args: [col('x'), lit(lo)] }, { op: '<=', args: [col('x'), lit(hi)] }, { op: '<', args: [col('y'), lit(9n)] }] });

test('filterCarriedColumns: an aggregate keeps the columns it reads (none for count); other consumers and a root filter keep all', () => {
  const f = (mode: FilterMode = 'reveal-count') => ({ op: 'filter' as const, input: scanOf('t', ['x', 'y']), predicate: between(0n, 5n), mode });
  const carried = (plan: Plan): ReadonlySet<string> | undefined => {
    const checked = check(plan, 10);
    const found: CheckedFilter[] = [];
    const visit = (n: { op: string; input?: unknown }): void => {
      if (n.op === 'filter') found.push(n as CheckedFilter);
      if (n.input) visit(n.input as { op: string });
    };
    visit(checked.root.input);
    assert.equal(found.length, 1);
    return filterCarriedColumns(checked.root.input).get(found[0]);
  };
  const agg = (outputs: AggregateSpec[]) => openFor(aggregateOf(f(), outputs), ['Auditor']);
  assert.deepEqual(carried(agg([{ name: 'n', fn: 'count' }])), new Set());
  assert.deepEqual(carried(agg([{ name: 'n', fn: 'count' }, { name: 's', fn: 'sum', column: 'y' }])), new Set(['y']));
  assert.deepEqual(carried(agg([{ name: 'm', fn: 'mean', column: 'x' }])), new Set(['x']));
  assert.equal(carried(openFor(f(), ['Auditor'])), undefined);
});

test('a filter carrying no column or one column: count and sum = plaintext (no row kept, every row kept, bounds at the declared ends, across 64-row words)', async () => {
  const t = await trio();
  const cases = fc.record({
    n: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 60, max: 200 })),
    lo: fc.oneof(fc.constantFrom(MIN, MIN + 1n, MAX), fc.bigInt({ min: MIN, max: MAX })),
    hi: fc.oneof(fc.constantFrom(MIN, MAX - 1n, MAX), fc.bigInt({ min: MIN, max: MAX })),
    seed: fc.integer({ min: 0, max: 1000 }),
    sum: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(cases, async ({ n, lo, hi, seed, sum }) => {
      // Values at both declared ends and spread between them.
      const xs = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? MIN : i % 5 === 1 ? MAX : MIN + BigInt((i * 7919 + seed) % Number(MAX - MIN + 1n))));
      const ys = Array.from({ length: n }, (_, i) => BigInt((i * 31 + seed) % 10));
      const outputs: AggregateSpec[] = [{ name: 'n', fn: 'count' }, ...(sum ? [{ name: 's', fn: 'sum' as const, column: 'y' }] : [])];
      const plan = openFor(aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'y']), predicate: between(lo, hi) }, outputs), ['Auditor']);
      const runs = await t.run((s) => execute(s, check(plan, n), readerOf(xs, ys)));
      const kept = xs.map((x, i) => ({ x, y: ys[i] })).filter((r) => r.x >= lo && r.x <= hi && r.y < 9n);
      const want = new Map([['n', BigInt(kept.length)], ['s', kept.reduce((a, r) => a + r.y, 0n)]]);
      for (const [name, values] of openOutputs(runs)) assert.deepEqual(values, [want.get(name)], `${name}, ${lo} <= x <= ${hi}, ${n} rows`);
      for (const r of runs) assert.deepEqual(r.revealed, [{ path: '/root/input/input', fact: 'rows', value: kept.length }]);
    }),
    { numRuns: Math.max(20, RUNS / 2) },
  );
});

test('the compacted table holds only the carried columns; every row kept, none kept, and an empty table', async () => {
  const t = await trio();
  const n = 130;
  const xs = Array.from({ length: n }, (_, i) => BigInt(i % 2 === 0 ? MIN : MAX));
  const ys = Array.from({ length: n }, (_, i) => BigInt(i % 9));
  for (const [lo, hi, want] of [[MIN, MAX, n], [MAX, MAX - 1n, 0], [MAX, MAX, n / 2]] as const) {
    for (const carried of [new Set<string>(), new Set(['y'])]) {
      const plan = openFor(aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'y']), predicate: between(lo, hi) }, [{ name: 'n', fn: 'count' }]), ['Auditor']);
      const node = (check(plan, n).root.input as { input: CheckedFilter }).input;
      const runs = await t.run(async (s) => {
        const table = (await readerOf(xs, ys).read(s, check(plan, n))).get('t')!.table;
        const out = await filter(s, node, table, carried);
        return { rows: out.rows, columns: out.table.columns.map((c) => c.schema.name), tableRows: out.table.rows };
      });
      for (const r of runs) assert.deepEqual(r, { rows: want, columns: [...carried], tableRows: want }, `${lo} <= x <= ${hi}, carrying ${[...carried]}`);
    }
  }
  const empty = openFor(aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'y']), predicate: between(MIN, MAX) }, [{ name: 'n', fn: 'count' }]), ['Auditor']);
  const runs = await t.run((s) => execute(s, check(empty, 0), readerOf([], [])));
  for (const [, values] of openOutputs(runs)) assert.deepEqual(values, [0n]);
});
