/**
 * Writes Iceberg v2 manifest lists and manifests (Avro object container files, through avsc's encoder, with the
 * spec's field names) for in-process planning tests that need exact control of files, bounds, deletes and
 * corruption. The Avro types are the benchmarks' (bench/lib/manifests.mjs, plain JavaScript so the benchmarks can
 * run without a build); this file maps the tests' entries onto them. Real-writer files (PyIceberg) are read in
 * test/interop/manifest-reader-pyiceberg.test.ts and test/interop/planning-pyiceberg.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Type } from 'avsc';
import { avroContainer, bigintLongs, i64, manifestEntryType, manifestListType } from '../../bench/lib/manifests.mjs';

export interface TestFile {
  path: string;
  content?: 0 | 1 | 2;
  /** Partition values in spec order (strings for identity(string)). */
  partition: Array<string | null>;
  records: number;
  /** file_size_in_bytes as the entry records it (default 1000). */
  bytes?: number;
  /** [field id, lower, upper] as longs. */
  longBounds?: Array<[number, number, number]>;
  referencedDataFile?: string;
  equalityIds?: number[];
}

export interface TestEntry {
  status: 0 | 1 | 2;
  snapshotId: bigint;
  sequenceNumber: number | null;
  file: TestFile;
}

/** Longs are bigint (bigintLongs: snapshot ids use 63 bits), as the server's reader decodes them (catalog/manifests/read-avro.ts); a
 * registry holds the types it names, so each type gets its own. */
async function writeAvro(uri: string, type: Type, records: unknown[], meta: Record<string, string>): Promise<number> {
  const metadata = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(v)]));
  const bytes = await avroContainer(type, records, { metadata });
  writeFileSync(fileURLToPath(uri), bytes);
  return bytes.length;
}

/**
 * A v2 manifest (or with `formatVersion` 1 a v1 manifest: no sequence numbers, block_size_in_bytes, data files
 * only) of one partition spec whose fields are all identity(string), named `partitionFields`.
 */
export async function writeManifest(
  uri: string,
  partitionFields: string[],
  entries: TestEntry[],
  content: 0 | 1 = 0,
  formatVersion: 1 | 2 = 2,
): Promise<number> {
  const v1 = formatVersion === 1;
  const type = manifestEntryType({
    partition: partitionFields.map((name, i) => ({ name, type: ['null', 'string'], 'field-id': 1000 + i })),
    deletes: true,
    registry: bigintLongs(),
    v1,
  });
  const records = entries.map((e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: e.sequenceNumber === null ? null : BigInt(e.sequenceNumber),
    file_sequence_number: e.sequenceNumber === null ? null : BigInt(e.sequenceNumber),
    data_file: {
      content: e.file.content ?? 0,
      file_path: e.file.path,
      file_format: 'PARQUET',
      partition: Object.fromEntries(partitionFields.map((name, i) => [name, e.file.partition[i] ?? null])),
      record_count: BigInt(e.file.records),
      file_size_in_bytes: BigInt(e.file.bytes ?? 1000),
      block_size_in_bytes: 64n * 1024n * 1024n,
      value_counts: e.file.longBounds ? e.file.longBounds.map(([id]) => ({ key: id, value: BigInt(e.file.records) })) : null,
      null_value_counts: e.file.longBounds ? e.file.longBounds.map(([id]) => ({ key: id, value: 0n })) : null,
      lower_bounds: e.file.longBounds ? e.file.longBounds.map(([id, lo]) => ({ key: id, value: i64(lo) })) : null,
      upper_bounds: e.file.longBounds ? e.file.longBounds.map(([id, , hi]) => ({ key: id, value: i64(hi) })) : null,
      equality_ids: e.file.equalityIds ?? null,
      referenced_data_file: e.file.referencedDataFile ?? null,
    },
  }));
  if (v1) return writeAvro(uri, type, records, { 'format-version': '1', 'partition-spec-id': '0' });
  return writeAvro(uri, type, records, { 'format-version': '2', 'partition-spec-id': '0', content: content === 0 ? 'data' : 'deletes' });
}

export interface TestManifest {
  path: string;
  length: number;
  content: 0 | 1;
  sequenceNumber: number;
  addedSnapshotId: bigint;
  /** The list entry's file counts (added, existing, deleted), as v2 writers record them; a list without any has none. */
  files?: [number, number, number];
}

/** A v2 manifest list (or with `formatVersion` 1 a v1 one: no content, no sequence numbers). */
export async function writeManifestList(uri: string, manifests: TestManifest[], formatVersion: 1 | 2 = 2): Promise<void> {
  await writeAvro(
    uri,
    manifestListType({ registry: bigintLongs(), v1: formatVersion === 1, counts: manifests.some((m) => m.files !== undefined) }),
    manifests.map((m) => ({
      manifest_path: m.path,
      manifest_length: BigInt(m.length),
      partition_spec_id: 0,
      content: m.content,
      sequence_number: BigInt(m.sequenceNumber),
      min_sequence_number: BigInt(m.sequenceNumber),
      added_snapshot_id: m.addedSnapshotId,
      ...(m.files === undefined
        ? {}
        : {
            added_files_count: m.files[0],
            existing_files_count: m.files[1],
            deleted_files_count: m.files[2],
            added_rows_count: BigInt(m.files[0] * 10),
            existing_rows_count: BigInt(m.files[1] * 10),
            deleted_rows_count: BigInt(m.files[2] * 10),
          }),
    })),
    { 'format-version': String(formatVersion) },
  );
}
