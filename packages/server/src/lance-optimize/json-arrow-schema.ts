/**
 * An Arrow schema (apache-arrow, as LanceDB's `Table.schema()` answers it) in lance-namespace's JSON Arrow form
 * (JsonArrowSchema / JsonArrowField / JsonArrowDataType), with the type names and encodings lance-namespace's own
 * conversion uses (its Rust `arrow_schema_to_json`): `int32`, `utf8`, `large_utf8`, `fixed_size_list` with `length`
 * and one child, decimals with `length` = precision * 1000 + scale, a dictionary as its value type. A type it does not
 * convert either (a view type, run-end encoded) is ERR_UNPROCESSABLE naming the column.
 */
import { type DataType, type Field, type Schema, Type } from 'apache-arrow';
import { CatalogError } from '../errors/catalog-error.js';
import type { LanceJsonArrowField, LanceJsonArrowSchema, LanceJsonArrowType } from '../catalog/ports/lance-describer.js';

const metadataOf = (m: Map<string, string>) => (m.size > 0 ? { metadata: Object.fromEntries(m) } : {});

export function jsonArrowSchema(schema: Schema): LanceJsonArrowSchema {
  return { fields: schema.fields.map((f) => jsonArrowField(f)), ...metadataOf(schema.metadata) };
}

function jsonArrowField(field: Field): LanceJsonArrowField {
  return { name: field.name, nullable: field.nullable, type: jsonArrowType(field.type, field.name), ...metadataOf(field.metadata) };
}

function jsonArrowType(type: DataType, column: string): LanceJsonArrowType {
  const t = type as DataType & Record<string, unknown>;
  const children = () => ((t['children'] as Field[] | undefined) ?? []).map((c) => jsonArrowField(c));
  switch (type.typeId) {
    case Type.Null:
      return { type: 'null' };
    case Type.Bool:
      return { type: 'bool' };
    case Type.Int:
      return { type: `${t['isSigned'] ? '' : 'u'}int${String(t['bitWidth'])}` };
    case Type.Float:
      return { type: ['float16', 'float32', 'float64'][Number(t['precision'])] ?? 'float64' };
    case Type.Decimal:
      return { type: `decimal${String(t['bitWidth'])}`, length: Number(t['precision']) * 1000 + Number(t['scale']) };
    case Type.Date:
      return { type: Number(t['unit']) === 0 ? 'date32' : 'date64' };
    case Type.Time:
      return { type: Number(t['bitWidth']) === 32 ? 'time32' : 'time64' };
    case Type.Timestamp:
      return { type: 'timestamp' };
    case Type.Duration:
      return { type: 'duration' };
    case Type.Interval:
      return { type: 'interval' };
    case Type.Utf8:
      return { type: 'utf8' };
    case Type.LargeUtf8:
      return { type: 'large_utf8' };
    case Type.Binary:
      return { type: 'binary' };
    case Type.LargeBinary:
      return { type: 'large_binary' };
    case Type.FixedSizeBinary:
      return { type: 'fixed_size_binary', length: Number(t['byteWidth']) };
    case Type.List:
      return { type: 'list', fields: children() };
    case Type.FixedSizeList:
      return { type: 'fixed_size_list', fields: children(), length: Number(t['listSize']) };
    case Type.Struct:
      return { type: 'struct', fields: children() };
    case Type.Map:
      if (t['keysSorted'] === true) break;
      return { type: 'map', fields: children() };
    case Type.Union:
      return { type: 'union' };
    case Type.Dictionary:
      return jsonArrowType(t['dictionary'] as DataType, column);
  }
  throw new CatalogError('ERR_UNPROCESSABLE', `Column ${JSON.stringify(column)} has a type (${String(type)}) the JSON Arrow schema cannot carry`);
}
