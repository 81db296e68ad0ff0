/**
 * Proleptic Gregorian dates as whole days since 1970-01-01, by integer arithmetic only
 * (H. Hinnant's days_from_civil / civil_from_days), so that no time zone and none of
 * JS Date's two-digit-year rules can shift a value.
 */

import { dateText } from './text-grammar.js';

export const MIN_DATE_DAYS = daysFromCivil(1, 1, 1); // 0001-01-01
export const MAX_DATE_DAYS = daysFromCivil(9999, 12, 31); // 9999-12-31
const MS_PER_DAY = 86_400_000;

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 for an ISO date "YYYY-MM-DD" that exists, else undefined. */
export function parseIsoDate(text: string): number | undefined {
  if (!dateText.test(text)) return undefined;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

export function formatIsoDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01 of a JS Date at UTC midnight; undefined for invalid dates or a time of day. */
export function daysFromUtcMidnight(date: Date): number | undefined {
  const ms = date.getTime();
  if (!Number.isFinite(ms) || ms % MS_PER_DAY !== 0) return undefined;
  return ms / MS_PER_DAY;
}
