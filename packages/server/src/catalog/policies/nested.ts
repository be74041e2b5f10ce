/**
 * The fields a column mask may name (rules.ts), by dotted name or field id: a top-level column, a struct's field, a
 * list's element (`tags.element`) or a map's value (`attrs.value`), as Iceberg names them, at any depth. A mask of an
 * element or a value applies to every element or value (policy-files/nested-columns.ts). A whole list, map or struct
 * (Iceberg tables and views) is masked by `replace-with-null` only (it has no single value to hash, shorten or fix).
 * A map's keys are never masked: they identify its entries. A Lance table keeps its own rule (checkLance: no whole
 * struct, no vector's elements one by one; its lists' elements and maps' values one by one since 2026-11-29).
 */
import { validation } from '../../errors/catalog-error.js';
import type { IcebergType, Schema } from '../metadata/types.js';
import type { MaskAction } from '../ports/policies.js';

export interface MaskedField {
  id: number;
  /** The dotted name (`person.email`, `tags.element`, `attrs.value`). */
  name: string;
  type: IcebergType;
  required: boolean;
  /** What the name is, for messages: a column, a struct's field, a list's element, a map's value. */
  what: string;
}

/** One step of a path: a struct's field, or a list's element, a map's key or value as Iceberg names them. */
interface Step {
  id: number;
  name: string;
  type: IcebergType;
  required: boolean;
  what: string;
}

const kindOf = (type: IcebergType): string | undefined => (typeof type === 'string' ? undefined : type.type);

/** The fields one level below a nested type, as Iceberg names them (TypeUtil.indexByName: `element`, `key`, `value`). */
function below(type: IcebergType): Step[] {
  if (typeof type === 'string') return [];
  switch (type.type) {
    case 'struct':
      return type.fields.map((f) => ({ id: f.id, name: f.name, type: f.type, required: f.required, what: "struct's field" }));
    case 'list':
      return [{ id: type['element-id'], name: 'element', type: type.element, required: type['element-required'], what: "list's element" }];
    case 'map':
      return [
        { id: type['key-id'], name: 'key', type: type.key, required: true, what: "map's key" },
        { id: type['value-id'], name: 'value', type: type.value, required: type['value-required'], what: "map's value" },
      ];
  }
}

const columns = (schema: Schema): Step[] => schema.fields.map((f) => ({ id: f.id, name: f.name, type: f.type, required: f.required, what: 'column' }));

/** The field a (dotted) name names: a struct's field, a list's `element`, a map's `value` (a map's `key`: 400, why). */
export function fieldByName(schema: Schema, name: string): MaskedField | undefined {
  // As Iceberg's name index (TypeUtil.indexByName) names fields: each field by its names from the top joined by '.',
  // so a field whose own name holds a '.' ("person" → "a.b") is "person.a.b", the name a stored mask shows for it. A
  // name two fields answer to is refused rather than one picked (Iceberg refuses such a schema).
  const parts = name.split('.');
  const found: Step[][] = [];
  const walk = (options: readonly Step[], at: number, path: readonly Step[]): void => {
    for (const f of options) {
      const width = f.name.split('.').length;
      if (found.length > 1 || at + width > parts.length || parts.slice(at, at + width).join('.') !== f.name) continue;
      if (at + width === parts.length) found.push([...path, f]);
      else walk(below(f.type), at + width, [...path, f]);
    }
  };
  walk(columns(schema), 0, []);
  if (found.length > 1) throw validation(`'${name.slice(0, 256)}' names more than one field (a name holding a '.'): name the field by its field id`);
  return found.length === 1 ? masked(found[0]!) : undefined;
}

/** The field a field id names, anywhere in the schema. */
export function fieldById(schema: Schema, id: number): MaskedField | undefined {
  const find = (steps: readonly Step[]): Step[] | undefined => {
    for (const s of steps) {
      if (s.id === id) return [s];
      const rest = find(below(s.type));
      if (rest) return [s, ...rest];
    }
    return undefined;
  };
  const path = find(columns(schema));
  return path && masked(path);
}

function masked(path: readonly Step[]): MaskedField {
  const field = path[path.length - 1]!;
  const name = path.map((f) => f.name).join('.');
  const key = path.findIndex((s) => s.what === "map's key");
  if (key >= 0) {
    const map = path
      .slice(0, key)
      .map((f) => f.name)
      .join('.');
    throw validation(
      `cannot mask '${name.slice(0, 256)}': a map's keys identify its entries (masked keys would merge or hide entries), so they are never masked; mask its values ('${map}.value') or null the whole map`,
    );
  }
  return {
    id: field.id,
    name,
    type: field.type,
    required: field.required,
    what: field.what,
  };
}

/** Iceberg tables and views: a list, map or struct is masked whole by replace-with-null only (its elements by name). */
export function checkNested(field: MaskedField, action: MaskAction, i: number): void {
  const kind = kindOf(field.type);
  if (kind === undefined || action === 'replace-with-null') return;
  const parts = kind === 'list' ? ` (mask its elements as '${field.name}.element')` : kind === 'map' ? ` (mask its values as '${field.name}.value')` : '';
  throw validation(
    `masks[${i}]: ${action} cannot mask the ${kind} ${field.what} '${field.name}': a ${kind} is masked whole by replace-with-null only (it has no single value to hash, shorten or fix)${parts}`,
  );
}

/**
 * Lance tables: a primitive column, struct field, list's element or map's value (`tags.element`,
 * `people.element.email`, `attrs.value`, at any depth) by any action that suits its type, in every element or entry
 * (policy-files/nested-columns.ts); a list (a vector among them) or a map whole by replace-with-null. Never a whole
 * struct (masked field by field), a fixed-size list's (vector's) elements one by one, nor anything of a type no policy
 * names (unions, large lists).
 */
export function checkLance(field: MaskedField, action: MaskAction, i: number): void {
  const type = field.type;
  if (typeof type !== 'object') return;
  // A fixed-size list's element (and a list's of a type no policy names) is an empty struct (lance/policy-columns.ts).
  const opaque = (t: IcebergType) => typeof t === 'object' && t.type === 'struct' && t.fields.length === 0;
  if (field.what === "list's element" && opaque(type))
    throw validation(
      `masks[${i}]: '${field.name}' cannot be masked one by one: the elements of a fixed-size list (a vector), or of a type no policy names, are masked with their list, by replace-with-null`,
    );
  if (type.type === 'struct') throw validation(`masks[${i}]: ${field.what} '${field.name}' is not of a primitive type`);
  if (action !== 'replace-with-null') {
    const inside =
      type.type === 'map' ? ` (mask its values as '${field.name}.value')` : opaque(type.element) ? '' : ` (mask its elements as '${field.name}.element')`;
    throw validation(
      `masks[${i}]: ${action} cannot mask '${field.name}', a ${type.type} (${field.what}): a ${type.type} is masked whole, by replace-with-null only (it has no single value to hash, shorten or fix)${inside}`,
    );
  }
}

/**
 * The field ids a policy's masks hide: each masked field's and those nested in it (a whole list, map or struct
 * nulled hides its elements, values and fields), so no statistic, pruning nor partition value shows them.
 */
export function maskedIds(masks: ReadonlyArray<{ fieldId: number }>, schema: Schema): Set<number> {
  const out = new Set(masks.map((m) => m.fieldId));
  const walk = (type: IcebergType, hidden: boolean): void => {
    for (const child of below(type)) {
      if (hidden) out.add(child.id);
      walk(child.type, hidden || out.has(child.id));
    }
  };
  for (const f of schema.fields) walk(f.type, out.has(f.id));
  return out;
}
