/**
 * `tessera stats cox --table T[,T2…] --time COL --event COL --x A,B,C --to R`: the Cox
 * proportional hazards model (Breslow ties) on secret tables, fitted by Newton–Raphson inside
 * MPC, printed as R's summary(coxph(...)); `--explain` only checks the plan at the node and says
 * what it opens (src/stats/cox.ts).
 */

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import type { Console } from '../output.js';
import { concatTables, list, numberFlag } from './stats-flags.js';
import { explainOrOpenModel } from './stats-model.js';

type CoxFlags = ConnectionFlags & { table: string; time: string; event: string; x: string; iterations?: string; maxLogHazard?: string; level?: string; to: string; explain?: boolean; json?: boolean };


const EXAMPLE = `\nExample:\n  tessera stats cox --table ovarian --time futime --event fustat --x age,ecog_ps,rx --to "St. Mary Hospital" --cluster ./cluster --as "St. Mary Hospital"
The recipients learn the last Newton iterate, the score and information matrix there, the log partial
likelihoods at 0 and there, a convergence bit, and the numbers of rows and events.`;

export function registerCoxCommand(stats: Command, io: Console): void {
  addConnectionOptions(stats.command('cox'))
    .description('Cox proportional hazards model (Breslow ties): coefficients, hazard ratios with intervals, z, p, log partial likelihood, as R prints summary(coxph)')
    .requiredOption('--table <name,...>', 'the table (several: concatenated, same columns)')
    .requiredOption('--time <column>', 'the survival or censoring time (integer, decimal or date)')
    .requiredOption('--event <column>', '1/true for an event, 0/false for a censored row')
    .requiredOption('--x <column,...>', 'the covariates (integer, decimal or boolean columns)')
    .option('--iterations <n>', 'Newton iterations inside MPC (2 to 25; default 6)')
    .option('--max-log-hazard <E>', "bound on every row's |log relative hazard| against the ranges' centres (default 8, below 9.7)")
    .option('--level <fraction>', 'confidence level of the intervals', '0.95')
    .requiredOption('--to <recipient,...>', 'parties (with the output role) who open the statistics; you must be one of them to see the fit')
    .option('--explain', 'only check the plan at the node: what it opens and reveals, and its estimated cost')
    .option('--json', 'JSON output')
    .addHelpText('after', EXAMPLE)
    .action(async (options: CoxFlags) => runCox(io, options));
}

async function runCox(io: Console, options: CoxFlags): Promise<void> {
  const { cox } = await import('../../stats/cox.js');
  const tables = list(options.table);
  if (tables.length === 0) throw new UsageError('--table names at least one table');
  const iterations = numberFlag(options.iterations, '--iterations'), maxLogHazard = numberFlag(options.maxLogHazard, '--max-log-hazard'), level = numberFlag(options.level, '--level');
  const connected = await connectWithFlags(options);
  try {
    const to = list(options.to).map(connected.resolveParty);
    const frame = concatTables(connected.client, tables);
    const model = cox(frame, { time: options.time, event: options.event, x: list(options.x), ...(iterations !== undefined ? { iterations } : {}), ...(maxLogHazard !== undefined ? { maxLogHazard } : {}) });
    await explainOrOpenModel(io, options, connected, to, level, model, { fit: 'the fit', from: 'the opened statistics' });
  } finally {
    await connected.client.close();
  }
}
