/**
 * The keys of a group-by as one secret integer per row, and back.
 *
 * Each key becomes its level k in [0, levels): value - min, or levels - 1 for null (a null cell's
 * value is 0, so k = v + (L - 1) - present·(min + L - 1) is linear: no multiplication). The
 * levels combine in mixed radix, the first key varying slowest, so index order is the keys'
 * order with nulls last. Rows that are not valid get `outside` (one multiplication by validity),
 * a value no valid row has, so they fall in no group.
 */

import { mul } from '../mpc/protocols/arith.js';
import { addConstA } from '../mpc/sharing.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, scaleA, subA } from '../mpc/shares.js';
import type { GroupKey } from '../plan/check-group-by.js';
import type { SecretTable } from '../secret/secret-table.js';

/** Strides of the mixed radix: the last key's is 1. */
export function strides(keys: readonly GroupKey[]): bigint[] {
  const out = new Array<bigint>(keys.length);
  let stride = 1n;
  for (let j = keys.length - 1; j >= 0; j--) {
    out[j] = stride;
    stride *= keys[j].levels;
  }
  return out;
}

/** `ranks`: each text key's dense rank (ops/text-rank.ts), its level as it is (nulls have their own rank). */
export async function groupIndex(s: Session, keys: readonly GroupKey[], table: SecretTable, outside: bigint, ranks?: ReadonlyMap<string, AShare>): Promise<AShare> {
  const stride = strides(keys);
  let index = AShare.zeros(table.rows);
  keys.forEach((k, j) => {
    const c = table.column(k.column.name);
    const rank = ranks?.get(k.column.name);
    let level: AShare;
    if (rank) {
      level = rank;
    } else if (c.present) {
      const last = k.levels - 1n;
      level = addConstA(s.me, subA(c.values, scaleA(c.present, k.column.min + last)), last);
    } else {
      level = addConstA(s.me, c.values, -k.column.min);
    }
    index = addA(index, stride[j] === 1n ? level : scaleA(level, stride[j]));
  });
  if (table.validity.kind === 'all') return index;
  // outside + validity·(index - outside)
  const shifted = addConstA(s.me, index, -outside);
  return addConstA(s.me, await mul(s, table.validity.share, shifted), outside);
}

/** The key values of combination `index` (null where a nullable key is at its null level). */
export function keyValues(keys: readonly GroupKey[], index: bigint): (bigint | null)[] {
  const stride = strides(keys);
  return keys.map((k, j) => {
    const level = (index / stride[j]) % k.levels;
    return k.column.nullable && level === k.levels - 1n ? null : level + k.column.min;
  });
}
