/**
 * The wording of every cell-level input error, shared by the in-memory encoder and the file
 * reader so that both say the same thing. A message names the column, the 1-based data row and
 * the declared (public) constraint, and never the offending value: messages end up in logs.
 */

import { NullValueError, RangeCheckError, UnknownCategoryError, ValueParseError, type TesseraError } from '../errors.js';
import { describeExpectedText, describeRange } from './column-type.js';
import type { EncodeFailure } from './types/common.js';
import type { ColumnSchema } from './schema.js';

export type CellFailure = EncodeFailure | 'null';

/** Order in which failures of one cell are reported (a null cell is not also a parse failure). */
export const CELL_FAILURES: readonly CellFailure[] = ['null', 'parse', 'precision', 'range', 'unknown-category', 'too-long'];

export function cellError(failure: CellFailure, column: ColumnSchema, row: number): TesseraError {
  const where = `row ${row} of column '${column.name}'`;
  const location = { column: column.name, row };
  const t = column.type;
  switch (failure) {
    case 'null':
      return new NullValueError(`${where} is empty (null), but the column is not nullable; declare it with nullable: true, or fill in the value`, location);
    case 'precision':
      if (t.kind === 'decimal') {
        return new ValueParseError(`${where} has more decimal digits than the declared scale ${t.scale}; declare a larger scale, or round the data`, location);
      }
      return new ValueParseError(`${where} is not a valid ${t.kind}: it has a fractional part; declare the column as a decimal, or round the data`, location);
    case 'parse':
      return new ValueParseError(`${where} is not a valid ${t.kind}: expected ${describeExpectedText(t)}; correct the value, or declare the column's type`, location);
    case 'range':
      return new RangeCheckError(`${where} is outside the declared range ${describeRange(t)}; declare a wider range, or correct the value`, location);
    case 'too-long': {
      const bound = t.kind === 'text' ? `the declared ${t.maxBytes} bytes` : 'its declared length';
      return new RangeCheckError(`${where} is longer than ${bound} (UTF-8); declare a larger bound (e.g. text(${t.kind === 'text' ? t.maxBytes * 2 : 32})), or shorten the value`, location);
    }
    case 'unknown-category': {
      const size = t.kind === 'category' ? t.dictionary.length : 0;
      return new UnknownCategoryError(`${where} is not in the column's dictionary (${size} entries); add the value to the dictionary, or correct it`, location);
    }
  }
}
