/**
 * The client side of upload, step one: read a table (CSV or Parquet file, or in-memory columns)
 * and encode every column into ring elements, under a schema that is declared, inferred, or both.
 * Secret sharing and encryption for the nodes come after this and take an EncodedTable.
 */

import type { EncodedTable } from '../table/encode.js';
import type { ReadTableOptions } from './declarations.js';
import { readTableFromColumns, type InMemoryColumns } from './memory-reader.js';

export type { ColumnDeclaration, ReadTableOptions } from './declarations.js';
export type { InMemoryColumns } from './memory-reader.js';
export type { EncodedColumn, EncodedTable } from '../table/encode.js';
export { readTableFromColumns };

/**
 * Reads and encodes a CSV or Parquet file. The file reader (and DuckDB, ~0.8 s to load) is
 * loaded on first use, so clients that never read files (contributors, in-memory uploads) start
 * without it.
 */
export async function readTableFromFile(path: string, options: ReadTableOptions = {}): Promise<EncodedTable> {
  const reader = await import('./file-reader.js');
  return reader.readTableFromFile(path, options);
}

/** A file path, or columns of JS values keyed by name. */
export type TableSource = string | { readonly path: string } | { readonly columns: InMemoryColumns };

export async function readTable(source: TableSource, options: ReadTableOptions = {}): Promise<EncodedTable> {
  if (typeof source === 'string') return readTableFromFile(source, options);
  if ('path' in source) return readTableFromFile(source.path, options);
  return readTableFromColumns(source.columns, options);
}
