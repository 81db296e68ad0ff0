/**
 * What both order-statistics protocols take and give back (radix-select.ts: an oblivious bitwise
 * search; order-statistics.ts: shuffle and quickselect), so the caller (ops/quantile-selection.ts)
 * hands either of them the same columns.
 */

import type { AShare } from '../shares.js';

export interface RankedColumn {
  readonly values: AShare;
  /** The values lie in [min, min + 2^keyBits). */
  readonly min: bigint;
  readonly keyBits: number;
  /** Ranks in [0, n) whose values are wanted (0 is the smallest). */
  readonly ranks: readonly number[];
}

export interface SelectedOrderStatistics {
  /** Per column, the values at its ranks (in the order the ranks were given). */
  readonly values: AShare[];
  /** The protocol's levels: the radix search's bit levels, or quickselect's sample-and-partition levels. */
  readonly levels: number;
}
