/**
 * Adds the plan's differentially private noise (plan/check-privacy.ts) to the result columns,
 * inside MPC, just before they are masked for opening: each noisy column's values plus fresh
 * shares of noise sampled jointly (mpc/protocols/noise-sampler.ts), all columns in one batch.
 * Nobody ever holds the noise or the exact value, only shares of their sum.
 */

import { sampleNoise } from '../mpc/protocols/noise-sampler.js';
import type { Session } from '../mpc/session.js';
import { addA } from '../mpc/shares.js';
import type { CheckedPrivacy } from '../plan/check-privacy.js';
import { SecretTable } from '../secret/secret-table.js';

export async function addNoise(s: Session, table: SecretTable, privacy: CheckedPrivacy): Promise<SecretTable> {
  const noise = await sampleNoise(s, privacy.columns.map((c) => ({ table: c.table, cells: table.rows })));
  const noisy = new Map(privacy.columns.map((c, i) => [c.column, noise[i]]));
  const columns = table.columns.map((column) => {
    const n = noisy.get(column.schema.name);
    return n ? { ...column, values: addA(column.values, n) } : column;
  });
  return new SecretTable(table.rows, columns, table.validity);
}
