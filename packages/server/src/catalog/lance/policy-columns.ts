/**
 * A Lance table's columns as the Iceberg schema its row-filter and column-mask policies are checked against and bound
 * to (policy-reads.ts), and which the LanceDB deriver labels its batches with (lance-optimize/lancedb-policy-deriver.ts):
 * one numbering for both. A top-level column's field id is its position + 1 (as before structs could be named); the
 * fields of structs, and each list's element (then its own fields), are numbered after the top-level columns, depth
 * first, in schema order (a map's key, then its value). A struct's field, a list's element and a map's value are named
 * as the Iceberg path names them, by dotted path (`person.email`, `tags.element`, `people.element.email`,
 * `attrs.value`) or field id; a dictionary-encoded column is of its values' type; a fixed-size list (a vector) may
 * only be masked whole (rules.ts, wholeLists). Framework-free and pure.
 */
import { createHash } from 'node:crypto';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { type BoundExpression, bindFilter } from '../kit/expression.js';
import type { IcebergType, PrimitiveType, Schema, StructField } from '../metadata/types.js';
import type { LanceColumn } from '../ports/lance-policy.js';
import type { ColumnMask, EffectivePolicy } from '../ports/policies.js';
import { checkMasks } from '../policies/rules.js';
import { unstorableLiteral } from '../kit/literal.js';
import { stringifyJson } from '../json.js';

/**
 * A Lance table's columns as a Schema (field ids as above). `narrow`, when given, is filled with the field id of each
 * column narrower than its type (LanceColumn.narrow) and that narrow type.
 */
export function lanceSchema(columns: readonly LanceColumn[], narrow?: Map<number, string>): Schema {
  let next = columns.length + 1;
  const noted = (id: number, c: LanceColumn | undefined) => {
    if (c?.narrow !== undefined) narrow?.set(id, c.narrow);
    return id;
  };
  const typeOf = (c: LanceColumn): IcebergType => {
    if (c.type === 'struct')
      return { type: 'struct', fields: (c.fields ?? []).map((f) => ({ id: noted(next++, f), name: f.name, required: !f.nullable, type: typeOf(f) })) };
    if (c.type === 'list') {
      const id = noted(next++, c.element);
      // A list's element (`tags.element`, its fields after it): masked in every element. A fixed-size list (a vector)
      // has none to name: an empty struct, which no mask may name (nested.ts, checkLance: masked whole only).
      const element: IcebergType = c.element === undefined ? { type: 'struct', fields: [] } : typeOf(c.element);
      return { type: 'list', 'element-id': id, element, 'element-required': c.element !== undefined && !c.element.nullable };
    }
    if (c.type === 'map' && c.key !== undefined && c.value !== undefined) {
      const keyId = noted(next++, c.key);
      const key = typeOf(c.key);
      const valueId = noted(next++, c.value);
      return { type: 'map', 'key-id': keyId, key, 'value-id': valueId, value: typeOf(c.value), 'value-required': !c.value.nullable };
    }
    // Anything else no policy may name (unions, large lists): an empty struct, "not of a primitive type" to the rules.
    if (c.type === 'nested' || c.type === 'map') return { type: 'struct', fields: [] };
    return c.type as PrimitiveType;
  };
  const fields: StructField[] = columns.map((c, i) => ({ id: noted(i + 1, c), name: c.name, required: !c.nullable, type: typeOf(c) }));
  return { type: 'struct', 'schema-id': 0, fields };
}

/**
 * Every column's, struct field's, list element's and map key's and value's dotted path (as a mask stores its column's
 * name) with its field id; a path two fields share (a top-level column named `a.b` beside struct `a`'s field `b`) maps
 * to undefined: it names neither.
 */
export function fieldIdsByPath(schema: Schema): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  const walk = (fields: readonly StructField[], prefix: string) => {
    for (const f of fields) {
      const path = prefix + f.name;
      out.set(path, out.has(path) ? undefined : f.id);
      walkType(f.type, path);
    }
  };
  // Inside a struct its fields, a list its element (`tags.element`, `people.element.email`), a map its key and value.
  const walkType = (type: IcebergType, path: string): void => {
    if (typeof type !== 'object') return;
    if (type.type === 'struct') walk(type.fields, `${path}.`);
    else if (type.type === 'list') {
      const at = `${path}.element`;
      out.set(at, out.has(at) ? undefined : type['element-id']);
      walkType(type.element, at);
    } else if (type.type === 'map') {
      // A map's value (`attrs.value`); its key too, which a mask never names (nested.ts says why).
      for (const [part, id, inner] of [
        ['key', type['key-id'], type.key],
        ['value', type['value-id'], type.value],
      ] as const) {
        out.set(`${path}.${part}`, out.has(`${path}.${part}`) ? undefined : id);
        walkType(inner, `${path}.${part}`);
      }
    }
  };
  walk(schema.fields, '');
  return out;
}

/**
 * A Lance table's masks are applied by their column's path (policy-reads.ts, bindPolicy: a field id is a position
 * here, which a column added or dropped moves), so a mask whose field shares its path with another field (a struct's
 * field named `x.element` beside its list `x`) could never be applied: every restricted read would fail closed. Such a
 * mask is refused when posted, by name or by field id alike (before: taken by field id, then no restricted reader could
 * read the table).
 */
export function checkMasksBindable(masks: readonly ColumnMask[], schema: Schema): void {
  const byPath = fieldIdsByPath(schema);
  masks.forEach((m, i) => {
    if (byPath.get(m.column) !== m.fieldId)
      throw validation(
        `masks[${i}]: field id ${m.fieldId} is named ${m.column}, a path another field of this Lance table has too; a Lance table's masks are applied by path, so rename one of them`,
      );
  });
}

/** The values each narrow integer type holds (a float16 its finite values: the largest is 65504). */
const NARROW_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, 4294967295n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** Why `value` is no value of the narrow type, or undefined when it is one. */
function outOfNarrow(value: unknown, narrow: string, name: string): string | undefined {
  if (narrow === 'float16') return typeof value === 'number' && Math.abs(value) <= 65504 ? undefined : 'beyond the range of a 16-bit float (65504)';
  const range = NARROW_RANGE[narrow];
  if (range !== undefined) {
    const n = typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)) ? BigInt(value) : undefined;
    return n !== undefined && n >= range[0] && n <= range[1] ? undefined : `beyond the range of ${narrow} (${range[0]} to ${range[1]})`;
  }
  // A timestamp kept in seconds, milliseconds or nanoseconds: a number would be read in the column's unit, not in the
  // microseconds a policy's number means, so the instant is given as an ISO string.
  if (typeof value === 'number' || typeof value === 'bigint') return `this column keeps ${narrow.split('_')[1]}: give the instant as an ISO-8601 string`;
  return unstorableLiteral(value, { name, type: narrow as IcebergType });
}

/**
 * A Lance column narrower than the type its policies are checked as (an int8 or uint32 checked as an int, a float16 as
 * a float, a nanosecond timestamp as a timestamp): a mask's fixed value must be one of its values, since the
 * policy-derived dataset writes it into the column's own type, where a value out of its range wraps or overflows (a
 * float16 masked to 70000 read 2.134765625, a uint32 masked to -5 read 4294967291, before 2026-11-29). A 400 naming the
 * column and its type.
 */
export function checkNarrowMasks(masks: readonly ColumnMask[], narrow: ReadonlyMap<number, string>): void {
  masks.forEach((m, i) => {
    const type = narrow.get(m.fieldId);
    if (m.action !== 'mask-to-fixed-value' || type === undefined) return;
    const why = outOfNarrow(m.value, type, m.column);
    if (why !== undefined)
      throw validation(`masks[${i}]: mask-to-fixed-value: ${stringifyJson(m.value)?.slice(0, 64)} is not a valid ${type} value for '${m.column}': ${why}`);
  });
}

/**
 * A restricted reader of a Lance table is answered a dataset the catalog writes (policy-reads.ts), so a policy on a
 * table holding a column that dataset cannot carry (LanceColumn.uncarried: a type the deriver cannot copy) could never
 * be enforced: it is refused when written, 400 naming the column, nothing stored (before 2026-11-29 such a policy was
 * taken, and every restricted read then failed). A table apache-arrow cannot read at all (a large list) is refused by
 * the deriver itself, as it reads the columns.
 */
export function checkCarried(columns: readonly LanceColumn[]): void {
  const found = uncarriedColumn(columns);
  if (found !== undefined)
    throw validation(
      `The Lance table's column ${found.name} cannot be written into the policy-derived dataset a restricted reader is answered (${found.uncarried}); no row filter or column mask can be set on this table`,
    );
}

/**
 * At a restricted read, a column the derived dataset cannot carry (added after the policies were written), or a
 * table the deriver refused to read for that reason (`refused`, its 400): fails closed, ERR_UNPROCESSABLE naming the
 * policies and the column, never the table nor a 5xx.
 */
export function uncarriedAtRead(
  policies: readonly { id: string }[],
  columns: readonly LanceColumn[] | undefined,
  refused?: CatalogError,
): CatalogError | undefined {
  const found = columns === undefined ? undefined : uncarriedColumn(columns);
  const why =
    refused?.message ?? (found === undefined ? undefined : `its column ${found.name} cannot be written into a policy-derived dataset (${found.uncarried})`);
  if (why === undefined) return undefined;
  return new CatalogError(
    'ERR_UNPROCESSABLE',
    `The row/column polic${policies.length > 1 ? 'ies' : 'y'} ${policies.map((p) => p.id).join(', ')} on this Lance table cannot be enforced: ${why}; no data is handed out`,
  );
}

function uncarriedColumn(columns: readonly LanceColumn[]): (LanceColumn & { uncarried: string }) | undefined {
  return columns.find((c): c is LanceColumn & { uncarried: string } => c.uncarried !== undefined);
}

/** A policy's column (or filter) that matches none of the version read: fails closed (422), no data handed out. */
export const goneColumn = (what: string) =>
  new CatalogError(
    'ERR_UNPROCESSABLE',
    `A policy on this Lance table cannot be applied to its current schema: its ${what} does not match a column; no data is handed out`,
  );

/** The effective policy bound to the dataset's columns by name (fail closed: a policy column that is gone is a 422). */
export function bindPolicy(policy: EffectivePolicy, columns: readonly LanceColumn[]) {
  const schema = lanceSchema(columns);
  const byPath = fieldIdsByPath(schema);
  const masks = policy.masks.map((m) => {
    const fieldId = byPath.get(m.column);
    if (fieldId === undefined) throw goneColumn(`masked column ${m.column}`);
    // The action must still suit the column's type (a column dropped and added again as another type): else fail closed.
    try {
      checkMasks([{ 'field-id': fieldId, action: m.action, value: m.value }], schema, { wholeLists: true });
    } catch (e) {
      throw goneColumn(`masked column ${m.column} (${e instanceof Error ? e.message : String(e)})`);
    }
    return { fieldId, action: m.action, ...(m.value !== undefined ? { value: m.value } : {}) };
  });
  let filter: BoundExpression | undefined;
  if (policy.rowFilter !== undefined) {
    try {
      filter = bindFilter(policy.rowFilter, schema, true);
    } catch (e) {
      throw goneColumn(`row filter (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const salt = createHash('sha256').update(`lakegate sha-256-query-local\u0000${policy.policyVersion}`).digest();
  return { filter, masks, salt };
}
