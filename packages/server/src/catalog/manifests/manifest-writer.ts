/**
 * Writes Iceberg v2 manifests and manifest lists (spec: "Manifests", "Manifest Lists") as Avro object container files
 * through avsc (the library the reader uses), for the catalog's own commits (managed compaction, issue 59). Readers
 * match Iceberg's Avro fields by `field-id`, not by name, so every field carries its spec id, int-keyed maps are
 * arrays of key/value records marked `logicalType: map` (as Iceberg Java writes them), and the partition record is
 * built from the table's partition spec and schema (the transform's result type, every field optional). The file
 * metadata carries what Iceberg Java's ManifestReader reads: schema, partition-spec, partition-spec-id,
 * format-version, content. Only format version 2 is written (v1 lacks sequence numbers; v3 needs row lineage).
 */
import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import { CatalogError } from '../../errors/catalog-error.js';
import { stringifyJson } from '../json.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { partitionSummaries } from './partition-summary.js';
// Longs as bigint (snapshot ids use 63 bits), the same type the reader decodes them with.
import { LONG } from './read-avro.js';
import type { ContentFile, EntryStatus, FieldSummary, ManifestCounts, ManifestFile } from '../ports/manifests.js';

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

function partitionRecord(spec: PartitionSpec, schema: Schema): AvroSchema {
  const types = new Map(schema.fields.map((f) => [f.id, f.type] as const));
  return {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((f) =>
      field(
        f.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([^A-Za-z_])/, '_$1'),
        f['field-id'],
        partitionValueType(f.transform, types.get(f['source-id'])),
        true,
      ),
    ),
  };
}

function entrySchema(spec: PartitionSpec, schema: Schema): Record<string, unknown> {
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      field('content', 134, 'int'),
      field('file_path', 100, 'string'),
      field('file_format', 101, 'string'),
      field('partition', 102, partitionRecord(spec, schema)),
      field('record_count', 103, 'long'),
      field('file_size_in_bytes', 104, 'long'),
      { ...field('column_sizes', 108, intMap('k117_v118', 117, 118, 'long')), default: null },
      { ...field('value_counts', 109, intMap('k119_v120', 119, 120, 'long')), default: null },
      { ...field('null_value_counts', 110, intMap('k121_v122', 121, 122, 'long')), default: null },
      { ...field('nan_value_counts', 137, intMap('k138_v139', 138, 139, 'long')), default: null },
      { ...field('lower_bounds', 125, intMap('k126_v127', 126, 127, 'bytes')), default: null },
      { ...field('upper_bounds', 128, intMap('k129_v130', 129, 130, 'bytes')), default: null },
      field('key_metadata', 131, 'bytes', true),
      field('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }, true),
      field('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }, true),
      field('sort_order_id', 140, 'int', true),
      field('referenced_data_file', 143, 'string', true),
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      field('status', 0, 'int'),
      field('snapshot_id', 1, 'long', true),
      field('sequence_number', 3, 'long', true),
      field('file_sequence_number', 4, 'long', true),
      field('data_file', 2, dataFile),
    ],
  };
}

function listSchema(): Record<string, unknown> {
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
      field('partitions', 507, { type: 'array', items: summary, 'element-id': 508 }, true),
      field('key_metadata', 519, 'bytes', true),
    ],
  };
}

/**
 * The Avro container header (spec: "Object Container Files"), encoded by avsc. Written here and not by avsc's
 * BlockEncoder because the encoder derives the header's schema from its compiled type, which drops the fields'
 * `field-id` attributes Iceberg readers resolve by; the blocks are still avsc's (BlockEncoder without header).
 */
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

function header(schemaJson: Record<string, unknown>, metadata: Record<string, string>, sync: Buffer): Buffer {
  const meta = Object.fromEntries(
    Object.entries({ ...metadata, 'avro.schema': JSON.stringify(schemaJson), 'avro.codec': 'null' }).map(([k, v]) => [k, Buffer.from(v)]),
  );
  return HEADER.toBuffer({ magic: Buffer.from('Obj\x01', 'latin1'), meta, sync });
}

function container(schemaJson: Record<string, unknown>, records: readonly unknown[], metadata: Record<string, string>): Promise<Uint8Array> {
  const type = avro.Type.forSchema(schemaJson as avro.Schema, { wrapUnions: false, registry: { long: LONG } });
  const sync = randomBytes(16);
  const chunks: Buffer[] = [header(schemaJson, metadata, sync)];
  return new Promise((resolve, reject) => {
    const enc = new avro.streams.BlockEncoder(type, { writeHeader: 'never', syncMarker: sync } as never);
    enc.on('data', (c: Buffer) => chunks.push(c));
    enc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    enc.on('error', reject);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

/** One entry to write: its status, and its sequence numbers (null: inherited from the manifest, for ADDED entries). */
export interface WriteEntry {
  status: EntryStatus;
  snapshotId: bigint;
  sequenceNumber: number | null;
  fileSequenceNumber: number | null;
  file: ContentFile;
}

export interface ManifestToWrite {
  spec: PartitionSpec;
  schema: Schema;
  /** 0: data, 1: deletes. */
  content: 0 | 1;
  entries: readonly WriteEntry[];
}

/** The Avro record of a manifest entry, for the partition record's field names. */
function entryRecord(names: readonly string[]): (e: WriteEntry) => unknown {
  const toMap = (v: Map<number, number | Uint8Array> | null, long: boolean) =>
    v === null ? null : [...v].map(([key, value]) => ({ key, value: long ? BigInt(value as number) : Buffer.from(value as Uint8Array) }));
  const long = (v: number | null) => (v === null ? null : BigInt(v));
  return (e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: long(e.sequenceNumber),
    file_sequence_number: long(e.fileSequenceNumber),
    data_file: {
      content: e.file.content,
      file_path: e.file.filePath,
      file_format: e.file.fileFormat.toUpperCase(),
      partition: Object.fromEntries(names.map((n, i) => [n, partitionValue(e.file.partition[i])])),
      record_count: BigInt(e.file.recordCount),
      file_size_in_bytes: BigInt(e.file.fileSizeInBytes),
      column_sizes: toMap(e.file.columnSizes, true),
      value_counts: toMap(e.file.valueCounts, true),
      null_value_counts: toMap(e.file.nullValueCounts, true),
      nan_value_counts: toMap(e.file.nanValueCounts, true),
      lower_bounds: toMap(e.file.lowerBounds, false),
      upper_bounds: toMap(e.file.upperBounds, false),
      key_metadata: e.file.keyMetadata === null ? null : Buffer.from(e.file.keyMetadata),
      split_offsets: e.file.splitOffsets === null ? null : e.file.splitOffsets.map((n) => BigInt(n)),
      equality_ids: e.file.equalityIds,
      sort_order_id: e.file.sortOrderId,
      referenced_data_file: e.file.referencedDataFile,
    },
  });
}

const partitionNames = (type: Record<string, unknown>): string[] =>
  (
    type as { fields: { name: string; type: { fields: { name: string; type: { fields: { name: string }[] } }[] } }[] }
  ).fields[4]!.type.fields[3]!.type.fields.map((f) => f.name);

/**
 * One entry of a manifest of this spec, encoded (its Avro record, without block framing): a manifest rewrite holds
 * these bytes, not the decoded entries (a few times smaller), and sizes its manifests by them.
 */
export function entryEncoder(spec: PartitionSpec, schema: Schema): (e: WriteEntry) => Buffer {
  const schemaJson = entrySchema(spec, schema);
  const type = avro.Type.forSchema(schemaJson as avro.Schema, { wrapUnions: false, registry: { long: LONG } });
  const toRecord = entryRecord(partitionNames(schemaJson));
  return (e) => type.toBuffer(toRecord(e));
}

/** An entry encoded by entryEncoder, with what its manifest's list entry counts. */
export interface EncodedEntry {
  record: Buffer;
  status: EntryStatus;
  recordCount: number;
  partition: unknown[];
}

/** Avro blocks of at most this many bytes of records (avsc's BlockEncoder default). */
const BLOCK_BYTES = 65_536;
const BLOCK_LONG = avro.Type.forSchema('long');

/** The bytes of a manifest of entries already encoded (the same file encodeManifest writes), and its list entry's counts. */
export function encodeManifestOfRecords(m: Omit<ManifestToWrite, 'entries'> & { entries: readonly EncodedEntry[] }): {
  bytes: Uint8Array;
  counts: ManifestCounts;
  partitions: FieldSummary[];
} {
  const sync = randomBytes(16);
  const chunks: Buffer[] = [header(entrySchema(m.spec, m.schema), manifestMetadata(m), sync)];
  // Object container blocks (spec: "Object Container Files"): record count, byte size, the records, the sync marker.
  // Framed here because avsc's BlockEncoder takes values to encode, not records already encoded; the longs are avsc's.
  for (let i = 0; i < m.entries.length;) {
    let size = 0;
    let j = i;
    while (j < m.entries.length && (j === i || size + m.entries[j]!.record.length <= BLOCK_BYTES)) size += m.entries[j++]!.record.length;
    chunks.push(BLOCK_LONG.toBuffer(j - i), BLOCK_LONG.toBuffer(size), ...m.entries.slice(i, j).map((e) => e.record), sync);
    i = j;
  }
  const counts: ManifestCounts = { addedFiles: 0, existingFiles: 0, deletedFiles: 0, addedRows: 0, existingRows: 0, deletedRows: 0 };
  for (const e of m.entries) {
    const kind = e.status === 1 ? 'added' : e.status === 0 ? 'existing' : 'deleted';
    counts[`${kind}Files`] += 1;
    counts[`${kind}Rows`] += e.recordCount;
  }
  const fieldTypes = (partitionRecord(m.spec, m.schema) as { fields: { type: unknown[] }[] }).fields.map((f) => f.type[1]);
  return {
    bytes: new Uint8Array(Buffer.concat(chunks)),
    counts,
    partitions: partitionSummaries(
      fieldTypes,
      m.entries.map((e) => e.partition),
    ),
  };
}

const manifestMetadata = (m: Omit<ManifestToWrite, 'entries'>): Record<string, string> => ({
  schema: stringifyJson(m.schema),
  'schema-id': String(m.schema['schema-id'] ?? 0),
  'partition-spec': stringifyJson(m.spec.fields),
  'partition-spec-id': String(m.spec['spec-id']),
  'format-version': '2',
  content: m.content === 0 ? 'data' : 'deletes',
});

/** The bytes of a manifest, and the counts its manifest-list entry records. */
export async function encodeManifest(m: ManifestToWrite): Promise<{ bytes: Uint8Array; counts: ManifestCounts; partitions: FieldSummary[] }> {
  const type = entrySchema(m.spec, m.schema);
  const records = m.entries.map(entryRecord(partitionNames(type)));
  const bytes = await container(type, records, manifestMetadata(m));
  const counts: ManifestCounts = { addedFiles: 0, existingFiles: 0, deletedFiles: 0, addedRows: 0, existingRows: 0, deletedRows: 0 };
  for (const e of m.entries) {
    const kind = e.status === 1 ? 'added' : e.status === 0 ? 'existing' : 'deleted';
    counts[`${kind}Files`] += 1;
    counts[`${kind}Rows`] += e.file.recordCount;
  }
  const fieldTypes = (partitionRecord(m.spec, m.schema) as { fields: { type: unknown[] }[] }).fields.map((f) => f.type[1]);
  return {
    bytes,
    counts,
    partitions: partitionSummaries(
      fieldTypes,
      m.entries.map((e) => e.file.partition),
    ),
  };
}

/** Partition values as the reader decoded them (int, bigint long, string, bytes): Buffers for avsc's bytes and fixed. */
const partitionValue = (v: unknown) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : (v ?? null));

/** A manifest-list entry: what the reader reads, with the counts v2 requires. */
export interface ListEntry extends ManifestFile {
  counts: ManifestCounts;
}

export async function encodeManifestList(
  entries: readonly ListEntry[],
  snapshot: { snapshotId: bigint; parentSnapshotId: bigint | null; sequenceNumber: number },
): Promise<Uint8Array> {
  const summary = (s: FieldSummary) => ({
    contains_null: s.containsNull,
    contains_nan: s.containsNan,
    lower_bound: s.lowerBound && Buffer.from(s.lowerBound),
    upper_bound: s.upperBound && Buffer.from(s.upperBound),
  });
  return container(
    listSchema(),
    entries.map((m) => ({
      manifest_path: m.path,
      manifest_length: BigInt(m.length),
      partition_spec_id: m.partitionSpecId,
      content: m.content,
      sequence_number: BigInt(m.sequenceNumber),
      min_sequence_number: BigInt(m.minSequenceNumber),
      added_snapshot_id: m.addedSnapshotId,
      added_files_count: m.counts.addedFiles,
      existing_files_count: m.counts.existingFiles,
      deleted_files_count: m.counts.deletedFiles,
      added_rows_count: BigInt(m.counts.addedRows),
      existing_rows_count: BigInt(m.counts.existingRows),
      deleted_rows_count: BigInt(m.counts.deletedRows),
      partitions: m.partitions === null ? null : m.partitions.map(summary),
      key_metadata: null,
    })),
    {
      'snapshot-id': String(snapshot.snapshotId),
      'parent-snapshot-id': snapshot.parentSnapshotId === null ? 'null' : String(snapshot.parentSnapshotId),
      'sequence-number': String(snapshot.sequenceNumber),
      'format-version': '2',
    },
  );
}
