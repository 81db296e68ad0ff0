/** How `tessera sql --explain` and `tessera explain` read: the summary, then what becomes public where. */

import { explanationSummary } from '../client/explain.js';
import type { PlanCheckResponse } from '../wire/api.js';
import { table, type Style } from './output.js';

export function describeExplanation(e: PlanCheckResponse, style: Style): string {
  const [planLine, ...rest] = explanationSummary(e);
  const disclosures = table([['made public', 'where in the plan'], ...e.disclosures.map((d) => [d.what, d.path])], { header: true, style, indent: '  ' });
  return [style.bold(planLine), ...rest.map((l) => `  ${l}`), '', disclosures].join('\n');
}
