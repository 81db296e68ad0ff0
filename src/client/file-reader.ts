/**
 * Reads a CSV or Parquet file with DuckDB and encodes it: infer the types of undeclared columns
 * (one aggregate scan), then in one more scan compute every encoded column as BIGINT in SQL,
 * together with a failure code per cell, and copy the vectors chunk by chunk into
 * BigUint64Arrays. Per-value work in JS is a single typed-array store.
 */

import { BLOB, DuckDBBigIntVector, DuckDBInstance, blobValue, type DuckDBConnection, type DuckDBType, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import { InternalError, TesseraError, TypeInferenceError } from '../errors.js';
import { cellError } from '../table/cell-errors.js';
import type { ColumnType } from '../table/column-type.js';
import type { EncodedColumn, EncodedTable } from '../table/encode.js';
import { defaultDecimalType, defaultIntegerType, noValuesError, typeFromTextStats, defaultDateType } from '../table/infer.js';
import { VALIDITY_SUFFIX, makeSchema, type ColumnSchema, type TableSchema } from '../table/schema.js';
import { DATE_TEXT, INFER_NUMBER_TEXT } from '../table/text-grammar.js';
import { MAX_DECIMAL_SCALE } from '../table/types/decimal.js';
import { identifierHmacPads } from '../table/types/identifier.js';
import { isTypeDeclared, planColumns, toColumnSchema, type PlannedColumn, type ReadTableOptions } from './declarations.js';
import { checkMaxLineSize } from './csv-line-limit.js';
import { checkReadableFile, formatOf, loadCsv, loadParquet, type LoadedSource } from './file-source.js';
import { IDENTIFIER_INNER_PARAM, IDENTIFIER_OUTER_PARAM, columnSql, failureFromCode, sqlString, type ColumnSql, type SourceColumn } from './sql-columns.js';
import { textWordColumn } from '../table/types/text.js';

export async function readTableFromFile(path: string, options: ReadTableOptions = {}): Promise<EncodedTable> {
  const format = formatOf(path, options.format);
  const maxLineSize = checkMaxLineSize(options.maxLineSize);
  await checkReadableFile(path);
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      const delimiter = options.delimiter ?? (path.toLowerCase().endsWith('.tsv') ? '\t' : ',');
      const source = format === 'csv' ? await loadCsv(connection, path, { delimiter, maxLineSize }) : await loadParquet(connection, path);
      return await encodeSource(connection, source, options);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * Runs a step that queries DuckDB. Our own typed errors pass through; anything DuckDB throws is
 * replaced, because its messages may quote cell values (e.g. an arithmetic overflow names both
 * operands). Reaching this is a bug in the reader, not a problem with the user's data.
 */
async function withoutDuckDBMessages<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new InternalError('internal error while encoding the table (the database engine failed; its message is withheld because it may quote data); please report this');
  }
}

async function encodeSource(connection: DuckDBConnection, source: LoadedSource, options: ReadTableOptions): Promise<EncodedTable> {
  return withoutDuckDBMessages(() => encodeLoadedSource(connection, source, options));
}

async function encodeLoadedSource(connection: DuckDBConnection, source: LoadedSource, options: ReadTableOptions): Promise<EncodedTable> {
  const planned = planColumns(source.names, options);
  const sourceOf = (p: PlannedColumn): SourceColumn => ({
    ref: source.refs[p.sourceIndex] as string,
    kind: source.kinds[p.sourceIndex] ?? 'unsupported',
    typeName: source.typeNames[p.sourceIndex] ?? 'unknown',
    decimalScale: source.decimalScales[p.sourceIndex],
  });
  const inferred = await inferTypes(connection, source, planned.filter((p) => !isTypeDeclared(p)).map((p) => ({ name: p.name, source: sourceOf(p) })));
  const schema = makeSchema(planned.map((p) => toColumnSchema(p, inferred.get(p.name), options)));
  const sql = schema.columns.map((column, i) => columnSql(column, sourceOf(planned[i] as PlannedColumn), i));
  await createDictionaries(connection, schema, sql);
  const from = `FROM src ${sql.map((c) => c.join ?? '').join(' ')} WHERE ${source.dataRows}`;
  const params = identifierParams(schema, options);
  const columns = await readEncodedColumns(connection, schema, sql, source, from, params);
  return { schema, rowCount: source.rowCount, columns };
}

// ---------------------------------------------------------------------------------------------
// Inference: one aggregate scan summarising every undeclared column.

interface ToInfer {
  readonly name: string;
  readonly source: SourceColumn;
}

function matches(text: string, pattern: string): string {
  return `regexp_full_match(${text}, ${sqlString(pattern)})`;
}

async function inferTypes(connection: DuckDBConnection, source: LoadedSource, columns: readonly ToInfer[]): Promise<Map<string, ColumnType>> {
  const types = new Map<string, ColumnType>();
  const aggregates: string[] = [];
  const readers: ((row: readonly DuckDBValue[]) => void)[] = [];
  for (const { name, source: s } of columns) {
    const first = aggregates.length;
    const x = s.ref;
    switch (s.kind) {
      case 'integer': types.set(name, defaultIntegerType()); break;
      case 'boolean': types.set(name, { kind: 'boolean' }); break;
      case 'date': types.set(name, defaultDateType()); break;
      case 'decimal':
        types.set(name, defaultDecimalType(s.decimalScale ?? 0, name));
        break;
      case 'text': {
        const t = `CAST(${x} AS VARCHAR)`;
        // One regex pass decides "number"; a number is an integer when no value has a point.
        // Failing casts are slow in DuckDB, so the date cast sits behind a CASE that only lets
        // date-shaped text through. FILTER keeps nulls out: `NULL AND false` is false.
        const present = `FILTER (WHERE ${x} IS NOT NULL)`;
        const dateShaped = `length(${t}) = 10 AND ${matches(t, DATE_TEXT)}`;
        aggregates.push(
          `count(${t})`,
          `bool_and(${matches(t, INFER_NUMBER_TEXT)}) ${present}`,
          `bool_or(contains(${t}, '.')) ${present}`,
          `max(length(${t}) - strpos(${t}, '.')) FILTER (WHERE contains(${t}, '.'))`,
          `bool_and(${t} IN ('true', 'false', 'TRUE', 'FALSE', 'True', 'False')) ${present}`,
          `bool_and(CASE WHEN ${dateShaped} THEN TRY_CAST(${t} AS DATE) IS NOT NULL ELSE false END) ${present}`,
        );
        readers.push((row) => {
          const [nonNull, allNumber, anyPoint, maxFraction, allBoolean, allDate] = row.slice(first, first + 6);
          types.set(name, typeFromTextStats(name, {
            nonNull: Number(nonNull ?? 0),
            allInteger: allNumber === true && anyPoint !== true,
            allNumeric: allNumber === true,
            maxFractionDigits: Number(maxFraction ?? 0),
            allBoolean: allBoolean === true,
            allDate: allDate === true,
          }));
        });
        break;
      }
      case 'double':
      case 'float': {
        // Smallest scale at which every value is the nearest double (float) to an s-digit decimal.
        aggregates.push(`count(${x})`);
        for (let scale = 0; scale <= MAX_DECIMAL_SCALE; scale++) {
          const factor = `CAST(${10n ** BigInt(scale)} AS DOUBLE)`;
          const back = `round(CAST(${x} AS DOUBLE) * ${factor}) / ${factor}`;
          aggregates.push(`bool_and(isfinite(${x}) AND ${s.kind === 'float' ? `CAST(${back} AS FLOAT)` : back} = ${x}) FILTER (WHERE ${x} IS NOT NULL)`);
        }
        readers.push((row) => {
          if (Number(row[first] ?? 0) === 0) throw noValuesError(name);
          const exact = row.slice(first + 1, first + 2 + MAX_DECIMAL_SCALE).findIndex((v) => v === true);
          if (exact < 0) {
            throw new TypeInferenceError(`column '${name}' has numbers that are not finite or have more than ${MAX_DECIMAL_SCALE} decimal digits; declare it as a decimal with a scale`, name);
          }
          types.set(name, exact === 0 ? defaultIntegerType() : defaultDecimalType(exact, name));
        });
        break;
      }
      case 'unsupported':
        throw new TypeInferenceError(`column '${name}' is stored as ${s.typeName}, which has no Tessera type; convert it, or leave it out by selecting the columns to upload (SDK: select: ['a', 'b']; CLI: --select a,b)`, name);
    }
  }
  if (aggregates.length > 0) {
    const reader = await connection.runAndReadAll(`SELECT ${aggregates.join(', ')} FROM src WHERE ${source.dataRows}`);
    const row = reader.getRows()[0] ?? [];
    for (const read of readers) read(row);
  }
  return types;
}

// ---------------------------------------------------------------------------------------------
// Categories: each dictionary becomes a table, joined on the value (a hash join, not a list scan).

async function createDictionaries(connection: DuckDBConnection, schema: TableSchema, sql: readonly ColumnSql[]): Promise<void> {
  for (let i = 0; i < sql.length; i++) {
    const table = sql[i]?.dictionaryTable;
    const type = schema.columns[i]?.type;
    if (table === undefined || type?.kind !== 'category') continue;
    await connection.run(`CREATE TABLE ${table} (code BIGINT, value VARCHAR)`);
    const appender = await connection.createAppender(table);
    type.dictionary.forEach((entry, code) => {
      appender.appendBigInt(BigInt(code));
      appender.appendVarchar(entry);
      appender.endRow();
    });
    appender.closeSync();
  }
}

type Params = Record<string, DuckDBValue>;
type ParamTypes = Record<string, DuckDBType>;

function identifierParams(schema: TableSchema, options: ReadTableOptions): { values: Params; types: ParamTypes } | undefined {
  if (!schema.columns.some((c) => c.type.kind === 'identifier')) return undefined;
  const pads = identifierHmacPads(options.identifierKey);
  return {
    values: { [IDENTIFIER_INNER_PARAM]: blobValue(pads.inner), [IDENTIFIER_OUTER_PARAM]: blobValue(pads.outer) },
    types: { [IDENTIFIER_INNER_PARAM]: BLOB, [IDENTIFIER_OUTER_PARAM]: BLOB },
  };
}

// ---------------------------------------------------------------------------------------------
// One pass: encoded BIGINT vectors copied into ring vectors, next to each column's failure codes.
// Rows arrive in order, so a column's first failure seen is its first failing row; the error
// reported is that of the first failing column in schema order, as the in-memory encoder does.

async function readEncodedColumns(
  connection: DuckDBConnection, schema: TableSchema, sql: readonly ColumnSql[], source: LoadedSource, from: string,
  params: { values: Params; types: ParamTypes } | undefined,
): Promise<EncodedColumn[]> {
  const selects: string[] = [];
  const columns: EncodedColumn[] = [];
  schema.columns.forEach((column, i) => {
    const c = sql[i] as ColumnSql;
    selects.push(`COALESCE(${c.value}, 0)`);
    columns.push({ name: column.name, values: new BigUint64Array(source.rowCount) });
    (c.words ?? []).forEach((word, k) => {
      selects.push(`COALESCE(${word}, 0)`);
      columns.push({ name: textWordColumn(column.name, k + 1), values: new BigUint64Array(source.rowCount) });
    });
    if (column.nullable) {
      selects.push(`CAST(${c.present} AS BIGINT)`);
      columns.push({ name: column.name + VALIDITY_SUFFIX, values: new BigUint64Array(source.rowCount) });
    }
  });
  const failureAt = columns.length;
  for (const c of sql) selects.push(`CAST(${c.failure} AS BIGINT)`);
  selects.push(`CAST(${source.rowNumber} AS BIGINT)`);
  const firstFailure: ({ row: bigint; code: bigint } | undefined)[] = sql.map(() => undefined);

  const result = await connection.stream(`SELECT ${selects.join(', ')} ${from} ORDER BY src.rowid`, params?.values, params?.types);
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    for (let j = 0; j < columns.length; j++) {
      const vector = bigintVector(chunk.getColumnVector(j), j);
      const out = (columns[j] as EncodedColumn).values;
      for (let r = 0; r < n; r++) out[offset + r] = vector.getItem(r) ?? 0n;
    }
    for (let i = 0; i < sql.length; i++) {
      if (firstFailure[i] !== undefined) continue;
      const failures = bigintVector(chunk.getColumnVector(failureAt + i), failureAt + i);
      for (let r = 0; r < n; r++) {
        const code = failures.getItem(r);
        if (code !== null) {
          const row = bigintVector(chunk.getColumnVector(failureAt + sql.length), failureAt + sql.length).getItem(r) ?? 0n;
          firstFailure[i] = { row, code };
          break;
        }
      }
    }
    offset += n;
  }
  firstFailure.forEach((failure, i) => {
    if (failure !== undefined) throw cellError(failureFromCode(Number(failure.code)), schema.columns[i] as ColumnSchema, Number(failure.row));
  });
  if (offset !== source.rowCount) throw new InternalError(`read ${offset} rows, expected ${source.rowCount}`);
  return columns;
}

function bigintVector(vector: DuckDBVector, index: number): DuckDBBigIntVector {
  if (!(vector instanceof DuckDBBigIntVector)) throw new InternalError(`result column ${index} did not come back as BIGINT`);
  return vector;
}
