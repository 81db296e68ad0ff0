/**
 * What a plan opens: a table of named columns, each node's shares already re-randomised for
 * opening (mpc/sharing.ts maskForOpening), for the named recipients only. The node's flow seals
 * each node's components to each recipient; no node ever holds a result in the clear.
 */

export interface OpenedColumn {
  /** A result column's name (wire/api.ts QueryOutputInfo parts; "$valid" for a secret validity). */
  readonly name: string;
  /** This node's two components (x_i, x_{i+1}) of the masked values, one per result row. */
  readonly a: BigUint64Array;
  readonly b: BigUint64Array;
}

export interface Outputs {
  readonly recipients: readonly string[];
  /** Rows opened (before the recipient drops rows whose "$valid" is 0). */
  readonly rows: number;
  readonly columns: readonly OpenedColumn[];
}

/** The column that carries a secret validity to the recipient, whose client drops the rows where it is 0. */
export const VALID_COLUMN = '$valid';
