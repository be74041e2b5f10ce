/**
 * Writes Iceberg manifests and manifest lists of format version 1 or 2 (spec: "Manifests", "Manifest Lists"; their
 * Avro schemas in manifest-schemas.ts) as Avro object container files through avsc (the library the reader uses), for
 * the catalog's own commits (managed compaction and manifest rewrite, issue 59). The file metadata carries what
 * Iceberg Java's ManifestReader reads: schema, partition-spec, partition-spec-id, format-version, and (v2) content. A
 * v1 file is what V1Metadata writes: entries without sequence numbers (the table has none), `block_size_in_bytes` at
 * its default, and a manifest list of data manifests only (v1 has no delete files). A v3 file adds row lineage and
 * deletion vectors: each data file's `first_row_id` as the entry holds it (null for an ADDED file, which inherits it),
 * and the manifest list's `first_row_id` of every data manifest, assigned by the caller (row-lineage.ts).
 */
import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import { CatalogError } from '../../errors/catalog-error.js';
import { stringifyJson } from '../json.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { entrySchema, listSchema, partitionRecord, V1_BLOCK_SIZE, type WrittenFormatVersion } from './manifest-schemas.js';
import { partitionSummaries, partitionSummarizer } from './partition-summary.js';
// Longs as bigint (snapshot ids use 63 bits), the same type the reader decodes them with.
import { LONG } from './read-avro.js';
import type { ContentFile, EntryStatus, FieldSummary, ManifestCounts, ManifestFile } from '../ports/manifests.js';
import { runSteps, runStepsPaced } from '../loop-pacer.js';

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

export { writableSpec } from './manifest-schemas.js';
export type { WrittenFormatVersion } from './manifest-schemas.js';

export interface ManifestToWrite {
  spec: PartitionSpec;
  schema: Schema;
  /** The table's format version (default 2): v1 entries carry no sequence numbers (WriteEntry's are ignored). */
  formatVersion?: WrittenFormatVersion | undefined;
  /** 0: data, 1: deletes. */
  content: 0 | 1;
  entries: readonly WriteEntry[];
}

/** The Avro record of a manifest entry of this format version, for the partition record's field names. */
function entryRecord(names: readonly string[], version: WrittenFormatVersion): (e: WriteEntry) => unknown {
  const toMap = (v: Map<number, number | Uint8Array> | null, long: boolean) =>
    v === null ? null : [...v].map(([key, value]) => ({ key, value: long ? BigInt(value as number) : Buffer.from(value as Uint8Array) }));
  const long = (v: number | null) => (v === null ? null : BigInt(v));
  return (e) => {
    if (version === 1 && e.file.content !== 0)
      throw new CatalogError('ERR_VALIDATION', `a format version 1 manifest cannot hold delete file ${e.file.filePath}`);
    const file = {
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
      sort_order_id: e.file.sortOrderId,
    };
    if (version === 1) return { status: e.status, snapshot_id: e.snapshotId, data_file: { ...file, block_size_in_bytes: BigInt(V1_BLOCK_SIZE) } };
    return {
      status: e.status,
      snapshot_id: e.snapshotId,
      sequence_number: long(e.sequenceNumber),
      file_sequence_number: long(e.fileSequenceNumber),
      data_file: {
        ...file,
        content: e.file.content,
        equality_ids: e.file.equalityIds,
        referenced_data_file: e.file.referencedDataFile,
        ...(version >= 3
          ? {
              first_row_id: e.file.content === 0 ? long(e.file.firstRowId) : null,
              content_offset: long(e.file.contentOffset),
              content_size_in_bytes: long(e.file.contentSizeInBytes),
            }
          : {}),
      },
    };
  };
}

type Fields = { fields: { name: string; type: unknown }[] };
/** The partition record's field names in an entry schema (data_file.partition). */
const partitionNames = (type: Record<string, unknown>): string[] => {
  const dataFile = (type as Fields).fields.find((f) => f.name === 'data_file')!.type as Fields;
  return (dataFile.fields.find((f) => f.name === 'partition')!.type as Fields).fields.map((f) => f.name);
};

/**
 * One entry of a manifest of this spec, encoded (its Avro record, without block framing): a manifest rewrite holds
 * these bytes, not the decoded entries (a few times smaller), and sizes its manifests by them.
 */
export function entryEncoder(spec: PartitionSpec, schema: Schema, formatVersion: WrittenFormatVersion = 2): (e: WriteEntry) => Buffer {
  const schemaJson = entrySchema(spec, schema, formatVersion);
  const type = avro.Type.forSchema(schemaJson as avro.Schema, { wrapUnions: false, registry: { long: LONG } });
  const toRecord = entryRecord(partitionNames(schemaJson), formatVersion);
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

type RecordsManifest = Omit<ManifestToWrite, 'entries'> & { entries: readonly EncodedEntry[] };
type EncodedManifestFile = { bytes: Uint8Array; counts: ManifestCounts; partitions: FieldSummary[] };

/** The bytes of a manifest of entries already encoded (the same file encodeManifest writes), and its list entry's counts. */
export function encodeManifestOfRecords(m: RecordsManifest): EncodedManifestFile {
  return runSteps(manifestOfRecords(m));
}

/**
 * encodeManifestOfRecords, awaiting `pace` after each block (a caller's loop pacer, catalog/loop-pacer.ts): a manifest
 * of 10^5 entries is framed between turns of the event loop. The same file, but for its random sync marker.
 */
export async function encodeManifestOfRecordsPaced(m: RecordsManifest, pace: () => Promise<void> | undefined): Promise<EncodedManifestFile> {
  return runStepsPaced(manifestOfRecords(m), pace);
}

/** Entries counted and summarized between two steps of manifestOfRecords. */
const SUMMARY_STEP = 512;

/**
 * The framing of encodeManifestOfRecords, one block per step. The blocks are sized first (numbers only), then the file
 * is allocated once and each block's count, size, records and sync marker are copied into it at their offset, a block
 * a step: no step copies the whole file (a Buffer.concat of 10^5 entries' blocks, tens of MB, took 29 ms in one turn).
 */
function* manifestOfRecords(m: RecordsManifest): Generator<void, EncodedManifestFile> {
  const sync = randomBytes(16);
  const head = header(entrySchema(m.spec, m.schema, m.formatVersion ?? 2), manifestMetadata(m), sync);
  // Object container blocks (spec: "Object Container Files"): record count, byte size, the records, the sync marker.
  // Framed here because avsc's BlockEncoder takes values to encode, not records already encoded; the longs are avsc's.
  const blocks: { from: number; to: number; count: Buffer; size: Buffer }[] = [];
  let length = head.length;
  for (let i = 0; i < m.entries.length;) {
    let size = 0;
    let j = i;
    while (j < m.entries.length && (j === i || size + m.entries[j]!.record.length <= BLOCK_BYTES)) size += m.entries[j++]!.record.length;
    const block = { from: i, to: j, count: BLOCK_LONG.toBuffer(j - i), size: BLOCK_LONG.toBuffer(size) };
    blocks.push(block);
    length += block.count.length + block.size.length + size + sync.length;
    i = j;
  }
  yield;
  // Not from Buffer's shared pool: the file's bytes are the whole of their ArrayBuffer, as before.
  const bytes = Buffer.allocUnsafeSlow(length);
  let at = head.copy(bytes, 0);
  for (const b of blocks) {
    at += b.count.copy(bytes, at);
    at += b.size.copy(bytes, at);
    for (let k = b.from; k < b.to; k++) at += m.entries[k]!.record.copy(bytes, at);
    at += sync.copy(bytes, at);
    yield;
  }
  // The counts and the partition summaries, a step every SUMMARY_STEP entries (10^5 entries are tens of milliseconds).
  const counts: ManifestCounts = { addedFiles: 0, existingFiles: 0, deletedFiles: 0, addedRows: 0, existingRows: 0, deletedRows: 0 };
  const summarizer = partitionSummarizer(partitionRecord(m.spec, m.schema).fields.map((f) => f.type[1]));
  for (let i = 0; i < m.entries.length; i++) {
    const e = m.entries[i]!;
    const kind = e.status === 1 ? 'added' : e.status === 0 ? 'existing' : 'deleted';
    counts[`${kind}Files`] += 1;
    counts[`${kind}Rows`] += e.recordCount;
    summarizer.add(e.partition);
    if (i % SUMMARY_STEP === SUMMARY_STEP - 1) yield;
  }
  yield;
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), counts, partitions: summarizer.summaries() };
}

/** A v1 manifest's metadata has no `content` (V1Metadata writes none: v1 manifests hold data files only). */
const manifestMetadata = (m: Omit<ManifestToWrite, 'entries'>): Record<string, string> => ({
  schema: stringifyJson(m.schema),
  'schema-id': String(m.schema['schema-id'] ?? 0),
  'partition-spec': stringifyJson(m.spec.fields),
  'partition-spec-id': String(m.spec['spec-id']),
  'format-version': String(m.formatVersion ?? 2),
  ...((m.formatVersion ?? 2) === 1 ? {} : { content: m.content === 0 ? 'data' : 'deletes' }),
});

/** The bytes of a manifest, and the counts its manifest-list entry records. */
export async function encodeManifest(m: ManifestToWrite): Promise<{ bytes: Uint8Array; counts: ManifestCounts; partitions: FieldSummary[] }> {
  if (m.formatVersion === 1 && m.content !== 0) throw new CatalogError('ERR_VALIDATION', 'a format version 1 table has no delete manifests');
  const type = entrySchema(m.spec, m.schema, m.formatVersion ?? 2);
  const records = m.entries.map(entryRecord(partitionNames(type), m.formatVersion ?? 2));
  const bytes = await container(type, records, manifestMetadata(m));
  const counts: ManifestCounts = { addedFiles: 0, existingFiles: 0, deletedFiles: 0, addedRows: 0, existingRows: 0, deletedRows: 0 };
  for (const e of m.entries) {
    const kind = e.status === 1 ? 'added' : e.status === 0 ? 'existing' : 'deleted';
    counts[`${kind}Files`] += 1;
    counts[`${kind}Rows`] += e.file.recordCount;
  }
  const fieldTypes = partitionRecord(m.spec, m.schema).fields.map((f) => f.type[1]);
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

/**
 * The manifest list of a snapshot. v1 (`formatVersion` 1): no content or sequence numbers (a v1 snapshot has none),
 * and a delete manifest is refused (v1 has no delete files); else v2, whose list records them.
 */
export async function encodeManifestList(
  entries: readonly ListEntry[],
  snapshot: {
    snapshotId: bigint;
    parentSnapshotId: bigint | null;
    sequenceNumber: number;
    formatVersion?: WrittenFormatVersion | undefined;
    /** v3: the snapshot's first-row-id (the list's metadata records it, as Iceberg Java's V3 writer does). */
    firstRowId?: number | undefined;
  },
): Promise<Uint8Array> {
  const version = snapshot.formatVersion ?? 2;
  const summary = (s: FieldSummary) => ({
    contains_null: s.containsNull,
    contains_nan: s.containsNan,
    lower_bound: s.lowerBound && Buffer.from(s.lowerBound),
    upper_bound: s.upperBound && Buffer.from(s.upperBound),
  });
  const record = (m: ListEntry) => ({
    manifest_path: m.path,
    manifest_length: BigInt(m.length),
    partition_spec_id: m.partitionSpecId,
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.counts.addedFiles,
    existing_files_count: m.counts.existingFiles,
    deleted_files_count: m.counts.deletedFiles,
    added_rows_count: BigInt(m.counts.addedRows),
    existing_rows_count: BigInt(m.counts.existingRows),
    deleted_rows_count: BigInt(m.counts.deletedRows),
    partitions: m.partitions === null ? null : m.partitions.map(summary),
    key_metadata: null,
  });
  if (version === 1) {
    const deletes = entries.find((m) => m.content !== 0);
    if (deletes) throw new CatalogError('ERR_VALIDATION', `a format version 1 manifest list cannot name delete manifest ${deletes.path}`);
    return container(listSchema(1), entries.map(record), {
      'snapshot-id': String(snapshot.snapshotId),
      'parent-snapshot-id': snapshot.parentSnapshotId === null ? 'null' : String(snapshot.parentSnapshotId),
      'format-version': '1',
    });
  }
  if (version >= 3) {
    // Every data manifest must carry its first_row_id (assigned by row-lineage.ts); a delete manifest never does.
    const unassigned = entries.find((m) => m.content === 0 && (m.firstRowId === null || m.firstRowId === undefined));
    if (unassigned) throw new TypeError(`data manifest ${unassigned.path} has no first_row_id: assign row ids before writing a v3 list`);
    if (snapshot.firstRowId === undefined) throw new TypeError('a v3 manifest list needs the snapshot first-row-id');
  }
  return container(
    listSchema(version),
    entries.map((m) => ({
      ...record(m),
      content: m.content,
      sequence_number: BigInt(m.sequenceNumber),
      min_sequence_number: BigInt(m.minSequenceNumber),
      ...(version >= 3 ? { first_row_id: m.content === 0 ? BigInt(m.firstRowId!) : null } : {}),
    })),
    {
      'snapshot-id': String(snapshot.snapshotId),
      'parent-snapshot-id': snapshot.parentSnapshotId === null ? 'null' : String(snapshot.parentSnapshotId),
      'sequence-number': String(snapshot.sequenceNumber),
      'format-version': String(version),
      ...(version >= 3 ? { 'first-row-id': String(snapshot.firstRowId) } : {}),
    },
  );
}
