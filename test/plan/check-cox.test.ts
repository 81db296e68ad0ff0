/**
 * Plan checks of the cox node (plan/parse-cox.ts, plan/check-cox.ts): its canonical JSON, the
 * columns' kinds, the public standardisation, the refusals (constant or too wide covariates, a
 * bound beyond exp's or the risk sums' bit budget, too many rows), what explain() says it
 * reveals, and a cost estimate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkCox } from '../../src/plan/check-cox.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedScan } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { planHash, type CoxNode } from '../../src/plan/plan.js';
import { tableType } from '../../src/plan/types.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'days', nullable: false, type: 'integer', min: '0', max: '5000' },
    { name: 'died', nullable: false, type: 'boolean' },
    { name: 'status', nullable: false, type: 'integer', min: '0', max: '2' },
    { name: 'age', nullable: true, type: 'decimal', scale: 4, min: '30', max: '80' },
    { name: 'rx', nullable: false, type: 'integer', min: '1', max: '2' },
    { name: 'one', nullable: false, type: 'integer', min: '1', max: '1' },
    { name: 'income', nullable: false, type: 'decimal', scale: 2, min: '0', max: '10000000' },
    { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
  ],
});
const scanOf = (rows: number): CheckedScan => ({ op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows }, columns: schema.columns.map((c) => c.name), type: tableType(schema, rows) });
const scan = { op: 'scan' as const, table: 't' };
const node = (extra: Partial<CoxNode> = {}): CoxNode => ({ op: 'cox', input: scan, time: 'days', event: 'died', x: ['age', 'rx'], ...extra });

function refused(run: () => unknown, path: string, message: RegExp): void {
  assert.throws(run, (e: unknown) => e instanceof PlanError && e.path === path && message.test(e.message));
}

test('cox: canonical JSON (key order does not matter), unknown fields and bad iterations refused', () => {
  const a = parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: { op: 'cox', input: scan, time: 'days', event: 'died', x: ['age'], iterations: 6 } } });
  const b = parsePlan({ root: { to: ['R'], input: { iterations: 6, x: ['age'], event: 'died', time: 'days', input: scan, op: 'cox' }, op: 'open' }, version: 1 });
  assert.equal(planHash(a), planHash(b));
  const parse = (extra: Record<string, unknown>) => () => parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: { op: 'cox', input: scan, time: 'days', event: 'died', x: ['age'], ...extra } } });
  refused(parse({ ties: 'efron' }), '/root/input/ties', /unknown field 'ties'/);
  refused(parse({ iterations: 1 }), '/root/input/iterations', /from 2 to 25/);
  refused(parse({ iterations: 26 }), '/root/input/iterations', /from 2 to 25/);
  refused(parse({ max_log_hazard: -1 }), '/root/input/max_log_hazard', /positive/);
  refused(parse({ x: ['age', 'died'] }), '/root/input/x', /appears twice/);
});

test('cox: the public standardisation z = (x − c)/2^k and the one-row output', () => {
  const checked = checkCox(node(), '/c', scanOf(100_000), []);
  // age: [300000, 800000] stored, centre 550000, half-width 250000 ≤ 2^18; rx: centre 1, 2^0.
  assert.deepEqual(checked.standardisation.map((s) => [s.centre, s.shift]), [[550000n, 18], [1n, 0]]);
  assert.deepEqual(checked.type.columns.map((c) => c.name), ['beta_1', 'beta_2', 'score_1', 'score_2', 'information_1_1', 'information_1_2', 'information_2_2', 'loglik_null', 'loglik', 'converged', 'saturated', 'events', 'rows']);
  assert.equal(checked.type.maxRows, 1);
  assert.equal(checked.iterations, 6);
  assert.ok(checked.sumBits <= 61);
});

test('cox: refusals name the place and what to do', () => {
  refused(() => checkCox(node({ x: ['one'] }), '/c', scanOf(10), []), '/c/x/0', /declared constant/);
  refused(() => checkCox(node({ x: ['income'] }), '/c', scanOf(10), []), '/c/x/0', /narrower range/);
  refused(() => checkCox(node({ x: ['sex'] }), '/c', scanOf(10), []), '/c/x/0', /0\/1 columns/);
  refused(() => checkCox(node({ event: 'status' }), '/c', scanOf(10), []), '/c/event', /\[0, 1\]/);
  refused(() => checkCox(node({ time: 'sex' }), '/c', scanOf(10), []), '/c/time', /integer, decimal or date/);
  refused(() => checkCox(node({ max_log_hazard: 10 }), '/c', scanOf(10), []), '/c/max_log_hazard', /below 9.7/);
  refused(() => checkCox(node({ max_log_hazard: 9.5 }), '/c', scanOf(20_000_000), []), '/c/max_log_hazard', /bit budget of the risk-set sums/);
  refused(() => checkCox(node({ max_log_hazard: 2 }), '/c', scanOf(20_000_000), []), '/c', /fewer rows/);
});

test('cox: explain() lists what the node reveals and a cost', () => {
  const table: CatalogTable = { name: 't', kind: 'table', rows: 10_000, schema };
  const context = { table: (n: string) => (n === 't' ? table : undefined), recipientRefusal: () => undefined } as unknown as CheckContext;
  const checked = checkPlan(parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: node() } }), context);
  const what = checked.disclosures.map((d) => d.what).join(' ');
  assert.match(what, /last Newton iterate/);
  assert.match(what, /score/);
  assert.match(what, /information matrix/);
  assert.match(what, /converged/);
  assert.ok(checked.cost.rounds > 1000 && checked.cost.bytesPerParty > 10_000 * 1000);
});
