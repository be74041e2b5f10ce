/**
 * Fields inside a batch's columns for apply-batch.ts: a struct's fields, a list's element and a map's key and value
 * found by their field ids (the field metadata `PARQUET:field_id` of a nested type's children, as Parquet readers
 * and the Lance deriver label them). A struct's field is read row by row for a row filter and masked in place inside
 * its struct (the struct's other fields and its own nulls copied as stored, take-rows.ts); a list's element or a
 * map's value is masked in every element or entry (the offsets and nulls of the list or map as stored), never read
 * for a filter. And an all-null column of any type, for `replace-with-null` of a whole list (a Lance vector), map or
 * struct.
 */
import { type Data, DataType, type Field, type Schema, type Vector, makeData, makeVector, vectorFromArray } from 'apache-arrow';
import type { ColumnMask } from '../catalog/ports/policies.js';
import { fixedColumn } from './fixed-values.js';
import { type MaskContext, maskValue } from './masks.js';
import { takeRows } from './take-rows.js';

type Mask = Pick<ColumnMask, 'fieldId' | 'action' | 'value'>;

/** The masks of one column: its own, or those of the fields below it (by child index), for a struct. */
export interface MaskNode {
  mask?: Mask;
  children: Map<number, MaskNode>;
}

/**
 * Each field id's place in the batch: its top-level column's index, then the child indices of the struct fields it
 * is in (`[2, 0]`: column 2's first field). Found through structs only.
 */
export function fieldPaths(schema: Schema, key: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const walk = (fields: readonly Field[], at: readonly number[]) =>
    fields.forEach((f, i) => {
      const id = Number(f.metadata.get(key));
      if (Number.isInteger(id) && f.metadata.has(key)) out.set(id, [...at, i]);
      // A map's child is its entries struct (no field id), whose children are the key and the value.
      if (DataType.isStruct(f.type) || DataType.isList(f.type) || DataType.isMap(f.type)) walk(f.type.children, [...at, i]);
    });
  walk(schema.fields, []);
  return out;
}

/** A reader of a field's value by row: null where the field, or a struct it is in, is null (Iceberg's semantics). */
export function valueReader(columns: readonly Vector[], path: readonly number[]): (row: number) => unknown {
  const vectors = [columns[path[0]!]!];
  for (const child of path.slice(1)) {
    const parent = vectors[vectors.length - 1]!;
    // A list's elements or a map's entries are many values a row: no row filter nor delete names them (rules.ts).
    if (!DataType.isStruct(parent.type)) throw new TypeError(`a field inside a ${String(parent.type)} column has no one value a row`);
    vectors.push(parent.getChildAt(child)!);
  }
  if (vectors.length === 1) return (row) => vectors[0]!.get(row);
  const leaf = vectors[vectors.length - 1]!;
  const parents = vectors.slice(0, -1);
  return (row) => (parents.every((v) => v.isValid(row)) ? leaf.get(row) : null);
}

/** The masks as a tree per top-level column (by the field ids' paths). */
export function maskTree(masks: readonly Mask[], pathOf: (fieldId: number) => readonly number[]): Map<number, MaskNode> {
  const out = new Map<number, MaskNode>();
  for (const m of masks) {
    const [top, ...below] = pathOf(m.fieldId);
    let node: MaskNode = out.get(top!) ?? { children: new Map() };
    out.set(top!, node);
    for (const child of below) {
      const next: MaskNode = node.children.get(child) ?? { children: new Map() };
      node.children.set(child, next);
      node = next;
    }
    node.mask = m;
  }
  return out;
}

/**
 * The column's picked rows with the masks applied: a masked column's values through maskValue (the Iceberg path's
 * functions; a dictionary-encoded one decoded by `get` and encoded again), a list or struct nulled whole, and a
 * struct with masked fields copied as stored but for those fields (its own validity kept, so a null struct stays null).
 */
export function maskedColumn(column: Vector, node: MaskNode, rows: readonly number[], ctx: MaskContext): Data {
  const type = column.type as DataType;
  const m = node.mask;
  if (m !== undefined) {
    if (m.action === 'replace-with-null' && isNested(type)) return nullData(type, rows.length);
    if (m.action === 'mask-to-fixed-value') return fixedColumn(type, m.value, rows.length);
    const values = rows.map((r) => maskValue(m.action, column.get(r), ctx, m.value));
    return vectorFromArray(
      values.map((v) => (v === undefined ? null : v)),
      type,
    ).data[0]!;
  }
  if (column.data.length !== 1) throw new TypeError(`a column of ${column.data.length} chunks cannot be masked inside`);
  if (DataType.isList(type) || DataType.isMap(type)) return maskedElements(column, node, rows, ctx);
  if (!DataType.isStruct(type)) throw new TypeError(`the fields of column type ${String(type)} cannot be masked one by one`);
  const taken = takeRows(
    column.data,
    rows.map((row) => ({ chunk: 0, row })),
  );
  const children = taken.children.map((c, j) => {
    const below = node.children.get(j);
    return below === undefined ? c : maskedColumn(column.getChildAt(j)!, below, rows, ctx);
  });
  return makeData({ type, length: rows.length, nullCount: taken.nullCount, nullBitmap: taken.nullBitmap, children });
}

/**
 * A list's or a map's picked rows with every element (a map: every entry's value) masked: the rows' offsets and
 * nulls copied as stored (take-rows.ts), then the elements (a map's entries struct) masked as a column of their own.
 */
function maskedElements(column: Vector, node: MaskNode, rows: readonly number[], ctx: MaskContext): Data {
  const taken = takeRows(
    column.data,
    rows.map((row) => ({ chunk: 0, row })),
  );
  const inside = node.children.get(0);
  if (inside === undefined) return taken;
  const elements = makeVector(taken.children[0]!);
  const child = maskedColumn(
    elements,
    inside,
    Array.from({ length: elements.length }, (_, i) => i),
    ctx,
  );
  return makeData({
    type: column.type,
    length: rows.length,
    nullCount: taken.nullCount,
    nullBitmap: taken.nullBitmap,
    valueOffsets: taken.valueOffsets,
    child,
  } as never);
}

const isNested = (type: DataType) => DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isStruct(type) || DataType.isMap(type);

/**
 * `length` nulls of `type`, nested types with children of the lengths their readers check (apache-arrow's builders
 * give a fixed-size list of nulls a child shorter than length × size, which the Lance library refuses).
 */
export function nullData(type: DataType, length: number): Data {
  const base = { type, length, nullCount: length, nullBitmap: new Uint8Array(Math.ceil(length / 8) || 1) };
  if (DataType.isFixedSizeList(type)) {
    const child = type.children[0]!.type as DataType;
    const n = length * type.listSize;
    // Zeros under the null lists (valid values, as a non-nullable element field needs): no value of the column's.
    const values =
      DataType.isFloat(child) || DataType.isInt(child)
        ? makeData({ type: child, length: n, nullCount: 0, data: new child.ArrayType(n) } as never)
        : nullData(child, n);
    return makeData({ ...base, child: values } as never);
  }
  if (DataType.isList(type) || DataType.isMap(type))
    return makeData({ ...base, valueOffsets: new Int32Array(length + 1), child: nullData(type.children[0]!.type as DataType, 0) } as never);
  if (DataType.isStruct(type)) return makeData({ ...base, children: type.children.map((f) => nullData(f.type as DataType, length)) } as never);
  return vectorFromArray(new Array<null>(length).fill(null), type).data[0]!;
}
