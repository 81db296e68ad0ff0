/**
 * What a logit with `by` (plan/check-logit-groups.ts) adds to the one fit of ops/logit.ts, which
 * runs every group's Newton iterations as one G-batched fit (the whole table is its G = 1):
 *
 * - the rows each group's fit sees: the secret indicators e_g = [group = g]
 *   (mpc/oblivious/group-indicators.ts: about 10 rounds once, ~3 + 8G bytes per row; 0 for every
 *   g on a row that is not valid, so a secret validity needs no step of its own);
 * - the output: one row per declared group, its key as a public constant (as a one-hot
 *   group-by's), then the single fit's columns, one entry per group.
 *
 * A group with no or too few rows, or separated, gets a meaningless state of its own that its
 * opened n, Σy, H and convergence bit make the recipient refuse (stats/logit-groups.ts); nothing
 * in one group's computation reaches another's rows (ops/logit.ts).
 */

import { groupIndicators } from '../mpc/oblivious/group-indicators.js';
import type { Session } from '../mpc/session.js';
import type { AShare } from '../mpc/shares.js';
import { publicA } from '../mpc/sharing.js';
import type { CheckedLogit } from '../plan/check-logit.js';
import { bitLength } from '../plan/sort-layout.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { groupIndex, keyValues } from './group-key.js';

/** e_g for every declared group g of `node.group`, n arithmetic 0/1 shares each. */
export async function groupMasks(s: Session, node: CheckedLogit, table: SecretTable): Promise<AShare[]> {
  const group = node.group!;
  return groupIndicators(s, await groupIndex(s, [group.key], table, BigInt(group.width)), group.width, bitLength(BigInt(group.width)));
}

/** G rows: the key as public constants, then `values` (one vector of G per output column after the key). */
export function groupsOutput(s: Session, node: CheckedLogit, values: readonly AShare[]): SecretTable {
  const group = node.group!;
  const keys = Array.from({ length: group.width }, (_, g) => keyValues([group.key], BigInt(g))[0]);
  const keyFacts = node.type.columns[0];
  const key: SecretColumn = {
    schema: columnSchemaOf(keyFacts),
    values: publicA(s.me, BigUint64Array.from(keys, (v) => BigInt.asUintN(64, v ?? 0n))),
    ...(keyFacts.nullable ? { present: publicA(s.me, BigUint64Array.from(keys, (v) => (v === null ? 0n : 1n))) } : {}),
  };
  const columns = node.type.columns.slice(1).map((facts, k): SecretColumn => ({ schema: columnSchemaOf(facts), values: values[k] }));
  return new SecretTable(group.width, [key, ...columns], ALL_VALID);
}
