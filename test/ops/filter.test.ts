/**
 * filter + aggregate (ops/filter.ts, ops/predicate.ts) against a plaintext reference: random
 * tables with nulls, extreme declared ranges, uploaded or append (rows the range check excludes
 * must not come back through the filter), random predicates (comparisons of columns and
 * literals, and/or/not, is_null) evaluated in the reference with SQL's three-valued logic, in
 * both modes. Small sizes: the suite's time budget.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { execute } from '../../src/ops/execute.js';
import type { StoredSecretTable, StoredTableReader } from '../../src/ops/table-reader.js';
import { openOutputs } from '../helpers/outputs.js';
import { checkPlan, type CatalogTable } from '../../src/plan/check.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import { COMPARISON_OPS, type ComparisonOp, type Expr, type FilterMode } from '../../src/plan/plan.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';

after(closeTrio);

const WORDS = ['F', 'M', 'X'];
const EDGE = (1n << 62n) - 1n;
const ring = (v: bigint) => BigInt.asUintN(64, v);

interface Row { x: bigint | null; y: bigint; c: number }
interface Case { kind: 'table' | 'append'; min: bigint; max: bigint; rows: Row[]; predicate: Expr; mode: FilterMode }

const rangeArb = fc.oneof(
  fc.record({ min: fc.bigInt({ min: -20n, max: 0n }), span: fc.bigInt({ min: 0n, max: 30n }) }).map(({ min, span }) => ({ min, max: min + span })),
  fc.constant({ min: -EDGE, max: EDGE }),
  fc.constant({ min: 5n, max: 5n }),
);

function predicateArb(min: bigint, max: bigint): fc.Arbitrary<Expr> {
  const lit = fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max)).map((v): Expr => ({ op: 'lit', value: v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString() }));
  const x: Expr = { op: 'col', name: 'x' };
  const op = fc.constantFrom<ComparisonOp>(...COMPARISON_OPS);
  const atom: fc.Arbitrary<Expr> = fc.oneof(
    fc.tuple(op, lit, fc.boolean()).map(([o, l, flip]): Expr => ({ op: o, args: flip ? [l, x] : [x, l] })),
    fc.tuple(fc.constantFrom<ComparisonOp>('=', '!='), fc.constantFrom(...WORDS)).map(([o, w]): Expr => ({ op: o, args: [{ op: 'col', name: 'c' }, { op: 'lit', value: w }] })),
    fc.tuple(op, fc.integer({ min: 0, max: 9 })).map(([o, v]): Expr => ({ op: o, args: [{ op: 'col', name: 'y' }, { op: 'lit', value: v }] })),
    fc.constant<Expr>({ op: 'is_null', arg: x }),
    fc.constant<Expr>({ op: 'lit', value: true }),
  );
  const tree = fc.letrec<{ e: Expr }>((t) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), fc.array(t('e'), { minLength: 2, maxLength: 3 })).map(([o, args]): Expr => ({ op: o, args })),
      t('e').map((arg): Expr => ({ op: 'not', arg })),
    ),
  }));
  return tree.e;
}

const caseArb: fc.Arbitrary<Case> = fc.record({ kind: fc.constantFrom('table' as const, 'append' as const), range: rangeArb, n: fc.integer({ min: 0, max: 9 }), mode: fc.constantFrom<FilterMode>('reveal-count', 'oblivious') }).chain(({ kind, range, n: rows, mode }) => {
  // sum(x) over more than 2 rows of ±(2^62 - 1) could overflow: the checker would refuse the plan.
  const n = range.max === EDGE ? Math.min(rows, 2) : rows;
  const row = fc.record({
    x: fc.option(fc.oneof(fc.bigInt(range), fc.constantFrom(range.min, range.max)), { nil: null, freq: 2 }),
    // Append rows with y = 10 fail the range check [0, 9]: excluded before the filter.
    y: kind === 'append' ? fc.bigInt({ min: 0n, max: 10n }) : fc.bigInt({ min: 0n, max: 9n }),
    c: fc.integer({ min: 0, max: WORDS.length - 1 }),
  });
  return fc.record({ rows: fc.array(row, { minLength: n, maxLength: n }), predicate: predicateArb(range.min, range.max) }).map(({ rows, predicate }) => ({ kind, ...range, rows, predicate, mode }));
});

function catalogOf(k: Case): CatalogTable {
  const schema = parseSchema({
    version: 1,
    columns: [
      { name: 'x', nullable: true, type: 'integer', min: String(k.min), max: String(k.max) },
      { name: 'y', nullable: false, type: 'integer', min: '0', max: '9' },
      { name: 'c', nullable: false, type: 'category', dictionary: WORDS },
    ],
  });
  return { name: 't', kind: k.kind, schema, rows: k.rows.length };
}

/** SQL's three-valued logic, straight from the expression (no normal form). */
function truth(e: Expr, r: Row): boolean | null {
  const value = (a: Expr): bigint | null => {
    if (a.op === 'col') return a.name === 'x' ? r.x : a.name === 'y' ? r.y : BigInt(r.c);
    if (a.op === 'lit') return typeof a.value === 'string' && WORDS.includes(a.value) ? BigInt(WORDS.indexOf(a.value)) : BigInt(a.value as number | string);
    throw new Error('not a value');
  };
  switch (e.op) {
    case 'lit': return e.value as boolean;
    case 'is_null': return r.x === null;
    case 'not': { const v = truth(e.arg, r); return v === null ? null : !v; }
    case 'and': { const vs = e.args.map((a) => truth(a, r)); return vs.includes(false) ? false : vs.includes(null) ? null : true; }
    case 'or': { const vs = e.args.map((a) => truth(a, r)); return vs.includes(true) ? true : vs.includes(null) ? null : false; }
    case 'col': throw new Error('bare column');
    default: {
      const c = e as { op: ComparisonOp; args: readonly [Expr, Expr] };
      const [a, b] = c.args.map(value);
      if (a === null || b === null) return null;
      return { '=': a === b, '!=': a !== b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[c.op];
    }
  }
}

function readerFor(k: Case): StoredTableReader {
  return {
    async read(s) {
      const schema = catalogOf(k).schema;
      const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map(ring)), 0);
      const x: SecretColumn = { schema: schema.columns[0], values: await share(k.rows.map((r) => r.x ?? 0n)), present: await share(k.rows.map((r) => (r.x === null ? 0n : 1n))) };
      const y: SecretColumn = { schema: schema.columns[1], values: await share(k.rows.map((r) => r.y)) };
      const c: SecretColumn = { schema: schema.columns[2], values: await share(k.rows.map((r) => BigInt(r.c))) };
      return new Map<string, StoredSecretTable>([['t', { table: new SecretTable(k.rows.length, [x, y, c], ALL_VALID), source: k.kind === 'table' ? 'uploaded' : 'append' }]]);
    },
  };
}

test('filter then count/sum = plaintext reference (three-valued logic; nulls, extreme ranges, excluded append rows, both modes)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async (k) => {
      const plan = openFor(
        aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'y', 'c']), predicate: k.predicate, mode: k.mode }, [
          { name: 'n', fn: 'count' },
          { name: 'nx', fn: 'count', column: 'x' },
          { name: 'sx', fn: 'sum', column: 'x' },
          { name: 'sy', fn: 'sum', column: 'y' },
        ]),
        ['Auditor'],
      );
      const catalog = catalogOf(k);
      const checked = checkPlan(plan, { table: () => catalog, recipientRefusal: () => undefined });
      const runs = await t.run((s) => execute(s, checked, readerFor(k)));
      const kept = k.rows.filter((r) => r.y <= 9n && truth(k.predicate, r) === true);
      const want = new Map([
        ['n', BigInt(kept.length)],
        ['nx', BigInt(kept.filter((r) => r.x !== null).length)],
        ['sx', kept.reduce((a, r) => a + (r.x ?? 0n), 0n)],
        ['sy', kept.reduce((a, r) => a + r.y, 0n)],
      ]);
      for (const [name, values] of openOutputs(runs)) assert.deepEqual(values, [want.get(name)], `${name} of ${JSON.stringify(k.predicate)}`);
      // Only reveal-count opens the rows that remain, and every node sees the same count.
      for (const r of runs) assert.deepEqual(r.revealed, k.mode === 'reveal-count' ? [{ path: '/root/input/input', fact: 'rows', value: kept.length }] : []);
    }),
    { numRuns: Math.max(30, RUNS) },
  );
});

/** Comparisons only, over non-nullable columns (x against literals and against y): ops/predicate-bits.ts evaluates these on packed bits. */
function bitPredicateArb(min: bigint, max: bigint): fc.Arbitrary<Expr> {
  const lit = fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max)).map((v): Expr => ({ op: 'lit', value: v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString() }));
  const x: Expr = { op: 'col', name: 'x' }, y: Expr = { op: 'col', name: 'y' };
  const op = fc.constantFrom<ComparisonOp>(...COMPARISON_OPS);
  const atom: fc.Arbitrary<Expr> = fc.oneof(
    fc.tuple(op, lit, fc.boolean()).map(([o, l, flip]): Expr => ({ op: o, args: flip ? [l, x] : [x, l] })),
    fc.tuple(op, fc.boolean()).map(([o, flip]): Expr => ({ op: o, args: flip ? [y, x] : [x, y] })),
    fc.tuple(fc.constantFrom<ComparisonOp>('=', '!='), fc.constantFrom(...WORDS)).map(([o, w]): Expr => ({ op: o, args: [{ op: 'col', name: 'c' }, { op: 'lit', value: w }] })),
    fc.tuple(op, fc.integer({ min: 0, max: 9 })).map(([o, v]): Expr => ({ op: o, args: [y, { op: 'lit', value: v }] })),
  );
  const tree = fc.letrec<{ e: Expr }>((t) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), fc.array(t('e'), { minLength: 2, maxLength: 4 })).map(([o, args]): Expr => ({ op: o, args })),
      t('e').map((arg): Expr => ({ op: 'not', arg })),
    ),
  }));
  return tree.e;
}

test('filter on packed predicate bits (comparisons of non-nullable columns and literals, and/or/not; narrow and 64-bit widths) = plaintext reference, both modes', async () => {
  const t = await trio();
  const cases = fc.record({ range: rangeArb, n: fc.integer({ min: 1, max: 12 }), mode: fc.constantFrom<FilterMode>('reveal-count', 'oblivious') }).chain(({ range, n: rows, mode }) => {
    const n = range.max === EDGE ? Math.min(rows, 2) : rows;
    const row = fc.record({ x: fc.oneof(fc.bigInt(range), fc.constantFrom(range.min, range.max)), y: fc.bigInt({ min: 0n, max: 9n }), c: fc.integer({ min: 0, max: WORDS.length - 1 }) });
    return fc.record({ rows: fc.array(row, { minLength: n, maxLength: n }), predicate: bitPredicateArb(range.min, range.max) }).map(({ rows, predicate }) => ({ range, rows, predicate, mode }));
  });
  await fc.assert(
    fc.asyncProperty(cases, async (k) => {
      const schema = parseSchema({
        version: 1,
        columns: [
          { name: 'x', nullable: false, type: 'integer', min: String(k.range.min), max: String(k.range.max) },
          { name: 'y', nullable: false, type: 'integer', min: '0', max: '9' },
          { name: 'c', nullable: false, type: 'category', dictionary: WORDS },
        ],
      });
      const catalog: CatalogTable = { name: 't', kind: 'table', schema, rows: k.rows.length };
      const reader: StoredTableReader = {
        async read(s) {
          const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map(ring)), 1);
          const columns: SecretColumn[] = [
            { schema: schema.columns[0], values: await share(k.rows.map((r) => r.x)) },
            { schema: schema.columns[1], values: await share(k.rows.map((r) => r.y)) },
            { schema: schema.columns[2], values: await share(k.rows.map((r) => BigInt(r.c))) },
          ];
          return new Map<string, StoredSecretTable>([['t', { table: new SecretTable(k.rows.length, columns, ALL_VALID), source: 'uploaded' }]]);
        },
      };
      const plan = openFor(aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'y', 'c']), predicate: k.predicate, mode: k.mode }, [{ name: 'n', fn: 'count' }, { name: 'sy', fn: 'sum', column: 'y' }]), ['Auditor']);
      const checked = checkPlan(plan, { table: () => catalog, recipientRefusal: () => undefined });
      const runs = await t.run((s) => execute(s, checked, reader));
      const kept = k.rows.filter((r) => truth(k.predicate, r) === true);
      const want = new Map([['n', BigInt(kept.length)], ['sy', kept.reduce((a, r) => a + r.y, 0n)]]);
      for (const [name, values] of openOutputs(runs)) assert.deepEqual(values, [want.get(name)], `${name} of ${JSON.stringify(k.predicate)} over ${JSON.stringify(k.rows, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    }),
    { numRuns: Math.max(30, RUNS) },
  );
});

test('filter on packed bits over 1,500 rows: comparisons of columns and literals (either side) packed straight into lanes, across every lane boundary, both modes', async () => {
  const t = await trio();
  const n = 1500;
  const rows: Row[] = Array.from({ length: n }, (_, i) => ({ x: BigInt(((i * 7919) % 31) - 20), y: BigInt((i * 104729) % 10), c: i % WORDS.length }));
  const x: Expr = { op: 'col', name: 'x' }, y: Expr = { op: 'col', name: 'y' };
  const lit = (value: number): Expr => ({ op: 'lit', value });
  const predicates: Expr[] = [
    { op: 'and', args: [{ op: '>', args: [lit(-5), x] }, { op: '<', args: [y, x] }] },
    { op: 'or', args: [{ op: '<=', args: [x, y] }, { op: 'and', args: [{ op: '>', args: [lit(3), x] }, { op: '>=', args: [y, lit(2)] }] }] },
    { op: 'not', arg: { op: 'and', args: [{ op: '>=', args: [x, lit(-20)] }, { op: '<=', args: [x, lit(10)] }, { op: '<', args: [lit(0), y] }] } },
  ];
  const schema = parseSchema({
    version: 1,
    columns: [
      { name: 'x', nullable: false, type: 'integer', min: '-20', max: '10' },
      { name: 'y', nullable: false, type: 'integer', min: '0', max: '9' },
      { name: 'c', nullable: false, type: 'category', dictionary: WORDS },
    ],
  });
  const catalog: CatalogTable = { name: 't', kind: 'table', schema, rows: n };
  const reader: StoredTableReader = {
    async read(s) {
      const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map(ring)), 2);
      const columns: SecretColumn[] = [
        { schema: schema.columns[0], values: await share(rows.map((r) => r.x!)) },
        { schema: schema.columns[1], values: await share(rows.map((r) => r.y)) },
        { schema: schema.columns[2], values: await share(rows.map((r) => BigInt(r.c))) },
      ];
      return new Map<string, StoredSecretTable>([['t', { table: new SecretTable(n, columns, ALL_VALID), source: 'uploaded' }]]);
    },
  };
  for (const predicate of predicates) {
    for (const mode of ['reveal-count', 'oblivious'] as const) {
      const plan = openFor(aggregateOf({ op: 'filter', input: scanOf('t', ['x', 'y', 'c']), predicate, mode }, [{ name: 'n', fn: 'count' }, { name: 'sy', fn: 'sum', column: 'y' }]), ['Auditor']);
      const checked = checkPlan(plan, { table: () => catalog, recipientRefusal: () => undefined });
      const runs = await t.run((s) => execute(s, checked, reader));
      const kept = rows.filter((r) => truth(predicate, r) === true);
      const want = new Map([['n', BigInt(kept.length)], ['sy', kept.reduce((a, r) => a + r.y, 0n)]]);
      for (const [name, values] of openOutputs(runs)) assert.deepEqual(values, [want.get(name)], `${name} of ${JSON.stringify(predicate)} (${mode})`);
    }
  }
});
