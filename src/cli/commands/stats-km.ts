/**
 * `tessera stats km --table T[,T2…] --time COL --event COL [--by COL] [--breaks b0,b1,…] --to R`:
 * Kaplan–Meier curves (per group) and the log-rank test on secret tables, printed as R's
 * summary(survfit), print(survfit) and survdiff; `--explain` only checks the plan at the node and
 * says what the opened counts reveal (src/stats/kaplan-meier.ts).
 */

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import { describeExplanation } from '../format-explain.js';
import type { Console } from '../output.js';
import { concatTables, list, resultJson } from './stats-flags.js';

type KmFlags = ConnectionFlags & { table: string; time: string; event: string; by?: string; breaks?: string; level?: string; confType?: string; to: string; explain?: boolean; json?: boolean };


const EXAMPLE = `\nExample:\n  tessera stats km --table aml --time weeks --event relapsed --by arm --to "St. Mary Hospital" --cluster ./cluster --as "St. Mary Hospital"
The recipients learn, per group and distinct time with rows, how many rows end there and how many had the event
(what R's survfit object holds); --breaks 30,90,180,365 opens only the counts per interval (b_{k-1}, b_k].`;

export function registerKaplanMeierCommand(stats: Command, io: Console): void {
  addConnectionOptions(stats.command('km'))
    .description("Kaplan–Meier curves with Greenwood's standard errors and medians, per group, and the log-rank test, as R's survfit and survdiff print them")
    .requiredOption('--table <name,...>', 'the table (several: concatenated, same columns)')
    .requiredOption('--time <column>', 'follow-up time: an integer column declared ≥ 0 (a decimal one needs --breaks)')
    .requiredOption('--event <column>', '1/true for the event, 0/false for censored: a boolean, or an integer column declared in [0, 1]')
    .option('--by <column>', 'one curve per group of this column, and the log-rank test between them')
    .option('--breaks <b0,b1,...>', 'public interval ends: a time in (b_{k-1}, b_k] counts at b_k, so only the intervals\' counts open')
    .option('--level <fraction>', 'confidence level of the intervals', '0.95')
    .option('--conf-type <type>', "confidence intervals on the 'log' (R's default) or 'log-log' scale", 'log')
    .requiredOption('--to <recipient,...>', 'parties (with the output role) who open the counts; you must be one of them to see the curves')
    .option('--explain', 'only check the plan at the node: what it opens and reveals, and its estimated cost')
    .option('--json', 'JSON output')
    .addHelpText('after', EXAMPLE)
    .action(async (options: KmFlags) => runKaplanMeier(io, options));
}

function numbers(text: string, flag: string): number[] {
  return list(text).map((t) => {
    const v = Number(t);
    if (!Number.isFinite(v)) throw new UsageError(`${flag} takes numbers, not ${JSON.stringify(t)}`);
    return v;
  });
}

async function runKaplanMeier(io: Console, options: KmFlags): Promise<void> {
  const { kaplanMeier } = await import('../../stats/kaplan-meier.js');
  const tables = list(options.table);
  if (tables.length === 0) throw new UsageError('--table names at least one table');
  const [level] = numbers(options.level ?? '0.95', '--level');
  const confidence = options.confType ?? 'log';
  if (confidence !== 'log' && confidence !== 'log-log') throw new UsageError(`--conf-type is 'log' or 'log-log', not ${JSON.stringify(confidence)}`);
  const breaks = options.breaks !== undefined ? numbers(options.breaks, '--breaks') : undefined;
  const connected = await connectWithFlags(options);
  try {
    const to = list(options.to).map(connected.resolveParty);
    const frame = concatTables(connected.client, tables);
    const model = kaplanMeier(frame, { time: options.time, event: options.event, ...(options.by !== undefined ? { by: options.by } : {}), ...(breaks !== undefined ? { breaks } : {}) });
    if (options.explain) {
      const explained = await model.explain({ to });
      io.line(options.json ? JSON.stringify(explained) : `${describeExplanation(explained, io.style)}\nthe survival curves: ${explained.reveals}`);
      return;
    }
    if (!to.includes(connected.party)) throw new UsageError(`the curves are computed by a recipient from the opened counts, and ${connected.party} is not among --to: add it, or run this as a recipient`);
    const km = await model.open({ to, level, confidence });
    if (options.json) {
      io.line(resultJson(km));
      return;
    }
    io.line(km.text());
    io.line(`plan ${km.plan}, query ${km.query}`);
  } finally {
    await connected.client.close();
  }
}
