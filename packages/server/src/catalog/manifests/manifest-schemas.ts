/**
 * The Avro schemas of the manifests and manifest lists the catalog writes (spec: "Manifests", "Manifest Lists"), for
 * format versions 1, 2 and 3, as Iceberg Java's V1Metadata, V2Metadata and V3Metadata write them. Readers match Iceberg's Avro fields
 * by `field-id`, not by name, so every field carries its spec id, int-keyed maps are arrays of key/value records
 * marked `logicalType: map`, and the partition record is built from the table's partition spec and schema (the
 * transform's result type, every field optional).
 * v1 differs by what the spec requires of it: a manifest entry's `snapshot_id` is required and it has no sequence
 * numbers; a data file has no `content`, `equality_ids` or `referenced_data_file` (v1 has no delete files) and a
 * required `block_size_in_bytes` (deprecated, always the default); a manifest list has no `content` or sequence
 * numbers, and its counts are optional. v3 is v2 with row lineage and deletion vectors, as V3Metadata writes it: a
 * data file's `first_row_id` (142), `content_offset` (144) and `content_size_in_bytes` (145), and the manifest list's
 * `first_row_id` (520), which the list's writer assigns (row-lineage.ts).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';

/** The format versions the catalog writes manifests for. */
export type WrittenFormatVersion = 1 | 2 | 3;

/** v1's `block_size_in_bytes`, deprecated: the default Iceberg Java and PyIceberg always write (64 MiB). */
export const V1_BLOCK_SIZE = 64 * 1024 * 1024;

type AvroSchema = Record<string, unknown> | string | unknown[];
const opt = (type: AvroSchema) => ['null', type];
const field = (name: string, id: number, type: AvroSchema, optional = false) => ({
  name,
  type: optional ? opt(type) : type,
  ...(optional ? { default: null } : {}),
  'field-id': id,
});
const intMap = (record: string, keyId: number, valueId: number, value: string) =>
  opt({ type: 'array', logicalType: 'map', items: { type: 'record', name: record, fields: [field('key', keyId, 'int'), field('value', valueId, value)] } });

/** The Avro type of a partition field's values: the transform's result type (spec: "Partition Transforms"). */
function partitionValueType(transform: string, sourceType: unknown): AvroSchema {
  if (transform.startsWith('bucket') || ['year', 'month', 'hour'].includes(transform)) return 'int';
  if (transform === 'day') return { type: 'int', logicalType: 'date' };
  if (sourceType === undefined) throw new CatalogError('ERR_VALIDATION', `a partition on a dropped column cannot be written (its type is gone)`);
  if (typeof sourceType !== 'string') throw new CatalogError('ERR_VALIDATION', `a partition on a nested column cannot be written yet`);
  if (sourceType === 'boolean' || sourceType === 'int' || sourceType === 'long' || sourceType === 'float' || sourceType === 'double' || sourceType === 'string')
    return sourceType;
  if (sourceType === 'date') return { type: 'int', logicalType: 'date' };
  if (sourceType === 'time' || sourceType.startsWith('timestamp')) return 'long';
  if (sourceType === 'binary') return 'bytes';
  const fixed = /^fixed\[(\d+)\]$/.exec(sourceType);
  if (fixed) return { type: 'fixed', name: `fixed_${fixed[1]}`, size: Number(fixed[1]) };
  if (sourceType === 'uuid') return { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' };
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(sourceType);
  if (decimal) {
    const precision = Number(decimal[1]);
    const size = Math.ceil((Math.log2(10 ** precision) + 1) / 8);
    return { type: 'fixed', name: `decimal_${precision}_${decimal[2]}`, size, logicalType: 'decimal', precision, scale: Number(decimal[2]) };
  }
  throw new CatalogError('ERR_VALIDATION', `a partition on a column of type ${sourceType} cannot be written yet`);
}

/**
 * Whether manifests of this spec can be written with this schema (a spec whose source column was dropped or is
 * nested cannot): maintenance leaves such a spec's files and manifests as they are.
 */
export function writableSpec(spec: PartitionSpec, schema: Schema): boolean {
  try {
    partitionRecord(spec, schema);
    return true;
  } catch (e) {
    if (e instanceof CatalogError && e.code === 'ERR_VALIDATION') return false;
    throw e;
  }
}

/** The partition record: every field optional (its type `['null', value type]`). */
export function partitionRecord(spec: PartitionSpec, schema: Schema): { type: 'record'; name: string; fields: { name: string; type: unknown[] }[] } {
  const types = new Map(schema.fields.map((f) => [f.id, f.type] as const));
  return {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((f) => ({
      name: f.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([^A-Za-z_])/, '_$1'),
      type: opt(partitionValueType(f.transform, types.get(f['source-id']))),
      default: null,
      'field-id': f['field-id'],
    })),
  };
}

export function entrySchema(spec: PartitionSpec, schema: Schema, version: WrittenFormatVersion): Record<string, unknown> {
  const v2 = version >= 2;
  const v3 = version >= 3;
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      ...(v2 ? [field('content', 134, 'int')] : []),
      field('file_path', 100, 'string'),
      field('file_format', 101, 'string'),
      field('partition', 102, partitionRecord(spec, schema)),
      field('record_count', 103, 'long'),
      field('file_size_in_bytes', 104, 'long'),
      ...(v2 ? [] : [field('block_size_in_bytes', 105, 'long')]),
      { ...field('column_sizes', 108, intMap('k117_v118', 117, 118, 'long')), default: null },
      { ...field('value_counts', 109, intMap('k119_v120', 119, 120, 'long')), default: null },
      { ...field('null_value_counts', 110, intMap('k121_v122', 121, 122, 'long')), default: null },
      { ...field('nan_value_counts', 137, intMap('k138_v139', 138, 139, 'long')), default: null },
      { ...field('lower_bounds', 125, intMap('k126_v127', 126, 127, 'bytes')), default: null },
      { ...field('upper_bounds', 128, intMap('k129_v130', 129, 130, 'bytes')), default: null },
      field('key_metadata', 131, 'bytes', true),
      field('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }, true),
      ...(v2 ? [field('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }, true)] : []),
      field('sort_order_id', 140, 'int', true),
      ...(v3 ? [field('first_row_id', 142, 'long', true)] : []),
      ...(v2 ? [field('referenced_data_file', 143, 'string', true)] : []),
      ...(v3 ? [field('content_offset', 144, 'long', true), field('content_size_in_bytes', 145, 'long', true)] : []),
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: v2
      ? [
          field('status', 0, 'int'),
          field('snapshot_id', 1, 'long', true),
          field('sequence_number', 3, 'long', true),
          field('file_sequence_number', 4, 'long', true),
          field('data_file', 2, dataFile),
        ]
      : [field('status', 0, 'int'), field('snapshot_id', 1, 'long'), field('data_file', 2, dataFile)],
  };
}

export function listSchema(version: WrittenFormatVersion): Record<string, unknown> {
  const summary = {
    type: 'record',
    name: 'r508',
    fields: [
      field('contains_null', 509, 'boolean'),
      field('contains_nan', 518, 'boolean', true),
      field('lower_bound', 510, 'bytes', true),
      field('upper_bound', 511, 'bytes', true),
    ],
  };
  const partitions = field('partitions', 507, { type: 'array', items: summary, 'element-id': 508 }, true);
  const keyMetadata = field('key_metadata', 519, 'bytes', true);
  if (version === 1)
    return {
      type: 'record',
      name: 'manifest_file',
      fields: [
        field('manifest_path', 500, 'string'),
        field('manifest_length', 501, 'long'),
        field('partition_spec_id', 502, 'int'),
        field('added_snapshot_id', 503, 'long'),
        field('added_files_count', 504, 'int', true),
        field('existing_files_count', 505, 'int', true),
        field('deleted_files_count', 506, 'int', true),
        partitions,
        field('added_rows_count', 512, 'long', true),
        field('existing_rows_count', 513, 'long', true),
        field('deleted_rows_count', 514, 'long', true),
        keyMetadata,
      ],
    };
  return {
    type: 'record',
    name: 'manifest_file',
    fields: [
      field('manifest_path', 500, 'string'),
      field('manifest_length', 501, 'long'),
      field('partition_spec_id', 502, 'int'),
      field('content', 517, 'int'),
      field('sequence_number', 515, 'long'),
      field('min_sequence_number', 516, 'long'),
      field('added_snapshot_id', 503, 'long'),
      field('added_files_count', 504, 'int'),
      field('existing_files_count', 505, 'int'),
      field('deleted_files_count', 506, 'int'),
      field('added_rows_count', 512, 'long'),
      field('existing_rows_count', 513, 'long'),
      field('deleted_rows_count', 514, 'long'),
      partitions,
      keyMetadata,
      ...(version >= 3 ? [field('first_row_id', 520, 'long', true)] : []),
    ],
  };
}
