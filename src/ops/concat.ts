/**
 * concat: the rows of tables with the same columns, one after another. Local: shares are
 * concatenated; a validity that is publicly all 1 becomes public shares of 1 when it meets a
 * secret one. The plan checker has made sure the columns agree (names, order, kinds).
 */

import type { PartyId } from '../mpc/party.js';
import { concatA } from '../mpc/shares.js';
import { publicA } from '../mpc/sharing.js';
import { ALL_VALID, SecretTable, type SecretColumn, type Validity } from '../secret/secret-table.js';
import { joinColumnSchemas } from '../secret/join-schemas.js';

export function concat(me: PartyId, tables: readonly SecretTable[]): SecretTable {
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const columns: SecretColumn[] = tables[0].columns.map((first, k) => {
    const parts = tables.map((t) => t.columns[k]);
    const nullable = parts.some((c) => c.present !== undefined);
    const schema = joinColumnSchemas(parts.map((c) => c.schema));
    const values = concatA(parts.map((c) => c.values));
    // Text columns of one concat have the same bound (plan/check.ts), so the same number of words.
    const words = first.words?.map((_, w) => concatA(parts.map((c) => c.words![w])));
    if (!nullable) return { schema, values, ...(words ? { words } : {}) };
    // A part without nulls is present everywhere: public ones.
    const present = concatA(parts.map((c, i) => c.present ?? publicA(me, ones(tables[i].rows))));
    return { schema, values, ...(words ? { words } : {}), present };
  });
  let validity: Validity = ALL_VALID;
  if (tables.some((t) => t.validity.kind === 'secret')) {
    validity = { kind: 'secret', share: concatA(tables.map((t) => (t.validity.kind === 'secret' ? t.validity.share : publicA(me, ones(t.rows))))) };
  }
  return new SecretTable(rows, columns, validity);
}

function ones(n: number): BigUint64Array {
  return new BigUint64Array(n).fill(1n);
}
