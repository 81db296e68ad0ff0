/**
 * Adds the plan's differentially private noise (plan/check-privacy.ts) to the result columns,
 * inside MPC, just before they are masked for opening. Nobody ever holds the noise or the exact
 * value, only shares of their sum. Three steps, each batched over all columns:
 *
 * 1. Empty groups of bounded terms (min, max, quantile parts): value := present·(value − d) + d,
 *    d the term's interval's lower end (one multiplication), and the present bits become a public
 *    1, so whether a group had a value never opens; it only moves the value within the interval
 *    the sensitivity already covers (privacy/sensitivity.ts).
 * 2. Noise: fresh shares sampled jointly (mpc/protocols/noise-sampler.ts) added to each column.
 * 3. suppress_below k: keep = [noisy count ≥ k] (one comparison, its bit injection), and the
 *    table's validity becomes keep (times the old validity, if secret): ops/open.ts then opens
 *    every value times keep, so a suppressed group's values, noisy count included, open as 0 and
 *    the recipient's client drops its row. Deciding on the noisy count is post-processing.
 */

import { mul } from '../mpc/protocols/arith.js';
import { lt } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { sampleNoise } from '../mpc/protocols/noise-sampler.js';
import type { Session } from '../mpc/session.js';
import { addA, concatA, splitA, subA, type AShare } from '../mpc/shares.js';
import { addPublicA, publicA } from '../mpc/sharing.js';
import type { CheckedPrivacy, NoisyColumn } from '../plan/check-privacy.js';
import { SecretTable, type SecretColumn } from '../secret/secret-table.js';

export async function addNoise(s: Session, table: SecretTable, privacy: CheckedPrivacy): Promise<SecretTable> {
  const filled = await fillEmptyGroups(s, table, privacy.columns);
  const noise = await sampleNoise(s, privacy.columns.map((c) => ({ table: c.table, cells: table.rows })));
  const noisy = new Map(privacy.columns.map((c, i) => [c.column, noise[i]]));
  const columns = filled.columns.map((column) => {
    const n = noisy.get(column.schema.name);
    return n ? { ...column, values: addA(column.values, n) } : column;
  });
  const result = new SecretTable(table.rows, columns, table.validity);
  return privacy.suppress ? suppress(s, result, privacy.suppress.column, privacy.suppress.below) : result;
}

/** Step 1: every bounded column's empty groups take the public default; their present bits open as 1. */
async function fillEmptyGroups(s: Session, table: SecretTable, noisy: readonly NoisyColumn[]): Promise<SecretTable> {
  const bounded = noisy.filter((c) => c.empty !== undefined);
  if (bounded.length === 0 || table.rows === 0) return table;
  const n = table.rows;
  const presentOf = (c: NoisyColumn): AShare => {
    const present = table.column(c.empty!.presentOf).present;
    if (!present) throw new RangeError(`column '${c.empty!.presentOf}' carries no present bits`);
    return present;
  };
  const defaults = (c: NoisyColumn): BigUint64Array => new BigUint64Array(n).fill(BigInt.asUintN(64, c.empty!.value));
  const shifted = bounded.map((c) => subA(table.column(c.column).values, publicA(s.me, defaults(c))));
  const products = splitA(await mul(s, concatA(shifted), concatA(bounded.map(presentOf))), bounded.map(() => n));
  const filled = new Map(bounded.map((c, i) => [c.column, addPublicA(s.me, products[i], defaults(c))]));
  const ones = publicA(s.me, new BigUint64Array(n).fill(1n));
  const carriers = new Set(bounded.map((c) => c.empty!.presentOf));
  const columns = table.columns.map((column): SecretColumn => {
    const values = filled.get(column.schema.name) ?? column.values;
    return carriers.has(column.schema.name) ? { ...column, values, present: ones } : { ...column, values };
  });
  return new SecretTable(n, columns, table.validity);
}

/** Step 3: the rows whose noisy count is below k become invalid (opened as zeros, dropped by the recipient). */
async function suppress(s: Session, table: SecretTable, countColumn: string, below: number): Promise<SecretTable> {
  const n = table.rows;
  if (n === 0) return table;
  const small = await bitInject(s, await lt(s, table.column(countColumn).values, publicA(s.me, new BigUint64Array(n).fill(BigInt(below)))));
  const keep = subA(publicA(s.me, new BigUint64Array(n).fill(1n)), small);
  const validity = table.validity.kind === 'secret' ? await mul(s, table.validity.share, keep) : keep;
  return table.withValidity({ kind: 'secret', share: validity });
}
