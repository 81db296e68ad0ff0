/** Text conditions at plan time: word comparisons, bounds, refusals with their place, the cost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedAggregate, type CheckedFilter } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { parseSchema } from '../../src/table/schema.js';

const TABLES: CatalogTable[] = [
  {
    name: 'visits',
    kind: 'table',
    rows: 1000,
    schema: parseSchema({
      version: 1,
      columns: [
        { name: 'code', nullable: true, type: 'text', maxBytes: 16 },
        { name: 'short', nullable: false, type: 'text', maxBytes: 4 },
        { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
      ],
    }),
  },
];
const context: CheckContext = { table: (n) => TABLES.find((t) => t.name === n), recipientRefusal: () => undefined };
const col = (name: string) => ({ op: 'col', name });
const lit = (value: unknown) => ({ op: 'lit', value });
const plan = (predicate: unknown) => ({
  version: 1,
  root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: { op: 'filter', input: { op: 'scan', table: 'visits' }, predicate } } },
});
const check = (p: unknown) => checkPlan(parsePlan(p), context);
const filterOf = (p: unknown) => (check(p).root.input as CheckedAggregate).input as CheckedFilter;
const P = '/root/input/input/predicate';

function refusedAt(p: unknown, path: string, message: RegExp): void {
  assert.throws(() => check(p), (e: unknown) => {
    assert.ok(e instanceof PlanError, String(e));
    assert.equal(e.path, path, e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('text = literal: one equality per word (text(16) is 3 words), ANDed; != is their negated OR', () => {
  const eq = filterOf(plan({ op: '=', args: [col('code'), lit('A0')] })).predicate as unknown as { kind: string; args: { kind: string; test: string; left: { word: number } }[] };
  assert.equal(eq.kind, 'and');
  assert.deepEqual(eq.args.map((a) => [a.kind, a.test, a.left.word]), [['compare', 'eq', 0], ['compare', 'eq', 1], ['compare', 'eq', 2]]);
  const ne = filterOf(plan({ op: '!=', args: [col('code'), lit('A0')] })).predicate as unknown as { kind: string; args: { negate: boolean }[] };
  assert.equal(ne.kind, 'or');
  assert.ok(ne.args.every((a) => a.negate));
});

test('text columns of different bounds compare word by word, the shorter padded with 0', () => {
  const p = filterOf(plan({ op: '=', args: [col('short'), col('code')] })).predicate as unknown as { args: { right: { kind: string; word?: number }; left: { kind: string; value?: bigint } }[] };
  assert.equal(p.args.length, 3);
  assert.deepEqual(p.args[2].left, { kind: 'constant', value: 0n });
});

test('startsWith compares whole words and masks the rest of the last by a range (two less-thans), cost counted', () => {
  const f = filterOf(plan({ op: 'starts_with', arg: col('code'), prefix: 'ABCDEFGH' }));
  // 8 bytes: word 0 equal, word 1 in ['H' 00…, 'H' ff… ] as [lo, hi).
  const p = f.predicate as { kind: string; args: unknown[] };
  assert.equal(p.kind, 'and');
  assert.equal(JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)).match(/"test":"lt"/g)?.length, 2);
  assert.ok(f.type.maxRows === 1000);
  assert.ok(check(plan({ op: 'starts_with', arg: col('code'), prefix: 'ABCDEFGH' })).cost.rounds > 0);
});

test('refused at plan time: a too-long literal or prefix, a text in arithmetic, text against a number, starts_with on a number', () => {
  refusedAt(plan({ op: '=', args: [col('short'), lit('abcde')] }), `${P}/args/1`, /longer than the 4 bytes of text column 'short'/);
  refusedAt(plan({ op: 'isin', arg: col('short'), values: ['ab', 'ééé'] }), `${P}/values/1`, /longer than the 4 bytes/);
  refusedAt(plan({ op: 'starts_with', arg: col('short'), prefix: 'abcde' }), `${P}/prefix`, /longer than the 4 bytes/);
  refusedAt(plan({ op: '>', args: [{ op: '+', args: [col('code'), lit(1)] }, lit(3)] }), `${P}/args/0/args/0/name`, /text column 'code' has no value for arithmetic/);
  refusedAt(plan({ op: '=', args: [col('code'), col('age')] }), `${P}/args/1`, /not text/);
  refusedAt(plan({ op: '=', args: [col('code'), lit(12)] }), `${P}/args/1`, /compares with a text/);
  refusedAt(plan({ op: 'starts_with', arg: col('age'), prefix: '1' }), `${P}/arg`, /starts_with takes a text column/);
});

test('a join and a group-by on a text key cost the ranking sorts on top (explain shows them)', () => {
  const scan = { op: 'scan', table: 'visits' };
  const grouped = (by: string) => checkPlan(parsePlan({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', by: [by], aggregates: [{ name: 'n', fn: 'count' }], input: scan } } }), context);
  const byText = grouped('code'), byNumber = grouped('age');
  assert.equal((byText.root.input as { group: { method: string } }).group.method, 'sort');
  assert.ok(byText.cost.rounds > byNumber.cost.rounds, `${byText.cost.rounds} > ${byNumber.cost.rounds}`);
  assert.ok(byText.cost.bytesPerParty > byNumber.cost.bytesPerParty);
  // count_distinct of a text: a one-word text by its word, a longer one ranked first (priced on top).
  const distinct = (column: string) => checkPlan(parsePlan({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count_distinct', column }], input: scan } } }), context).cost;
  assert.ok(distinct('code').rounds > distinct('short').rounds, 'text(16) pays the ranking, text(4) does not');
  assert.equal(distinct('short').rounds, distinct('age').rounds, 'a one-word text costs what an integer costs');
});

test('a one-word text key (maxBytes <= 7) groups and joins by its word; a longer one by its rank', () => {
  const scan = { op: 'scan', table: 'visits' };
  const keysOf = (by: string[]) => (checkPlan(parsePlan({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', by, aggregates: [{ name: 'n', fn: 'count' }], input: scan } } }), context).root.input as unknown as { group: { method: string; keys: { ranked?: boolean; levels: bigint }[] } }).group;
  const short = keysOf(['short']);
  assert.equal(short.method, 'sort');
  assert.deepEqual(short.keys.map((k) => [k.ranked ?? false, k.levels]), [[false, 1n << 56n]]);
  assert.deepEqual(keysOf(['code']).keys.map((k) => [k.ranked, k.levels]), [[true, 1000n]]);
  // Two one-word keys with an integer do not pack in 63 bits: both are ranked instead.
  assert.deepEqual(keysOf(['short', 'age', 'code']).keys.map((k) => k.ranked ?? false), [true, false, true]);
  const packingOf = (left: string, right: string) => (checkPlan(parsePlan({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: { op: 'join', how: 'inner', left: { op: 'scan', table: 'visits', columns: [left, 'age'] }, right: { op: 'scan', table: 'visits', columns: [right] }, on: [{ left, right }] } } } }), context).root.input as unknown as { input: { packing: { rank?: boolean }[] } }).input.packing;
  assert.deepEqual(packingOf('short', 'short'), [{ min: 0n, weight: 1n }]);
  assert.deepEqual(packingOf('short', 'code'), [{ min: 0n, weight: 1n, rank: true }]);
});

test('text conditions in a derive: = of text(16) is 3 word equalities (their product), isin per distinct value; refusals name the place', () => {
  const scan = { op: 'scan', table: 'visits' };
  const derive = (expr: unknown) => ({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'derive', columns: [{ name: 'k', expr }], input: scan } } });
  const cost = (expr: unknown) => check(derive(expr)).cost;
  const byWord = cost({ op: '=', args: [col('code'), lit('A0')] }), oneWord = cost({ op: '=', args: [col('short'), lit('A0')] });
  assert.ok(byWord.bytesPerParty > oneWord.bytesPerParty, `${byWord.bytesPerParty} > ${oneWord.bytesPerParty}: text(16) compares 3 words, text(4) one`);
  assert.deepEqual(cost({ op: 'isin', arg: col('code'), values: ['A0', 'B1', 'A0'] }), cost({ op: 'isin', arg: col('code'), values: ['A0', 'B1'] }), 'a repeated value costs nothing more');
  check(derive({ op: 'if_else', args: [{ op: 'isin', arg: col('code'), values: ['A0'] }, lit(1), lit(0)] }));
  check(derive({ op: 'is_null', arg: col('code') }));
  refusedAt(derive({ op: 'isin', arg: col('short'), values: ['abcde'] }), '/root/input/columns/0/expr/values/0', /longer than the 4 bytes of text column 'short'/);
  refusedAt(derive({ op: '=', args: [col('code'), col('age')] }), '/root/input/columns/0/expr/args/1', /cannot compare text column 'code'/);
  refusedAt(derive({ op: 'starts_with', arg: col('code'), prefix: 'A' }), '/root/input/columns/0/expr', /starts_with is a condition of a filter/);
  refusedAt(derive(col('code')), '/root/input/columns/0/expr/name', /text column 'code' has no value/);
});
