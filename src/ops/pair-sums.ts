/**
 * The vectors a pair aggregate (plan/functions/pair-moments.ts: corr, covar_samp) sums, per row:
 * over the rows where both x and y are non-null, 1, x, y, x·y, x², y². A null's value is 0 in a
 * valid row (secret-table.ts invariant 3), so x·y needs no mask; x and x² are masked by y's
 * present bit (and y, y² by x's). All products of all pairs run in one batched multiplication,
 * and the masked squares in a second where a column is nullable. The group kernels (ops/group-
 * by.ts) then sum them like any sum, per group or whole; rows that are not valid drop out there.
 */

import { mul } from '../mpc/protocols/arith.js';
import type { Session } from '../mpc/session.js';
import { AShare, concatA, splitA } from '../mpc/shares.js';
import type { CheckedOutput } from '../plan/check.js';
import type { TermKind } from '../plan/registry.js';
import type { SecretTable } from '../secret/secret-table.js';

/** Per output index, per pair term kind: its vector, or 'rows' where it is every row (count of two non-nullable columns). */
export type PairVectors = ReadonlyMap<number, ReadonlyMap<TermKind, AShare | 'rows'>>;

export async function pairVectors(s: Session, outputs: readonly CheckedOutput[], table: SecretTable): Promise<PairVectors> {
  const pairs = outputs.map((o, i) => ({ o, i })).filter(({ o }) => o.other !== undefined);
  const out = new Map<number, Map<TermKind, AShare | 'rows'>>();
  if (pairs.length === 0) return out;
  const n = table.rows;
  // First batch: x·y, x·x, y·y, and where nullable px·py, x·py, y·px.
  const left: AShare[] = [], right: AShare[] = [];
  const product = (a: AShare, b: AShare): number => (left.push(a), right.push(b), left.length - 1);
  const plan = pairs.map(({ o, i }) => {
    const x = table.column(o.column!.name), y = table.column(o.other!.name);
    return {
      i, x, y,
      xy: product(x.values, y.values), xx: product(x.values, x.values), yy: product(y.values, y.values),
      both: x.present && y.present ? product(x.present, y.present) : undefined,
      xMasked: y.present ? product(x.values, y.present) : undefined,
      yMasked: x.present ? product(y.values, x.present) : undefined,
    };
  });
  const first = n === 0 ? left.map(() => AShare.zeros(0)) : splitA(await mul(s, concatA(left), concatA(right)), left.map(() => n));
  // Second batch: x²·py and y²·px where the other column is nullable.
  const l2: AShare[] = [], r2: AShare[] = [];
  const again = (a: AShare, b: AShare): number => (l2.push(a), r2.push(b), l2.length - 1);
  const masked = plan.map((p) => ({ xx: p.y.present ? again(first[p.xx], p.y.present) : undefined, yy: p.x.present ? again(first[p.yy], p.x.present) : undefined }));
  const second = l2.length === 0 || n === 0 ? l2.map(() => AShare.zeros(n)) : splitA(await mul(s, concatA(l2), concatA(r2)), l2.map(() => n));
  plan.forEach((p, k) => {
    const count: AShare | 'rows' = p.both !== undefined ? first[p.both] : p.x.present ?? p.y.present ?? 'rows';
    out.set(p.i, new Map<TermKind, AShare | 'rows'>([
      ['pair-count', count],
      ['pair-x', p.xMasked !== undefined ? first[p.xMasked] : p.x.values],
      ['pair-y', p.yMasked !== undefined ? first[p.yMasked] : p.y.values],
      ['pair-xy', first[p.xy]],
      ['pair-xx', masked[k].xx !== undefined ? second[masked[k].xx] : first[p.xx]],
      ['pair-yy', masked[k].yy !== undefined ? second[masked[k].yy] : first[p.yy]],
    ]));
  });
  return out;
}
