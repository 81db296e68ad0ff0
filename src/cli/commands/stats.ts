/**
 * `tessera stats ols --table T[,T2…] --y COL --x A,B,C [--by G] [--weights W] [--ridge λ] --to R`: a
 * linear regression (one per group of G with --by) on secret tables (several tables are concatenated: the same columns held by
 * several parties), printed as statsmodels' summary table; `--explain` only checks the plan at
 * the node and says what the opened sums reveal (src/stats/ols.ts).
 */

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import type { Console } from '../output.js';
import { registerLogitCommand } from './stats-logit.js';
import { registerCoxCommand } from './stats-cox.js';
import { registerKaplanMeierCommand } from './stats-km.js';
import { registerPredictCommand } from './stats-predict.js';
import { concatTables, list, numberFlag } from './stats-flags.js';
import { explainOrOpenModel } from './stats-model.js';

type OlsFlags = ConnectionFlags & { table: string; y: string; x: string; by?: string; weights?: string; ridge?: string; level?: string; to: string; explain?: boolean; json?: boolean };


const EXAMPLE = `\nExample:\n  tessera stats ols --table cars --y mpg --x wt,hp,cyl --to "St. Mary Hospital" --cluster ./cluster --as "St. Mary Hospital"
A category predictor enters as one dummy per level (the first level with rows is the reference).
The recipients learn the Gram matrix of [1, predictors, response]: n, the means, variances and covariances.`;

export function registerStatsCommands(program: Command, io: Console): void {
  const stats = program.command('stats').description('statistics on secret tables, computed from exactly opened sums (docs/statistics.md)');
  addConnectionOptions(stats.command('ols'))
    .description('linear regression (OLS, weighted, ridge): coefficients, standard errors, t, p, R², F, as statsmodels prints them')
    .requiredOption('--table <name,...>', 'the table (several: concatenated, same columns)')
    .requiredOption('--y <column>', 'the response')
    .requiredOption('--x <column,...>', 'the predictors (numeric, boolean or category columns)')
    .option('--by <column>', 'one fit per group of this column (category, boolean or integer; at most 256 declared values)')
    .option('--weights <column>', 'weights (weighted least squares; a column declared ≥ 0)')
    .option('--ridge <lambda>', 'ridge penalty on the non-intercept coefficients (no standard errors then)')
    .option('--level <fraction>', 'confidence level of the intervals', '0.95')
    .requiredOption('--to <recipient,...>', 'parties (with the output role) who open the sums; you must be one of them to see the fit')
    .option('--explain', 'only check the plan at the node: what it opens and reveals, and its estimated cost')
    .option('--json', 'JSON output')
    .addHelpText('after', EXAMPLE)
    .action(async (options: OlsFlags) => runOls(io, options));
  registerLogitCommand(stats, io);
  registerCoxCommand(stats, io);
  registerKaplanMeierCommand(stats, io);
  registerPredictCommand(stats, io);
}

async function runOls(io: Console, options: OlsFlags): Promise<void> {
  const { ols } = await import('../../stats/ols.js');
  const tables = list(options.table), x = list(options.x);
  if (tables.length === 0) throw new UsageError('--table names at least one table');
  const ridge = numberFlag(options.ridge, '--ridge'), level = numberFlag(options.level, '--level');
  const connected = await connectWithFlags(options);
  try {
    const to = list(options.to).map(connected.resolveParty);
    const frame = concatTables(connected.client, tables);
    const spec = { y: options.y, x, ...(options.weights !== undefined ? { weights: options.weights } : {}), ...(ridge !== undefined ? { ridge } : {}) };
    if (options.by !== undefined) {
      await explainOrOpenModel(io, options, connected, to, level, ols(frame, { ...spec, by: options.by }), { fit: 'the fits', from: 'the opened sums', label: 'the regressions' });
      return;
    }
    await explainOrOpenModel(io, options, connected, to, level, ols(frame, spec), {
      fit: 'the fit',
      from: 'the opened sums',
      label: 'the regression',
      notes: (fit) => (fit.emptyLevels.length > 0 ? [`left out (no rows): ${fit.emptyLevels.join(', ')}`] : []),
    });
  } finally {
    await connected.client.close();
  }
}
