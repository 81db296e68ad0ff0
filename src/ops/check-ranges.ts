/**
 * The range check of rows that nobody checked before they were stored (append-table rows: a
 * client that bypassed the SDK could have dealt any 64-bit value). Every column of every row is
 * checked against its declared range in one batched MSB: x in [min, max] iff u = x - min
 * (mod 2^64) satisfies u < 2^63 and (max - min) - u >= 0, which is exact for every x. A nullable
 * column's present bit must be 0 or 1, and a null's value is not checked. A row failing any check
 * gets validity 0; null cells' values are then zeroed (invariant 3 of secret-table.ts).
 *
 * Public: the number of rows accepted (opened; the plan lists it). Cost: see plan/cost.ts.
 */

import { mul } from '../mpc/protocols/arith.js';
import { andBits } from '../mpc/protocols/binary.js';
import { msb } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { open } from '../mpc/protocols/io.js';
import type { Session } from '../mpc/session.js';
import { addConstA, notBits } from '../mpc/sharing.js';
import { AShare, BitShare, concatA, concatBits, negA, sliceBits, sumA } from '../mpc/shares.js';
import { declaredRange } from '../plan/types.js';
import { SecretTable, type SecretColumn } from '../secret/secret-table.js';

export interface RangeChecked {
  readonly table: SecretTable;
  /** Rows that passed (opened: public). */
  readonly accepted: number;
}

/** Called before each batched protocol round (progress.ts rangeCheckSteps counts them). */
export type RoundListener = () => Promise<void>;

export async function checkRanges(s: Session, table: SecretTable, onRound: RoundListener = async () => undefined): Promise<RangeChecked> {
  const n = table.rows;
  if (n === 0) return { table: table.withValidity({ kind: 'secret', share: AShare.zeros(0) }), accepted: 0 };
  const accepted = await acceptedRows(s, table, onRound);
  await onRound();
  const validity = await bitInject(s, accepted);
  await onRound();
  const opened = await open(s, sumA(validity));
  const nullable = table.columns.filter((c) => c.present !== undefined);
  let columns: readonly SecretColumn[] = table.columns;
  if (nullable.length > 0) {
    // values x present: a null's value becomes 0 in every row whose present bit is checked.
    await onRound();
    const zeroed = await mul(s, concatA(nullable.map((c) => c.values)), concatA(nullable.map((c) => c.present!)));
    const byName = new Map(nullable.map((c, k) => [c.schema.name, zeroed.slice(k * n, (k + 1) * n)]));
    columns = table.columns.map((c) => (byName.has(c.schema.name) ? { ...c, values: byName.get(c.schema.name)! } : c));
  }
  return { table: new SecretTable(n, columns, { kind: 'secret', share: validity }), accepted: Number(opened[0]) };
}

/** One bit per row: every column within its declared range (nulls exempt, present bits 0 or 1). */
async function acceptedRows(s: Session, table: SecretTable, onRound: RoundListener): Promise<BitShare> {
  const me = s.me;
  const n = table.rows;
  const inputs: AShare[] = [];
  for (const c of table.columns) {
    const { min, max } = declaredRange(c.schema.type);
    const u = addConstA(me, c.values, -min);
    inputs.push(u, addConstA(me, negA(u), max - min));
    if (c.present) inputs.push(c.present, addConstA(me, negA(c.present), 1n), negA(c.present));
  }
  await onRound();
  const signs = await msb(s, concatA(inputs));
  let at = 0;
  const next = (): BitShare => sliceBits(signs, n * at++, n);
  const lowNot: BitShare[] = [];
  const highNot: BitShare[] = [];
  const presentBits: BitShare[] = [];
  for (const c of table.columns) {
    lowNot.push(notBits(me, next()));
    highNot.push(notBits(me, next()));
    if (c.present) {
      lowNot.push(notBits(me, next()));
      highNot.push(notBits(me, next()));
      presentBits.push(next()); // msb(-present) is 1 exactly when present is 1 (given it is 0 or 1)
    }
  }
  // inRange = NOT(u >= 2^63) AND NOT((max - min) - u < 0); the same for present bits in [0, 1].
  await onRound();
  const both = await andBits(s, concatBits(lowNot), concatBits(highNot));
  const checks = lowNot.map((_, k) => sliceBits(both, k * n, n));
  const terms: BitShare[] = [];
  const valueInRange: BitShare[] = [];
  let k = 0;
  for (const c of table.columns) {
    const inRange = checks[k++];
    if (!c.present) {
      terms.push(inRange);
      continue;
    }
    terms.push(checks[k++]); // present bit is 0 or 1
    valueInRange.push(inRange);
  }
  if (presentBits.length > 0) {
    // A null's value is not checked: reject only "present and out of range".
    await onRound();
    const bad = await andBits(s, concatBits(presentBits), concatBits(valueInRange.map((b) => notBits(me, b))));
    presentBits.forEach((_, i) => terms.push(notBits(me, sliceBits(bad, i * n, n))));
  }
  return andAll(s, terms, n, onRound);
}

/** AND of equally long bit vectors, a balanced tree: one round per level, all pairs of a level at once. */
async function andAll(s: Session, terms: BitShare[], n: number, onRound: RoundListener): Promise<BitShare> {
  let level = terms;
  while (level.length > 1) {
    await onRound();
    const half = Math.floor(level.length / 2);
    const product = await andBits(s, concatBits(level.slice(0, half)), concatBits(level.slice(half, 2 * half)));
    const next: BitShare[] = [];
    for (let i = 0; i < half; i++) next.push(sliceBits(product, i * n, n));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}
