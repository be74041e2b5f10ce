/**
 * Column masks of list, map and struct columns as Trino SQL (issue 54; trino-sql.ts writes the primitive ones): a
 * whole nested column nulled is `CAST(NULL AS <its Trino type>)`. The Trino type is written from the column's Iceberg
 * type as Trino's Iceberg connector maps it (a row's field names double-quoted), never from the type string the OPA
 * plugin sends: that is `Type.getDisplayName()`, whose row field names are not quoted, so it could not be told
 * apart from SQL.
 */
import type { IcebergType } from '../metadata/types.js';
import { UnsupportedPolicy, quoteIdentifier } from './trino-sql.js';

/** Iceberg primitive types as Trino's Iceberg connector reads them (TypeConverter.toTrinoType). */
const PRIMITIVE: Record<string, string> = {
  boolean: 'boolean',
  int: 'integer',
  long: 'bigint',
  float: 'real',
  double: 'double',
  date: 'date',
  time: 'time(6)',
  timestamp: 'timestamp(6)',
  timestamptz: 'timestamp(6) with time zone',
  timestamp_ns: 'timestamp(9)',
  timestamptz_ns: 'timestamp(9) with time zone',
  string: 'varchar',
  uuid: 'uuid',
  binary: 'varbinary',
};

/** The Trino type of a column of this Iceberg type. */
export function trinoTypeOf(type: IcebergType): string {
  if (typeof type === 'string') {
    if (Object.hasOwn(PRIMITIVE, type)) return PRIMITIVE[type]!;
    const decimal = /^decimal\((\d{1,2}),\s*(\d{1,2})\)$/.exec(type);
    if (decimal) return `decimal(${decimal[1]}, ${decimal[2]})`;
    if (/^fixed\[\d{1,9}\]$/.test(type)) return 'varbinary';
    throw new UnsupportedPolicy(`Iceberg type ${type.slice(0, 64)} has no Trino type here`);
  }
  switch (type.type) {
    case 'list':
      return `array(${trinoTypeOf(type.element)})`;
    case 'map':
      return `map(${trinoTypeOf(type.key)}, ${trinoTypeOf(type.value)})`;
    case 'struct':
      if (type.fields.length === 0) throw new UnsupportedPolicy('a struct of no fields');
      return `row(${type.fields.map((f) => `${quoteIdentifier([f.name])} ${trinoTypeOf(f.type)}`).join(', ')})`;
  }
}

/** A whole nested column (or any column) as NULL of its Trino type. */
export const nullOf = (type: IcebergType): string => `CAST(NULL AS ${trinoTypeOf(type)})`;
