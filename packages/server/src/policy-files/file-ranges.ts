/**
 * What a rewrite reports of each file it writes beyond its row count (catalog/planning/rewrite-ports.ts): per
 * top-level column with a field id, the values and nulls counted, and the least and greatest value (ColumnRange) of
 * the columns whose values compare as Iceberg orders them: ints, floats, dates, timestamps of micro or nano
 * seconds, strings, binary and booleans. NaN and nulls are left out of a range, as Iceberg's bounds leave them out;
 * -0 sorts below 0 (Java's Float.compare). Values are read as the file stores them (`get()` hands timestamps out
 * as float milliseconds, so those come from the column's buffer). Other types (decimal, time, fixed, nested) get no
 * range: the caller keeps the inputs' merged bounds for them.
 */
import { type Data, DataType, type RecordBatch, TimeUnit, type Vector } from 'apache-arrow';
import type { ColumnRange } from '../catalog/planning/rewrite-ports.js';
import { type Value, compare } from '../catalog/planning/values.js';
import { FIELD_ID_KEY } from './apply-batch.js';

type Kind = 'number' | 'bigint' | 'day' | 'us' | 'ns' | 'get';

function kindOf(type: DataType): Kind | undefined {
  if (DataType.isInt(type)) return type.bitWidth === 64 ? 'bigint' : 'number';
  if (DataType.isFloat(type)) return 'number';
  if (DataType.isDate(type)) return type.unit === 0 ? 'day' : undefined;
  if (DataType.isTimestamp(type)) return type.unit === TimeUnit.MICROSECOND ? 'us' : type.unit === TimeUnit.NANOSECOND ? 'ns' : undefined;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isBool(type)) return 'get';
  return undefined;
}

/** a < b in Iceberg's order (NaN never reaches here); -0 below 0. */
function less(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number' && a === 0 && b === 0) return Object.is(a, -0) && Object.is(b, 0);
  if (typeof a === 'boolean' && typeof b === 'boolean') return !a && b;
  return compare(a, b) < 0;
}

export class FileRanges {
  readonly valueCounts = new Map<number, number>();
  readonly nullValueCounts = new Map<number, number>();
  private readonly ranges = new Map<number, { lower: Value; upper: Value }>();
  private readonly kinds = new Map<number, Kind | undefined>();

  /** Counts a batch written to the file and widens its columns' ranges. */
  observe(batch: RecordBatch): void {
    batch.schema.fields.forEach((f, i) => {
      const id = Number(f.metadata.get(FIELD_ID_KEY));
      if (!Number.isInteger(id)) return;
      const column = batch.getChildAt(i)!;
      this.valueCounts.set(id, (this.valueCounts.get(id) ?? 0) + batch.numRows);
      this.nullValueCounts.set(id, (this.nullValueCounts.get(id) ?? 0) + column.nullCount);
      if (!this.kinds.has(id)) this.kinds.set(id, kindOf(f.type));
      const kind = this.kinds.get(id);
      if (kind !== undefined) this.widen(id, kind, column);
    });
  }

  /** The ranges by field id (units named for timestamps). */
  result(): Map<number, ColumnRange> {
    const out = new Map<number, ColumnRange>();
    for (const [id, r] of this.ranges) {
      const kind = this.kinds.get(id);
      out.set(id, { lower: r.lower, upper: r.upper, ...(kind === 'us' || kind === 'ns' ? { unit: kind } : {}) });
    }
    return out;
  }

  private widen(id: number, kind: Kind, column: Vector): void {
    const found = kind === 'get' ? variable(column) : fixed(kind, column);
    if (found === undefined) return;
    const { lower, upper } = found;
    const known = this.ranges.get(id);
    if (known === undefined) this.ranges.set(id, { lower, upper });
    else {
      if (less(lower, known.lower)) known.lower = lower;
      if (less(known.upper, upper)) known.upper = upper;
    }
  }
}

/** The least and greatest of a fixed-width column, read from its typed arrays (a slice's `values` are sliced with it). */
function fixed(kind: Kind, column: Vector): { lower: Value; upper: Value } | undefined {
  if (kind === 'number' || kind === 'day') {
    let lo = Infinity;
    let hi = -Infinity;
    let any = false;
    for (const d of column.data as Data[]) {
      const values = d.values as unknown as ArrayLike<number>;
      const nulls = d.nullCount > 0;
      for (let row = 0; row < d.length; row++) {
        const v = values[row]!;
        // NaN fails both comparisons; -0 and 0 are told apart below.
        if (nulls && !d.getValid(row)) continue;
        if (v < lo || (v === 0 && lo === 0 && Object.is(v, -0))) lo = v;
        if (v > hi || (v === 0 && hi === 0 && Object.is(hi, -0))) hi = v;
        if (v === v) any = true;
      }
    }
    return any ? { lower: lo, upper: hi } : undefined;
  }
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  for (const d of column.data as Data[]) {
    const values = d.values as unknown as ArrayLike<bigint>;
    const nulls = d.nullCount > 0;
    for (let row = 0; row < d.length; row++) {
      if (nulls && !d.getValid(row)) continue;
      const v = values[row]!;
      if (lo === undefined || v < lo) lo = v;
      if (hi === undefined || v > hi) hi = v;
    }
  }
  return lo === undefined || hi === undefined ? undefined : { lower: lo, upper: hi };
}

/** The least and greatest of a string, binary or boolean column: bytes compared unsigned (UTF-8's order is the code points'). */
function variable(column: Vector): { lower: Value; upper: Value } | undefined {
  const type = column.type as DataType;
  if (DataType.isBool(type)) {
    let seen = 0; // bit 1: false seen, bit 2: true seen
    for (const d of column.data as Data[]) {
      for (let row = 0; row < d.length && seen !== 3; row++) {
        if (!d.getValid(row)) continue;
        const bit = d.offset + row;
        seen |= ((d.values[bit >> 3]! >> (bit & 7)) & 1) === 1 ? 2 : 1;
      }
    }
    return seen === 0 ? undefined : { lower: (seen & 1) === 0, upper: (seen & 2) !== 0 };
  }
  let lo: Buffer | undefined;
  let hi: Buffer | undefined;
  for (const d of column.data as Data[]) {
    // 32-bit or 64-bit offsets (a slice's offsets are sliced with it, its values not).
    const offsets = d.valueOffsets as unknown as ArrayLike<number | bigint>;
    const bytes = d.values as Uint8Array;
    const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const nulls = d.nullCount > 0;
    for (let row = 0; row < d.length; row++) {
      if (nulls && !d.getValid(row)) continue;
      const v = all.subarray(Number(offsets[row]!), Number(offsets[row + 1]!));
      if (lo === undefined || Buffer.compare(v, lo) < 0) lo = v;
      if (hi === undefined || Buffer.compare(v, hi) > 0) hi = v;
    }
  }
  if (lo === undefined || hi === undefined) return undefined;
  const text = DataType.isUtf8(type) || DataType.isLargeUtf8(type);
  return text ? { lower: lo.toString('utf8'), upper: hi.toString('utf8') } : { lower: new Uint8Array(lo), upper: new Uint8Array(hi) };
}
