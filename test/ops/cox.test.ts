/**
 * The cox operator (ops/cox.ts, ops/cox-newton.ts) in one local session against the float64
 * Breslow fit written in test/helpers/cox-reference.ts: R's ovarian (26 rows, 3 covariates, a
 * decimal one), aml (tied times, some tied between an event and a censored row), a single
 * event, and a secret validity with nulls (rows left out must not count).
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { open } from '../../src/mpc/protocols/io.js';
import type { Session } from '../../src/mpc/session.js';
import { concatA, type AShare } from '../../src/mpc/shares.js';
import { cox } from '../../src/ops/cox.js';
import type { CheckedCox } from '../../src/plan/check-cox.js';
import { coxOutputNames } from '../../src/plan/check-cox.js';
import { checkPlan, type CatalogTable, type CheckContext } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { fitCox, type CoxFit } from '../../src/stats/cox-fit.js';
import { coxUnits, decodeCoxRaw } from '../../src/stats/cox.js';
import { parseSchema, type ColumnSchemaJson } from '../../src/table/schema.js';
import { breslowFit, type SurvivalRow } from '../helpers/cox-reference.js';
import { closeTrio, secret, trio } from '../helpers/protocol.js';
import { AML, OVARIAN, OVARIAN_R } from '../helpers/survival-data.js';
import { float64Cox, survivalTable } from '../../bench/stats/cox-cases.js';

after(closeTrio);

interface Case {
  readonly columns: ColumnSchemaJson[];
  /** Stored units per column, row by row (null for a null cell). */
  readonly values: Record<string, (bigint | null)[]>;
  readonly valid?: boolean[];
  readonly time: string;
  readonly event: string;
  readonly x: string[];
}

type NodeOptions = { iterations?: number; max_log_hazard?: number };

function checked(k: Case, options: NodeOptions = {}): CheckedCox {
  const table: CatalogTable = { name: 't', kind: 'table', rows: k.values[k.time].length, schema: parseSchema({ version: 1, columns: k.columns }) };
  const context: CheckContext = { table: (n) => (n === 't' ? table : undefined), recipientRefusal: () => undefined } as CheckContext;
  const plan = parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: { op: 'cox', input: { op: 'scan', table: 't' }, time: k.time, event: k.event, x: k.x, ...options } } });
  return checkPlan(plan, context).root.input as CheckedCox;
}

async function run(k: Case, options: NodeOptions = {}): Promise<CoxFit> {
  const node = checked(k, options);
  const schema = parseSchema({ version: 1, columns: k.columns });
  const t = await trio();
  const ring = (v: bigint): bigint => BigInt.asUintN(64, v);
  const [raw] = await t.run(async (s: Session) => {
    const columns: SecretColumn[] = [];
    for (const c of schema.columns) {
      const cells = k.values[c.name];
      const values = await secret(s, BigUint64Array.from(cells.map((v) => ring(v ?? 0n))));
      const present = c.nullable ? await secret(s, BigUint64Array.from(cells.map((v) => (v === null ? 0n : 1n)))) : undefined;
      columns.push({ schema: c, values, ...(present ? { present } : {}) });
    }
    const validity = k.valid ? { kind: 'secret' as const, share: await secret(s, BigUint64Array.from(k.valid.map((v) => (v ? 1n : 0n)))) } : ALL_VALID;
    const [rounds0, bytes0, started] = [s.stats.rounds, s.stats.bytesSent, performance.now()];
    const out = await cox(s, node, new SecretTable(cells(k), columns, validity));
    if (process.env.COX_DEBUG && s.me === 0) console.log(`rows ${cells(k)}: ${s.stats.rounds - rounds0} rounds, ${((s.stats.bytesSent - bytes0) / 1e6).toFixed(1)} MB sent by party 0, ${((performance.now() - started) / 1000).toFixed(1)} s (three parties in one thread)`);
    const names = coxOutputNames(k.x.length);
    const opened = await open(s, concatAll(out, names));
    return new Map(names.map((n, i) => [n, BigInt.asIntN(64, opened[i])]));
  });
  const units = node.x.map((c) => (c.kind === 'boolean' ? 1 : coxUnits(c.min, c.max, c.scale)));
  return fitCox(decodeCoxRaw((n) => raw.get(n)!, k.x, units, node.iterations));
}

const cells = (k: Case): number => k.values[k.time].length;
function concatAll(t: SecretTable, names: readonly string[]): AShare {
  return concatA(names.map((n) => t.column(n).values));
}

const scaled = (text: string, scale: number): bigint => BigInt(Math.round(Number(text) * 10 ** scale));

function reference(k: Case, scales: Record<string, number>): ReturnType<typeof breslowFit> {
  const rows: SurvivalRow[] = [];
  for (let i = 0; i < cells(k); i++) {
    if (k.valid && !k.valid[i]) continue;
    const get = (c: string): bigint | null => k.values[c][i];
    const cellsHere = [k.time, k.event, ...k.x].map(get);
    if (cellsHere.some((v) => v === null)) continue;
    rows.push({ time: Number(get(k.time)), event: Number(get(k.event)) as 0 | 1, x: k.x.map((c) => Number(get(c)) / 10 ** (scales[c] ?? 0)) });
  }
  return breslowFit(rows);
}

function assertClose(fit: CoxFit, ref: ReturnType<typeof breslowFit>, tolerance = 1e-5): void {
  if (process.env.COX_DEBUG) console.log(fit.coefficients.map((c, j) => [(c.estimate / ref.beta[j] - 1).toExponential(1), (c.stdError / ref.se[j] - 1).toExponential(1)]), fit.logLikelihood - ref.logLikelihood, fit.finalStep);
  fit.coefficients.forEach((c, j) => {
    assert.ok(Math.abs(c.estimate - ref.beta[j]) <= tolerance * Math.abs(ref.beta[j]), `${c.term}: β ${c.estimate} vs ${ref.beta[j]}`);
    assert.ok(Math.abs(c.stdError - ref.se[j]) <= tolerance * ref.se[j], `${c.term}: SE ${c.stdError} vs ${ref.se[j]}`);
  });
  assert.ok(Math.abs(fit.logLikelihood - ref.logLikelihood) <= 1e-4 * Math.abs(ref.logLikelihood), `ℓ ${fit.logLikelihood} vs ${ref.logLikelihood}`);
  assert.ok(Math.abs(fit.logLikelihoodNull - ref.logLikelihoodNull) <= 1e-4 * Math.abs(ref.logLikelihoodNull), `ℓ0 ${fit.logLikelihoodNull} vs ${ref.logLikelihoodNull}`);
}

const ovarian: Case = {
  columns: [
    { name: 'futime', nullable: false, type: 'integer', min: '0', max: '2000' },
    { name: 'fustat', nullable: false, type: 'boolean' },
    { name: 'age', nullable: false, type: 'decimal', scale: 4, min: '30', max: '80' },
    { name: 'ecog_ps', nullable: false, type: 'integer', min: '1', max: '2' },
    { name: 'rx', nullable: false, type: 'integer', min: '1', max: '2' },
  ] as ColumnSchemaJson[],
  values: {
    futime: OVARIAN.futime.map(BigInt),
    fustat: OVARIAN.fustat.map(BigInt),
    age: OVARIAN.age.map((a) => scaled(a, 4)),
    ecog_ps: OVARIAN.ecog_ps.map(BigInt),
    rx: OVARIAN.rx.map(BigInt),
  },
  time: 'futime',
  event: 'fustat',
  x: ['age', 'ecog_ps', 'rx'],
};

test('ovarian (R survival): coefficients and SEs within 1e-5 of the float64 Breslow fit, which matches R', async () => {
  const ref = reference(ovarian, { age: 4 });
  const threeDigits = (v: number): number => Number(v.toPrecision(3));
  ref.beta.forEach((b, j) => assert.equal(threeDigits(b), OVARIAN_R.coef[j], 'the reference against R'));
  ref.se.forEach((v, j) => assert.equal(threeDigits(v), OVARIAN_R.se[j], 'the reference against R'));
  const fit = await run(ovarian);
  assertClose(fit, ref);
  assert.equal(threeDigits(fit.likelihoodRatio.statistic), OVARIAN_R.likelihoodRatio);
  assert.equal(fit.rows, 26);
  assert.equal(fit.events, 12);
});

const aml: Case = {
  columns: [
    { name: 'time', nullable: false, type: 'integer', min: '0', max: '200' },
    { name: 'status', nullable: false, type: 'integer', min: '0', max: '1' },
    { name: 'maintained', nullable: false, type: 'boolean' },
  ] as ColumnSchemaJson[],
  values: { time: AML.time.map(BigInt), status: AML.status.map(BigInt), maintained: AML.maintained.map(BigInt) },
  time: 'time',
  event: 'status',
  x: ['maintained'],
};

test('aml: tied event times (and an event tied with a censored row) follow Breslow', async () => {
  assertClose(await run(aml), reference(aml, {}));
});

test('nulls and a secret validity: the rows left out do not count', async () => {
  const k: Case = {
    ...ovarian,
    columns: ovarian.columns.map((c) => (c.name === 'rx' ? { ...c, nullable: true } : c)) as ColumnSchemaJson[],
    values: { ...ovarian.values, rx: ovarian.values.rx.map((v, i) => (i === 3 ? null : v)) },
    valid: ovarian.values.rx.map((_, i) => i !== 7 && i !== 20),
  };
  const fit = await run(k);
  assertClose(fit, reference(k, { age: 4 }));
  assert.equal(fit.rows, 23);
});

test('a single event: a finite fit (the event row\'s age lies inside its risk set\'s)', async () => {
  const k: Case = { ...ovarian, values: { ...ovarian.values, fustat: ovarian.values.fustat.map((_, i) => (i === 9 ? 1n : 0n)) }, x: ['age'] };
  const ref = reference(k, { age: 4 });
  assert.ok(Number.isFinite(ref.beta[0]) && Math.abs(ref.beta[0]) < 1, `reference ${ref.beta[0]}`);
  const fit = await run(k, { iterations: 10 });
  assertClose(fit, ref);
  assert.equal(fit.events, 1);
});

test('a covariate constant on the rows (declared range wider): refused by the recipient, naming it', async () => {
  const k: Case = { ...ovarian, values: { ...ovarian.values, ecog_ps: ovarian.values.ecog_ps.map(() => 2n) } };
  await assert.rejects(run(k), /singular at 'ecog_ps'.*constant/);
});

test('a hazard beyond max_log_hazard at the last iterate: refused (the clamp is reported, not hidden)', async () => {
  // age's standardised coefficient is about 0.147 · 2^18 / 10^4 ≈ 3.9: some rows' |η| exceed 1.
  await assert.rejects(run(ovarian, { max_log_hazard: 1 }), /max_log_hazard/);
});

test('too few iterations to converge: refused, saying to raise them', async () => {
  await assert.rejects(run(ovarian, { iterations: 2 }), /did not converge in 2 iterations/);
});

test('no rows at all (a filter left none): refused, no events', async () => {
  const k: Case = { ...aml, values: { time: [], status: [], maintained: [] } };
  await assert.rejects(run(k), /no events/);
});

test('random small tables with ties, nulls and two covariates: within 1e-5 of float64 Breslow (seeded)', async () => {
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let round = 0; round < 4; round++) {
    const n = 20 + Math.floor(random() * 40);
    const k: Case = {
      columns: [
        { name: 't', nullable: false, type: 'integer', min: '0', max: '30' },
        { name: 'e', nullable: false, type: 'boolean' },
        { name: 'a', nullable: true, type: 'decimal', scale: 1, min: '-5', max: '5' },
        { name: 'b', nullable: false, type: 'boolean' },
      ] as ColumnSchemaJson[],
      values: { t: [], e: [], a: [], b: [] },
      time: 't',
      event: 'e',
      x: ['a', 'b'],
    };
    for (let i = 0; i < n; i++) {
      const a = Math.round((random() * 6 - 3) * 10);
      const b = random() < 0.5 ? 1 : 0;
      const hazard = Math.exp(0.3 * (a / 10) - 0.7 * b);
      k.values.t.push(BigInt(Math.min(30, Math.floor((-Math.log(1 - random()) / hazard) * 4))));
      k.values.e.push(random() < 0.7 ? 1n : 0n);
      k.values.a.push(random() < 0.1 ? null : BigInt(a));
      k.values.b.push(BigInt(b));
    }
    assertClose(await run(k, { iterations: 8 }), reference(k, { a: 1 }));
  }
});

test('all censored: refused, no events', async () => {
  const k: Case = { ...aml, values: { ...aml.values, status: aml.values.status.map(() => 0n) } };
  await assert.rejects(run(k), /no events/);
});

test('synthetic rows with many tied times (the benchmark\'s generator)', async () => {
  const rows = Number(process.env.COX_ROWS ?? 600);
  const table = survivalTable(rows);
  const generated = Array.from({ length: rows }, (_, i) => table.row(i));
  const k: Case = {
    columns: table.schema.columns as ColumnSchemaJson[],
    values: Object.fromEntries(table.schema.columns.map((c, j) => [c.name, generated.map((r) => (c.type === 'boolean' ? (r[j] === 'true' ? 1n : 0n) : c.type === 'decimal' ? scaled(String(r[j]), 2) : BigInt(String(r[j]))))])),
    time: 'time',
    event: 'event',
    x: table.schema.columns.slice(2).map((c) => c.name),
  };
  const reference = float64Cox(rows);
  const fit = await run(k);
  assertClose(fit, { ...reference, beta: reference.coef, logLikelihood: fit.logLikelihood, logLikelihoodNull: fit.logLikelihoodNull });
});
