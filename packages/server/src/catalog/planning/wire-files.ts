/**
 * Data and delete files in the wire shape of the Iceberg REST spec (DataFile, PositionDeleteFile,
 * EqualityDeleteFile, FileScanTask): partition values and bounds in the spec's single-value JSON (dates as
 * "YYYY-MM-DD", timestamps as ISO strings, binary and fixed as uppercase hex, decimals as strings), typed by
 * the partition spec's result types and the schema. Column statistics only for the requested stats-fields.
 */
import type { ContentFile } from '../ports/manifests.js';
import type { IcebergType, PartitionSpec, Schema, StructField } from '../metadata/types.js';
import { deleteIdentity } from './delete-index.js';
import type { PlannedFile } from './plan-files.js';
import { isLongLike } from './values.js';

/** Every primitive field of a schema by id, nested struct fields included. */
export function fieldsById(schema: Schema): Map<number, StructField> {
  const out = new Map<number, StructField>();
  const walk = (fields: StructField[]) => {
    for (const f of fields) {
      out.set(f.id, f);
      if (typeof f.type === 'object' && f.type.type === 'struct') walk(f.type.fields);
    }
  };
  walk(schema.fields);
  return out;
}

/** The type of a partition field's values: the transform's result type. */
function resultType(transform: string, source: IcebergType | undefined): string {
  if (transform === 'day') return 'date';
  if (transform === 'year' || transform === 'month' || transform === 'hour' || transform.startsWith('bucket')) return 'int';
  return typeof source === 'string' ? source : 'string';
}

const long = (v: unknown): number | bigint => {
  const b = typeof v === 'bigint' ? v : BigInt(v as number);
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
};
const hex = (v: Uint8Array) => Buffer.from(v).toString('hex').toUpperCase();
const pad = (n: number | bigint, w: number) => String(n).padStart(w, '0');

function isoMicros(micros: bigint, zone: boolean): string {
  const ms = micros / 1000n;
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  return `${base}.${pad(frac, 6)}${zone ? '+00:00' : ''}`;
}

function decimalString(unscaled: bigint, scale: number): string {
  if (scale <= 0) return `${unscaled}${scale < 0 ? `E+${-scale}` : ''}`;
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function bigEndianSigned(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes[0]! & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** A value as the manifest's Avro gave it (number, bigint, string, bytes), in the spec's single-value JSON for `type`. */
export function singleValueJson(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'date') return new Date(Number(v) * 86_400_000).toISOString().slice(0, 10);
  if (type === 'timestamp' || type === 'timestamptz') return isoMicros(BigInt(v as number), type === 'timestamptz');
  if (type === 'timestamp_ns' || type === 'timestamptz_ns') {
    const nanos = BigInt(v as number);
    return `${isoMicros(nanos / 1000n, false).slice(0, 26)}${pad(((nanos % 1000n) + 1000n) % 1000n, 3)}${type === 'timestamptz_ns' ? '+00:00' : ''}`;
  }
  if (type === 'time') {
    const micros = BigInt(v as number);
    const s = micros / 1_000_000n;
    return `${pad(s / 3600n, 2)}:${pad((s / 60n) % 60n, 2)}:${pad(s % 60n, 2)}.${pad(micros % 1_000_000n, 6)}`;
  }
  if (type === 'long') return long(v);
  if (v instanceof Uint8Array) {
    if (type === 'uuid')
      return Buffer.from(v)
        .toString('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const decimal = /^decimal\(\s*\d+\s*,\s*(-?\d+)\s*\)$/.exec(type);
    if (decimal) return decimalString(bigEndianSigned(v), Number(decimal[1]));
    return hex(v);
  }
  if (typeof v === 'bigint') return long(v);
  return v;
}

/** A bound (Iceberg's binary single-value serialization) decoded to the spec's JSON for `type`; undefined when not decodable. */
export function boundJson(type: string, bytes: Uint8Array): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isLongLike(type)) return buf.length === 8 ? singleValueJson(type, buf.readBigInt64LE()) : undefined;
  switch (type) {
    case 'boolean':
      return buf.length > 0 && buf[0] !== 0;
    case 'int':
      return buf.length === 4 ? buf.readInt32LE() : undefined;
    case 'date':
      return buf.length === 4 ? singleValueJson('date', buf.readInt32LE()) : undefined;
    case 'float':
      return buf.length === 4 ? buf.readFloatLE() : undefined;
    case 'double':
      return buf.length === 8 ? buf.readDoubleLE() : undefined;
    case 'string':
      return buf.toString('utf8');
    default:
      return singleValueJson(type, new Uint8Array(buf));
  }
}

export interface WireContext {
  specs: Map<number, PartitionSpec>;
  fields: Map<number, StructField>;
  /** Field ids whose statistics go out (stats-fields); none when empty. */
  statsIds: Set<number>;
}

function partitionJson(file: ContentFile, specId: number, ctx: WireContext): unknown[] {
  const spec = ctx.specs.get(specId);
  return file.partition.map((v, i) => {
    const field = spec?.fields[i];
    return singleValueJson(field ? resultType(field.transform, ctx.fields.get(field['source-id'])?.type) : 'string', v);
  });
}

function contentJson(file: ContentFile, specId: number, ctx: WireContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    content: file.content === 0 ? 'data' : file.content === 1 ? 'position-deletes' : 'equality-deletes',
    'file-path': file.filePath,
    'file-format': file.fileFormat,
    'spec-id': specId,
    partition: partitionJson(file, specId, ctx),
    'file-size-in-bytes': file.fileSizeInBytes,
    'record-count': file.recordCount,
  };
  if (file.keyMetadata) out['key-metadata'] = hex(file.keyMetadata);
  if (file.splitOffsets) out['split-offsets'] = file.splitOffsets;
  if (file.sortOrderId !== null) out['sort-order-id'] = file.sortOrderId;
  return out;
}

const countMap = (m: Map<number, number> | null, ids: Set<number>) => {
  if (!m || ids.size === 0) return undefined;
  const keys = [...m.keys()].filter((k) => ids.has(k));
  return keys.length === 0 ? undefined : { keys, values: keys.map((k) => m.get(k)!) };
};

function valueMap(m: Map<number, Uint8Array> | null, ctx: WireContext) {
  if (!m || ctx.statsIds.size === 0) return undefined;
  const keys: number[] = [];
  const values: unknown[] = [];
  for (const [k, bytes] of m) {
    const type = ctx.fields.get(k)?.type;
    if (!ctx.statsIds.has(k) || typeof type !== 'string') continue;
    const v = boundJson(type, bytes);
    if (v === undefined) continue;
    keys.push(k);
    values.push(v);
  }
  return keys.length === 0 ? undefined : { keys, values };
}

export function dataFileJson(task: PlannedFile, ctx: WireContext): Record<string, unknown> {
  const f = task.file;
  const out = contentJson(f, task.specId, ctx);
  if (f.firstRowId !== null) out['first-row-id'] = f.firstRowId;
  const stats = {
    'column-sizes': countMap(f.columnSizes, ctx.statsIds),
    'value-counts': countMap(f.valueCounts, ctx.statsIds),
    'null-value-counts': countMap(f.nullValueCounts, ctx.statsIds),
    'nan-value-counts': countMap(f.nanValueCounts, ctx.statsIds),
    'lower-bounds': valueMap(f.lowerBounds, ctx),
    'upper-bounds': valueMap(f.upperBounds, ctx),
  };
  for (const [k, v] of Object.entries(stats)) if (v !== undefined) out[k] = v;
  return out;
}

export function deleteFileJson(file: ContentFile, specId: number, ctx: WireContext): Record<string, unknown> {
  const out = contentJson(file, specId, ctx);
  if (file.content === 1) {
    if (file.referencedDataFile !== null) out['referenced-data-file'] = file.referencedDataFile;
    if (file.contentOffset !== null) out['content-offset'] = file.contentOffset;
    if (file.contentSizeInBytes !== null) out['content-size-in-bytes'] = file.contentSizeInBytes;
  } else if (file.equalityIds) {
    out['equality-ids'] = file.equalityIds;
  }
  return out;
}

/**
 * ScanTasks of one answer: each task's data file, its delete files as indices into this answer's delete-files
 * (each delete file listed once, only those the tasks reference: PyIceberg refuses others), and the residual.
 */
export function scanTasksJson(
  tasks: readonly PlannedFile[],
  ctx: WireContext,
  residual: unknown,
): { 'file-scan-tasks': unknown[]; 'delete-files'?: unknown[] } {
  const deleteIndex = new Map<string, number>();
  const deleteFiles: unknown[] = [];
  const fileScanTasks = tasks.map((t) => {
    const task: Record<string, unknown> = { 'data-file': dataFileJson(t, ctx) };
    if (t.deletes.length > 0) {
      task['delete-file-references'] = t.deletes.map((d) => {
        // By path and blob offset: the DVs of one Puffin file are as many delete files as data files they reference.
        const id = deleteIdentity(d);
        let i = deleteIndex.get(id);
        if (i === undefined) {
          i = deleteFiles.length;
          deleteIndex.set(id, i);
          // Delete files carry no spec id of their own in PlannedFile: they apply within the data file's spec (plan-files.ts).
          deleteFiles.push(deleteFileJson(d, t.specId, ctx));
        }
        return i;
      });
    }
    if (residual !== undefined) task['residual-filter'] = residual;
    return task;
  });
  return deleteFiles.length > 0 ? { 'file-scan-tasks': fileScanTasks, 'delete-files': deleteFiles } : { 'file-scan-tasks': fileScanTasks };
}
