/**
 * A Lance table's columns as the Iceberg schema its row-filter and column-mask policies are checked against and bound
 * to (policy-reads.ts), and which the LanceDB deriver labels its batches with (lance-optimize/lancedb-policy-deriver.ts):
 * one numbering for both. A top-level column's field id is its position + 1 (as before structs could be named); the
 * fields of structs, and each list's element, are numbered after the top-level columns, depth first, in schema order.
 * A struct's field is named as the Iceberg path names it, by its dotted path (`person.email`) or its field id; a
 * dictionary-encoded column is of its values' type; a list (a vector) may only be masked whole (rules.ts, wholeLists).
 * Framework-free and pure.
 */
import type { IcebergType, PrimitiveType, Schema, StructField } from '../metadata/types.js';
import type { LanceColumn } from '../ports/lance-policy.js';

/** A Lance table's columns as a Schema (field ids as above). */
export function lanceSchema(columns: readonly LanceColumn[]): Schema {
  let next = columns.length + 1;
  const typeOf = (c: LanceColumn): IcebergType => {
    if (c.type === 'struct')
      return { type: 'struct', fields: (c.fields ?? []).map((f) => ({ id: next++, name: f.name, required: !f.nullable, type: typeOf(f) })) };
    // A list's elements cannot be named: the element is there for the list to be a list (maskable whole only).
    if (c.type === 'list') return { type: 'list', 'element-id': next++, element: { type: 'struct', fields: [] }, 'element-required': false };
    // Anything else no policy may name (maps, unions): an empty struct, "not of a primitive type" to the rules.
    if (c.type === 'nested') return { type: 'struct', fields: [] };
    return c.type as PrimitiveType;
  };
  const fields: StructField[] = columns.map((c, i) => ({ id: i + 1, name: c.name, required: !c.nullable, type: typeOf(c) }));
  return { type: 'struct', 'schema-id': 0, fields };
}

/**
 * Every column's and struct field's dotted path (as a mask stores its column's name) with its field id; a path two
 * fields share (a top-level column named `a.b` beside struct `a`'s field `b`) maps to undefined: it names neither.
 */
export function fieldIdsByPath(schema: Schema): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  const walk = (fields: readonly StructField[], prefix: string) => {
    for (const f of fields) {
      const path = prefix + f.name;
      out.set(path, out.has(path) ? undefined : f.id);
      if (typeof f.type === 'object' && f.type.type === 'struct') walk(f.type.fields, `${path}.`);
    }
  };
  walk(schema.fields, '');
  return out;
}
