/**
 * The registry of aggregates. Adding one (min, median, ...) is one file under functions/ and one
 * line here: the plan parser, the type and range checks, the HTTP schema (node/api/schemas.ts),
 * the CLI (`tessera query <fn>`), the executor (ops/aggregate.ts) and the client's decoding
 * (client/result.ts) all read this list.
 */

import type { AggregateFunction } from './functions/aggregate-function.js';
import { count } from './functions/count.js';
import { countDistinct } from './functions/count-distinct.js';
import { max } from './functions/max.js';
import { mean } from './functions/mean.js';
import { min } from './functions/min.js';
import { median, quantile } from './functions/quantile.js';
import { corr, covarSamp } from './functions/pair-moments.js';
import { sampleStd } from './functions/std.js';
import { sum } from './functions/sum.js';
import { sampleVar } from './functions/var.js';

export type { AggregateFunction, DecodedValue, LinearTerm, TermKind } from './functions/aggregate-function.js';
export { isLinearTerm } from './functions/aggregate-function.js';

const AGGREGATES: readonly AggregateFunction[] = [count, sum, mean, min, max, sampleVar, sampleStd, countDistinct, median, quantile, corr, covarSamp];
const BY_NAME = new Map(AGGREGATES.map((f) => [f.name, f]));

export function findAggregate(name: string): AggregateFunction | undefined {
  return BY_NAME.get(name);
}

/** The registered names, in registry order. */
export function aggregateNames(): string[] {
  return AGGREGATES.map((f) => f.name);
}

export function aggregates(): readonly AggregateFunction[] {
  return AGGREGATES;
}
