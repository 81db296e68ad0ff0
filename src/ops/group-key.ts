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
import { combineInto } from '../mpc/protocols/kernels.js';
import { addConstA, constantSlot } from '../mpc/sharing.js';
import type { Session } from '../mpc/session.js';
import { AShare } from '../mpc/shares.js';
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
  // The index is linear in the key columns (and their present bits): one pass over the rows
  // into one fresh vector, instead of a fresh vector per key and step (each one a page fault
  // per 4 KiB on first touch, which on this machine costs more than the arithmetic).
  const terms: [AShare, bigint][] = [];
  let constant = 0n;
  keys.forEach((k, j) => {
    const c = table.column(k.column.name);
    const rank = ranks?.get(k.column.name);
    if (rank) {
      terms.push([rank, stride[j]]);
    } else if (c.present) {
      // level = v + (L - 1) - present·(min + L - 1)
      const last = k.levels - 1n;
      terms.push([c.values, stride[j]], [c.present, -(k.column.min + last) * stride[j]]);
      constant += last * stride[j];
    } else {
      // level = v - min
      terms.push([c.values, stride[j]]);
      constant -= k.column.min * stride[j];
    }
  });
  const index = linearA(s, table.rows, terms, constant);
  if (table.validity.kind === 'all') return index;
  // outside + validity·(index - outside)
  const shifted = addConstA(s.me, index, -outside);
  return addConstA(s.me, await mul(s, table.validity.share, shifted), outside);
}

/** Σ c_k x_k + constant in one pass (the constant in the component that holds public constants). */
function linearA(s: Session, n: number, terms: readonly (readonly [AShare, bigint])[], constant: bigint): AShare {
  // One key whose levels start at 0 (a category, a boolean) is its own index: the column as it
  // is, read like any column (operators never write their inputs), not a copy of 16 bytes per
  // row that V8 would count towards its next full collection (docs/system.md, "Memory").
  if (terms.length === 1 && terms[0][1] === 1n && constant === 0n) return terms[0][0];
  const slot = constantSlot(s.me);
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  combineInto(a, terms.map(([x, c]) => [x.a, c] as const), slot === 'a' ? constant : 0n);
  combineInto(b, terms.map(([x, c]) => [x.b, c] as const), slot === 'b' ? constant : 0n);
  return new AShare(a, b);
}

/** The key values of combination `index` (null where a nullable key is at its null level). */
export function keyValues(keys: readonly GroupKey[], index: bigint): (bigint | null)[] {
  const stride = strides(keys);
  return keys.map((k, j) => {
    const level = (index / stride[j]) % k.levels;
    return k.column.nullable && level === k.levels - 1n ? null : level + k.column.min;
  });
}
