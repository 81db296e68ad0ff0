/** The relational suite's cases, in the order the suite runs them (one file per operator). */

import type { RelationalCase } from './case.js';
import { filterCase } from './filter.js';
import { crosstabCase, groupbyCategoryCase, groupbyKeyCase } from './groupby-suite.js';
import { joinCase } from './join.js';
import { sortCase } from './sort.js';

export const RELATIONAL_CASES: readonly RelationalCase[] = [filterCase, joinCase, groupbyCategoryCase, groupbyKeyCase, sortCase, crosstabCase];

/** Every op the suite knows (issue 9's table); those without a case file yet are refused by name. */
export const RELATIONAL_OPS = ['filter', 'join', 'groupby_category', 'groupby_key', 'sort', 'crosstab'];
