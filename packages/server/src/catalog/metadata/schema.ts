/**
 * Iceberg schemas: parsing untrusted JSON into canonical form, indexing,
 * fresh-id assignment and structural comparison.
 *
 * Invariants enforced here (a reader such as Iceberg Java refuses metadata
 * that breaks them): field ids are unique across the whole schema, full
 * column names are unique, primitive type names are valid, and identifier
 * fields are required, primitive, not float/double, and not nested in a
 * list, a map or an optional struct.
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import { JsonNumber } from '../json.js';
import { structuralKey } from './id-index.js';
import { asBoolean, asIntArray, asObject, get, optInt, optString, reqArray, reqInt, reqString, sub, type JsonObject } from './read.js';
import type { IcebergType, ListType, MapType, Schema, StructField, StructType } from './types.js';

// ---------------------------------------------------------------- primitive types

const SIMPLE_PRIMITIVES = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'string',
  'uuid',
  'binary',
  'unknown',
  'variant',
]);

/** The edge-interpolation algorithms of the geography type (Iceberg spec, format v3). */
const EDGE_ALGORITHMS = new Set(['spherical', 'vincenty', 'thomas', 'andoyer', 'karney']);

/** Types that need table format v3 or later. */
const V3_TYPES = new Set(['timestamp_ns', 'timestamptz_ns', 'variant', 'unknown', 'geometry', 'geography']);

/**
 * The type id of a type: a primitive name without parameters
 * ("decimal", "fixed", "geometry", ...) or "struct" / "list" / "map".
 */
export function typeId(t: IcebergType): string {
  if (typeof t !== 'string') return t.type;
  if (t.startsWith('decimal')) return 'decimal';
  if (t.startsWith('fixed')) return 'fixed';
  if (t.startsWith('geometry')) return 'geometry';
  if (t.startsWith('geography')) return 'geography';
  return t;
}

/** Primitive in Iceberg Java's sense (variant is neither primitive nor nested). */
export const isPrimitive = (t: IcebergType): boolean => typeof t === 'string' && t !== 'variant';

/** Canonical spelling of a primitive type name (as Iceberg Java prints it). */
export function normalizePrimitive(raw: string, path: string): string {
  const lower = raw.trim().toLowerCase();
  if (SIMPLE_PRIMITIVES.has(lower)) return lower;
  let m = /^fixed\[\s*(\d+)\s*\]$/.exec(lower);
  if (m) return `fixed[${int32(m[1]!, 'fixed length', path)}]`;
  m = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(lower);
  if (m) {
    const precision = int32(m[1]!, 'decimal precision', path);
    const scale = int32(m[2]!, 'decimal scale', path);
    if (precision > 38) throw validation(`Invalid ${path}: decimal precision ${precision} exceeds 38`);
    return `decimal(${precision}, ${scale})`;
  }
  if (/^geometry\s*(\(\s*[^)]*\))?$/.test(lower)) return raw.trim();
  m = /^geography\s*(?:\(([^)]*)\))?$/.exec(lower);
  if (m) {
    // geography(crs, algorithm): the edge-interpolation algorithm is one the spec names (Iceberg Java's EdgeAlgorithm).
    const algorithm = m[1]?.split(',')[1]?.trim();
    if (algorithm !== undefined && !EDGE_ALGORITHMS.has(algorithm)) {
      throw validation(`Invalid ${path}: unknown edge-interpolation algorithm '${algorithm}' (one of ${[...EDGE_ALGORITHMS].join(', ')})`);
    }
    return raw.trim();
  }
  throw validation(`Invalid ${path}: unknown type '${raw}'`);
}

/** A type parameter as Iceberg Java reads it (Integer.parseInt): digits within the 32-bit range, never 1e+21. */
function int32(digits: string, what: string, path: string): number {
  const n = Number(digits);
  if (n > 2147483647) throw validation(`Invalid ${path}: ${what} ${digits.length > 12 ? `${digits.slice(0, 12)}…` : digits} is not a 32-bit integer`);
  return n;
}

// ---------------------------------------------------------------- parsing

function parseType(v: unknown, path: string): IcebergType {
  if (typeof v === 'string') return normalizePrimitive(v, path);
  const o = asObject(v, path);
  const kind = reqString(o, 'type', path);
  switch (kind) {
    case 'struct':
      return parseStruct(o, path);
    case 'list': {
      const list: ListType = {
        type: 'list',
        'element-id': reqInt(o, 'element-id', path),
        element: parseType(get(o, 'element'), sub(path, 'element')),
        'element-required': asBoolean(get(o, 'element-required'), sub(path, 'element-required')),
      };
      optionalIfUnknown(list.element, list['element-required'], sub(path, 'element'));
      return list;
    }
    case 'map': {
      const map: MapType = {
        type: 'map',
        'key-id': reqInt(o, 'key-id', path),
        key: parseType(get(o, 'key'), sub(path, 'key')),
        'value-id': reqInt(o, 'value-id', path),
        value: parseType(get(o, 'value'), sub(path, 'value')),
        'value-required': asBoolean(get(o, 'value-required'), sub(path, 'value-required')),
      };
      // A map's keys are always required.
      optionalIfUnknown(map.key, true, sub(path, 'key'));
      optionalIfUnknown(map.value, map['value-required'], sub(path, 'value'));
      return map;
    }
    default:
      throw validation(`Invalid ${sub(path, 'type')}: unknown nested type '${kind}'`);
  }
}

/**
 * The v3 type `unknown` holds only nulls, so it must be optional (spec: primitive types), wherever it appears: a
 * struct field, a list's element, a map's value, never a map's key. Iceberg Java refuses to read a schema that
 * breaks this ("Cannot create required field with unknown type"), even one that is not the current schema.
 */
function optionalIfUnknown(type: IcebergType, required: boolean, path: string): void {
  if (required && type === 'unknown') throw validation(`Invalid ${path}: a field of type unknown must be optional`);
}

function parseField(v: unknown, path: string): StructField {
  const o = asObject(v, path);
  const field: StructField = {
    id: reqInt(o, 'id', path),
    name: reqString(o, 'name', path),
    required: asBoolean(get(o, 'required'), sub(path, 'required')),
    type: parseType(get(o, 'type'), sub(path, 'type')),
  };
  optionalIfUnknown(field.type, field.required, path);
  const doc = optString(o, 'doc', path);
  if (doc !== undefined) field.doc = doc;
  const initialDefault = get(o, 'initial-default');
  if (initialDefault !== undefined && initialDefault !== null) field['initial-default'] = exactDefault(field.type, initialDefault);
  const writeDefault = get(o, 'write-default');
  if (writeDefault !== undefined && writeDefault !== null) field['write-default'] = exactDefault(field.type, writeDefault);
  return field;
}

/**
 * A float or double default as a JSON floating-point number (`1.0`): Iceberg Java reads no other form for these
 * types, and a JavaScript number would be written back as `1`, once parsed from the request or from a stored file.
 */
function exactDefault(type: IcebergType, value: unknown): unknown {
  if (typeof type !== 'string' || (type !== 'float' && type !== 'double')) return value;
  if (value instanceof JsonNumber) return value;
  return typeof value === 'number' || typeof value === 'bigint' ? JsonNumber.floating(value) : value;
}

function parseStruct(o: JsonObject, path: string): StructType {
  const fields = reqArray(o, 'fields', path).map((f, i) => parseField(f, sub(sub(path, 'fields'), i)));
  return { type: 'struct', fields };
}

/**
 * Parses and validates a schema from untrusted JSON. A missing schema-id
 * reads as 0 (Iceberg's default); identifier-field-ids are validated.
 */
export function parseSchema(v: unknown, path = 'schema'): Schema {
  const o = asObject(v, path);
  const t = get(o, 'type');
  if (t !== undefined && t !== 'struct') throw validation(`Invalid ${sub(path, 'type')}: a schema must be a struct`);
  const struct = parseStruct(o, path);
  const schema: Schema = { type: 'struct', 'schema-id': optInt(o, 'schema-id', path) ?? 0, fields: struct.fields };
  const ids = get(o, 'identifier-field-ids');
  if (ids !== undefined && ids !== null) {
    const list = asIntArray(ids, sub(path, 'identifier-field-ids'));
    if (list.length > 0) schema['identifier-field-ids'] = [...new Set(list)];
  }
  validateSchema(schema, path);
  return schema;
}

// ---------------------------------------------------------------- indexing

export interface IndexedField {
  id: number;
  /** Full dotted name, with "element" / "key" / "value" for collection members. */
  fullName: string;
  type: IcebergType;
  required: boolean;
  parentId: number | undefined;
}

export interface SchemaIndex {
  byId: Map<number, IndexedField>;
  byName: Map<string, number>;
  highestFieldId: number;
}

/** Indexes every field id (struct fields, list elements, map keys and values). Throws on duplicates. */
export function indexSchema(schema: { fields: StructField[] }, path = 'schema'): SchemaIndex {
  const byId = new Map<number, IndexedField>();
  const byName = new Map<string, number>();
  let highest = 0;
  const add = (id: number, fullName: string, type: IcebergType, required: boolean, parentId: number | undefined) => {
    if (byId.has(id)) throw validation(`Invalid ${path}: duplicate field id ${id}`);
    if (byName.has(fullName)) throw validation(`Invalid ${path}: multiple fields for name ${fullName}`);
    byId.set(id, { id, fullName, type, required, parentId });
    byName.set(fullName, id);
    if (id > highest) highest = id;
    visit(type, fullName, id);
  };
  const visit = (type: IcebergType, prefix: string, parentId: number | undefined) => {
    if (typeof type === 'string') return;
    const name = (n: string) => (prefix ? `${prefix}.${n}` : n);
    if (type.type === 'struct') {
      for (const f of type.fields) add(f.id, name(f.name), f.type, f.required, parentId);
    } else if (type.type === 'list') {
      add(type['element-id'], name('element'), type.element, type['element-required'], parentId);
    } else {
      add(type['key-id'], name('key'), type.key, true, parentId);
      add(type['value-id'], name('value'), type.value, type['value-required'], parentId);
    }
  };
  visit({ type: 'struct', fields: schema.fields }, '', undefined);
  return { byId, byName, highestFieldId: highest };
}

export const highestFieldId = (schema: { fields: StructField[] }): number => indexSchema(schema).highestFieldId;

function validateSchema(schema: Schema, path: string): void {
  const index = indexSchema(schema, path);
  for (const id of schema['identifier-field-ids'] ?? []) validateIdentifierField(id, index);
}

function validateIdentifierField(id: number, index: SchemaIndex): void {
  const field = index.byId.get(id);
  if (!field) throw illegalArgument(`Cannot add fieldId ${id} as an identifier field: field does not exist`);
  if (!isPrimitive(field.type)) throw illegalArgument(`Cannot add field ${field.fullName} as an identifier field: not a primitive type field`);
  if (!field.required) throw illegalArgument(`Cannot add field ${field.fullName} as an identifier field: not a required field`);
  if (field.type === 'float' || field.type === 'double') {
    throw illegalArgument(`Cannot add field ${field.fullName} as an identifier field: must not be float or double field`);
  }
  // walk from the root down, so the outermost offending parent is reported (as Iceberg Java does)
  const chain: IndexedField[] = [];
  for (let p = field.parentId; p !== undefined;) {
    const parent = index.byId.get(p);
    if (!parent) break;
    chain.unshift(parent);
    p = parent.parentId;
  }
  for (const parent of chain) {
    if (typeof parent.type === 'string' || parent.type.type !== 'struct') {
      throw illegalArgument(`Cannot add field ${field.fullName} as an identifier field: must not be nested in ${parent.fullName}`);
    }
    if (!parent.required) {
      throw illegalArgument(`Cannot add field ${field.fullName} as an identifier field: must not be nested in an optional field ${parent.fullName}`);
    }
  }
}

/** Fails when the schema uses types or defaults that the format version does not support. */
export function checkSchemaCompatibility(schema: Schema, formatVersion: number, path = 'schema'): void {
  if (formatVersion >= 3) return;
  for (const f of indexSchema(schema, path).byId.values()) {
    const id = typeId(f.type);
    if (V3_TYPES.has(id)) {
      throw validation(`Invalid schema for v${formatVersion}: ${f.fullName}: ${id} is not supported until v3`);
    }
  }
  const visitDefaults = (fields: StructField[], prefix: string) => {
    for (const f of fields) {
      const name = prefix ? `${prefix}.${f.name}` : f.name;
      if (f['initial-default'] !== undefined) {
        throw validation(`Invalid schema for v${formatVersion}: ${name}: non-null initial-default is not supported until v3`);
      }
      forEachStruct(f.type, (s, p) => visitDefaults(s.fields, `${name}${p}`));
    }
  };
  visitDefaults(schema.fields, '');
}

function forEachStruct(t: IcebergType, fn: (s: StructType, suffix: string) => void, suffix = ''): void {
  if (typeof t === 'string') return;
  if (t.type === 'struct') fn(t, suffix);
  else if (t.type === 'list') forEachStruct(t.element, fn, `${suffix}.element`);
  else {
    forEachStruct(t.key, fn, `${suffix}.key`);
    forEachStruct(t.value, fn, `${suffix}.value`);
  }
}

// ---------------------------------------------------------------- fresh ids

/**
 * Reassigns every field id from `nextId`, in Iceberg Java's order: all
 * fields of a struct first, then each field's nested type in turn; a list's
 * element id before its element type; a map's key and value ids before the
 * key and value types. Returns the new schema and the old → new id map.
 */
export function assignFreshIds(schema: Schema, schemaId: number, nextId: () => number): { schema: Schema; idMap: Map<number, number> } {
  const idMap = new Map<number, number>();
  const freshType = (t: IcebergType): IcebergType => {
    if (typeof t === 'string') return t;
    if (t.type === 'struct') return { type: 'struct', fields: freshFields(t.fields) };
    if (t.type === 'list') {
      const elementId = nextId();
      idMap.set(t['element-id'], elementId);
      return { type: 'list', 'element-id': elementId, element: freshType(t.element), 'element-required': t['element-required'] };
    }
    const keyId = nextId();
    const valueId = nextId();
    idMap.set(t['key-id'], keyId);
    idMap.set(t['value-id'], valueId);
    return {
      type: 'map',
      'key-id': keyId,
      key: freshType(t.key),
      'value-id': valueId,
      value: freshType(t.value),
      'value-required': t['value-required'],
    };
  };
  const freshFields = (fields: StructField[]): StructField[] => {
    const ids = fields.map((f) => {
      const id = nextId();
      idMap.set(f.id, id);
      return id;
    });
    return fields.map((f, i) => ({ ...f, id: ids[i] as number, type: freshType(f.type) }));
  };
  const fields = freshFields(schema.fields);
  const out: Schema = { type: 'struct', 'schema-id': schemaId, fields };
  const identifiers = (schema['identifier-field-ids'] ?? []).map((id) => {
    const mapped = idMap.get(id);
    if (mapped === undefined) throw validation(`Invalid schema: cannot find identifier field ${id}`);
    return mapped;
  });
  if (identifiers.length > 0) out['identifier-field-ids'] = identifiers;
  return { schema: out, idMap };
}

// ---------------------------------------------------------------- comparison

/** Same columns (ids, names, types, docs, defaults) and same identifier fields, ignoring schema ids. */
export function sameSchema(a: Schema, b: Schema): boolean {
  if (!deepEqual(a.fields, b.fields)) return false;
  const ia = [...new Set(a['identifier-field-ids'] ?? [])].sort((x, y) => x - y);
  const ib = [...new Set(b['identifier-field-ids'] ?? [])].sort((x, y) => x - y);
  return deepEqual(ia, ib);
}

/** A key equal for two schemas exactly when sameSchema calls them the same (id-index.ts). */
export function schemaKey(schema: Schema): string {
  const ids = [...new Set(schema['identifier-field-ids'] ?? [])].sort((x, y) => x - y);
  return `${structuralKey(schema.fields)}|${structuralKey(ids)}`;
}

export function withSchemaId(schema: Schema, schemaId: number): Schema {
  const out: Schema = { type: 'struct', 'schema-id': schemaId, fields: schema.fields };
  if (schema['identifier-field-ids'] && schema['identifier-field-ids'].length > 0) {
    out['identifier-field-ids'] = schema['identifier-field-ids'];
  }
  return out;
}

/** Structural equality for JSON-like values (key order ignored; bigint and number compare by value). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    if (typeof a === 'number' && !Number.isInteger(a)) return false;
    if (typeof b === 'number' && !Number.isInteger(b)) return false;
    return BigInt(a) === BigInt(b);
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}
