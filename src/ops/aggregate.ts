/**
 * aggregate: the terms of every output (plan/registry.ts), each a sum over the valid rows, as a
 * secret table of one row whose columns are the terms (plan/check.ts aggregateColumns).
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
import { factsToType } from '../plan/types.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';

export async function aggregate(s: Session, node: CheckedAggregate, table: SecretTable): Promise<SecretTable> {
  const sums = await termSums(s, node, table);
  const columns = node.type.columns.map((facts, k): SecretColumn => ({
    schema: { name: facts.name, type: factsToType(facts), nullable: false },
    values: new AShare(sums.a.subarray(k, k + 1), sums.b.subarray(k, k + 1)),
  }));
  return new SecretTable(1, columns, ALL_VALID);
}

/** Every term of every output, in order: one element each. */
async function termSums(s: Session, node: CheckedAggregate, table: SecretTable): Promise<AShare> {
  const vectors: (AShare | 'rows')[] = [];
  for (const out of node.outputs) {
    for (const term of out.terms) vectors.push(termVector(term, table, out.column?.name));
  }
  const n = table.rows;
  if (table.validity.kind === 'all') {
    return concatA(vectors.map((v) => (v === 'rows' ? publicA(s.me, BigUint64Array.of(BigInt(n))) : sumA(v))));
  }
  if (n === 0) return AShare.zeros(vectors.length);
  const validity = table.validity.share;
  const weights = concatA(vectors.map(() => validity));
  const terms = concatA(vectors.map((v) => (v === 'rows' ? validity : v)));
  // Sum of validity over rows is dot(validity, validity) = Σ v² = Σ v for 0/1 values.
  return dot(s, weights, terms, n);
}

function termVector(term: LinearTerm, table: SecretTable, column: string | undefined): AShare | 'rows' {
  if (term.of === 'rows') return 'rows';
  const c = table.column(column!);
  if (term.of === 'values') return c.values;
  return c.present ?? 'rows';
}
