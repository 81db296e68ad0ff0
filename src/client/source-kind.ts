/** How a column is stored in the file, as DuckDB reports it, reduced to what encoding needs. */

import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';

export type SourceKind = 'text' | 'integer' | 'decimal' | 'double' | 'float' | 'boolean' | 'date' | 'unsupported';

export function sourceKindOf(type: DuckDBType): SourceKind {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return 'text';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
      return 'integer';
    case DuckDBTypeId.DECIMAL:
      return 'decimal';
    case DuckDBTypeId.DOUBLE:
      return 'double';
    case DuckDBTypeId.FLOAT:
      return 'float';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.DATE:
      return 'date';
    default:
      return 'unsupported';
  }
}
