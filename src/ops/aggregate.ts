/**
 * aggregate: the terms of every output (plan/registry.ts), each a sum over the valid rows.
 * When every row is publicly valid the sums are local (row counts are public); otherwise all
 * terms are inner products with the validity column, one batched round for the whole node
 * (8 bytes per term, whatever the row count: mpc/protocols/arith.ts dot).
 */

import { dot } from '../mpc/protocols/arith.js';
import type { Session } from '../mpc/session.js';
import { AShare, concatA, sumA } from '../mpc/shares.js';
import { publicA } from '../mpc/sharing.js';
import type { CheckedAggregate } from '../plan/check.js';
import type { LinearTerm } from '../plan/registry.js';
import { partName } from '../plan/registry.js';
import type { SecretTable } from '../secret/secret-table.js';

/** One secret scalar per part, named "<output>.<part>". */
export interface AggregateValues {
  readonly names: readonly string[];
  /** One element per name. */
  readonly values: AShare;
}

export async function aggregate(s: Session, node: CheckedAggregate, table: SecretTable): Promise<AggregateValues> {
  const names: string[] = [];
  const vectors: (AShare | 'rows')[] = [];
  for (const out of node.outputs) {
    for (const term of out.terms) {
      names.push(partName(out.name, term.part));
      vectors.push(termVector(term, table, out.column?.name));
    }
  }
  const n = table.rows;
  if (table.validity.kind === 'all') {
    return { names, values: concatA(vectors.map((v) => (v === 'rows' ? publicA(s.me, BigUint64Array.of(BigInt(n))) : sumA(v)))) };
  }
  if (n === 0) return { names, values: AShare.zeros(names.length) };
  const validity = table.validity.share;
  const weights = concatA(vectors.map(() => validity));
  const terms = concatA(vectors.map((v) => (v === 'rows' ? validity : v)));
  // Sum of validity over rows is dot(validity, validity) = Σ v² = Σ v for 0/1 values.
  return { names, values: await dot(s, weights, terms, n) };
}

function termVector(term: LinearTerm, table: SecretTable, column: string | undefined): AShare | 'rows' {
  if (term.of === 'rows') return 'rows';
  const c = table.column(column!);
  if (term.of === 'values') return c.values;
  return c.present ?? 'rows';
}
