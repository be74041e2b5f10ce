/**
 * The fields a column mask may name (rules.ts): a top-level column or a struct's field, by dotted name or field id,
 * of a primitive type or (Iceberg tables and views) a whole list, map or struct, which only `replace-with-null`
 * masks (it has no single value to hash, shorten or fix). A Lance table keeps its own rule (a list, its vector, masked
 * whole; nothing else nested).
 */
import { validation } from '../../errors/catalog-error.js';
import type { IcebergType, Schema, StructField } from '../metadata/types.js';
import type { MaskAction } from '../ports/policies.js';

export interface MaskedField {
  id: number;
  /** The dotted name (`person.email`). */
  name: string;
  type: IcebergType;
  required: boolean;
  /** What the name is, for messages: a column, or a struct's field. */
  what: string;
}

const kindOf = (type: IcebergType): string | undefined => (typeof type === 'string' ? undefined : type.type);

/** The field a (dotted) name names, through structs. */
export function fieldByName(schema: Schema, name: string): MaskedField | undefined {
  const path = pathByName(schema.fields, name.split('.'));
  return path && masked(path);
}

/** The field a field id names, through structs. */
export function fieldById(schema: Schema, id: number): MaskedField | undefined {
  const path = pathById(schema.fields, id);
  return path && masked(path);
}

function masked(path: readonly StructField[]): MaskedField {
  const field = path[path.length - 1]!;
  return {
    id: field.id,
    name: path.map((f) => f.name).join('.'),
    type: field.type,
    required: field.required,
    what: path.length === 1 ? 'column' : "struct's field",
  };
}

/** Iceberg tables and views: a list, map or struct is masked whole, by replace-with-null only. */
export function checkNested(field: MaskedField, action: MaskAction, i: number): void {
  const kind = kindOf(field.type);
  if (kind === undefined || action === 'replace-with-null') return;
  throw validation(
    `masks[${i}]: ${action} cannot mask the ${kind} ${field.what} '${field.name}': a ${kind} is masked whole by replace-with-null only (it has no single value to hash, shorten or fix)`,
  );
}

/** Lance tables: a list (a vector) is masked whole by replace-with-null; no other nested column. */
export function checkLance(field: MaskedField, action: MaskAction, i: number): void {
  const kind = kindOf(field.type);
  if (kind === undefined) return;
  if (kind !== 'list') throw validation(`masks[${i}]: column '${field.name}' is not of a primitive type`);
  if (action !== 'replace-with-null')
    throw validation(
      `masks[${i}]: ${action} cannot mask the list (vector) column '${field.name}': a list is masked whole, by replace-with-null only (it has no single value to hash, shorten or fix)`,
    );
}

function pathByName(fields: readonly StructField[], parts: readonly string[]): StructField[] | undefined {
  const found = fields.find((f) => f.name === parts[0]);
  if (!found) return undefined;
  if (parts.length === 1) return [found];
  if (typeof found.type !== 'object' || found.type.type !== 'struct') return undefined;
  const rest = pathByName(found.type.fields, parts.slice(1));
  return rest && [found, ...rest];
}

function pathById(fields: readonly StructField[], id: number): StructField[] | undefined {
  for (const f of fields) {
    if (f.id === id) return [f];
    if (typeof f.type === 'object' && f.type.type === 'struct') {
      const rest = pathById(f.type.fields, id);
      if (rest) return [f, ...rest];
    }
  }
  return undefined;
}

/**
 * The field ids a policy's masks hide: each masked field's and those nested in it (a whole list, map or struct
 * nulled hides its elements, values and fields), so no statistic, pruning nor partition value shows them.
 */
export function maskedIds(masks: ReadonlyArray<{ fieldId: number }>, schema: Schema): Set<number> {
  const out = new Set(masks.map((m) => m.fieldId));
  const walk = (type: IcebergType, hidden: boolean): void => {
    if (typeof type === 'string') return;
    const children: Array<[number, IcebergType]> =
      type.type === 'struct'
        ? type.fields.map((f) => [f.id, f.type])
        : type.type === 'list'
          ? [[type['element-id'], type.element]]
          : [
              [type['key-id'], type.key],
              [type['value-id'], type.value],
            ];
    for (const [id, child] of children) {
      if (hidden) out.add(id);
      walk(child, hidden || out.has(id));
    }
  };
  for (const f of schema.fields) walk(f.type, out.has(f.id));
  return out;
}
