/**
 * `tessera stats predict --model M --table T [--column p] [--class [--threshold t]] (--to R | --store NAME)`:
 * a stored logistic model's probabilities (or classes) for the rows of T, opened to the
 * recipients (printed as a table) or stored as a derived table; with `--score Y` instead, the
 * accuracy, confusion matrix and ROC AUC against the 0/1 column Y, computed inside MPC (only the
 * scores open). Store a model with `tessera stats logit … --store M` (src/stats/logit-predict.ts).
 */

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import { describeTable } from '../format-result.js';
import type { Console } from '../output.js';
import { list } from './stats-flags.js';

type PredictFlags = ConnectionFlags & { model: string; table: string; column: string; class?: boolean; threshold?: string; to?: string; store?: string; score?: string; json?: boolean };


const EXAMPLE = `\nExamples:
  tessera stats logit --table cars --y am --x hp,wt --store am_model --cluster ./cluster --as "St. Mary Hospital"
  tessera stats predict --model am_model --table new_cars --column p_am --to "St. Mary Hospital" --cluster ./cluster --as "St. Mary Hospital"
  tessera stats predict --model am_model --table new_cars --column p_am --store new_cars_scored ...
  tessera stats predict --model am_model --table labelled_cars --score am --to "St. Mary Hospital" ...
The model's coefficients never open; each predictor must be a column of the table, of the type it was fitted with.`;

export function registerPredictCommand(stats: Command, io: Console): void {
  addConnectionOptions(stats.command('predict'))
    .description("a stored logistic model's probabilities or classes for a secret table (opened or stored), or its scores against labels (accuracy, confusion matrix, ROC AUC)")
    .requiredOption('--model <name>', 'the stored model (tessera stats logit … --store NAME)')
    .requiredOption('--table <name>', 'the table to predict for')
    .option('--column <name>', 'the prediction column', 'p')
    .option('--class', 'the class [p ≥ threshold] instead of the probability')
    .option('--threshold <p>', 'the class threshold (default 0.5)')
    .option('--to <recipient,...>', 'parties (with the output role) who open the predictions or scores')
    .option('--store <name>', 'store the table with its prediction column at the nodes instead of opening it')
    .option('--score <column>', 'score against this 0/1 column instead: accuracy, confusion matrix, ROC AUC')
    .option('--json', 'JSON output')
    .addHelpText('after', EXAMPLE)
    .action(async (options: PredictFlags) => runPredict(io, options));
}

async function runPredict(io: Console, options: PredictFlags): Promise<void> {
  const { storedLogit } = await import('../../stats/logit-predict.js');
  const threshold = options.threshold === undefined ? undefined : Number(options.threshold);
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new UsageError(`--threshold takes a probability, not ${JSON.stringify(options.threshold)}`);
  if ((options.to === undefined) === (options.store === undefined) && options.score === undefined) throw new UsageError('give either --to (open the predictions) or --store NAME (keep them at the nodes)');
  if (options.score !== undefined && options.to === undefined) throw new UsageError('--score opens the scores: name the recipients with --to');
  const connected = await connectWithFlags(options);
  try {
    const model = storedLogit(connected.client.table(options.model));
    const table = connected.client.table(options.table);
    if (options.score !== undefined) {
      const to = list(options.to!).map(connected.resolveParty);
      const s = await model.score(table, { y: options.score, ...(threshold !== undefined ? { threshold } : {}) }, { to });
      if (options.json) return io.line(JSON.stringify(s));
      const c = s.confusion;
      io.line(`scores of model '${options.model}' on '${options.table}' (${s.rows} rows, label ${options.score}, threshold ${s.threshold})`);
      io.line(`  accuracy  ${s.accuracy.toFixed(4)}\n  ROC AUC   ${s.auc.toFixed(4)}`);
      io.line(`  confusion matrix    predicted 1  predicted 0\n    actual 1    ${String(c.truePositive).padStart(13)}  ${String(c.falseNegative).padStart(11)}\n    actual 0    ${String(c.falsePositive).padStart(13)}  ${String(c.trueNegative).padStart(11)}`);
      io.line(`plan ${s.plan}, query ${s.query}`);
      return;
    }
    const frame = model.predict(table, { as: options.column, ...(options.class ? { output: 'class' as const } : {}), ...(threshold !== undefined ? { threshold } : {}) });
    if (options.store !== undefined) {
      const handle = await frame.store(options.store);
      const info = await handle.result();
      io.line(options.json ? JSON.stringify(info) : `stored '${info.name}' (${info.rows} rows, column '${options.column}' secret at the nodes)`);
      return;
    }
    const to = list(options.to!).map(connected.resolveParty);
    const result = await (await frame.open({ to })).result();
    io.line(options.json ? JSON.stringify(result.table.rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) : `  ${describeTable(result.table)}`);
  } finally {
    await connected.client.close();
  }
}
