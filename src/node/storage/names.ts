/**
 * Names that become directory names. Strict on purpose: no dots (so `.` and `..` and the
 * `<name>.<stage id>` staging directories cannot clash), no separators, a leading letter or digit,
 * at most 128 characters. Column names live only inside encrypted manifests and may be freer.
 */

import { InvalidNameError } from '../../errors.js';

const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const STAGE_ID = /^([A-Za-z0-9][A-Za-z0-9_-]{0,127})\.([0-9a-f]{16})$/;
const MAX_COLUMN_NAME = 128;

export function checkTableName(name: unknown): string {
  if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
    throw new InvalidNameError(
      `table name ${JSON.stringify(name)} is not allowed: use 1-128 letters, digits, "_" or "-", starting with a letter or digit`,
    );
  }
  return name;
}

export function checkColumnName(name: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_COLUMN_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new InvalidNameError(`column name ${JSON.stringify(name)} is not allowed: use 1-${MAX_COLUMN_NAME} characters without control characters`);
  }
  return name;
}

/** Splits a stage id into its table name, or undefined if it is not one. */
export function parseStageId(stageId: string): string | undefined {
  return STAGE_ID.exec(stageId)?.[1];
}

export function makeStageId(name: string, random: string): string {
  return `${name}.${random}`;
}
