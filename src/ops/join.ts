/**
 * join: the rows of two secret tables whose keys are equal, by the sort-based primary-key to
 * foreign-key join of mpc/oblivious/join.ts. The checked node (plan/check-join.ts) says which
 * side's key is unique (the primary side); the output has the left side's columns, then the right
 * side's other than its keys.
 *
 * - Several key columns are packed into one sort key, Σ (k_i − min_i)·w_i (local: public weights);
 *   a text key of several words enters as its dense rank among both sides' rows (ops/text-rank.ts:
 *   two sorts); a one-word text (maxBytes ≤ 7) as its word. A single key is shifted to start at 0.
 *   The key's declared range goes to the kernel (`keyBits`), so the sort compares the key packed
 *   with the row index in one word.
 * - A row takes part in matching only when it is valid and none of its keys is null: those 0/1
 *   factors are multiplied into the kernel's `matchable` (1 round per factor beyond the first), so
 *   a row an oblivious filter dropped never matches, whatever its (unchecked) key holds.
 * - A left join keeping the foreign side marks the primary side's columns null where nothing
 *   matched (present = matched); keeping the primary side (one-to-many), the foreign side's columns
 *   are null on the primary rows that matched none (present = the kernel's fromForeign).
 * - reveal-count compacts (the output row count is public); oblivious returns all stacked rows
 *   with a secret validity column.
 */

import { QueryError, UsageError } from '../errors.js';
import { pkFkJoin, type JoinSide } from '../mpc/oblivious/join.js';
import { mul } from '../mpc/protocols/arith.js';
import type { Session } from '../mpc/session.js';
import { addA, AShare, scaleA } from '../mpc/shares.js';
import { addConstA } from '../mpc/sharing.js';
import type { CheckedJoin, KeyPacking } from '../plan/check-join.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnsFromVectors, tableVectors } from '../secret/column-vectors.js';
import { jointTextRanks } from './text-rank.js';
import { joinKeyBits, singleKeyMin } from '../plan/join-key-bits.js';
import { joinManyToMany } from './join-many.js';

export interface JoinResult {
  readonly table: SecretTable;
  /** The output rows, when the mode opens them (reveal-count). */
  readonly rows?: number;
}

export async function join(s: Session, node: CheckedJoin, left: SecretTable, right: SecretTable): Promise<JoinResult> {
  const rightKeys = new Set(node.keys.map((k) => k.right.name));
  const leftColumns = left.columns;
  const rightColumns = right.columns.filter((c) => !rightKeys.has(c.schema.name));
  const ranks = await textKeyRanks(s, node, left, right);
  const sides = {
    left: await sideOf(s, left, leftColumns, node.keys.map((k) => k.left.name), node, ranks.left),
    right: await sideOf(s, right, rightColumns, node.keys.map((k) => k.right.name), node, ranks.right),
  };
  if (node.kind === 'many-to-many') return joinManyToMany(s, node, sides.left, sides.right, leftColumns, rightColumns);
  const primaryIsLeft = node.primary === 'left';
  const [primary, foreign] = primaryIsLeft ? [sides.left, sides.right] : [sides.right, sides.left];
  let joined;
  try {
    joined = await pkFkJoin(s, primary, foreign, node.how, node.mode, {
      foreignUnique: node.kind === 'one-to-one',
      keep: primaryIsLeft ? 'primary' : 'foreign',
      refuse: (side, pairs) => duplicateKeys(node, side === 'primary' ? node.primary : primaryIsLeft ? 'right' : 'left', pairs),
      keyBits: joinKeyBits(node),
    });
  } catch (error) {
    if (error instanceof UsageError) throw new QueryError(`plan ${node.path}: ${error.message}`);
    throw error;
  }
  const [leftVectors, rightVectors] = primaryIsLeft ? [joined.primary, joined.foreign] : [joined.foreign, joined.primary];
  // Where the right side's columns are null in a left join: unmatched rows (or kept primary rows).
  const rightPresent = node.how === 'left' ? (primaryIsLeft ? joined.fromForeign! : joined.matched) : undefined;
  const out = [...columnsFrom(leftColumns, leftVectors, undefined), ...columnsFrom(rightColumns, rightVectors, rightPresent)];
  const rows = joined.key.length;
  if (node.mode === 'oblivious') return { table: new SecretTable(rows, out, { kind: 'secret', share: joined.valid! }) };
  return { table: new SecretTable(rows, out, ALL_VALID), rows: joined.count! };
}

/** A side as the kernel takes it: the packed key, every carried column's values and present bits, and who may match. */
async function sideOf(s: Session, table: SecretTable, carried: readonly SecretColumn[], keys: readonly string[], node: CheckedJoin, ranks: ReadonlyMap<string, AShare>): Promise<JoinSide> {
  const payload = tableVectors(carried);
  const key = packKey(s, keys.map((k) => ranks.get(k) ?? table.column(k).values), node.packing, singleKeyMin(node));
  const exists = table.validity.kind === 'secret' ? table.validity.share : undefined;
  const factors = [...(exists ? [exists] : []), ...keys.flatMap((k) => table.column(k).present ?? [])];
  let matchable = factors[0];
  for (const f of factors.slice(1)) matchable = await mul(s, matchable, f);
  return { key, payload, ...(matchable ? { matchable } : {}), ...(exists ? { exists } : {}) };
}

/** Each text key pair's dense ranks over both sides' rows, by each side's key name. */
async function textKeyRanks(s: Session, node: CheckedJoin, left: SecretTable, right: SecretTable): Promise<{ left: Map<string, AShare>; right: Map<string, AShare> }> {
  const out = { left: new Map<string, AShare>(), right: new Map<string, AShare>() };
  for (const [i, k] of node.keys.entries()) {
    if (node.packing[i].rank !== true) continue;
    const [l, r] = await jointTextRanks(s, left.column(k.left.name), right.column(k.right.name));
    out.left.set(k.left.name, l);
    out.right.set(k.right.name, r);
  }
  return out;
}

/** The sort key: one key column shifted to start at 0, or several packed (Σ (k_i − min_i)·w_i). */
function packKey(s: Session, keys: readonly AShare[], packing: readonly KeyPacking[], min: bigint): AShare {
  if (keys.length === 1) return addConstA(s.me, keys[0], -min);
  let packed = AShare.zeros(keys[0].length);
  let offset = 0n;
  keys.forEach((k, i) => {
    packed = addA(packed, scaleA(k, packing[i].weight));
    offset += packing[i].min * packing[i].weight;
  });
  return addConstA(s.me, packed, -offset);
}

/** Columns from the kernel's vectors (values, then present bits of nullable columns), in order. */
export function columnsFrom(columns: readonly SecretColumn[], vectors: readonly AShare[], nullWhereNot: AShare | undefined): SecretColumn[] {
  return columnsFromVectors(columns, vectors).map((c): SecretColumn => {
    if (c.present) return { ...c, schema: { ...c.schema, nullable: true } };
    if (nullWhereNot) return { ...c, schema: { ...c.schema, nullable: true }, present: nullWhereNot };
    return c;
  });
}

/** How to join when neither key is unique: with a declared output bound. */
const MANY_TO_MANY = "if neither side's key is unique, declare the join many-to-many with a bound on its output rows (SDK: join(other, { on, maxRows: N }); SQL: t.sql(statement, { joinMaxRows: N }) or tessera sql --join-max-rows N; plan: kind 'many-to-many', max_rows), or deduplicate a side";

function duplicateKeys(node: CheckedJoin, side: 'left' | 'right', pairs: bigint): UsageError {
  const keys = node.keys.map((k) => k[side].name).join(', ');
  const advice = node.kind === 'one-to-one'
    ? `declare the kind whose unique side holds (many-to-one: the right side's key, one-to-many: the left side's)`
    : side === 'right'
      ? `if the left side's key is unique instead, declare kind 'one-to-many'; ${MANY_TO_MANY}`
      : `if the right side's key is unique instead, declare kind 'many-to-one'; ${MANY_TO_MANY}`;
  return new UsageError(`the ${side} side's key (${keys}) is not unique (${pairs} pairs of its rows share a key), as this ${node.kind} join needs: ${advice}`);
}
