/**
 * predict at 100K × 10 (issue 10 targets 1 s for the probabilities; Virtual Data Lake 210 s):
 * the logreg case's 100K-row table (bench/stats/logit-cases.ts, ten decimal predictors in
 * [−10, 10]) and a stored model table (plan/logit-model.ts) uploaded with known coefficients (its
 * generating β, standardised: predict is timed, not the fit that logreg times). The probabilities
 * open to the recipient (100K values) and each is checked against float64 σ(zβ) with the same
 * β: within 2^-15 relative (the precise sigmoid) plus the decimal's unit.
 */

import { tableColumn } from '../../src/client/result-columns.js';
import { storedLogit } from '../../src/stats/logit-predict.js';
import type { BenchTable, StatsCase } from './case.js';
import { logitTable, logitRowValues, LOGIT_BENCH_BETA, LOGIT_BENCH_PREDICTORS } from './logit-cases.js';

/** x_j in hundredths, declared [−1000, 1000]: centre 0, divisor 2^10 (plan/check-logit.ts). */
const SHIFT = 10;
/** Standardised coefficients at 2^-24: β_std = β · 2^10 / 100 (intercept as it is). */
const BETA = [0.3, ...LOGIT_BENCH_BETA.map((b) => (b * 2 ** SHIFT) / 100)].map((b) => Math.round(b * 2 ** 24));

function modelTable(): BenchTable {
  const limit = String(2 ** 33);
  return {
    name: 'predict_model',
    rows: 1,
    schema: {
      version: 1,
      columns: [
        { name: 'logit_model', nullable: false, type: 'integer' as const, min: '24', max: '24' },
        ...LOGIT_BENCH_PREDICTORS.map((name) => ({ name, nullable: false, type: 'decimal' as const, scale: 2, min: '-10.00', max: '10.00' })),
        ...BETA.map((_, j) => ({ name: `beta_${j}`, nullable: false, type: 'integer' as const, min: `-${limit}`, max: limit })),
      ],
    },
    duckdb: ['BIGINT', ...LOGIT_BENCH_PREDICTORS.map(() => 'DECIMAL(4,2)'), ...BETA.map(() => 'BIGINT')],
    row: () => ['24', ...LOGIT_BENCH_PREDICTORS.map(() => '0.00'), ...BETA.map(String)],
  };
}

function predictCase(rows: number, target: number): StatsCase {
  const table = logitTable(rows);
  const frame = (client: Parameters<StatsCase['run']>[0]) => storedLogit(client.table('predict_model')).predict(client.table(table.name), { as: 'p' }).select('p');
  return {
    op: 'predict',
    rows,
    description: `predicted probabilities of a stored logistic model, ${rows} rows × ${LOGIT_BENCH_PREDICTORS.length} predictors, opened`,
    target,
    why: 'CPU, not rounds (51): 0.44–0.54 s per node after the node start-up warm-up (0.8–1.4 s without it, --no-warm-up: V8 compiling the kernels and first-touch memory), most of it the precise sigmoid (exp circuit and reciprocal, ~252 bytes per row, s8-predict); three nodes and the client share two cores',
    tables: () => [table, modelTable()],
    rounds: async (client, recipient) => (await frame(client).explain({ to: [recipient] })).cost.rounds,
    run: async (client, recipient) => {
      const result = await (await frame(client).open({ to: [recipient] })).result();
      return {
        verify: () => {
          // The column, not the rows: the check builds no per-row objects (client/result-columns.ts).
          const p = tableColumn(result.table, 'p');
          if (p.length !== rows) return `${p.length} probabilities opened, ${rows} rows`;
          for (let i = 0; i < rows; i++) {
            const x = logitRowValues(i).x;
            const eta = BETA.reduce((s, b, j) => s + (b / 2 ** 24) * (j === 0 ? 1 : x[j - 1] / 2 ** SHIFT), 0);
            const want = 1 / (1 + Math.exp(-eta));
            const got = Number(p[i]);
            if (Math.abs(got - want) > want * 2 ** -15 + 5e-6) return `row ${i}: p ${got}, float64 σ(zβ) ${want}`;
          }
          return undefined;
        },
      };
    },
  };
}

export const cases: readonly StatsCase[] = [predictCase(100_000, 1)];
