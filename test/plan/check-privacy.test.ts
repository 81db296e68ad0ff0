/** Privacy on an open root: its sensitivity rules per aggregate, the split of ε/ρ over columns, and every refusal with its place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { planHash } from '../../src/plan/plan.js';
import { laplaceTable } from '../../src/privacy/noise-tables.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = (columns: object[]) => parseSchema({ version: 1, columns });
const int = (name: string, min: string, max: string, nullable = false) => ({ name, nullable, type: 'integer', min, max });

const TABLES: CatalogTable[] = [
  { name: 'visits', kind: 'table', rows: 1000, schema: schema([int('age', '-20', '120'), { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '500.00' }, { name: 'blood', nullable: false, type: 'category', dictionary: ['A', 'B', 'O'] }, { name: 'smoker', nullable: false, type: 'boolean' }]) },
  { name: 'votes', kind: 'append', rows: 7, schema: schema([int('v', '0', '9')]) },
  { name: 'wide', kind: 'table', rows: 3, schema: schema([int('x', '0', String(2n ** 61n))]) },
];
const context: CheckContext = { table: (name) => TABLES.find((t) => t.name === name), recipientRefusal: () => undefined };

const scan = (table = 'visits') => ({ op: 'scan', table });
const open = (input: object, privacy: object | undefined) => ({ version: 1, root: { op: 'open', to: ['Auditor'], input, ...(privacy ? { privacy } : {}) } });
const agg = (aggregates: object[], input: object = scan(), by?: string[]) => ({ op: 'aggregate', input, aggregates, ...(by ? { by } : {}) });
const LAPLACE = { mechanism: 'laplace', epsilon: 0.5 };
const check = (plan: unknown) => checkPlan(parsePlan(plan), context);

function refused(plan: unknown, path: string, message: RegExp): void {
  assert.throws(() => check(plan), (e: unknown) => e instanceof PlanError && e.path === path && message.test(e.message), `expected a refusal at ${path} matching ${message}`);
}

test('sensitivity: count 1, sum max(|lo|, |hi|) in stored units, mean its sum and count; times contributions; ε split over the noisy columns', () => {
  const checked = check(open(agg([{ name: 'n', fn: 'count' }, { name: 's', fn: 'sum', column: 'age' }, { name: 'm', fn: 'mean', column: 'cost' }, { name: 'k', fn: 'sum', column: 'smoker' }]), { ...LAPLACE, contributions: 3 }));
  const p = checked.privacy!;
  assert.deepEqual(p.report.columns.map((c) => [c.column, c.part, c.sensitivity]), [['n', 'count', '3'], ['s', 'sum', '360'], ['m.sum', 'sum', '150000'], ['m.count', 'count', '3'], ['k', 'sum', '3']]);
  for (const c of p.report.columns) assert.equal(c.epsilon, 0.5 / 5);
  // The table is the Laplace table for ε/K over the sensitivity, exactly (a = exp(−0.1/360) for s).
  assert.deepEqual(p.columns[1].table.draws, laplaceTable(1n, 2n * 5n * 360n).draws);
  // The report gives the noise in the column's units: the decimal sum's sd is in currency units.
  const sd = p.columns[2].table.standardDeviation / 100;
  assert.equal(p.report.columns[2].standardDeviation, sd);
  assert.ok(p.report.delta! > 0 && p.report.delta! < 2 ** -38);
  assert.ok(checked.disclosures.some((d) => d.path === '/root/privacy' && /ε = 0\.5/.test(d.what)));
  // The privacy spec is part of the plan, so of its hash.
  assert.notEqual(checked.hash, planHash(parsePlan(open(agg([{ name: 'n', fn: 'count' }]), undefined))));
  assert.notEqual(check(open(agg([{ name: 'n', fn: 'count' }]), LAPLACE)).hash, check(open(agg([{ name: 'n', fn: 'count' }]), { ...LAPLACE, epsilon: 0.25 })).hash);
});

test('group-by (one-hot) and crosstab cells get noise per cell; keys open as they are; gaussian splits ρ', () => {
  const g = check(open(agg([{ name: 'n', fn: 'count' }], scan(), ['blood']), { mechanism: 'gaussian', rho: 0.5 }));
  assert.deepEqual(g.privacy!.columns.map((c) => [c.column, c.cells]), [['n', 3]]);
  assert.equal(g.privacy!.report.columns[0].rho, 0.5);
  assert.ok(Math.abs(g.privacy!.report.columns[0].standardDeviation - 1) < 1e-12); // σ = Δ/√(2ρ) = 1
  const x = check(open({ op: 'crosstab', input: scan(), by: ['blood', 'smoker'] }, LAPLACE));
  assert.deepEqual(x.privacy!.columns.map((c) => [c.column, c.cells]), [['count', 6]]);
});

test('refused: rows, other aggregates, revealing operators, joins, limits, suppression, margins, a sort group-by, noise that could wrap the ring', () => {
  refused(open(scan(), LAPLACE), '/root/privacy', /not to a table of rows/);
  refused(open(agg([{ name: 'n', fn: 'count' }], { op: 'filter', input: scan(), predicate: { op: '>', args: [{ op: 'col', name: 'age' }, { op: 'lit', value: 3 }] } }), LAPLACE), '/root/privacy', /reveal-count.*use mode 'oblivious'/);
  check(open(agg([{ name: 'n', fn: 'count' }], { op: 'filter', mode: 'oblivious', input: scan(), predicate: { op: '>', args: [{ op: 'col', name: 'age' }, { op: 'lit', value: 3 }] } }), LAPLACE));
  refused(open(agg([{ name: 'n', fn: 'count' }], scan('votes')), LAPLACE), '/root/privacy', /append table 'votes'/);
  refused(open(agg([{ name: 'n', fn: 'count' }], { op: 'limit', count: 5, input: scan() }), LAPLACE), '/root/privacy', /limit/);
  // A sum of ranks moves by up to twice the row count when one row is added: no per-row bound.
  refused(open(agg([{ name: 's', fn: 'sum', column: 'r' }], { op: 'rank', input: scan(), column: 'age', as: 'r' }), LAPLACE), '/root/privacy', /rank depends on every other row/);
  refused(open({ op: 'crosstab', input: scan(), by: ['blood', 'smoker'], suppress_below: 5 }, LAPLACE), '/root/privacy', /true counts.*suppress_below in privacy/);
  refused(open({ op: 'crosstab', input: scan(), by: ['blood', 'smoker'], margins: true }, LAPLACE), '/root/privacy', /margins/);
  refused(open(agg([{ name: 'n', fn: 'count' }], scan('wide'), ['x']), LAPLACE), '/root/privacy', /combinations/);
  refused(open(agg([{ name: 's', fn: 'sum', column: 'x' }], scan('wide')), LAPLACE), '/root/privacy', /64-bit range/);
  refused(open(agg([{ name: 's', fn: 'sum', column: 'cost' }]), { mechanism: 'gaussian', rho: 0.001 }), '/root/privacy', /too wide to sample/);
});

test('the privacy field itself: mechanism, its parameter, contributions', () => {
  const n = agg([{ name: 'n', fn: 'count' }]);
  refused(open(n, { mechanism: 'uniform', epsilon: 1 }), '/root/privacy/mechanism', /'laplace'.*'gaussian'/);
  refused(open(n, { mechanism: 'laplace', rho: 1 }), '/root/privacy/rho', /unknown field/);
  refused(open(n, { mechanism: 'laplace' }), '/root/privacy/epsilon', /number in \(0, 100\]/);
  refused(open(n, { mechanism: 'laplace', epsilon: -1 }), '/root/privacy/epsilon', /number in/);
  refused(open(n, { mechanism: 'gaussian', rho: 0.1, contributions: 0 }), '/root/privacy/contributions', /whole number/);
  refused(open(n, 'laplace' as unknown as object), '/root/privacy', /is an object/);
});

test('every aggregate opens noisy: var, std, min, max, median, quantile, count_distinct, corr and covar_samp, each term with its sensitivity', () => {
  const aggregates = [
    { name: 'v', fn: 'var', column: 'age' },
    { name: 'lo', fn: 'min', column: 'cost' },
    { name: 'hi', fn: 'max', column: 'age' },
    { name: 'med', fn: 'median', column: 'age' },
    { name: 'q', fn: 'quantile', column: 'cost', p: 0.9 },
    { name: 'd', fn: 'count_distinct', column: 'blood' },
    { name: 'r', fn: 'corr', column: 'age', other: 'cost' },
    { name: 'sd', fn: 'std', column: 'cost' },
    { name: 'cv', fn: 'covar_samp', column: 'smoker', other: 'age' },
  ];
  const p = check(open(agg(aggregates), { ...LAPLACE, contributions: 2 })).privacy!;
  const sensitivities = Object.fromEntries(p.report.columns.map((c) => [c.column, c.sensitivity]));
  assert.deepEqual(sensitivities, {
    // var: count c, sum c·max(|lo|, |hi|), sum of squares c·max(lo², hi²)
    'v.count': '2', 'v.sum': '240', 'v.squares': '28800',
    // bounded terms: the declared range's width (stored units) times min(c, cells) = 1 cell
    lo: '50000', hi: '140',
    'med.lower': '140', 'med.upper': '140', 'med.fraction': '999999',
    'q.lower': '50000', 'q.upper': '50000', 'q.fraction': '999999',
    d: '2',
    // pairs: c, c·max|x|, c·max|y|, c·max|x·y| over the corners (120·50000), c·x², c·y²
    'r.count': '2', 'r.sum_x': '240', 'r.sum_y': '100000', 'r.sum_xy': '12000000', 'r.sum_xx': '28800', 'r.sum_yy': '5000000000',
    'sd.count': '2', 'sd.sum': '100000', 'sd.squares': '5000000000',
    'cv.count': '2', 'cv.sum_x': '2', 'cv.sum_y': '240', 'cv.sum_xy': '240', 'cv.sum_xx': '2', 'cv.sum_yy': '28800',
  });
  const k = p.report.columns.length;
  for (const c of p.report.columns) assert.equal(c.epsilon, 0.5 / k);
  // Bounded terms take their interval's lower end where the group is empty, decided by the present bits of the output's nullable part.
  const empty = Object.fromEntries(p.columns.filter((c) => c.empty).map((c) => [c.column, [c.empty!.value, c.empty!.presentOf]]));
  assert.deepEqual(empty, { lo: [0n, 'lo'], hi: [-20n, 'hi'], 'med.lower': [-20n, 'med.lower'], 'med.upper': [-20n, 'med.lower'], 'med.fraction': [0n, 'med.lower'], 'q.lower': [0n, 'q.lower'], 'q.upper': [0n, 'q.lower'], 'q.fraction': [0n, 'q.lower'] });
});

test('per group: a bounded term reaches min(c, cells) cells; sums keep c times a row\'s term', () => {
  const aggregates = [{ name: 'hi', fn: 'max', column: 'age' }, { name: 's', fn: 'sum', column: 'age' }];
  const one = check(open(agg(aggregates, scan(), ['blood']), LAPLACE)).privacy!;
  assert.deepEqual(one.report.columns.map((c) => c.sensitivity), ['140', '120']);
  const two = check(open(agg(aggregates, scan(), ['blood']), { ...LAPLACE, contributions: 2 })).privacy!;
  assert.deepEqual(two.report.columns.map((c) => c.sensitivity), ['280', '240']);
  const many = check(open(agg(aggregates, scan(), ['blood']), { ...LAPLACE, contributions: 50 })).privacy!;
  assert.deepEqual(many.report.columns.map((c) => c.sensitivity), ['420', '6000']); // 3 groups reachable
});

test('suppress_below in privacy: on a group-by\'s count() or a crosstab\'s count; refused elsewhere', () => {
  const g = check(open(agg([{ name: 'n', fn: 'count' }, { name: 'm', fn: 'mean', column: 'age' }], scan(), ['blood']), { ...LAPLACE, suppress_below: 5 }));
  assert.deepEqual(g.privacy!.suppress, { column: 'n', below: 5 });
  assert.equal(g.privacy!.report.suppressBelow, 5);
  assert.ok(g.disclosures.some((d) => d.path === '/root/privacy' && /noisy count is below 5 are suppressed inside MPC/.test(d.what)));
  const x = check(open({ op: 'crosstab', input: scan(), by: ['blood', 'smoker'] }, { ...LAPLACE, suppress_below: 3 }));
  assert.deepEqual(x.privacy!.suppress, { column: 'count', below: 3 });
  refused(open(agg([{ name: 's', fn: 'sum', column: 'age' }], scan(), ['blood']), { ...LAPLACE, suppress_below: 5 }), '/root/privacy/suppress_below', /add count\(\)/);
  refused(open(agg([{ name: 'n', fn: 'count' }]), { ...LAPLACE, suppress_below: 5 }), '/root/privacy/suppress_below', /not to a whole-table aggregate/);
  refused(open(agg([{ name: 'n', fn: 'count' }], scan(), ['blood']), { ...LAPLACE, suppress_below: 0 }), '/root/privacy/suppress_below', /whole number/);
});

test('models fitted by Newton iterations (logit, also per group, and cox) take no noise: refused at the root and under an aggregate, saying what to do', () => {
  const logit = (by?: string) => ({ op: 'logit', input: scan(), y: 'smoker', x: ['age'], ...(by ? { by } : {}) });
  for (const node of [logit(), logit('blood')]) {
    refused(open(node, LAPLACE), '/root/privacy', /a logistic regression opens the end of its Newton iterations.*no per-row bound.*open it without privacy to approved recipients.*ols/);
    // Under a noisy aggregate its one row would be treated as one individual's row: refused too.
    refused(open(agg([{ name: 's', fn: 'sum', column: 'n' }], node), LAPLACE), '/root/privacy', /\/root\/input\/input: a logistic regression opens/);
  }
  TABLES.push({ name: 'trial', kind: 'table', rows: 100, schema: schema([int('weeks', '0', '200'), int('dose', '0', '10'), { name: 'died', nullable: false, type: 'boolean' }]) });
  const cox = { op: 'cox', input: scan('trial'), time: 'weeks', event: 'died', x: ['dose'] };
  refused(open(cox, LAPLACE), '/root/privacy', /a Cox model opens the end of its Newton iterations.*open it without privacy/);
  // Without privacy both check.
  check(open(logit('blood'), undefined));
  check(open(cox, undefined));
});
