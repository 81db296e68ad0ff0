/**
 * JavaScript numbers are doubles: beyond 2^53 they no longer hold every integer, so the literal
 * 9007199254740993 is already 9007199254740992 when the SDK sees it. Encoding such a number
 * would store a value the caller never wrote, silently. In-memory input is therefore checked
 * before encoding: a number in an integer or identifier column must be a safe integer (below
 * 2^53), and one in a decimal column of scale s > 0 must stay below 2^52 stored units
 * (value x 10^s). From 2^52 units on, two neighbouring decimals of the scale can round to the same
 * double (675539944105574.7 and .8 at scale 1 do), so the decimal meant cannot be told; below,
 * they never do, and the decimal encoder's own check (round(x·10^s) / 10^s = x) then finds the
 * decimal meant or refuses. Larger values must come as a bigint or a string, which are exact.
 */

import { ValueParseError } from '../errors.js';
import type { ColumnSchema, TableSchema } from '../table/schema.js';

/** 2^52: below this many stored units, distinct decimals of one scale are distinct doubles. */
const DECIMAL_UNITS_LIMIT = 2 ** 52;

/** Throws for the first number (in schema order, then row order) that may not be the value meant. */
export function refuseInexactNumbers(schema: TableSchema, columns: Readonly<Record<string, ArrayLike<unknown>>>): void {
  for (const column of schema.columns) {
    const inexact = inexactTest(column);
    const values = columns[column.name];
    if (inexact === undefined || values === undefined) continue;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value === 'number' && inexact(value)) throw inexactNumberError(column, i + 1);
    }
  }
}

/** Whether a number in this column may stand for a different value; undefined when no number can. */
function inexactTest(column: ColumnSchema): ((value: number) => boolean) | undefined {
  const t = column.type;
  switch (t.kind) {
    case 'integer':
    case 'identifier':
      // Non-integers are refused later as parse errors, with their own message.
      return (value) => Number.isInteger(value) && !Number.isSafeInteger(value);
    case 'decimal': {
      if (t.scale === 0) return (value) => Number.isInteger(value) && !Number.isSafeInteger(value);
      const factor = 10 ** t.scale;
      return (value) => Number.isFinite(value) && Math.abs(value) * factor >= DECIMAL_UNITS_LIMIT;
    }
    default:
      return undefined;
  }
}

function inexactNumberError(column: ColumnSchema, row: number): ValueParseError {
  const t = column.type;
  const scaled = t.kind === 'decimal' && t.scale > 0;
  const limit = scaled ? `2^52 units of 10^-${t.scale} (the column's scale)` : '2^53';
  const example = scaled ? `'12345678901234567.${'8'.repeat(t.scale)}'` : "12345678901234567n or '12345678901234567'";
  return new ValueParseError(
    `row ${row} of column '${column.name}' is a JavaScript number beyond ${limit}, where numbers no longer hold every ${scaled ? 'decimal of that scale' : 'integer'} exactly, ` +
      `so it may not be the value that was written; pass such values as a bigint or a string (e.g. ${example})`,
    { column: column.name, row },
  );
}
