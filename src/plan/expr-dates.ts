/**
 * Date parts of a secret date (days since 1970-01-01) as circuits, exact, by comparing with the
 * public boundaries inside the date's declared range [lo, hi]: a part is piecewise constant (or
 * linear) between boundaries, so it is its value at lo plus, per boundary b the date has passed
 * ([x ≥ b] = 1 − [x < b], all in one batched lt), the jump at b:
 *
 *   year    boundaries 1 January:        year(lo) + Σ [x ≥ b]
 *   month   boundaries the 1st of months: month(lo) + Σ [x ≥ b]·(+1, or −11 at January)
 *   day     x − (the 1st of lo's month + Σ [x ≥ b]·(b − previous 1st)) + 1
 *   weekday ISO, Monday 1 … Sunday 7, boundaries Mondays: x − (lo's Monday + Σ [x ≥ b]·7) + 1
 *
 * A comparison per boundary and row (8 + 2 rounds for all of them, ~40 bytes each), so the
 * declared range bounds the cost; more than MAX_BOUNDARIES are refused.
 */

import { PlanError } from '../errors.js';
import { civilFromDays, daysFromCivil, formatIsoDate } from '../table/civil-date.js';
import { constant, linear, lt, type Gate } from './expr-circuit.js';

export type DatePart = 'year' | 'month' | 'day' | 'weekday';
export const MAX_BOUNDARIES = 1000;

export interface DatePartCircuit {
  readonly value: Gate;
  readonly min: bigint;
  readonly max: bigint;
}

/** ISO weekday of a day count: 1970-01-01 was a Thursday (4). */
export function isoWeekday(days: number): number {
  return (((days + 3) % 7) + 7) % 7 + 1;
}

export function datePart(part: DatePart, x: Gate, lo: number, hi: number, path: string): DatePartCircuit {
  const starts = boundaries(part, lo, hi);
  if (starts.length > MAX_BOUNDARIES) {
    throw new PlanError(path, `${part}() over the declared range [${formatIsoDate(lo)}, ${formatIsoDate(hi)}] needs ${starts.length} comparisons per row (at most ${MAX_BOUNDARIES}); declare a narrower date range`);
  }
  const passed = (b: number): Gate => linear([[lt(x, constant(BigInt(b))), -1n]], 1n);
  const values = [lo, ...starts].map((d) => partOf(part, d));
  switch (part) {
    case 'year':
    case 'month': {
      const terms = starts.map((b, i): [Gate, bigint] => [passed(b), BigInt(values[i + 1] - values[i])]);
      // The part takes exactly the values at lo and at each boundary.
      return { value: linear(terms, BigInt(values[0])), min: BigInt(Math.min(...values)), max: BigInt(Math.max(...values)) };
    }
    case 'day':
    case 'weekday': {
      // The start of the period x lies in, then x − start + 1.
      const first = periodStart(part, lo);
      const previous = [first, ...starts];
      const terms = starts.map((b, i): [Gate, bigint] => [passed(b), -BigInt(b - previous[i])]);
      const [min, max] = partBounds(part, lo, hi);
      return { value: linear([[x, 1n], ...terms], BigInt(1 - first)), min: BigInt(min), max: BigInt(max) };
    }
  }
}

function partOf(part: DatePart, days: number): number {
  const c = civilFromDays(days);
  return part === 'year' ? c.year : part === 'month' ? c.month : part === 'day' ? c.day : isoWeekday(days);
}

function periodStart(part: 'day' | 'weekday', days: number): number {
  if (part === 'weekday') return days - (isoWeekday(days) - 1);
  const c = civilFromDays(days);
  return daysFromCivil(c.year, c.month, 1);
}

/** The boundaries b in (lo, hi] where the part's period changes. */
function boundaries(part: DatePart, lo: number, hi: number): number[] {
  const out: number[] = [];
  if (part === 'weekday') {
    for (let b = periodStart('weekday', lo) + 7; b <= hi && out.length <= MAX_BOUNDARIES; b += 7) out.push(b);
    return out;
  }
  let { year, month } = civilFromDays(lo);
  for (;;) {
    if (part === 'year') year++;
    else if (++month > 12) {
      month = 1;
      year++;
    }
    const b = daysFromCivil(year, part === 'year' ? 1 : month, 1);
    if (b > hi || out.length > MAX_BOUNDARIES) return out;
    out.push(b);
  }
}

/** Tight bounds of day / weekday over [lo, hi]. */
function partBounds(part: 'day' | 'weekday', lo: number, hi: number): [number, number] {
  if (hi - lo >= 62) return part === 'day' ? [1, 31] : [1, 7];
  let min = Infinity, max = -Infinity;
  for (let d = lo; d <= hi; d++) {
    const v = partOf(part, d);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return [min, max];
}
