/**
 * A stored logistic model (plan/logit-model.ts) at work on other secret tables:
 *
 *   await logit(t.table('cars'), { y: 'am', x: ['hp', 'wt'] }).fit().store('am_model').then((h) => h.wait());
 *   const m = storedLogit(t.table('am_model'));
 *   m.predict(t.table('new_cars'), { as: 'p_am' })            // a frame: store it or open it
 *   m.predict(t.table('new_cars'), { as: 'am_hat', output: 'class', threshold: 0.5 })
 *   await m.score(t.table('labelled_cars'), { y: 'am' }, { to })   // accuracy, confusion matrix, ROC AUC
 *
 * Scoring is ONE plan: the exact log-odds η and the classes (plan node predict, twice: the
 * class is [η ≥ logit(t)]; no sigmoid, σ is increasing so η ranks as p does, and equal inputs tie
 * exactly), the rank of η over all rows (ops/rank.ts, ties averaged), then a group-by on the label of the count, the number predicted positive and the
 * rank sum. Only those open: per label its row count, its predicted positives (the confusion
 * matrix) and its rank sum, from which AUC = U / (n1 n0), U = R1 − n1(n1 + 1)/2 (Mann–Whitney;
 * ties count one half, as sklearn's roc_auc_score). No row, probability or coefficient opens.
 */

import { UsageError } from '../errors.js';
import { count, sum } from '../client/aggregates.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { DEFAULT_PREDICT_THRESHOLD } from '../plan/check-predict.js';
import { checkColumn, openFrame, type Provenance } from './frame-groups.js';
import { scoreFromCounts, type BinaryScores } from './logit-scores.js';

export interface PredictOptions<A extends string> {
  /** The new secret column's name. */
  readonly as: A;
  /** 'probability' (decimal, 6 places; the default), 'class' (boolean [p ≥ threshold]) or 'logit' (the exact log-odds η, integer in units of 2^-40). */
  readonly output?: 'probability' | 'class' | 'logit';
  /** For 'class': a public probability in (0, 1), default 0.5. */
  readonly threshold?: number;
}

export interface ScoreOptions<C extends string> {
  /** The 0/1 label column. */
  readonly y: C;
  /** The class threshold for accuracy and the confusion matrix (default 0.5). */
  readonly threshold?: number;
}

export interface LogitScores extends BinaryScores, Provenance {}

export interface StoredLogit {
  predict<C extends string, A extends string>(frame: LazyFrame<C>, options: PredictOptions<A>): LazyFrame<C | A>;
  score<C extends string>(frame: LazyFrame<C>, options: ScoreOptions<C>, open: OpenOptions): Promise<LogitScores>;
}

const P = 'score_eta', CLASS = 'score_class', RANK = 'score_rank';

export function storedLogit(model: LazyFrame<string>): StoredLogit {
  return {
    predict(frame, options) {
      checkColumn(options?.as, 'as');
      return frame.withPrediction(model, options.as, {
        ...(options.output !== undefined ? { output: options.output } : {}),
        ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      });
    },
    async score<C extends string>(frame: LazyFrame<C>, options: ScoreOptions<C>, open: OpenOptions): Promise<LogitScores> {
      const y = checkColumn(options?.y, 'y') as C;
      if ([P, CLASS, RANK].includes(y as string)) throw new UsageError(`scoring derives a column '${y}': rename the label first`);
      const threshold = options.threshold ?? DEFAULT_PREDICT_THRESHOLD;
      const scored = frame
        .withPrediction(model, P, { output: 'logit' })
        .withPrediction(model, CLASS, { output: 'class', threshold })
        .rank(P, { as: RANK });
      const result = await openFrame(scored.groupBy(y).agg({ n: count(), predicted: sum(CLASS), r: sum(RANK) }), open);
      const byLabel = (positive: boolean): { n: number; predicted: number; rankSum: number } => {
        const rows = result.table.rows.filter((row) => row[y] !== null && Boolean(Number(row[y])) === positive);
        return {
          n: rows.reduce((a, row) => a + Number(row.n), 0),
          predicted: rows.reduce((a, row) => a + Number(row.predicted ?? 0), 0),
          rankSum: rows.reduce((a, row) => a + Number(row.r ?? 0), 0),
        };
      };
      return { ...scoreFromCounts(byLabel(true), byLabel(false), threshold), plan: result.plan, query: result.query };
    },
  };
}
