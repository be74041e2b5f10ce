/**
 * Partition specs: parsing, binding to a schema, and comparison.
 *
 * Invariants enforced (Iceberg Java refuses specs that break them):
 * partition field names are non-empty and unique, a name may only equal a
 * schema column's name when that column is the field's own source, every
 * non-void field's source column exists, is primitive, is not inside a list
 * or map, and accepts the transform; v1 specs use sequential field ids from
 * 1000.
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import { strictKey } from './id-index.js';
import { asObject, optInt, reqArray, reqInt, reqString, sub } from './read.js';
import { isPrimitive, type SchemaIndex } from './schema.js';
import { canTransform, parseTransform, type Transform } from './transforms.js';
import type { PartitionField, PartitionSpec } from './types.js';
import type { PartitionFieldInput, PartitionSpecInput } from './change-types.js';

/** Partition field ids start at 1000; an unpartitioned spec's last assigned id is 999. */
export const PARTITION_DATA_ID_START = 1000;
export const UNPARTITIONED_LAST_ASSIGNED_ID = PARTITION_DATA_ID_START - 1;

export function parsePartitionSpec(v: unknown, path = 'spec'): PartitionSpecInput {
  const o = asObject(v, path);
  const fields = reqArray(o, 'fields', path).map((f, i): PartitionFieldInput => {
    const p = sub(sub(path, 'fields'), i);
    const fo = asObject(f, p);
    const transform = parseTransform(reqString(fo, 'transform', p), sub(p, 'transform')).name;
    const field: PartitionFieldInput = {
      'source-id': reqInt(fo, 'source-id', p),
      name: reqString(fo, 'name', p),
      transform,
    };
    const fieldId = optInt(fo, 'field-id', p);
    if (fieldId !== undefined) field['field-id'] = fieldId;
    return field;
  });
  const spec: PartitionSpecInput = { fields };
  const specId = optInt(o, 'spec-id', path);
  if (specId !== undefined) spec['spec-id'] = specId;
  return spec;
}

/**
 * Binds a spec to a schema: keeps given field ids, assigns missing ones from
 * `nextFieldId`, and validates names and source columns.
 */
export function bindPartitionSpec(spec: PartitionSpecInput, specId: number, schema: SchemaIndex, nextFieldId: () => number, path = 'spec'): PartitionSpec {
  const names = new Set<string>();
  const fields: PartitionField[] = spec.fields.map((f, i) => {
    const p = sub(sub(path, 'fields'), i);
    if (f.name.length === 0) throw illegalArgument(`Cannot use empty partition name: ${f.name} (${p})`);
    if (names.has(f.name)) throw illegalArgument(`Cannot use partition name more than once: ${f.name}`);
    names.add(f.name);
    checkPartitionName(f, schema);
    return {
      'field-id': f['field-id'] ?? nextFieldId(),
      'source-id': f['source-id'],
      name: f.name,
      transform: f.transform,
    };
  });
  const bound: PartitionSpec = { 'spec-id': specId, fields };
  checkSpecCompatibility(bound, schema, path);
  return bound;
}

/**
 * A partition field's name may equal a column's (full) name only when that column is the field's own
 * source, whether or not the source column still exists: Iceberg Java checks this for every spec of a
 * table against its current schema when it reads the metadata, and refuses the file otherwise.
 */
function checkPartitionName(f: PartitionFieldInput, schema: SchemaIndex): void {
  const conflicting = schema.byName.get(f.name);
  if (conflicting !== undefined && conflicting !== f['source-id']) {
    throw illegalArgument(`Cannot create identity partition sourced from different field in schema: ${f.name}`);
  }
}

/**
 * What a reader checks of every spec of a table against its current schema (Iceberg Java's
 * TableMetadataParser binds each spec to it): every field's name (checkPartitionName); for the
 * default spec everything checkSpecCompatibility checks; for the others, the transform of each field
 * whose source column still exists must apply to that column's type (a reader rebuilds the transform
 * from it), while a field whose source column was dropped stays readable. Run on every change of a
 * table, so a schema change cannot leave an older spec unreadable.
 */
export function checkSpecAgainstSchema(spec: PartitionSpec, schema: SchemaIndex, isDefault: boolean): void {
  const path = isDefault ? 'default partition spec' : `partition spec ${spec['spec-id']}`;
  for (const f of spec.fields) checkPartitionName(f, schema);
  if (isDefault) {
    checkSpecCompatibility(spec, schema, path);
    return;
  }
  spec.fields.forEach((f, i) => {
    const p = sub(sub(path, 'fields'), i);
    checkTransformOnSource(f, parseTransform(f.transform, p), schema, p);
  });
}

/** Every non-void field must have a primitive source column, reachable through structs only, that accepts the transform. */
export function checkSpecCompatibility(spec: PartitionSpec, schema: SchemaIndex, path = 'spec'): void {
  spec.fields.forEach((f, i) => {
    const transform = parseTransform(f.transform, path);
    if (transform.kind === 'void') return;
    const p = sub(sub(path, 'fields'), i);
    const source = schema.byId.get(f['source-id']);
    if (!source) throw validation(`Invalid ${p}: cannot find source column ${f['source-id']} for partition field ${f.name}`);
    checkTransformOnSource(f, transform, schema, p);
    let parentId = source.parentId;
    while (parentId !== undefined) {
      const parent = schema.byId.get(parentId);
      if (!parent) break;
      if (typeof parent.type === 'string' || parent.type.type !== 'struct') {
        throw validation(`Invalid ${p}: invalid partition field parent ${parent.fullName}`);
      }
      parentId = parent.parentId;
    }
  });
}

/** A non-void field's transform must apply to its source column (when it exists): a primitive of a type the transform takes. */
function checkTransformOnSource(field: PartitionFieldInput, transform: Transform, schema: SchemaIndex, path: string): void {
  const source = schema.byId.get(field['source-id']);
  if (transform.kind === 'void' || source === undefined) return;
  if (!isPrimitive(source.type)) throw validation(`Invalid ${path}: cannot partition by non-primitive source field ${source.fullName}`);
  if (!canTransform(transform, source.type)) {
    throw validation(`Invalid ${path}: invalid source type ${String(source.type)} for transform ${transform.name}`);
  }
}

/** Same fields (source, transform, name) in the same order, ignoring spec and field ids. */
export function compatibleSpecs(a: { fields: PartitionFieldInput[] }, b: { fields: PartitionFieldInput[] }): boolean {
  if (a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => {
    const g = b.fields[i] as PartitionFieldInput;
    return f['source-id'] === g['source-id'] && f.transform === g.transform && f.name === g.name;
  });
}

/** A key equal for two specs exactly when compatibleSpecs calls them compatible (id-index.ts). */
export function specKey(spec: { fields: PartitionFieldInput[] }): string {
  return spec.fields.map((f) => `${strictKey(f['source-id'])},${strictKey(f.transform)},${strictKey(f.name)}`).join(';');
}

export function lastAssignedFieldId(spec: PartitionSpec): number {
  return spec.fields.reduce((max, f) => Math.max(max, f['field-id']), UNPARTITIONED_LAST_ASSIGNED_ID);
}

export function hasSequentialIds(spec: PartitionSpec): boolean {
  return spec.fields.every((f, i) => f['field-id'] === PARTITION_DATA_ID_START + i);
}
