/**
 * explain()'s bytes and rounds (plan/cost.ts) against what the executor measures, for the ops
 * whose comparisons run narrower than 64 bits (plan/cost-comparisons.ts): a filter's less-thans
 * on 16-bit lanes, a join's (key, index) words of 40 bits with a narrow key decomposition, and
 * sorts whose keys pack with the row index into 32 and 48 bits. One party's bytes, in-memory
 * links; within 25% (COST_ROWS=65536 COST_TOLERANCE=… to check at other sizes).
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { execute } from '../../src/ops/execute.js';
import type { StoredSecretTable, StoredTableReader } from '../../src/ops/table-reader.js';
import { checkPlan, type CatalogTable } from '../../src/plan/check.js';
import { AGREEMENT_COST } from '../../src/plan/cost.js';
import { parsePlan } from '../../src/plan/parse.js';
import { ALL_VALID, SecretTable } from '../../src/secret/secret-table.js';
import { parseSchema, type TableSchema } from '../../src/table/schema.js';
import { closeTrio, secret, trio } from '../helpers/protocol.js';

after(closeTrio);

const ROWS = Number(process.env.COST_ROWS ?? 8192);
const TOLERANCE = Number(process.env.COST_TOLERANCE ?? 0.25);
const SPAN = Math.ceil(ROWS * 1.1);

const int = (name: string, min: number, max: number) => ({ name, nullable: false, type: 'integer', min: String(min), max: String(max) });

/** Tables as the relational suite's: a fact table of narrow columns, and a primary and a foreign side for the join. */
const TABLES: Record<string, { schema: TableSchema; value: (column: number, row: number) => bigint }> = {
  t: { schema: parseSchema({ version: 1, columns: [int('a', 0, 1000), int('b', -5000, 5000), int('c', 0, 20000), int('p', 0, 1_000_000)] }), value: (c, i) => BigInt([(i * 7919) % 1001, ((i * 104729) % 10001) - 5000, (i * 31) % 20001, i % 1_000_001][c]) },
  customers: { schema: parseSchema({ version: 1, columns: [int('id', 0, SPAN), int('age', 0, 120), int('score', 0, 10000)] }), value: (c, i) => BigInt([i, (i * 37) % 121, (i * 13) % 10001][c]) },
  orders: { schema: parseSchema({ version: 1, columns: [int('customer_id', 0, SPAN), int('amount', 0, 1000), int('qty', 0, 50)] }), value: (c, i) => BigInt([Number((BigInt(i) * 2654435761n) % BigInt(SPAN)), (i * 101) % 1001, (i * 3) % 51][c]) },
};

const catalog = (name: string): CatalogTable | undefined => (TABLES[name] ? { name, kind: 'table', schema: TABLES[name].schema, rows: ROWS } : undefined);

const reader: StoredTableReader = {
  async read(s) {
    const out = new Map<string, StoredSecretTable>();
    for (const [name, t] of Object.entries(TABLES)) {
      const columns = [];
      for (const [k, c] of t.schema.columns.entries()) columns.push({ schema: c, values: await secret(s, BigUint64Array.from({ length: ROWS }, (_, i) => BigInt.asUintN(64, t.value(k, i))), 0) });
      out.set(name, { table: new SecretTable(ROWS, columns, ALL_VALID), source: 'uploaded' });
    }
    return out;
  },
};

interface Figures {
  readonly rounds: number;
  readonly bytes: number;
}

async function measure(plan: object): Promise<{ estimated: Figures; measured: Figures }> {
  const checked = checkPlan(parsePlan(plan), { table: catalog, recipientRefusal: () => undefined });
  const t = await trio();
  const runs = await t.run(async (s) => {
    // The tables' input sharing is not the plan's: count from after it.
    const tables = await reader.read(s, checked);
    const b0 = s.stats.bytesSent, r0 = s.stats.rounds;
    await execute(s, checked, { read: async () => tables });
    return { bytes: s.stats.bytesSent - b0, rounds: s.stats.rounds - r0 };
  });
  return { estimated: { rounds: checked.cost.rounds - AGREEMENT_COST.rounds, bytes: checked.cost.bytesPerParty - AGREEMENT_COST.bytesPerParty }, measured: runs[0] };
}

function within(label: string, r: Awaited<ReturnType<typeof measure>>): void {
  console.log(label, JSON.stringify(r));
  const bytes = Math.abs(r.estimated.bytes - r.measured.bytes) / r.measured.bytes;
  const rounds = Math.abs(r.estimated.rounds - r.measured.rounds) / Math.max(1, r.measured.rounds);
  assert.ok(bytes <= TOLERANCE, `${label}: estimated ${r.estimated.bytes} bytes, measured ${r.measured.bytes} (${(100 * bytes).toFixed(0)}% off)`);
  assert.ok(rounds <= TOLERANCE, `${label}: estimated ${r.estimated.rounds} rounds, measured ${r.measured.rounds} (${(100 * rounds).toFixed(0)}% off)`);
}

const col = (name: string) => ({ op: 'col', name });
const lit = (value: number) => ({ op: 'lit', value });
const scan = (table: string, columns: string[]) => ({ op: 'scan', table, columns });
const open = (input: object) => ({ version: 1, root: { op: 'open', to: ['Auditor'], input } });
const count = (input: object) => open({ op: 'aggregate', input, aggregates: [{ name: 'n', fn: 'count' }] });

test('a range filter of 5 comparisons on 16-bit lanes, count revealed: estimate within 25% of the measured bytes and rounds', async () => {
  const predicate = { op: 'and', args: [{ op: '>=', args: [col('a'), lit(100)] }, { op: '<=', args: [col('a'), lit(800)] }, { op: '>=', args: [col('b'), lit(-2000)] }, { op: '<', args: [col('c'), lit(9000)] }, { op: '>', args: [col('b'), lit(10)] }] };
  within('filter', await measure(count({ op: 'filter', input: scan('t', ['a', 'b', 'c']), predicate })));
});

test('a primary-key to foreign-key join (2 payload columns a side, count revealed): estimate within 25%', async () => {
  const joined = { op: 'join', left: scan('orders', ['customer_id', 'amount', 'qty']), right: scan('customers', ['id', 'age', 'score']), on: [{ left: 'customer_id', right: 'id' }], how: 'inner', kind: 'many-to-one' };
  within('join', await measure(count(joined)));
});

test('sorts by one narrow key and by two (packed into one chunk), then the first rows: estimate within 25%', async () => {
  const head = (by: object[]) => open({ op: 'limit', count: 100, input: { op: 'sort', input: scan('t', ['a', 'b', 'p']), by } });
  within('sort by a', await measure(head([{ column: 'a' }])));
  within('sort by a, b desc', await measure(head([{ column: 'a' }, { column: 'b', descending: true }])));
});
