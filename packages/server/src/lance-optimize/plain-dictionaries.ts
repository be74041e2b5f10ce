/**
 * Dictionary-encoded columns written as their values' type in a policy-derived Lance dataset
 * (lancedb-policy-deriver.ts). The Lance library hands each batch of a dictionary-encoded column with its own
 * dictionary, a masked one gets a new dictionary per batch, and LanceDB's `add` takes Arrow's file format, which
 * holds one dictionary per column (apache-arrow: "does not support replacement dictionaries"): a chunk of several
 * batches could not be written (before 2026-11-28 such a table over 1,024 rows failed its derivation). So every
 * dictionary, wherever it is (a top-level column, a struct's field, a list's elements), is decoded: its values taken
 * by index as stored (take-rows.ts, never through JavaScript values), an index's null kept null. Readers see the same
 * values; the derived dataset's schema says the values' type where the table's says a dictionary.
 */
import { BufferType, type Data, DataType, Field, FixedSizeList, List, Map_, Schema, Struct } from 'apache-arrow';
import { nullData } from '../policy-files/nested-columns.js';
import { takeRows } from '../policy-files/take-rows.js';

const hasDictionary = (type: DataType): boolean => DataType.isDictionary(type) || (type.children ?? []).some((f: Field) => hasDictionary(f.type));

/** The type with every dictionary replaced by its values' type (the same object when it holds none). */
export function plainType(type: DataType): DataType {
  if (!hasDictionary(type)) return type;
  if (DataType.isDictionary(type)) return plainType(type.dictionary);
  const field = (f: Field) => new Field(f.name, plainType(f.type), f.nullable, f.metadata);
  if (DataType.isStruct(type)) return new Struct(type.children.map(field));
  if (DataType.isList(type)) return new List(field(type.children[0]!));
  if (DataType.isFixedSizeList(type)) return new FixedSizeList(type.listSize, field(type.children[0]!));
  if (DataType.isMap(type)) return new Map_(field(type.children[0]!) as never, type.keysSorted);
  throw new TypeError(`a dictionary inside a ${String(type)} column cannot be written yet`);
}

/** The schema with every dictionary replaced by its values' type. */
export function plainSchema(schema: Schema): Schema {
  return new Schema(
    schema.fields.map((f) => new Field(f.name, plainType(f.type), f.nullable, f.metadata)),
    schema.metadata,
  );
}

/** The column's data with every dictionary decoded (the same object when it holds none). */
export function plainData(data: Data): Data {
  if (!hasDictionary(data.type)) return data;
  if (!DataType.isDictionary(data.type)) {
    // A struct's or list's own buffers kept (validity, offsets), its children decoded.
    return data.clone(plainType(data.type), data.offset, data.length, data.nullCount, data as never, data.children.map(plainData));
  }
  const chunks = (data.dictionary?.data ?? []).map(plainData);
  const valueType = plainType(data.type.dictionary);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const starts = chunks.map((_, i) => chunks.slice(0, i).reduce((n, c) => n + c.length, 0));
  const indices = data.values as ArrayLike<number | bigint>;
  const picks = Array.from({ length: data.length }, (_, i) => {
    if (!data.getValid(i)) return { chunk: 0, row: 0 };
    const index = Number(indices[i]);
    if (!(index >= 0 && index < total)) throw new TypeError(`a dictionary index ${index} is out of its dictionary's ${total} values`);
    let chunk = chunks.length - 1;
    while (starts[chunk]! > index) chunk -= 1;
    return { chunk, row: index - starts[chunk]! };
  });
  if (total === 0) return nullData(valueType, data.length);
  const taken = takeRows(chunks, picks);
  // Null where the index is null, or the value it picks.
  const nullBitmap = new Uint8Array(Math.ceil(data.length / 8) || 1);
  let nullCount = 0;
  for (let i = 0; i < data.length; i++) {
    if (data.getValid(i) && taken.getValid(i)) nullBitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount += 1;
  }
  const buffers = {
    [BufferType.OFFSET]: taken.valueOffsets,
    [BufferType.DATA]: taken.values,
    [BufferType.VALIDITY]: nullBitmap,
    [BufferType.TYPE]: taken.typeIds,
  };
  return taken.clone(valueType, 0, data.length, nullCount, buffers as never, taken.children);
}
