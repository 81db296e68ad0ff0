/**
 * A secret table: columns of arithmetic replicated shares, a secret validity column, and each
 * column's schema (name, type with its declared range, nullability). Operators take and return
 * these; no node ever sees a value in them.
 *
 * Invariants every producer keeps (the scan of an append table establishes them with a range
 * check, ops/check-ranges.ts; uploaded tables have them from the uploader's client):
 *   1. validity is 0 or 1 in every row; a row with validity 0 takes part in nothing;
 *   2. in a valid row every present value lies in its column's declared range and a nullable
 *      column's `present` is 0 or 1;
 *   3. in a valid row a null cell's value is 0, so sums need no multiplication by `present`.
 * Validity that is publicly 1 in every row (a stored uploaded table) is kept as `all`, so
 * operators can skip the multiplications a secret validity needs.
 */

import { UsageError } from '../errors.js';
import { AShare } from '../mpc/shares.js';
import type { ColumnSchema } from '../table/schema.js';
import { textWordCount } from '../table/types/text.js';

export interface SecretColumn {
  readonly schema: ColumnSchema;
  /** The value; for a text column its first word (table/types/text.ts). */
  readonly values: AShare;
  /** A text column's further words (word 1 to W - 1), and only a text column's. */
  readonly words?: readonly AShare[];
  /** Nullable columns: 1 where the value is present, 0 where it is null. */
  readonly present?: AShare;
}

export type Validity = { readonly kind: 'all' } | { readonly kind: 'secret'; readonly share: AShare };

export const ALL_VALID: Validity = Object.freeze({ kind: 'all' });

export class SecretTable {
  constructor(
    readonly rows: number,
    readonly columns: readonly SecretColumn[],
    readonly validity: Validity,
  ) {
    for (const c of columns) {
      if (c.values.length !== rows || (c.present !== undefined && c.present.length !== rows)) throw new UsageError(`column '${c.schema.name}' has ${c.values.length} values, the table ${rows} rows`);
      if (c.schema.nullable !== (c.present !== undefined)) throw new UsageError(`column '${c.schema.name}': a nullable column carries its present bits, and only it`);
      const words = c.schema.type.kind === 'text' ? textWordCount(c.schema.type.maxBytes) - 1 : 0;
      if ((c.words?.length ?? 0) !== words || c.words?.some((w) => w.length !== rows)) throw new UsageError(`column '${c.schema.name}' should carry ${words} further text words of ${rows} values`);
    }
    if (validity.kind === 'secret' && validity.share.length !== rows) throw new UsageError(`the validity column has ${validity.share.length} values, the table ${rows} rows`);
  }

  column(name: string): SecretColumn {
    const c = this.columns.find((x) => x.schema.name === name);
    if (!c) throw new UsageError(`the secret table has no column '${name}'`);
    return c;
  }

  /** The named columns, in that order (views, no copy). */
  select(names: readonly string[]): SecretTable {
    return new SecretTable(this.rows, names.map((n) => this.column(n)), this.validity);
  }

  withValidity(validity: Validity): SecretTable {
    return new SecretTable(this.rows, this.columns, validity);
  }
}
