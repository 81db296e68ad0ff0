/**
 * The stats suite's case modules, in the order the suite runs them. A statistic's cases live in
 * their own module exporting `cases: StatsCase[]` (bench/stats/case.ts); adding one is one
 * import and its name in the list.
 */

import type { StatsCaseModule } from './case.js';
import * as moments from './moment-cases.js';
import * as ols from './ols-cases.js';
import * as median from './median-cases.js';
import * as logreg from './logit-cases.js';
import * as logregBy from './logit-groups-cases.js';
import * as cox from './cox-cases.js';
import * as kaplanMeier from './kaplan-meier-cases.js';
import * as predict from './predict-cases.js';

export const STATS_MODULES: readonly StatsCaseModule[] = [moments, ols, median, logreg, logregBy, predict, kaplanMeier, cox];

/** Every op of issue 10's table; those without a case module yet are refused by name. */
export const STATS_OPS = ['describe', 'ols', 'logreg', 'logreg_by', 'predict', 'median', 'kaplan_meier', 'cox', 'ttest'];
