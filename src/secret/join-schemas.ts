/**
 * The schema of a column made of several columns of the same kind (a concat): the declared
 * ranges joined, nullable if any part is. The plan checker has refused kinds, scales and
 * dictionaries that differ.
 */

import { UsageError } from '../errors.js';
import type { ColumnType } from '../table/column-type.js';
import type { ColumnSchema } from '../table/schema.js';

export function joinColumnSchemas(parts: readonly ColumnSchema[]): ColumnSchema {
  let type: ColumnType = parts[0].type;
  for (const p of parts.slice(1)) type = joinTypes(type, p.type, p.name);
  return { name: parts[0].name, type, nullable: parts.some((p) => p.nullable) };
}

function joinTypes(a: ColumnType, b: ColumnType, column: string): ColumnType {
  if (a.kind !== b.kind) throw new UsageError(`column '${column}' is ${a.kind} in one table and ${b.kind} in another`);
  if ((a.kind === 'integer' && b.kind === 'integer') || (a.kind === 'decimal' && b.kind === 'decimal' && a.scale === b.scale)) {
    return { ...a, min: a.min < b.min ? a.min : b.min, max: a.max > b.max ? a.max : b.max };
  }
  if (a.kind === 'date' && b.kind === 'date') return { ...a, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
  if (a.kind === 'decimal') throw new UsageError(`column '${column}' has different scales in the tables`);
  return a;
}
