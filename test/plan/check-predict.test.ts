/**
 * The predict node and a model-storing logit node at the parser and the plan checker
 * (plan/parse-predict.ts, check-predict.ts, logit-model.ts), without running them: the model
 * table's type from a logit with `model`, read back by predict; the bit budget's edge (1.953
 * half-ranges) as a property; every plan-time refusal with its place in the plan; the cost.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PlanError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext } from '../../src/plan/check.js';
import type { CheckedLogit } from '../../src/plan/check-logit.js';
import { logitModelType, readLogitModel } from '../../src/plan/logit-model.js';
import { estimateCost } from '../../src/plan/cost.js';
import { parsePlan } from '../../src/plan/parse.js';
import { factsToType } from '../../src/plan/types.js';
import { columnTypeToJson } from '../../src/table/column-type.js';
import { parseSchema, type ColumnSchemaJson } from '../../src/table/schema.js';

const DATA: ColumnSchemaJson[] = [
  { name: 'y', nullable: false, type: 'boolean' },
  { name: 'age', nullable: false, type: 'integer', min: '18', max: '100' },
  { name: 'wt', nullable: false, type: 'decimal', scale: 3, min: '1.000', max: '6.000' },
];

/** The model table a logit over DATA with `model` stores, as its schema (what a scan of it sees). */
function modelSchema(): ColumnSchemaJson[] {
  const checked = checkPlan(parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: { op: 'logit', model: true, input: { op: 'scan', table: 'data' }, y: 'y', x: ['age', 'wt'] } } }), context([]));
  const logit = checked.root.input as CheckedLogit;
  assert.equal(logit.model, true);
  return logit.type.columns.map((c) => ({ name: c.name, nullable: c.nullable, ...(columnTypeToJson(factsToType(c)) as object) }) as ColumnSchemaJson);
}

function context(model: ColumnSchemaJson[], other: ColumnSchemaJson[] = DATA): CheckContext {
  const tables: Record<string, CatalogTable> = {
    data: { name: 'data', kind: 'table', rows: 100, schema: parseSchema({ version: 1, columns: DATA }) },
    other: { name: 'other', kind: 'table', rows: 1000, schema: parseSchema({ version: 1, columns: other }) },
  };
  if (model.length > 0) tables.model = { name: 'model', kind: 'table', rows: 1, schema: parseSchema({ version: 1, columns: model }) };
  return { table: (n) => tables[n], recipientRefusal: () => undefined };
}

const predictPlan = (extra: Record<string, unknown> = {}) =>
  parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: { op: 'predict', model: { op: 'scan', table: 'model' }, input: { op: 'scan', table: 'other' }, as: 'p', ...extra } } });

const refused = (f: () => unknown, path: string, pattern: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof PlanError && e.message.includes(path) && pattern.test(e.message), String(pattern));

test('a model-storing logit types its row as the marker, the predictors with their fitted ranges, and beta_0 … beta_k; predict reads it back', () => {
  const model = modelSchema();
  assert.deepEqual(model.map((c) => c.name), ['logit_model', 'age', 'wt', 'beta_0', 'beta_1', 'beta_2']);
  const checked = checkPlan(predictPlan(), context(model));
  assert.deepEqual(checked.root.input.type.columns.map((c) => c.name), ['y', 'age', 'wt', 'p']);
  const p = checked.root.input.type.columns[3];
  assert.equal(p.kind, 'decimal');
  assert.equal(p.scale, 6);
  const cost = estimateCost(checked.root.input);
  assert.ok(cost.rounds > 45 && cost.rounds < 60, `rounds ${cost.rounds}`);
  // ~273 bytes per row: η (8), its truncation and the probabilities (265, s8-predict).
  assert.ok(cost.bytesPerParty > 1000 * 250 && cost.bytesPerParty < 1000 * 300, `bytes ${cost.bytesPerParty}`);
  const cls = checkPlan(predictPlan({ output: 'class', threshold: 0.3 }), context(model)).root.input.type.columns[3];
  assert.equal(cls.kind, 'boolean');
  const eta = checkPlan(predictPlan({ output: 'logit' }), context(model)).root.input.type.columns[3];
  assert.equal(eta.kind, 'integer');
});

test('the bit budget: a column declared up to 1.953 of the model half-range from its centre is accepted, beyond it refused', () => {
  const model = modelSchema();
  // age: [18, 100], centre 59, divisor 2^6 = 64; 1000/512 = 1.953125 half-ranges = 125 years.
  fc.assert(fc.property(fc.integer({ min: 0, max: 400 }), (reach) => {
    const other = DATA.map((c) => (c.name === 'age' ? { ...c, min: String(59 - reach), max: '100' } : c));
    const accept = reach / 64 <= 1000 / 512;
    if (accept) checkPlan(predictPlan(), context(model, other));
    else refused(() => checkPlan(predictPlan(), context(model, other)), '/root/input/input', /'age' is declared in .* beyond 1\.953/);
  }), { numRuns: 100 });
});

test('refusals at their place: the parser, a model that is no model, missing, mistyped or nullable predictors, a clashing name', () => {
  const model = modelSchema();
  refused(() => predictPlan({ output: 'odds' }), '/root/input/output', /output is 'probability'/);
  refused(() => predictPlan({ threshold: 0.5 }), '/root/input/threshold', /output: 'class' only/);
  refused(() => predictPlan({ output: 'class', threshold: 1 }), '/root/input/threshold', /strictly between 0 and 1/);
  refused(() => checkPlan(predictPlan(), context(DATA)), '/root/input/model', /not a stored logistic model/);
  refused(() => checkPlan(predictPlan(), context(model, DATA.filter((c) => c.name !== 'wt'))), '/root/input/input', /needs the predictor 'wt'/);
  refused(() => checkPlan(predictPlan(), context(model, DATA.map((c) => (c.name === 'wt' ? { ...c, scale: 2, min: '1.00', max: '6.00' } : c)))), '/root/input/input', /fitted as a decimal\(3\) column, the input's is a decimal\(2\)/);
  refused(() => checkPlan(predictPlan(), context(model, DATA.map((c) => (c.name === 'age' ? { ...c, nullable: true } : c)))), '/root/input/input', /'age' is nullable/);
  refused(() => checkPlan(predictPlan({ as: 'wt' }), context(model)), '/root/input/as', /already has a column 'wt'/);
});

test('a model table read back refuses a coefficient declared beyond the bound and keeps the standardisation', () => {
  const facts = readLogitModel(logitModelType([{ facts: { name: 'age', kind: 'integer', scale: 0, min: 18n, max: 100n, nullable: false }, center: 59n, shift: 6 }], ''), '/m');
  assert.deepEqual(facts.predictors.map((p) => [p.facts.name, p.center, p.shift]), [['age', 59n, 6]]);
  const type = logitModelType([{ facts: { name: 'age', kind: 'integer', scale: 0, min: 18n, max: 100n, nullable: false }, center: 59n, shift: 6 }], '');
  const wide = { ...type, columns: type.columns.map((c) => (c.name === 'beta_1' ? { ...c, max: c.max * 2n } : c)) };
  refused(() => readLogitModel(wide, '/m'), '/m', /declared beyond/);
  refused(() => logitModelType([{ facts: { name: 'beta_1', kind: 'integer', scale: 0, min: 0n, max: 10n, nullable: false }, center: 5n, shift: 3 }], '/p'), '/p/x/0', /rename the predictor 'beta_1'/);
});
