/**
 * The logit operator (ops/logit.ts) in one local session, without the SDK: the bench's synthetic
 * design (10 predictors in [−10, 10], bench/stats/logit-cases.ts) and a poorly conditioned one
 * (predictors using a small, off-centre part of their declared ranges, correlated), decoded by
 * the recipient's fit (stats/logit-fit.ts) and checked against a float64 Newton fit run to
 * convergence: coefficients and standard errors within 1e-5 relative (the contract). Also pins
 * the operator's rounds. LOGIT_ROWS=10000 LOGIT_DEBUG=1 prints rounds, bytes and time.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { open } from '../../src/mpc/protocols/io.js';
import type { Session } from '../../src/mpc/session.js';
import { concatA } from '../../src/mpc/shares.js';
import { logit } from '../../src/ops/logit.js';
import { integerProductBits } from '../../src/ops/logit-information.js';
import { logitOutputNames, type CheckedLogit } from '../../src/plan/check-logit.js';
import { logitCost } from '../../src/plan/cost-logit.js';
import { checkPlan, type CatalogTable, type CheckContext } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { fitLogit, fromFixed, type LogitFit } from '../../src/stats/logit-fit.js';
import { parseSchema, type ColumnSchemaJson } from '../../src/table/schema.js';
import { logitReference } from '../helpers/logit-reference.js';
import { closeTrio, secret, trio } from '../helpers/protocol.js';
import { logitRowValues } from '../../bench/stats/logit-cases.js';
import { uniform } from '../../bench/stats/case.js';

after(closeTrio);

interface Case {
  readonly columns: ColumnSchemaJson[];
  /** Stored units per predictor column, then y (0/1), row by row. */
  readonly x: bigint[][];
  readonly y: number[];
  readonly iterations?: number;
}

function checked(k: Case): CheckedLogit {
  const columns = [...k.columns, { name: 'y', nullable: false, type: 'boolean' } as ColumnSchemaJson];
  const table: CatalogTable = { name: 't', kind: 'table', rows: k.y.length, schema: parseSchema({ version: 1, columns }) };
  const context: CheckContext = { table: (n) => (n === 't' ? table : undefined), recipientRefusal: () => undefined } as CheckContext;
  const x = k.columns.map((c) => c.name);
  const plan = parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: { op: 'logit', input: { op: 'scan', table: 't' }, y: 'y', x, ...(k.iterations ? { iterations: k.iterations } : {}) } } });
  return checkPlan(plan, context).root.input as CheckedLogit;
}

async function run(k: Case): Promise<{ fit: LogitFit; rounds: number; bytes: number; estimate: { rounds: number; bytes: number } }> {
  const node = checked(k);
  const schema = parseSchema({ version: 1, columns: [...k.columns, { name: 'y', nullable: false, type: 'boolean' }] });
  const t = await trio();
  const n = k.y.length;
  const d = k.columns.length + 1;
  const [[raw, rounds, bytes]] = await t.run(async (s: Session) => {
    const columns: SecretColumn[] = [];
    for (const [j, c] of schema.columns.entries()) {
      const cells = j < k.columns.length ? k.x.map((r) => BigInt.asUintN(64, r[j])) : k.y.map(BigInt);
      columns.push({ schema: c, values: await secret(s, BigUint64Array.from(cells)) });
    }
    const [rounds0, bytes0, started] = [s.stats.rounds, s.stats.bytesSent, performance.now()];
    const out = await logit(s, node, new SecretTable(n, columns, ALL_VALID));
    const rounds = s.stats.rounds - rounds0;
    const bytes = s.stats.bytesSent - bytes0;
    if (process.env.LOGIT_DEBUG && s.me === 0) console.log(`logit ${n} × ${d - 1}: ${rounds} rounds, ${((s.stats.bytesSent - bytes0) / 1e6).toFixed(1)} MB sent by party 0, ${((performance.now() - started) / 1000).toFixed(1)} s (three parties in one thread)`);
    const names = out.columns.map((c) => c.schema.name);
    const opened = await open(s, concatA(names.map((name) => out.column(name).values)));
    return [new Map(names.map((name, i) => [name, BigInt.asIntN(64, opened[i])])), rounds, bytes] as const;
  });
  const names = logitOutputNames(d);
  const fixed = (name: string): number => fromFixed(raw.get(name)!);
  const state = {
    rows: Number(raw.get('n')),
    positives: Number(raw.get('y_sum')),
    beta: names.beta.map(fixed),
    gradient: names.g.map(fixed),
    information: names.h.map((r) => r.map(fixed)),
    twiceLogLikelihood: fixed('twice_loglik'),
    converged: raw.get('converged') === 1n,
    iterations: node.iterations,
  };
  const terms = node.predictors.map((p) => ({ term: p.facts.name, center: p.center, shift: p.shift, scale: k.columns.find((c) => c.name === p.facts.name)!.type === 'decimal' ? (k.columns.find((c) => c.name === p.facts.name) as { scale: number }).scale : 0 }));
  const cost = logitCost(node, false);
  return { fit: fitLogit(state, terms, 'y'), rounds, bytes, estimate: { rounds: cost.rounds, bytes: cost.bytesPerParty } };
}

function check(k: Case, fit: LogitFit, scales: number[]): void {
  const ref = logitReference(k.x.map((r) => r.map((v, j) => Number(v) / 10 ** scales[j])), k.y);
  const worst = fit.coefficients.reduce((m, c, j) => Math.max(m, Math.abs(c.estimate / ref.coef[j] - 1), Math.abs(c.stdError / ref.se[j] - 1)), 0);
  if (process.env.LOGIT_DEBUG) console.log(`worst relative error ${worst.toExponential(2)}`);
  fit.coefficients.forEach((c, j) => {
    assert.ok(Math.abs(c.estimate - ref.coef[j]) <= 1e-5 * Math.abs(ref.coef[j]), `${c.term}: β ${c.estimate} vs ${ref.coef[j]}`);
    assert.ok(Math.abs(c.stdError - ref.se[j]) <= 1e-5 * ref.se[j], `${c.term}: SE ${c.stdError} vs ${ref.se[j]}`);
  });
}

const ROWS = Number(process.env.LOGIT_ROWS ?? 2000);

test('the bench design (10 predictors in [−10, 10]): within 1e-5 of float64 Newton', async () => {
  const columns = Array.from({ length: 10 }, (_, j): ColumnSchemaJson => ({ name: `x${j}`, nullable: false, type: 'decimal', scale: 2, min: '-10.00', max: '10.00' }));
  const data = Array.from({ length: ROWS }, (_, i) => logitRowValues(i));
  const k: Case = { columns, x: data.map((r) => r.x.map(BigInt)), y: data.map((r) => r.y) };
  const { fit, rounds, bytes, estimate } = await run(k);
  check(k, fit, columns.map(() => 2));
  // explain()'s estimate (plan/cost-logit.ts) against what the party sent and counted: within 20%.
  if (process.env.LOGIT_DEBUG) console.log(`estimated ${estimate.rounds} rounds, ${(estimate.bytes / 1e6).toFixed(2)} MB; measured ${rounds}, ${(bytes / 1e6).toFixed(2)} MB`);
  assert.ok(Math.abs(estimate.rounds / rounds - 1) <= 0.2, `rounds: estimated ${estimate.rounds}, measured ${rounds}`);
  assert.ok(Math.abs(estimate.bytes / bytes - 1) <= 0.2, `bytes: estimated ${estimate.bytes}, measured ${bytes}`);
});

test('a poorly conditioned design (off-centre, narrow, correlated predictors): within 1e-5 of float64 Newton', async () => {
  // a in [300, 700] of a declared [0, 1000]; b = a + noise, correlated with it; c a wide one.
  const columns: ColumnSchemaJson[] = [
    { name: 'a', nullable: false, type: 'decimal', scale: 1, min: '0', max: '1000' },
    { name: 'b', nullable: false, type: 'decimal', scale: 1, min: '0', max: '1000' },
    { name: 'c', nullable: false, type: 'integer', min: '-50', max: '50' },
  ];
  const x: bigint[][] = [], y: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    const a = 300 + 400 * uniform(i, 0), b = a + 100 * uniform(i, 1), c = Math.round(100 * uniform(i, 2) - 50);
    const eta = -0.5 + 0.02 * (a - 500) - 0.015 * (b - 550) + 0.02 * c;
    x.push([BigInt(Math.round(a * 10)), BigInt(Math.round(b * 10)), BigInt(c)]);
    y.push(uniform(i, 3) < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
  }
  const k: Case = { columns, x, y };
  const { fit } = await run(k);
  check(k, fit, [1, 1, 0]);
});

test('rare events and strong effects (p near 0 and 1, where the rough sigmoid is coarsest): within 1e-5 of float64 Newton', async () => {
  const columns: ColumnSchemaJson[] = [
    { name: 'u', nullable: false, type: 'decimal', scale: 2, min: '-10.00', max: '10.00' },
    { name: 'v', nullable: false, type: 'boolean' },
  ];
  const x: bigint[][] = [], y: number[] = [];
  for (let i = 0; i < Math.max(ROWS, 4000); i++) {
    const u = Math.round((20 * uniform(i, 0) - 10) * 100) / 100, v = uniform(i, 1) < 0.3 ? 1 : 0;
    const eta = -5 + 0.9 * u + 1.5 * v;
    x.push([BigInt(Math.round(u * 100)), BigInt(v)]);
    y.push(uniform(i, 2) < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
  }
  const k: Case = { columns, x, y };
  const { fit } = await run(k);
  check(k, fit, [2, 0]);
});

test('a wide declared range takes the split products (their integer sums could leave 2^62): within 1e-5 of float64 Newton', async () => {
  const columns: ColumnSchemaJson[] = [
    { name: 'a', nullable: false, type: 'decimal', scale: 1, min: '0', max: '10000' },
    { name: 'c', nullable: false, type: 'integer', min: '-50', max: '50' },
  ];
  const x: bigint[][] = [], y: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    const a = 3000 + 4000 * uniform(i, 0), c = Math.round(100 * uniform(i, 2) - 50);
    x.push([BigInt(Math.round(a * 10)), BigInt(c)]);
    y.push(uniform(i, 3) < 1 / (1 + Math.exp(-(0.3 + 0.001 * (a - 5000) + 0.02 * c))) ? 1 : 0);
  }
  const k: Case = { columns, x, y };
  const { fit } = await run(k);
  check(k, fit, [1, 0]);
});

test('the integer products are chosen only when their sums stay below 2^62 (maxRows 2^(2 max k + 22) < 2^62)', () => {
  // Hundredths in [−10, 10]: k = 10, K = 20: below 2^20 rows, not at 2^20 (β = 0 has w = 1/4 exactly).
  assert.equal(integerProductBits([0, 10, 10], 2 ** 20 - 1, 24), 20);
  assert.equal(integerProductBits([0, 10, 10], 2 ** 20, 24), undefined);
  assert.equal(integerProductBits([0, 3, 11], 2 ** 18 - 1, 24), 22);
  assert.equal(integerProductBits([0, 17], 64, 24), undefined);
  assert.equal(integerProductBits([0, 0], 1, 24), 0);
});
