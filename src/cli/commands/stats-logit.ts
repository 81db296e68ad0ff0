/**
 * `tessera stats logit --table T[,T2…] --y COL --x A,B,C [--by G] [--iterations N] --to R`: a logistic
 * regression (one per group of G with --by, in the same Newton rounds) on secret tables (several tables are concatenated), ten Newton steps inside MPC by
 * default, printed as statsmodels' Logit summary; `--explain` only checks the plan at the node
 * and says what the opened state reveals (src/stats/logit.ts).
 */

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import type { Console } from '../output.js';
import { concatTables, list, numberFlag } from './stats-flags.js';
import { explainOrOpenModel } from './stats-model.js';

type LogitFlags = ConnectionFlags & { table: string; y: string; x: string; by?: string; iterations?: string; level?: string; to?: string; store?: string; explain?: boolean; json?: boolean };


const EXAMPLE = `\nExample:\n  tessera stats logit --table cars --y am --x hp,wt --to "St. Mary Hospital" --cluster ./cluster --as "St. Mary Hospital"
The response is 0/1 (a boolean, or an integer declared in [0, 1]); a category predictor enters as one dummy per level but the first.
Predictors are standardised from their declared ranges (at most 2^17 stored units wide).
The recipients learn the final coefficients, the gradient and information matrix there, the log-likelihood, n and the count of y = 1.
Separated classes (no finite maximum likelihood) are refused, never answered.`;

export function registerLogitCommand(stats: Command, io: Console): void {
  addConnectionOptions(stats.command('logit'))
    .description('logistic regression (Newton/IRLS inside MPC): coefficients, standard errors, z, p, log-likelihood, pseudo R², as statsmodels prints them')
    .requiredOption('--table <name,...>', 'the table (several: concatenated, same columns)')
    .requiredOption('--y <column>', 'the 0/1 response')
    .requiredOption('--x <column,...>', 'the predictors (numeric, boolean or category columns)')
    .option('--by <column>', 'one fit per group of this column (category, boolean or integer; at most 256 declared values), all in the same Newton rounds')
    .option('--iterations <n>', 'Newton steps inside MPC (1 to 25)', '10')
    .option('--level <fraction>', 'confidence level of the intervals', '0.95')
    .option('--to <recipient,...>', 'parties (with the output role) who open the final state; you must be one of them to see the fit')
    .option('--store <name>', 'store the fitted model at the nodes instead (coefficients secret; tessera stats predict --model NAME)')
    .option('--explain', 'only check the plan at the node: what it opens and reveals, and its estimated cost')
    .option('--json', 'JSON output')
    .addHelpText('after', EXAMPLE)
    .action(async (options: LogitFlags) => runLogit(io, options));
}

async function runLogit(io: Console, options: LogitFlags): Promise<void> {
  const { logit } = await import('../../stats/logit.js');
  const tables = list(options.table), x = list(options.x);
  if (tables.length === 0) throw new UsageError('--table names at least one table');
  const iterations = numberFlag(options.iterations, '--iterations'), level = numberFlag(options.level, '--level');
  if ((options.to === undefined) === (options.store === undefined)) throw new UsageError('give either --to (open the fit to recipients) or --store NAME (keep the model secret at the nodes)');
  const connected = await connectWithFlags(options);
  try {
    const frame = concatTables(connected.client, tables);
    if (options.by !== undefined) {
      if (options.store !== undefined) throw new UsageError('--store keeps one model: store one per group (filter each group first), or open the per-group fits with --to');
      const grouped = logit(frame, { y: options.y, x, by: options.by }).fit(iterations !== undefined ? { iterations } : {});
      const to = list(options.to!).map(connected.resolveParty);
      await explainOrOpenModel(io, options, connected, to, level, grouped, { fit: 'the fits', from: 'the opened state', label: 'the regressions' });
      return;
    }
    const model = logit(frame, { y: options.y, x }).fit(iterations !== undefined ? { iterations } : {});
    if (options.store !== undefined) {
      const info = await (await model.store(options.store)).result();
      io.line(options.json ? JSON.stringify(info) : `stored model '${info.name}' (coefficients secret at the nodes; its schema: ${info.schema.columns.map((c) => c.name).join(', ')})`);
      return;
    }
    const to = list(options.to!).map(connected.resolveParty);
    await explainOrOpenModel(io, options, connected, to, level, model, { fit: 'the fit', from: 'the opened state', label: 'the regression' });
  } finally {
    await connected.client.close();
  }
}
