/**
 * sort, limit and distinct on secret tables (ops/sort.ts, ops/limit.ts, ops/distinct.ts)
 * against plaintext: random declared ranges (edges of ±(2^62 - 1), which need several sort
 * passes), duplicates, negatives, nulls first/last, descending, empty tables, and a secret
 * validity whose invalid rows hold values outside every range.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, trio } from '../helpers/protocol.js';
import { sortTable } from '../../src/ops/sort.js';
import { limit } from '../../src/ops/limit.js';
import { distinct } from '../../src/ops/distinct.js';
import type { CheckedLimit } from '../../src/plan/check-limit.js';
import type { CheckedDistinct } from '../../src/plan/check-distinct.js';
import type { CheckedTable } from '../../src/plan/check.js';
import type { FilterMode } from '../../src/plan/plan.js';
import { sortLayout } from '../../src/plan/sort-layout.js';
import { caseArb, EDGE, factsOf, openTable, referenceSort, shareCase, type KeySpec, type OrderCase, type Row } from './order-helpers.js';

after(closeTrio);

const keysArb: fc.Arbitrary<KeySpec[]> = fc
  .tuple(fc.constantFrom<('x' | 'y')[]>(['x'], ['y'], ['x', 'y'], ['y', 'x']), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }))
  .map(([cols, flags]) => cols.map((column, i) => ({ column, descending: flags[2 * i], nullsFirst: flags[2 * i + 1] })));

const show = (rows: readonly Row[]) => rows.map((r) => `${r.x}:${r.y}`);

test('sort = plaintext stable sort (nulls first/last, descending, several passes at extreme ranges), invalid rows last', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, keysArb, async (k, keys) => {
      const facts = factsOf(k);
      const [got] = await t.run(async (s) => openTable(s, (await sortTable(s, keys.map((x) => ({ ...x, column: facts[x.column] })), await shareCase(s, k))).table));
      const want = referenceSort(k.rows, keys);
      assert.equal(got.length, k.rows.length);
      assert.deepEqual(show(got.slice(0, want.length)), show(want));
      // Valid rows first, then every invalid row.
      assert.deepEqual(got.map((r) => r.valid), k.rows.map((_, i) => i < want.length));
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});

test('the sort layout packs into one 63-bit chunk when the ranges fit, else one chunk per pass', () => {
  const col = (name: string, min: bigint, max: bigint, nullable = false) => ({ name, kind: 'integer' as const, scale: 0, min, max, nullable });
  const one = sortLayout([{ column: col('a', 0n, 120n), descending: false, nullsFirst: false }, { column: col('b', -5n, 5n, true), descending: true, nullsFirst: true }], true);
  assert.equal(one.chunks.length, 1);
  assert.equal(one.chunks[0].width, 1 + 7 + 1 + 4);
  const wide = sortLayout([{ column: col('a', -EDGE, EDGE), descending: false, nullsFirst: false }, { column: col('b', 0n, 1n), descending: false, nullsFirst: false }], true);
  assert.deepEqual(wide.chunks.map((c) => c.width), [1, 63, 1]);
  assert.equal(sortLayout([{ column: col('a', 7n, 7n), descending: false, nullsFirst: false }], false).chunks.length, 0);
});

/** How the executor sees a limit's input: from a sort or from anything else (here a scan). */
function limitNode(count: number, offset: number, afterSort: boolean): CheckedLimit {
  const input = { op: afterSort ? 'sort' : 'scan' } as unknown as CheckedTable;
  return { op: 'limit', path: '/root/input', type: { columns: [], maxRows: 0 }, input, count, offset };
}

test('limit takes the first rows; over a secret validity it takes valid rows (top-k after a sort)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), async (k, count, offset, sorted) => {
      const keys: KeySpec[] = [{ column: 'y', descending: true, nullsFirst: false }];
      const facts = factsOf(k);
      const [got] = await t.run(async (s) => {
        let table = await shareCase(s, k);
        if (sorted) table = (await sortTable(s, keys.map((x) => ({ ...x, column: facts[x.column] })), table)).table;
        return openTable(s, await limit(s, limitNode(count, offset, sorted), table));
      });
      const ordered = sorted ? referenceSort(k.rows, keys) : k.rows.filter((r) => r.valid);
      const want = ordered.slice(offset, offset + count);
      assert.equal(got.length, Math.max(0, Math.min(count, k.rows.length - offset)));
      assert.deepEqual(show(got.filter((r) => r.valid)), show(want));
      assert.deepEqual(got.map((r) => r.valid), got.map((_, i) => i < want.length));
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});

function distinctNode(k: OrderCase, columns: ('x' | 'y')[], mode: FilterMode): CheckedDistinct {
  const facts = factsOf(k);
  const cols = columns.map((c) => facts[c]);
  return { op: 'distinct', path: '/root/input', type: { columns: cols, maxRows: k.rows.length }, input: { op: 'scan' } as unknown as CheckedTable, columns: cols, mode };
}

test('distinct = the set of distinct valid rows (nulls equal), counted in reveal-count mode, flagged in oblivious mode', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, fc.constantFrom<FilterMode>('reveal-count', 'oblivious'), async (k, mode) => {
      const [got] = await t.run(async (s) => {
        const out = await distinct(s, distinctNode(k, ['x', 'y'], mode), await shareCase(s, k));
        return { rows: out.rows, table: await openTable(s, out.table) };
      });
      const want = [...new Set(k.rows.filter((r) => r.valid).map((r) => `${r.x}:${r.y}`))].sort();
      assert.deepEqual(show(got.table.filter((r) => r.valid)).sort(), want);
      if (mode === 'reveal-count') {
        assert.equal(got.rows, want.length);
        assert.equal(got.table.length, want.length);
      } else {
        assert.equal(got.rows, undefined);
        assert.equal(got.table.length, k.rows.length);
      }
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});
