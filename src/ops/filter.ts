/**
 * filter: the rows where the predicate holds (ops/predicate.ts computes it as a secret 0/1 per
 * row, ANDed with the input's validity; when every row is valid and the predicate only compares
 * non-nullable operands, ops/predicate-bits.ts computes it as a packed shared bit instead, with
 * no injection and binary ANDs, and compaction shuffles that bit as a binary word).
 *
 * - reveal-count (the default): compacts with mpc/oblivious/compact.ts: the columns (values and
 *   present bits) and the predicate are shuffled together, the shuffled predicate is opened and
 *   the 1 rows kept. Public: how many rows remain; the kept rows come out in a random order, so
 *   which rows they were stays secret. The output's validity is publicly all 1. Only the columns
 *   the filter's consumer reads are carried (`carried`, ops/filter-columns.ts); the rest are
 *   dropped before the shuffle.
 * - oblivious: every row stays; the predicate becomes the secret validity column. Public: nothing.
 */

import { compact } from '../mpc/oblivious/compact.js';
import type { Session } from '../mpc/session.js';
import type { CheckedFilter } from '../plan/check.js';
import { ALL_VALID, SecretTable } from '../secret/secret-table.js';
import { evaluatePredicate } from './predicate.js';
import { evaluatePredicateBits } from './predicate-bits.js';
import { isBitPredicate } from '../plan/check-predicate.js';
import { injectBits } from '../mpc/protocols/inject.js';
import { AShare } from '../mpc/shares.js';
import { columnsFromVectors, tableVectors } from '../secret/column-vectors.js';

export interface Filtered {
  readonly table: SecretTable;
  /** The rows that remain, when the mode opens them (reveal-count). */
  readonly rows?: number;
}

export async function filter(s: Session, node: CheckedFilter, table: SecretTable, carried?: ReadonlySet<string>): Promise<Filtered> {
  const kept = carried === undefined || node.mode === 'oblivious' ? table.columns : table.columns.filter((c) => carried.has(c.schema.name));
  if (table.rows === 0) return node.mode === 'reveal-count' ? { table: new SecretTable(0, kept, table.validity), rows: 0 } : { table };
  const validity = table.validity.kind === 'secret' ? table.validity.share : undefined;
  // All rows valid and only comparisons of non-null operands: the predicate stays a packed bit
  // (ops/predicate-bits.ts); otherwise an arithmetic 0/1 ANDed with nulls and the validity.
  const keep = validity === undefined && isBitPredicate(node.predicate) ? await evaluatePredicateBits(s, node.predicate, table) : await evaluatePredicate(s, node.predicate, table, validity);
  if (node.mode === 'oblivious') return { table: table.withValidity({ kind: 'secret', share: keep instanceof AShare ? keep : (await injectBits(s, [keep]))[0] }) };
  const compacted = await compact(s, tableVectors(kept), keep);
  const columns = columnsFromVectors(kept, compacted.columns);
  return { table: new SecretTable(compacted.count, columns, ALL_VALID), rows: compacted.count };
}
