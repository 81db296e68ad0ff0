/**
 * `logit(frame, { y, x, by }).fit()`: one logistic regression per group of `by`, from ONE plan:
 * the logit node with `by` (ops/logit-groups.ts) runs every group's Newton iterations in the
 * same MPC rounds, each group on its own rows, and opens one state row per declared group
 * (empty groups included). Each group is finished on the recipient's side exactly as a single
 * fit (logit-fit.ts); a group with too few rows, separated classes, a singular information
 * matrix or steps that did not settle carries its own refusal (model-groups.ts), never a
 * wrong estimate, and the other groups print.
 */

import { ModelFitError, UsageError } from '../errors.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { DEFAULT_LOGIT_ITERATIONS } from '../plan/parse-logit.js';

import { buildLogitDesign, checkLogitSpec, type LogitDesign, type LogitSpec } from './logit-design.js';
import { fitLogit, type LogitFit } from './logit-fit.js';
import { logitSummaryText } from './logit-summary.js';
import { logitStateOfRow, LOGIT_GROUPS_REVEALS, type LogitFitOptions, type LogitGroupsModel } from './logit.js';
import { fitEachGroup } from './model-groups.js';
import { explainModelPlan, openModelPlan } from './plan-refusal.js';

/** One group's fit (its provenance is the grouped result's). */
export interface LogitGroupFit extends LogitFit {
  readonly reference: Readonly<Record<string, string>>;
  text(): string;
}

export function logitByGroup<C extends string>(frame: LazyFrame<C>, spec: LogitSpec<C>, options: LogitFitOptions): LogitGroupsModel {
  checkLogitSpec(spec, options.iterations);
  const by = spec.by!;
  const iterations = options.iterations ?? DEFAULT_LOGIT_ITERATIONS;
  const design = (open: OpenOptions): Promise<LogitDesign> => buildLogitDesign(frame, spec, open, options.iterations);
  return {
    async explain(open) {
      const d = await design(open);
      return explainModelPlan(d.frame, open, 'the regressions', LOGIT_GROUPS_REVEALS);
    },
    async open(open) {
      const d = await design(open);
      const result = await openModelPlan(d.frame, open);
      return fitEachGroup(
        result,
        by,
        (row): LogitGroupFit => {
          const fit = fitLogit(logitStateOfRow(row, d.terms.length + 1, iterations), d.terms, d.response, open.level !== undefined ? { level: open.level } : {});
          return { ...fit, reference: d.reference, text: () => logitSummaryText(fit) };
        },
        (e): e is Error => e instanceof ModelFitError || e instanceof UsageError,
      );
    },
  };
}
