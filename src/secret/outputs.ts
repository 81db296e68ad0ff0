/**
 * What a plan opens: named values, each node's shares already re-randomised for opening
 * (mpc/sharing.ts maskForOpening), for the named recipients only. The node's flow seals each
 * node's components to each recipient; no node ever holds a result in the clear.
 */

export interface OpenedValue {
  /** "<output>.<part>" (plan/registry.ts partName). */
  readonly name: string;
  /** This node's two components (x_i, x_{i+1}) of the masked value. */
  readonly a: bigint;
  readonly b: bigint;
}

export interface Outputs {
  readonly recipients: readonly string[];
  readonly values: readonly OpenedValue[];
}
