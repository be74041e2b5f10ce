/**
 * Column masks of list, map and struct columns as Trino SQL (issue 54; trino-sql.ts writes the primitive ones): a
 * whole nested column nulled is `CAST(NULL AS <its Trino type>)`; a mask of a list's elements is
 * `transform(col, e0 -> <mask of e0>)`, of a map's values `transform_values(col, (k0, v0) -> <mask of v0>)`, of a
 * struct's fields the struct rebuilt, `CASE WHEN s IS NULL THEN NULL ELSE CAST(ROW(s[1], <mask of s[2]>, s[3]) AS
 * row("a" …, "b" …, "c" …)) END` (its fields by position, so no field name is written but in the row type; nested
 * lists, maps and structs one inside the other), each value's mask the primitive column's (trino-sql.ts), so Trino
 * shows the strings and hashes the catalog-enforced path writes (policy-files/nested-columns.ts). A null list, map or
 * struct stays null, an empty one empty, a map's keys as stored. The Trino type is written from the column's Iceberg
 * type as Trino's Iceberg connector maps it (a row's field names double-quoted), never from the type string the OPA
 * plugin sends: that is `Type.getDisplayName()`, whose row field names are not quoted, so it could not be told
 * apart from SQL.
 */
import type { IcebergType } from '../metadata/types.js';
import type { ColumnMask } from '../ports/policies.js';
import { type MaskSqlContext, UnsupportedPolicy, quoteIdentifier, valueMaskSql } from './trino-sql.js';

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

/**
 * The mask of a list, map or struct column whose elements, values or fields (at any depth) are masked, or undefined
 * when no mask is inside it. `masks` by field id; `depth` numbers the lambdas' variables.
 */
export function elementsMaskSql(ref: string, type: IcebergType, masks: ReadonlyMap<number, ColumnMask>, ctx: MaskSqlContext, depth = 0): string | undefined {
  if (typeof type === 'string') return undefined;
  const inner = (id: number, of: IcebergType, variable: string): string | undefined => {
    const own = masks.get(id);
    if (own === undefined) return elementsMaskSql(variable, of, masks, ctx, depth + 1);
    if (typeof of !== 'string') return nullOf(of);
    return valueMaskSql(own, variable, trinoTypeOf(of), { ...ctx, icebergType: of });
  };
  switch (type.type) {
    case 'list': {
      const e = `e${depth}`;
      const masked = inner(type['element-id'], type.element, e);
      return masked && `transform(${ref}, ${e} -> ${masked})`;
    }
    case 'map': {
      const [k, v] = [`k${depth}`, `v${depth}`];
      const masked = inner(type['value-id'], type.value, v);
      return masked && `transform_values(${ref}, (${k}, ${v}) -> ${masked})`;
    }
    case 'struct': {
      // Each field by its position (a row's subscript is 1-based): no name to quote, nor to mistake for a table's.
      const fields = type.fields.map((f, i) => {
        const at = `${ref}[${i + 1}]`;
        return { at, masked: inner(f.id, f.type, at) };
      });
      if (fields.every((f) => f.masked === undefined)) return undefined;
      const row = `ROW(${fields.map((f) => f.masked ?? f.at).join(', ')})`;
      return `CASE WHEN ${ref} IS NULL THEN NULL ELSE CAST(${row} AS ${trinoTypeOf(type)}) END`;
    }
  }
}
