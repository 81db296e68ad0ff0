/**
 * open (the root): every column of the result table, and a nullable column's present bits, masked
 * for opening (mpc/sharing.ts maskForOpening) in the order the checked plan lists its parts
 * (plan/check.ts resultOutputs), so recipients decode them by name.
 *
 * A table with a secret validity column (after an oblivious filter) opens its rows with every
 * value multiplied by the validity (one batched multiplication, 8 bytes per cell) and the validity
 * itself as the column "$valid": the recipient's client drops the rows where it is 0, and the
 * zeroed rows tell it nothing about the rows that were filtered out. The nodes open nothing; the
 * recipient learns how many rows passed, which is the result's size.
 */

import { mul } from '../mpc/protocols/arith.js';
import type { Session } from '../mpc/session.js';
import { concatA, splitA, type AShare } from '../mpc/shares.js';
import { maskForOpening } from '../mpc/sharing.js';
import type { QueryOutputInfo } from '../wire/api.js';
import { VALID_COLUMN, type OpenedColumn, type Outputs } from '../secret/outputs.js';
import type { SecretTable } from '../secret/secret-table.js';
import { textWordIndex } from '../plan/text-parts.js';

const PRESENT_SUFFIX = '.present';

export async function openTable(s: Session, table: SecretTable, outputs: readonly QueryOutputInfo[], recipients: readonly string[]): Promise<Outputs> {
  const names: string[] = [];
  let vectors: AShare[] = [];
  for (const out of outputs) {
    for (const p of out.parts) {
      // A present part is named "<column>.present", a text's word k "<column>.w<k>" (plan/check.ts resultOutputs).
      const word = textWordIndex(p.part);
      const column = table.column(p.part === 'present' ? p.column.slice(0, -PRESENT_SUFFIX.length) : word !== undefined ? p.column.slice(0, -`.w${word}`.length) : p.column);
      const vector = p.part === 'present' ? column.present : word !== undefined ? column.words?.[word - 1] : column.values;
      if (!vector) throw new RangeError(`result column '${p.column}' has no present bits`);
      names.push(p.column);
      vectors.push(vector);
    }
  }
  if (table.validity.kind === 'secret' && table.rows > 0) {
    const validity = table.validity.share;
    vectors = splitA(await mul(s, concatA(vectors), concatA(vectors.map(() => validity))), vectors.map((v) => v.length));
    names.push(VALID_COLUMN);
    vectors.push(validity);
  }
  const columns = vectors.map((v, k): OpenedColumn => {
    const masked = maskForOpening(s.me, s.prgCommon, v);
    return { name: names[k], a: masked.a, b: masked.b };
  });
  return { recipients, rows: table.rows, columns };
}
