/**
 * derive (ops/derive.ts, ops/expression.ts, plan/expr-check.ts) against a plaintext reference:
 * random expressions (arithmetic with nulls, division by constants and by secret values (null where the divisor is 0) and casts with their rounding, abs,
 * min/max, if_else, fill_null, isin, date parts, comparisons and three-valued logic) over
 * columns with edge values of their declared ranges; the reference follows SQL's nulls
 * (null + x is null) and the documented rounding (nearest, halves toward +∞). Small sizes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { open } from '../../src/mpc/protocols/io.js';
import { derive } from '../../src/ops/derive.js';
import { checkPlan, type CatalogTable, type CheckedAggregate } from '../../src/plan/check.js';
import type { CheckedDerive } from '../../src/plan/check-derive.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { ComparisonOp, Expr } from '../../src/plan/plan.js';
import { PlanError } from '../../src/errors.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { civilFromDays, parseIsoDate } from '../../src/table/civil-date.js';
import { parseSchema } from '../../src/table/schema.js';
import { isoWeekday } from '../../src/plan/expr-dates.js';

after(closeTrio);

const WORDS = ['F', 'M', 'X'];
const D0 = parseIsoDate('2019-11-15')!, D1 = parseIsoDate('2021-03-10')!;
const signed = (v: bigint) => BigInt.asIntN(64, v);
const ring = (v: bigint) => BigInt.asUintN(64, v);

interface Row { x: bigint | null; y: bigint; c: bigint | null; d: bigint | null; s: number }
interface Case { xmin: bigint; xmax: bigint; rows: Row[]; expr: Expr }

const col = (name: string): Expr => ({ op: 'col', name });
const lit = (value: number | string | boolean): Expr => ({ op: 'lit', value });

function exprArb(): fc.Arbitrary<Expr> {
  const tree = fc.letrec<{ num: Expr; cond: Expr; date: Expr }>((t) => ({
    date: fc.oneof(fc.constant(col('d')), fc.tuple(t('date'), fc.integer({ min: -40, max: 40 })).map(([d, k]): Expr => ({ op: '+', args: [d, lit(k)] }))),
    num: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(col('x'), col('y'), col('c')),
      fc.oneof(fc.integer({ min: -9, max: 9 }).map((v) => lit(v)), fc.constantFrom(lit(1.5), lit('-0.25'), lit('2.05'))),
      fc.tuple(fc.constantFrom<'+' | '-' | '*'>('+', '-', '*'), t('num'), t('num')).map(([op, a, b]): Expr => ({ op, args: [a, b] })),
      fc.tuple(t('num'), fc.constantFrom(3, -7, 2, 10, '0.3'), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined })).map(([a, c, scale]): Expr => (scale === undefined ? { op: '/', args: [a, lit(c)] } : { op: '/', args: [a, lit(c)], scale })),
      fc.tuple(t('num'), t('num'), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined })).map(([a, b, scale]): Expr => (scale === undefined ? { op: '/', args: [a, b] } : { op: '/', args: [a, b], scale })),
      fc.tuple(fc.constantFrom<'neg' | 'abs'>('neg', 'abs'), t('num')).map(([op, arg]): Expr => ({ op, arg })),
      fc.tuple(fc.constantFrom<'min' | 'max'>('min', 'max'), t('num'), t('num')).map(([op, a, b]): Expr => ({ op, args: [a, b] })),
      fc.tuple(t('cond'), t('num'), t('num')).map(([c, a, b]): Expr => ({ op: 'if_else', args: [c, a, b] })),
      fc.tuple(t('num'), fc.integer({ min: -5, max: 5 })).map(([a, v]): Expr => ({ op: 'fill_null', args: [a, lit(v)] })),
      fc.tuple(t('num'), fc.boolean()).map(([a, toInt]): Expr => (toInt ? { op: 'cast', arg: a, to: 'integer' } : { op: 'cast', arg: a, to: 'decimal', scale: 1 })),
      fc.tuple(fc.constantFrom<'year' | 'month' | 'day' | 'weekday'>('year', 'month', 'day', 'weekday'), t('date')).map(([op, arg]): Expr => ({ op, arg })),
      fc.tuple(t('date'), t('date')).map(([a, b]): Expr => ({ op: '-', args: [a, b] })),
    ),
    cond: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(fc.constantFrom<ComparisonOp>('=', '!=', '<', '<=', '>', '>='), t('num'), t('num')).map(([op, a, b]): Expr => ({ op, args: [a, b] })),
      fc.subarray(WORDS, { minLength: 1 }).map((values): Expr => ({ op: 'isin', arg: col('s'), values })),
      t('num').map((arg): Expr => ({ op: 'is_null', arg })),
      fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), fc.array(t('cond'), { minLength: 2, maxLength: 3 })).map(([op, args]): Expr => ({ op, args })),
      t('cond').map((arg): Expr => ({ op: 'not', arg })),
    ),
  }));
  return fc.oneof(tree.num, tree.cond);
}

const rangeArb = fc.oneof(
  fc.record({ min: fc.bigInt({ min: -20n, max: 5n }), span: fc.bigInt({ min: 0n, max: 30n }) }).map(({ min, span }) => ({ xmin: min, xmax: min + span })),
  fc.constantFrom({ xmin: -(10n ** 12n), xmax: 10n ** 12n }, { xmin: 3n, xmax: 8n }),
);

const caseArb: fc.Arbitrary<Case> = rangeArb.chain(({ xmin, xmax }) => {
  const edge = (lo: bigint, hi: bigint) => fc.oneof(fc.bigInt({ min: lo, max: hi }), fc.constantFrom(lo, hi));
  const row = fc.record({
    x: fc.option(edge(xmin, xmax), { nil: null, freq: 3 }),
    y: edge(0n, 9n),
    c: fc.option(edge(-5000n, 5000n), { nil: null, freq: 3 }),
    d: fc.option(edge(BigInt(D0), BigInt(D1)), { nil: null, freq: 3 }),
    s: fc.integer({ min: 0, max: WORDS.length - 1 }),
  });
  return fc.record({ rows: fc.array(row, { minLength: 1, maxLength: 6 }), expr: exprArb() }).map(({ rows, expr }) => ({ xmin, xmax, rows, expr }));
});

function catalogOf(k: Case): CatalogTable {
  const schema = parseSchema({
    version: 1,
    columns: [
      { name: 'x', nullable: true, type: 'integer', min: String(k.xmin), max: String(k.xmax) },
      { name: 'y', nullable: false, type: 'integer', min: '0', max: '9' },
      { name: 'c', nullable: true, type: 'decimal', scale: 2, min: '-50.00', max: '50.00' },
      { name: 'd', nullable: true, type: 'date', min: '2019-11-15', max: '2021-03-10' },
      { name: 's', nullable: false, type: 'category', dictionary: WORDS },
    ],
  });
  return { name: 't', kind: 'table', schema, rows: k.rows.length };
}

// ---- the plaintext reference: exact values with their scale, null as in SQL ----

interface V { v: bigint | null; scale: number; kind: 'num' | 'bool' | 'date' }
const pow = (k: number) => 10n ** BigInt(k);
const at = (a: V, s: number): bigint | null => (a.v === null ? null : a.v * pow(s - a.scale));
function roundHalfUp(n: bigint, q: bigint): bigint {
  const t = 2n * n + q, d = 2n * q;
  const f = t / d;
  return t % d !== 0n && t < 0n ? f - 1n : f;
}
function literalOf(value: unknown): V {
  if (typeof value === 'boolean') return { v: value ? 1n : 0n, scale: 0, kind: 'bool' };
  const text = String(value);
  const [w, f = ''] = text.split('.');
  return { v: BigInt(w + f), scale: f.length, kind: 'num' };
}
function num(a: V): V {
  return a.kind === 'bool' ? { ...a, kind: 'num' } : a;
}

function evaluate(e: Expr, r: Row): V {
  const both = (args: readonly Expr[]): [V, V] => {
    const [a, b] = args.map((x) => evaluate(x, r));
    return [a, b];
  };
  switch (e.op) {
    case 'col':
      if (e.name === 'x') return { v: r.x, scale: 0, kind: 'num' };
      if (e.name === 'y') return { v: r.y, scale: 0, kind: 'num' };
      if (e.name === 'c') return { v: r.c, scale: 2, kind: 'num' };
      if (e.name === 'd') return { v: r.d, scale: 0, kind: 'date' };
      return { v: BigInt(r.s), scale: 0, kind: 'num' };
    case 'lit': return literalOf(e.value);
    case '+':
    case '-': {
      const [a, b] = both(e.args);
      const s = Math.max(a.scale, b.scale);
      const x = at(a, s), y = at(b, s);
      const kind = a.kind === 'date' && b.kind === 'date' ? 'num' : a.kind === 'date' || b.kind === 'date' ? 'date' : 'num';
      return { v: x === null || y === null ? null : e.op === '+' ? x + y : x - y, scale: s, kind };
    }
    case '*': {
      const [a, b] = both(e.args);
      return { v: a.v === null || b.v === null ? null : a.v * b.v, scale: a.scale + b.scale, kind: 'num' };
    }
    case '/': {
      const a = evaluate(e.args[0], r), c = evaluate(e.args[1], r);
      const out = e.scale ?? Math.max(a.scale, 4);
      // Null as in SQL, and where the divisor is 0 (DuckDB's x / 0 is NULL).
      if (a.v === null || c.v === null || c.v === 0n) return { v: null, scale: out, kind: 'num' };
      // a / c exactly, rounded to `out` digits: floor(a·10^(out − sa + sc) / c + 1/2).
      const exp = out - a.scale + c.scale;
      let n = a.v * (exp >= 0 ? pow(exp) : 1n), q = c.v * (exp < 0 ? pow(-exp) : 1n);
      if (q < 0n) [n, q] = [-n, -q];
      return { v: roundHalfUp(n, q), scale: out, kind: 'num' };
    }
    case 'neg': { const a = evaluate(e.arg, r); return { ...num(a), v: a.v === null ? null : -a.v }; }
    case 'abs': { const a = evaluate(e.arg, r); return { ...num(a), v: a.v === null ? null : a.v < 0n ? -a.v : a.v }; }
    case 'min':
    case 'max': {
      const [a, b] = both(e.args);
      const s = Math.max(a.scale, b.scale);
      const x = at(a, s), y = at(b, s);
      return { v: x === null || y === null ? null : (e.op === 'min') === (x < y) ? x : y, scale: s, kind: a.kind === 'bool' ? 'num' : a.kind };
    }
    case 'if_else': {
      const c = evaluate(e.args[0], r);
      const [a, b] = both([e.args[1], e.args[2]]);
      const s = Math.max(a.scale, b.scale);
      const pick = c.v === 1n ? a : b;
      return { v: at(pick, s), scale: s, kind: a.kind === 'bool' && b.kind === 'bool' ? 'bool' : a.kind === 'date' ? 'date' : 'num' };
    }
    case 'fill_null': {
      const [a, b] = both(e.args);
      const s = Math.max(a.scale, b.scale);
      return { v: a.v === null ? at(b, s) : at(a, s), scale: s, kind: a.kind };
    }
    case 'cast': {
      const a = evaluate(e.arg, r);
      const s = e.to === 'integer' ? 0 : e.scale!;
      if (a.v === null) return { v: null, scale: s, kind: 'num' };
      return { v: s >= a.scale ? a.v * pow(s - a.scale) : roundHalfUp(a.v, pow(a.scale - s)), scale: s, kind: 'num' };
    }
    case 'year':
    case 'month':
    case 'day':
    case 'weekday': {
      const a = evaluate(e.arg, r);
      if (a.v === null) return { v: null, scale: 0, kind: 'num' };
      const c = civilFromDays(Number(a.v));
      return { v: BigInt(e.op === 'weekday' ? isoWeekday(Number(a.v)) : c[e.op]), scale: 0, kind: 'num' };
    }
    case 'isin': return { v: e.values.includes(WORDS[r.s]) ? 1n : 0n, scale: 0, kind: 'bool' };
    case 'is_null': return { v: evaluate(e.arg, r).v === null ? 1n : 0n, scale: 0, kind: 'bool' };
    case 'not': { const a = evaluate(e.arg, r); return { v: a.v === null ? null : 1n - a.v, scale: 0, kind: 'bool' }; }
    case 'and':
    case 'or': {
      const vs = e.args.map((a) => evaluate(a, r).v);
      const win = e.op === 'and' ? 0n : 1n;
      return { v: vs.includes(win) ? win : vs.includes(null) ? null : 1n - win, scale: 0, kind: 'bool' };
    }
    default: {
      const c = e as { op: ComparisonOp; args: readonly [Expr, Expr] };
      const [a, b] = both(c.args);
      const s = Math.max(a.scale, b.scale);
      const x = at(a, s), y = at(b, s);
      if (x === null || y === null) return { v: null, scale: 0, kind: 'bool' };
      const t = { '=': x === y, '!=': x !== y, '<': x < y, '<=': x <= y, '>': x > y, '>=': x >= y }[c.op];
      return { v: t ? 1n : 0n, scale: 0, kind: 'bool' };
    }
  }
}

async function tableOf(s: Parameters<typeof secret>[0], k: Case): Promise<SecretTable> {
  const schema = catalogOf(k).schema;
  const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map(ring)), 0);
  const nullable = async (i: number, vs: (bigint | null)[]): Promise<SecretColumn> => ({ schema: schema.columns[i], values: await share(vs.map((v) => v ?? 0n)), present: await share(vs.map((v) => (v === null ? 0n : 1n))) });
  const columns: SecretColumn[] = [
    await nullable(0, k.rows.map((r) => r.x)),
    { schema: schema.columns[1], values: await share(k.rows.map((r) => r.y)) },
    await nullable(2, k.rows.map((r) => r.c)),
    await nullable(3, k.rows.map((r) => r.d)),
    { schema: schema.columns[4], values: await share(k.rows.map((r) => BigInt(r.s))) },
  ];
  return new SecretTable(k.rows.length, columns, ALL_VALID);
}

function checkedDerive(k: Case): CheckedDerive | undefined {
  const plan = openFor(aggregateOf({ op: 'derive', input: scanOf('t'), columns: [{ name: 'v', expr: k.expr }] }, [{ name: 'n', fn: 'count', column: 'v' }]), ['Auditor']);
  const catalog = catalogOf(k);
  try {
    return (checkPlan(plan, { table: () => catalog, recipientRefusal: () => undefined }).root.input as CheckedAggregate).input as CheckedDerive;
  } catch (e) {
    if (e instanceof PlanError && /could reach|decimal digits|same type|takes numbers|condition is needed|stages|too wide|needs .* comparisons|outside 0001|always 0|quotient could need|division by zero/.test(e.message)) return undefined;
    throw e;
  }
}

const divisionArb: fc.Arbitrary<Case> = caseArb.chain((k) =>
  fc.constantFrom<Expr>(
    { op: '/', args: [col('c'), col('x')] },
    { op: '/', args: [col('x'), col('c')], scale: 2 },
    { op: '/', args: [col('y'), col('x')], scale: 0 },
    { op: '/', args: [{ op: 'neg', arg: col('x') }, { op: '-', args: [col('y'), lit(4)] }] },
    { op: '/', args: [lit(7), col('c')], scale: 1 },
  ).map((expr) => ({ ...k, expr })));

test('derived columns = plaintext reference (nulls as in SQL, rounding, date parts, three-valued logic, edge values)', () => matchesReference(caseArb, Math.max(60, RUNS), 20));

test('division by a secret column = plaintext reference (signs, 0 → null, ±1, the declared extremes)', () => matchesReference(divisionArb, Math.max(30, RUNS), 15));

async function matchesReference(cases: fc.Arbitrary<Case>, numRuns: number, atLeast: number): Promise<void> {
  const t = await trio();
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(cases, async (k) => {
      const node = checkedDerive(k);
      if (!node) return;
      ran++;
      const v = node.type.columns.find((c) => c.name === 'v')!;
      const runs = await t.run(async (s) => {
        const out = (await derive(s, node, await tableOf(s, k))).column('v');
        return { values: await open(s, out.values), present: out.present ? await open(s, out.present) : undefined };
      });
      k.rows.forEach((r, i) => {
        const want = evaluate(k.expr, r);
        const got = signed(runs[0].values[i]);
        const present = runs[0].present ? runs[0].present[i] : 1n;
        const where = `row ${i} ${JSON.stringify(r, (_, x) => (typeof x === 'bigint' ? x.toString() : x))} of ${JSON.stringify(k.expr)}`;
        if (want.v === null) {
          assert.ok(v.nullable, `null but not nullable: ${where}`);
          assert.equal(present, 0n, `present bit: ${where}`);
          assert.equal(got, 0n, `a stored null is 0: ${where}`);
        } else {
          assert.equal(present, 1n, `present bit: ${where}`);
          assert.equal(v.scale, want.kind === 'bool' || want.kind === 'date' ? 0 : want.scale, `scale: ${where}`);
          assert.equal(got, want.v, where);
          assert.ok(got >= v.min && got <= v.max, `in the declared range [${v.min}, ${v.max}]: ${where}`);
        }
      });
    }),
    { numRuns },
  );
  assert.ok(ran >= atLeast, `only ${ran} cases type-checked`);
}

test('a derive of several columns batches their multiplications and comparisons by depth', async () => {
  const k: Case = { xmin: -5n, xmax: 5n, rows: [{ x: 2n, y: 3n, c: 150n, d: BigInt(D0), s: 1 }], expr: lit(1) };
  const plan = openFor(aggregateOf({
    op: 'derive', input: scanOf('t'), columns: [
      { name: 'a', expr: { op: '*', args: [col('x'), col('y')] } },
      { name: 'b', expr: { op: '*', args: [col('y'), col('c')] } },
      { name: 'e', expr: { op: '>', args: [col('x'), col('y')] } },
    ],
  }, [{ name: 'n', fn: 'count' }]), ['Auditor']);
  const catalog = catalogOf(k);
  const node = (checkPlan(plan, { table: () => catalog, recipientRefusal: () => undefined }).root.input as CheckedAggregate).input as CheckedDerive;
  // Products need the nullable operands' present bits too, but every product of one depth is one batch.
  assert.ok(node.steps.length <= 3, `steps: ${node.steps.length}`);
  assert.equal(node.steps[0].lt.length, 1);
  const t = await trio();
  const runs = await t.run(async (s) => {
    const out = await derive(s, node, await tableOf(s, k));
    return Promise.all(['a', 'b', 'e'].map(async (n) => signed((await open(s, out.column(n).values))[0])));
  });
  assert.deepEqual(runs[0], [6n, 450n, 0n]);
});
