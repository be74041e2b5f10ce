/**
 * Rows picked from several Arrow column chunks into one, by copying their buffers (apache-arrow has no take kernel):
 * what the sort strategy (sort-rows.ts) writes out. Values are copied as stored, never through JavaScript values
 * (`get()` hands timestamps out as float milliseconds, and `vectorFromArray` cannot always take them back: a
 * microsecond lost, or a RangeError). Fixed-width types (ints, floats, dates, times, timestamps, decimals,
 * fixed-size binary, intervals, durations), booleans, strings and binary of 32-bit and 64-bit offsets (large strings
 * and binary, which Lance tables hold), structs, lists, fixed-size lists, maps, Arrow's null type (no buffers: only a
 * length; a Lance table can hold such a column, and before 2026-11-29 it threw here) and dictionaries whose chunks
 * share one dictionary (indices copied) are copied; any other type (unions, dictionaries differing between chunks)
 * throws a TypeError, which the rewriter reports as a 422 (a compaction then leaves the group as it is). uncopied()
 * names such a type ahead of any row (a Lance table's policy is refused for it when written).
 */
import { type Data, DataType, makeData } from 'apache-arrow';

/** One picked row: its chunk and its index in the chunk. */
export interface Pick {
  chunk: number;
  row: number;
}

function validity(chunks: readonly Data[], picks: readonly Pick[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(picks.length / 8) || 1);
  let nullCount = 0;
  picks.forEach(({ chunk, row }, i) => {
    if (chunks[chunk]!.getValid(row)) nullBitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  });
  return { nullBitmap, nullCount };
}

/** Each picked row's child rows, for list-like types (child rows offsets[row] to offsets[row + 1]). */
function childPicks(chunks: readonly Data[], picks: readonly Pick[], width?: number): { offsets: Int32Array; children: Pick[] } {
  const offsets = new Int32Array(picks.length + 1);
  const children: Pick[] = [];
  picks.forEach(({ chunk, row }, i) => {
    const d = chunks[chunk]!;
    // A slice's offsets are sliced, its fixed-size list's child too (apache-arrow's Data.slice).
    const [from, to] = width === undefined ? [d.valueOffsets[row]!, d.valueOffsets[row + 1]!] : [row * width, (row + 1) * width];
    for (let c = from; c < to; c++) children.push({ chunk, row: c });
    offsets[i + 1] = children.length;
  });
  return { offsets, children };
}

/**
 * Why rows of `type` cannot be copied by takeRows (a union, at any depth), or undefined when they can. A dictionary
 * is copied when its chunks share one dictionary, which one batch's do.
 */
export function uncopied(type: DataType): string | undefined {
  if (DataType.isUnion(type)) return `a column of type ${String(type)} (a union) cannot be copied row by row here`;
  for (const child of type.children ?? []) {
    const reason = uncopied(child.type);
    if (reason !== undefined) return reason;
  }
  return DataType.isDictionary(type) ? uncopied(type.dictionary) : undefined;
}

export function takeRows(chunks: readonly Data[], picks: readonly Pick[]): Data {
  const type = chunks[0]!.type;
  // Arrow's null type: every value null, no validity bitmap nor values; only the length is picked.
  if (DataType.isNull(type)) return makeData({ type, length: picks.length });
  const { nullBitmap, nullCount } = validity(chunks, picks);
  const base = { type, length: picks.length, nullCount, nullBitmap } as const;
  if (DataType.isBool(type)) {
    const data = new Uint8Array(Math.ceil(picks.length / 8) || 1);
    picks.forEach(({ chunk, row }, i) => {
      const d = chunks[chunk]!;
      const bit = d.offset + row;
      if ((d.values[bit >> 3]! >> (bit & 7)) & 1) data[i >> 3]! |= 1 << (i & 7);
    });
    return makeData({ ...base, data } as never);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const valueOffsets = new Int32Array(picks.length + 1);
    let bytes = 0;
    picks.forEach(({ chunk, row }, i) => {
      const d = chunks[chunk]!;
      bytes += d.valueOffsets[row + 1]! - d.valueOffsets[row]!;
      valueOffsets[i + 1] = bytes;
    });
    const data = new Uint8Array(bytes);
    picks.forEach(({ chunk, row }, i) => {
      const d = chunks[chunk]!;
      data.set((d.values as Uint8Array).subarray(d.valueOffsets[row]!, d.valueOffsets[row + 1]!), valueOffsets[i]!);
    });
    return makeData({ ...base, valueOffsets, data } as never);
  }
  if (DataType.isLargeUtf8(type) || DataType.isLargeBinary(type)) {
    // 64-bit offsets (a BigInt64Array), as LanceDB hands out a `large_utf8` or `large_binary` column.
    const at = (d: Data, row: number) => Number((d.valueOffsets as unknown as BigInt64Array)[row]!);
    const valueOffsets = new BigInt64Array(picks.length + 1);
    let bytes = 0;
    picks.forEach(({ chunk, row }, i) => {
      const d = chunks[chunk]!;
      bytes += at(d, row + 1) - at(d, row);
      valueOffsets[i + 1] = BigInt(bytes);
    });
    const data = new Uint8Array(bytes);
    picks.forEach(({ chunk, row }, i) => {
      const d = chunks[chunk]!;
      data.set((d.values as Uint8Array).subarray(at(d, row), at(d, row + 1)), Number(valueOffsets[i]!));
    });
    return makeData({ ...base, valueOffsets, data } as never);
  }
  if (DataType.isDictionary(type) && chunks.every((d) => d.dictionary === chunks[0]!.dictionary)) {
    // The indices copied, the one dictionary the chunks share kept (chunks with different dictionaries are not merged).
    const ArrayType = chunks[0]!.values.constructor as new (n: number) => { [i: number]: unknown };
    const data = new ArrayType(picks.length);
    picks.forEach(({ chunk, row }, i) => (data[i] = chunks[chunk]!.values[row]));
    return makeData({ ...base, data, dictionary: chunks[0]!.dictionary } as never);
  }
  if (DataType.isStruct(type)) {
    // A slice's struct children are sliced with it: the same row indices.
    const children = type.children.map((_, c) =>
      takeRows(
        chunks.map((d) => d.children[c]!),
        picks,
      ),
    );
    return makeData({ ...base, children } as never);
  }
  if (DataType.isList(type) || DataType.isMap(type)) {
    const { offsets, children } = childPicks(chunks, picks);
    const child = takeRows(
      chunks.map((d) => d.children[0]!),
      children,
    );
    return makeData({ ...base, valueOffsets: offsets, child } as never);
  }
  if (DataType.isFixedSizeList(type)) {
    const { children } = childPicks(chunks, picks, type.listSize);
    const child = takeRows(
      chunks.map((d) => d.children[0]!),
      children,
    );
    return makeData({ ...base, child } as never);
  }
  if (
    DataType.isInt(type) ||
    DataType.isFloat(type) ||
    DataType.isDate(type) ||
    DataType.isTime(type) ||
    DataType.isTimestamp(type) ||
    DataType.isDecimal(type) ||
    DataType.isFixedSizeBinary(type) ||
    DataType.isInterval(type) ||
    DataType.isDuration(type)
  ) {
    const stride = chunks[0]!.stride;
    const ArrayType = chunks[0]!.values.constructor as new (n: number) => { set(a: ArrayLike<unknown>, at: number): void };
    const data = new ArrayType(picks.length * stride);
    picks.forEach(({ chunk, row }, i) => {
      const values = chunks[chunk]!.values as unknown as { subarray(a: number, b: number): ArrayLike<unknown> };
      data.set(values.subarray(row * stride, (row + 1) * stride), i * stride);
    });
    return makeData({ ...base, data } as never);
  }
  throw new TypeError(`sorting a column of type ${String(type)} is not supported yet`);
}
