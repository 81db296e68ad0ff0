/**
 * crosstab: counts per cell by one-hot indicators (mpc/oblivious/one-hot.ts; the rows' cell
 * index from ops/group-key.ts), then inside MPC:
 *   suppressed = [count < k]   (one batched comparison over the cells: 8 rounds, ~32 bytes each)
 *   present    = 1 − suppressed,  count = present · count   (bit injection and one multiplication)
 * and margins as sums of the published counts (local: no communication). Nothing is opened here;
 * the open root opens the table for its recipients. plan/check-crosstab.ts says why margins
 * add up the published cells, not the true counts.
 */

import { mul } from '../mpc/protocols/arith.js';
import { lt } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { groupByDomain } from '../mpc/oblivious/one-hot.js';
import { publicA } from '../mpc/sharing.js';
import type { Session } from '../mpc/session.js';
import { AShare } from '../mpc/shares.js';
import type { CheckedCrosstab } from '../plan/check-crosstab.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { groupIndex } from './group-key.js';
import { bitLength } from '../plan/sort-layout.js';

export async function crosstab(s: Session, node: CheckedCrosstab, table: SecretTable): Promise<SecretTable> {
  const d = node.cells;
  const index = await groupIndex(s, node.keys, table, BigInt(d));
  // The index lies in [0, d] (group-key.ts): its bit decomposition runs on packed lanes. With
  // every row valid it is a declared cell (one-hot.ts inDomain).
  let counts = (await groupByDomain(s, index, d, [], { keyBits: bitLength(BigInt(d)), inDomain: table.validity.kind === 'all' })).counts;
  let present: AShare | undefined;
  if (node.suppressBelow !== undefined) {
    const below = await bitInject(s, await lt(s, counts, publicA(s.me, new BigUint64Array(d).fill(BigInt(node.suppressBelow)))));
    present = publicA(s.me, new BigUint64Array(d).fill(1n));
    for (let i = 0; i < d; i++) {
      present.a[i] -= below.a[i];
      present.b[i] -= below.b[i];
    }
    counts = await mul(s, present, counts);
  }
  const levels = node.keys.map((k) => Number(k.levels));
  // Output rows: every combination of (level, or "all" = levels[j]) per key, the last key fastest.
  const radix = node.margins ? levels.map((l) => l + 1) : levels;
  const rows = radix.reduce((a, b) => a * b, 1);
  const digits = (r: number): number[] => {
    const out = new Array<number>(radix.length);
    for (let j = radix.length - 1; j >= 0; j--) {
      out[j] = r % radix[j];
      r = Math.floor(r / radix[j]);
    }
    return out;
  };
  const cellOf = (ds: readonly number[]): number => ds.reduce((acc, v, j) => acc * levels[j] + v, 0);
  const outA = new BigUint64Array(rows), outB = new BigUint64Array(rows);
  const rowDigits = Array.from({ length: rows }, (_, r) => digits(r));
  rowDigits.forEach((ds, r) => {
    // The cells this row adds up: every level where the row says "all".
    let cells: number[][] = [[]];
    ds.forEach((v, j) => {
      const choices = v === levels[j] ? Array.from({ length: levels[j] }, (_, x) => x) : [v];
      cells = cells.flatMap((prefix) => choices.map((x) => [...prefix, x]));
    });
    for (const cell of cells) {
      const c = cellOf(cell);
      outA[r] += counts.a[c];
      outB[r] += counts.b[c];
    }
  });
  const facts = node.type.columns;
  const keyColumns = node.keys.map((k, j): SecretColumn => {
    const schema = columnSchemaOf(facts[j]);
    const value = (ds: readonly number[]): bigint => {
      const v = ds[j];
      if (v === levels[j]) return 0n; // "all" (margins)
      return k.column.nullable && v === levels[j] - 1 ? 0n : BigInt(v) + k.column.min;
    };
    const values = publicA(s.me, BigUint64Array.from(rowDigits, value));
    if (!schema.nullable) return { schema, values };
    const isNull = (ds: readonly number[]): boolean => ds[j] === levels[j] || (k.column.nullable && ds[j] === levels[j] - 1);
    return { schema, values, present: publicA(s.me, BigUint64Array.from(rowDigits, (ds) => (isNull(ds) ? 0n : 1n))) };
  });
  const countSchema = columnSchemaOf(facts[facts.length - 1]);
  let countPresent: AShare | undefined;
  if (countSchema.nullable) {
    // Cells carry their suppression bit; margins (sums of published cells) are always present.
    const pa = new BigUint64Array(rows), pb = new BigUint64Array(rows);
    const ones = publicA(s.me, BigUint64Array.of(1n));
    rowDigits.forEach((ds, r) => {
      const margin = ds.some((v, j) => v === levels[j]);
      if (margin || !present) {
        pa[r] = ones.a[0];
        pb[r] = ones.b[0];
      } else {
        const c = cellOf(ds);
        pa[r] = present.a[c];
        pb[r] = present.b[c];
      }
    });
    countPresent = new AShare(pa, pb);
  }
  const count: SecretColumn = countPresent ? { schema: countSchema, values: new AShare(outA, outB), present: countPresent } : { schema: countSchema, values: new AShare(outA, outB) };
  return new SecretTable(rows, [...keyColumns, count], ALL_VALID);
}
