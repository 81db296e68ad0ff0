/**
 * Binary classification scores from opened per-label counts (recipient side; stats/logit-predict.ts
 * computes them inside MPC): per label its row count n, how many of its rows were predicted
 * positive, and the sum of the (average) ranks of its predicted probabilities among all rows.
 *
 *   confusion matrix  TP = predicted among y = 1, FN = n1 − TP, FP = predicted among y = 0, TN = n0 − FP
 *   accuracy          (TP + TN) / (n1 + n0)
 *   ROC AUC           U / (n1 n0),  U = R1 − n1 (n1 + 1) / 2   (ties count one half)
 */

import { UsageError } from '../errors.js';

export interface LabelCounts {
  readonly n: number;
  readonly predicted: number;
  readonly rankSum: number;
}

export interface BinaryScores {
  readonly rows: number;
  readonly threshold: number;
  readonly accuracy: number;
  readonly confusion: { readonly truePositive: number; readonly falseNegative: number; readonly falsePositive: number; readonly trueNegative: number };
  readonly auc: number;
}

export function scoreFromCounts(positive: LabelCounts, negative: LabelCounts, threshold: number): BinaryScores {
  const rows = positive.n + negative.n;
  if (positive.n === 0 || negative.n === 0) {
    throw new UsageError(`scoring needs rows of both labels (it has ${positive.n} positive and ${negative.n} negative): the ROC AUC is undefined otherwise`);
  }
  const tp = positive.predicted, fp = negative.predicted;
  const u = positive.rankSum - (positive.n * (positive.n + 1)) / 2;
  return {
    rows,
    threshold,
    accuracy: (tp + (negative.n - fp)) / rows,
    confusion: { truePositive: tp, falseNegative: positive.n - tp, falsePositive: fp, trueNegative: negative.n - fp },
    auc: u / (positive.n * negative.n),
  };
}
