/**
 * Estimated cost of a cox node (ops/cox.ts, ops/cox-newton.ts), per party, from the protocols'
 * headers: the weight of complete rows (1 round, 8 bytes per row and factor), one sort pass by
 * time carrying d + 2 vectors, the tie flags (9 rounds, 24 bytes per row), one segmented sum scan
 * of the events (about 2 log2 n rounds, 16 bytes per row and level), then per iteration and row:
 * η (16 bytes), its clamp (2 comparisons, injections, products: 112), exp (170), the weighted
 * terms (16 per covariate and pair), the normalisation of S0 (leading one, injections and the
 * power of two: about 110) and of every sum (16 each), a reciprocal on [1/4, 1] (240), the
 * ratios (16 each), D·a (8 per covariate); per iteration, the inner products (one element each)
 * and the d × d solve (42 rounds per pivot). The log partial likelihood adds a degree-14
 * polynomial (240 bytes, 45 rounds) twice.
 */

import type { CheckedCox } from './check-cox.js';
import type { PlanCost } from './cost.js';
import { sortPassCost } from './cost-order.js';

export function coxCost(n: CheckedCox, secretValidity: boolean): PlanCost {
  const rows = n.input.type.maxRows;
  const d = n.x.length, pairs = (d * (d + 1)) / 2;
  const weighted = secretValidity || [n.time, n.event, ...n.x].some((c) => c.nullable);
  const pass = sortPassCost(rows, d + 2 + (weighted ? 1 : 0));
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(rows, 2))));
  const perRow = 16 + 112 + 170 + (weighted ? 8 : 0) + 16 * (d + pairs) + 110 + 16 * (1 + d + pairs) + 240 + 16 * (d + pairs) + 8 * d;
  const perIteration = 3 + 11 + 22 + (weighted ? 1 : 0) + 3 + 17 + 3 + 36 + 3 + 1 + 1 + 3;
  const solve = d * 42 + 13;
  const rounds = (weighted ? 1 : 0) + pass.rounds + 9 + 2 * levels + 3 + n.iterations * perIteration + (n.iterations - 1) * solve + 2 * 45 + 10;
  const bytes = (weighted ? 8 * rows * 2 : 0) + pass.bytesPerParty + 24 * rows + 16 * rows * 2 * levels + 16 * rows * pairs + n.iterations * rows * perRow + 2 * 240 * rows + n.iterations * 8 * (d + 2 * pairs) + (n.iterations - 1) * d * (240 + 24 * d * (d + 1));
  return { rounds, bytesPerParty: Math.round(bytes) };
}
