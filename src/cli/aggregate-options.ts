/**
 * `tessera query`'s arguments beside the column: `--p FRACTION` (quantile) and `--other COLUMN`
 * (corr, covar_samp). Checked by the SDK's aggregate builder before anything connects, so a
 * missing or misplaced one is a usage error naming the flag.
 */

import { aggregate } from '../client/aggregates.js';
import { UsageError } from '../errors.js';
import { findAggregate } from '../plan/registry.js';

export interface AggregateFlags {
  readonly p?: string;
  readonly other?: string;
}

export function aggregateArgumentsFromFlags(op: string, column: string | undefined, flags: AggregateFlags): { readonly p?: number; readonly other?: string } {
  const entry = findAggregate(op);
  if (entry?.fraction === 'argument' && flags.p === undefined) throw new UsageError(`${op} needs its fraction: tessera query ${op} ${column ?? 'COLUMN'} --p 0.9 --to RECIPIENT`);
  if (entry?.pair === true && flags.other === undefined) throw new UsageError(`${op} needs its second column: tessera query ${op} ${column ?? 'X'} --other Y --to RECIPIENT`);
  if (flags.p !== undefined && entry?.fraction !== 'argument') throw new UsageError(`--p goes with quantile, not ${op}`);
  if (flags.other !== undefined && entry?.pair !== true) throw new UsageError(`--other goes with corr and covar_samp, not ${op}`);
  const p = flags.p === undefined ? undefined : Number(flags.p);
  if (flags.p !== undefined && (flags.p.trim() === '' || !Number.isFinite(p))) throw new UsageError(`--p is a number in [0, 1], not '${flags.p}'`);
  const args = { ...(p !== undefined ? { p } : {}), ...(flags.other !== undefined ? { other: flags.other } : {}) };
  aggregate(op, column, args); // the SDK's own checks (p in [0, 1], a column name), before connecting
  return args;
}
