/**
 * The text forms accepted for each column type, written once and used twice: by the in-memory
 * encoder (as JS RegExps) and by the file reader (as DuckDB/RE2 patterns in SQL). Keeping one
 * source of truth is what makes a CSV file and the same strings in memory encode identically.
 *
 * The patterns use only syntax that JS and RE2 read the same way (no lookaround, no flags).
 */

/** Declared integer: optional sign, decimal digits (leading zeros allowed). */
export const INTEGER_TEXT = '^[+-]?[0-9]+$';

/** Declared decimal: optional sign, digits with an optional point ("5", "5.", ".5", "-0.25"). No exponent. */
export const DECIMAL_TEXT = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)$';

/** Declared boolean. 1 and 0 are accepted when a column is declared boolean, never inferred as one. */
export const BOOLEAN_TEXT = '^(true|false|TRUE|FALSE|True|False|1|0)$';
export const TRUE_TEXT = '^(true|TRUE|True|1)$';

/** ISO 8601 calendar date, years 0001-9999; whether the day exists is checked separately. */
export const DATE_TEXT = '^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';

/**
 * Inference is stricter than parsing: a leading zero ("007") suggests a code, not a number, so
 * such columns are left for the user to declare (identifier, category, or integer on purpose).
 */
export const INFER_INTEGER_TEXT = '^[+-]?(0|[1-9][0-9]*)$';
export const INFER_DECIMAL_TEXT = '^[+-]?(0|[1-9][0-9]*)[.][0-9]+$';
export const INFER_BOOLEAN_TEXT = '^(true|false|TRUE|FALSE|True|False)$';
/** INFER_INTEGER_TEXT or INFER_DECIMAL_TEXT, as one pattern (one regex pass in SQL). */
export const INFER_NUMBER_TEXT = '^[+-]?(0|[1-9][0-9]*)([.][0-9]+)?$';

export const integerText = new RegExp(INTEGER_TEXT);
export const decimalText = new RegExp(DECIMAL_TEXT);
export const booleanText = new RegExp(BOOLEAN_TEXT);
export const trueText = new RegExp(TRUE_TEXT);
export const dateText = new RegExp(DATE_TEXT);
export const inferIntegerText = new RegExp(INFER_INTEGER_TEXT);
export const inferDecimalText = new RegExp(INFER_DECIMAL_TEXT);
export const inferBooleanText = new RegExp(INFER_BOOLEAN_TEXT);

/**
 * Turns decimal text (already matched by DECIMAL_TEXT) into its value times 10^scale, or reports
 * that significant digits lie beyond the scale. Trailing zeros beyond the scale are harmless.
 * The SQL reader performs the same string steps, so both agree digit for digit.
 */
export function scaledFromDecimalText(text: string, scale: number): bigint | 'precision' {
  const point = text.indexOf('.');
  const whole = point < 0 ? text : text.slice(0, point);
  const fraction = point < 0 ? '' : text.slice(point + 1);
  if (significantFractionDigits(fraction) > scale) return 'precision';
  const negative = whole.startsWith('-');
  const digits = whole.replace(/^[+-]/, '');
  const scaled = BigInt('0' + digits + fraction.padEnd(scale, '0').slice(0, scale));
  return negative ? -scaled : scaled;
}

export function significantFractionDigits(fraction: string): number {
  let n = fraction.length;
  while (n > 0 && fraction.charCodeAt(n - 1) === 48 /* '0' */) n--;
  return n;
}

/** Formats value/10^scale exactly, with exactly `scale` fraction digits ("-12.50"). */
export function formatScaled(scaled: bigint, scale: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return (negative ? '-' : '') + whole + (scale > 0 ? '.' + fraction : '');
}
