/**
 * The table bench/maintenance.mjs maintains: an Iceberg v2 table of `snapshots` snapshots on a local directory,
 * written directly (manifests, manifest lists, one metadata.json) instead of committed one by one, so 10^4
 * snapshots take seconds, not hours. Its history is a copy-on-write overwrite churn: snapshot k adds `filesPer`
 * data files (manifest a-k, ADDED entries) and deletes the `filesPer` of snapshot k-1 (manifest d-k, DELETED
 * entries), so its manifest list names two manifests; the current snapshot holds `filesPer` live files and
 * `snapshots · filesPer` data files were written in all. Data files are zero-byte objects: expiry and orphan
 * removal never open them (Iceberg Java's don't either), they only list, compare and delete paths.
 * `orphans` zero-byte files no metadata names are planted under data/ and metadata/ with an mtime `orphanAgeMs`
 * old, for the orphan scans to find. The Avro schemas carry Iceberg's field ids (Iceberg Java resolves manifests
 * by id), and the files carry the header keys Iceberg Java writes (schema, partition-spec, format-version, ...).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { avroContainer } from './manifests.mjs';

const opt = (type) => ['null', type];
const field = (name, type, id, nullable = false) => ({ name, type: nullable ? opt(type) : type, 'field-id': id, ...(nullable ? { default: null } : {}) });

// Schema objects, not avsc types: BlockEncoder writes a schema object to the header as given, with its field ids
// (a type's exported schema loses attributes of fields).
const ENTRY = {
  type: 'record',
  name: 'manifest_entry',
  fields: [
    field('status', 'int', 0),
    field('snapshot_id', 'long', 1, true),
    field('sequence_number', 'long', 3, true),
    field('file_sequence_number', 'long', 4, true),
    field(
      'data_file',
      {
        type: 'record',
        name: 'r2',
        fields: [
          field('content', 'int', 134),
          field('file_path', 'string', 100),
          field('file_format', 'string', 101),
          field('partition', { type: 'record', name: 'r102', fields: [] }, 102),
          field('record_count', 'long', 103),
          field('file_size_in_bytes', 'long', 104),
        ],
      },
      2,
    ),
  ],
};

const LIST = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    field('manifest_path', 'string', 500),
    field('manifest_length', 'long', 501),
    field('partition_spec_id', 'int', 502),
    field('content', 'int', 517),
    field('sequence_number', 'long', 515),
    field('min_sequence_number', 'long', 516),
    field('added_snapshot_id', 'long', 503),
    field('added_files_count', 'int', 504),
    field('existing_files_count', 'int', 505),
    field('deleted_files_count', 'int', 506),
    field('added_rows_count', 'long', 512),
    field('existing_rows_count', 'long', 513),
    field('deleted_rows_count', 'long', 514),
  ],
};

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] };
const header = (extra) => Object.fromEntries(Object.entries({ 'format-version': '2', ...extra }).map(([k, v]) => [k, Buffer.from(String(v))]));
const MANIFEST_HEADER = header({ schema: JSON.stringify(SCHEMA), 'schema-id': '0', 'partition-spec': '[]', 'partition-spec-id': '0', content: 'data' });

/** Snapshot ids: large (as engines make them), below 2^53 so JSON keeps them exact. */
export const snapshotId = (k) => 1_000_000_000_000_000 + k;

async function writeAvro(file, type, records, metadata) {
  const bytes = await avroContainer(type, records, { metadata });
  fs.writeFileSync(file, bytes);
  return bytes.length;
}

/**
 * Writes the table under `dir` (an absolute directory; its URI `file://${dir}` is the table's location) and
 * returns { metadataLocation, location, snapshotIds, dataFiles, orphanPaths, writtenFiles }.
 */
export async function writeChurnTable({ dir, snapshots, filesPer, orphans, orphanAgeMs, firstTimestampMs, location = `file://${dir}` }) {
  // `location` other than the directory's own (an s3:// one, for --s3): the files are written under `dir` as the table
  // will hold them under `location`, and uploaded there afterwards.
  const fileURLToPath = (uri) => path.join(dir, uri.slice(location.length));
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'metadata'), { recursive: true });
  const dataPath = (k, f) => `${location}/data/s${k}-f${f}.parquet`;
  const entry = (status, k, seq, f) => ({
    status,
    snapshot_id: snapshotId(k),
    sequence_number: seq,
    file_sequence_number: seq,
    data_file: { content: 0, file_path: dataPath(status === 2 ? k - 1 : k, f), file_format: 'PARQUET', partition: {}, record_count: 1, file_size_in_bytes: 0 },
  });
  const empty = Buffer.alloc(0);
  const snapshotList = [];
  let writtenFiles = 0;
  for (let k = 1; k <= snapshots; k++) {
    const added = [];
    for (let f = 0; f < filesPer; f++) {
      fs.writeFileSync(fileURLToPath(dataPath(k, f)), empty);
      // ADDED entries inherit their sequence numbers from the manifest list.
      added.push(entry(1, k, null, f));
    }
    const aPath = `${location}/metadata/a-${k}-${randomUUID()}-m0.avro`;
    const manifests = [
      {
        manifest_path: aPath,
        manifest_length: await writeAvro(fileURLToPath(aPath), ENTRY, added, MANIFEST_HEADER),
        partition_spec_id: 0,
        content: 0,
        sequence_number: k,
        min_sequence_number: k,
        added_snapshot_id: snapshotId(k),
        added_files_count: filesPer,
        existing_files_count: 0,
        deleted_files_count: 0,
        added_rows_count: filesPer,
        existing_rows_count: 0,
        deleted_rows_count: 0,
      },
    ];
    writtenFiles += filesPer + 1;
    if (k > 1) {
      const deleted = Array.from({ length: filesPer }, (_, f) => entry(2, k, k - 1, f));
      const dPath = `${location}/metadata/d-${k}-${randomUUID()}-m1.avro`;
      manifests.push({
        manifest_path: dPath,
        manifest_length: await writeAvro(fileURLToPath(dPath), ENTRY, deleted, MANIFEST_HEADER),
        partition_spec_id: 0,
        content: 0,
        sequence_number: k,
        min_sequence_number: k - 1,
        added_snapshot_id: snapshotId(k),
        added_files_count: 0,
        existing_files_count: 0,
        deleted_files_count: filesPer,
        added_rows_count: 0,
        existing_rows_count: 0,
        deleted_rows_count: filesPer,
      });
      writtenFiles += 1;
    }
    const listPath = `${location}/metadata/snap-${snapshotId(k)}-1-${randomUUID()}.avro`;
    const listHeader = header({ 'snapshot-id': snapshotId(k), 'sequence-number': k, ...(k > 1 ? { 'parent-snapshot-id': snapshotId(k - 1) } : {}) });
    await writeAvro(fileURLToPath(listPath), LIST, manifests, listHeader);
    writtenFiles += 1;
    snapshotList.push({
      'snapshot-id': snapshotId(k),
      ...(k > 1 ? { 'parent-snapshot-id': snapshotId(k - 1) } : {}),
      'sequence-number': k,
      'timestamp-ms': firstTimestampMs + k * 1000,
      'manifest-list': listPath,
      summary:
        k === 1
          ? { operation: 'append', 'added-data-files': String(filesPer), 'total-data-files': String(filesPer) }
          : { operation: 'overwrite', 'added-data-files': String(filesPer), 'deleted-data-files': String(filesPer), 'total-data-files': String(filesPer) },
      'schema-id': 0,
    });
  }
  const orphanPaths = [];
  const old = (Date.now() - orphanAgeMs) / 1000;
  for (let i = 0; i < orphans; i++) {
    // Most orphans are data files of failed writes; one in ten a manifest of a commit that lost its race.
    const rel = i % 10 === 9 ? `metadata/orphan-${i}-m0.avro` : `data/orphan-${i}.parquet`;
    const p = path.join(dir, rel);
    fs.writeFileSync(p, empty);
    fs.utimesSync(p, old, old);
    orphanPaths.push(`${location}/${rel}`);
  }
  const last = snapshotList.at(-1);
  const metadata = {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location,
    'last-sequence-number': snapshots,
    'last-updated-ms': last['timestamp-ms'],
    'last-column-id': 1,
    'current-schema-id': 0,
    schemas: [SCHEMA],
    'default-spec-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'last-partition-id': 999,
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: { 'write.format.default': 'parquet' },
    'current-snapshot-id': last['snapshot-id'],
    refs: { main: { 'snapshot-id': last['snapshot-id'], type: 'branch' } },
    snapshots: snapshotList,
    'snapshot-log': snapshotList.map((s) => ({ 'snapshot-id': s['snapshot-id'], 'timestamp-ms': s['timestamp-ms'] })),
    'metadata-log': [],
  };
  const metadataLocation = `${location}/metadata/00000-${randomUUID()}.metadata.json`;
  fs.writeFileSync(fileURLToPath(metadataLocation), JSON.stringify(metadata));
  writtenFiles += 1;
  return {
    metadataLocation,
    location,
    snapshotIds: snapshotList.map((s) => String(s['snapshot-id'])),
    dataFiles: snapshots * filesPer,
    orphanPaths,
    writtenFiles: writtenFiles + orphans,
  };
}
