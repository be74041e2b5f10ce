/**
 * Parsers for the objects a table commit carries: snapshots, refs,
 * statistics files and encryption keys. Output is canonical (known fields
 * only, Iceberg Java's field order, longs as number-or-bigint).
 *
 * Invariants enforced (as Iceberg Java's constructors do): first-row-id and
 * added-rows are non-negative and added-rows is present whenever first-row-id
 * is; tags carry no snapshot-retention settings; retention settings are > 0.
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import {
  asIntArray,
  asObject,
  asStringArray,
  asStringMap,
  get,
  mapToRecord,
  optInt,
  optLong,
  optObject,
  optString,
  reqArray,
  reqLong,
  reqString,
  sub,
  toWire,
  type JsonObject,
} from './read.js';
import type {
  BlobMetadata,
  EncryptedKey,
  PartitionStatisticsFile,
  Snapshot,
  SnapshotRefType,
  SnapshotReference,
  SnapshotSummary,
  StatisticsFile,
} from './types.js';

export function parseSnapshot(v: unknown, path = 'snapshot'): Snapshot {
  const o = asObject(v, path);
  const sequenceNumber = optLong(o, 'sequence-number', path) ?? 0n;
  // Sequence numbers count up from 0 (v1 snapshots have 0). Iceberg Java writes a snapshot's sequence number only
  // when it is above 0 and reads a missing one as 0: a negative one would come back as 0 from the first Java writer,
  // above the table's last-sequence-number, and the table would no longer load.
  if (sequenceNumber < 0n) throw illegalArgument(`Invalid sequence-number (cannot be negative): ${sequenceNumber}`);
  const snapshotId = reqLong(o, 'snapshot-id', path);
  const parentId = optLong(o, 'parent-snapshot-id', path);
  const timestamp = reqLong(o, 'timestamp-ms', path);
  const out: Snapshot = {} as Snapshot;
  if (sequenceNumber !== 0n) out['sequence-number'] = toWire(sequenceNumber);
  out['snapshot-id'] = toWire(snapshotId);
  if (parentId !== undefined) out['parent-snapshot-id'] = toWire(parentId);
  out['timestamp-ms'] = toWire(timestamp);

  const summaryObj = optObject(o, 'summary', path);
  if (summaryObj !== undefined && Object.keys(summaryObj).length > 0) {
    const summary = asStringMap(summaryObj, sub(path, 'summary'));
    // Iceberg Java reads a summary without an operation as "overwrite".
    const operation = summary.get('operation') ?? 'overwrite';
    summary.delete('operation');
    out.summary = { operation, ...mapToRecord(summary) } as SnapshotSummary;
  }

  const manifestList = optString(o, 'manifest-list', path);
  if (manifestList !== undefined) {
    out['manifest-list'] = manifestList;
  } else {
    const manifests = get(o, 'manifests');
    if (manifests === undefined || manifests === null) {
      throw validation(`Invalid ${path}: missing required field '${sub(path, 'manifest-list')}'`);
    }
    out.manifests = asStringArray(manifests, sub(path, 'manifests'));
  }

  const schemaId = optInt(o, 'schema-id', path);
  if (schemaId !== undefined) out['schema-id'] = schemaId;

  const firstRowId = optLong(o, 'first-row-id', path);
  const addedRows = optLong(o, 'added-rows', path);
  if (firstRowId !== undefined) {
    if (firstRowId < 0n) throw illegalArgument(`Invalid first-row-id (cannot be negative): ${firstRowId}`);
    if (addedRows === undefined) {
      throw illegalArgument('Invalid added-rows (required when first-row-id is set): null');
    }
    if (addedRows < 0n) throw illegalArgument(`Invalid added-rows (cannot be negative): ${addedRows}`);
    out['first-row-id'] = toWire(firstRowId);
    out['added-rows'] = toWire(addedRows);
  }

  const keyId = optString(o, 'key-id', path);
  if (keyId !== undefined) out['key-id'] = keyId;
  return out;
}

export function parseRefType(v: unknown, path: string): SnapshotRefType {
  if (typeof v !== 'string') throw validation(`Invalid ${path}: expected 'branch' or 'tag'`);
  const t = v.toLowerCase();
  if (t !== 'branch' && t !== 'tag') throw validation(`Invalid ${path}: expected 'branch' or 'tag' but got '${v}'`);
  return t;
}

/** A snapshot reference from a ref object or a set-snapshot-ref update (same field names). */
export function parseSnapshotRef(o: JsonObject, path: string): SnapshotReference {
  const snapshotId = reqLong(o, 'snapshot-id', path);
  const type = parseRefType(get(o, 'type'), sub(path, 'type'));
  const minSnapshotsToKeep = optInt(o, 'min-snapshots-to-keep', path);
  const maxSnapshotAgeMs = optLong(o, 'max-snapshot-age-ms', path);
  const maxRefAgeMs = optLong(o, 'max-ref-age-ms', path);
  if (type === 'tag' && minSnapshotsToKeep !== undefined) {
    throw illegalArgument('Tags do not support setting minSnapshotsToKeep');
  }
  if (type === 'tag' && maxSnapshotAgeMs !== undefined) {
    throw illegalArgument('Tags do not support setting maxSnapshotAgeMs');
  }
  if (minSnapshotsToKeep !== undefined && minSnapshotsToKeep <= 0) {
    throw illegalArgument('Min snapshots to keep must be greater than 0');
  }
  if (maxSnapshotAgeMs !== undefined && maxSnapshotAgeMs <= 0n) {
    throw illegalArgument('Max snapshot age must be greater than 0 ms');
  }
  if (maxRefAgeMs !== undefined && maxRefAgeMs <= 0n) {
    throw illegalArgument('Max reference age must be greater than 0');
  }
  const ref: SnapshotReference = { 'snapshot-id': toWire(snapshotId), type };
  if (minSnapshotsToKeep !== undefined) ref['min-snapshots-to-keep'] = minSnapshotsToKeep;
  if (maxSnapshotAgeMs !== undefined) ref['max-snapshot-age-ms'] = toWire(maxSnapshotAgeMs);
  if (maxRefAgeMs !== undefined) ref['max-ref-age-ms'] = toWire(maxRefAgeMs);
  return ref;
}

function parseBlob(v: unknown, path: string): BlobMetadata {
  const o = asObject(v, path);
  const blob: BlobMetadata = {
    type: reqString(o, 'type', path),
    'snapshot-id': toWire(reqLong(o, 'snapshot-id', path)),
    'sequence-number': toWire(reqLong(o, 'sequence-number', path)),
    fields: asIntArray(get(o, 'fields') ?? [], sub(path, 'fields')),
  };
  const props = optObject(o, 'properties', path);
  if (props !== undefined) blob.properties = mapToRecord(asStringMap(props, sub(path, 'properties')));
  return blob;
}

export function parseStatisticsFile(v: unknown, path = 'statistics'): StatisticsFile {
  const o = asObject(v, path);
  const file: StatisticsFile = {
    'snapshot-id': toWire(reqLong(o, 'snapshot-id', path)),
    'statistics-path': reqString(o, 'statistics-path', path),
    'file-size-in-bytes': toWire(reqLong(o, 'file-size-in-bytes', path)),
    'file-footer-size-in-bytes': toWire(reqLong(o, 'file-footer-size-in-bytes', path)),
    'blob-metadata': [],
  };
  const keyMetadata = optString(o, 'key-metadata', path);
  if (keyMetadata !== undefined) file['key-metadata'] = keyMetadata;
  file['blob-metadata'] = reqArray(o, 'blob-metadata', path).map((b, i) => parseBlob(b, sub(sub(path, 'blob-metadata'), i)));
  return file;
}

export function parsePartitionStatisticsFile(v: unknown, path = 'partition-statistics'): PartitionStatisticsFile {
  const o = asObject(v, path);
  return {
    'snapshot-id': toWire(reqLong(o, 'snapshot-id', path)),
    'statistics-path': reqString(o, 'statistics-path', path),
    'file-size-in-bytes': toWire(reqLong(o, 'file-size-in-bytes', path)),
  };
}

export function parseEncryptedKey(v: unknown, path = 'encryption-key'): EncryptedKey {
  const o = asObject(v, path);
  const key: EncryptedKey = {
    'key-id': reqString(o, 'key-id', path),
    'encrypted-key-metadata': reqString(o, 'encrypted-key-metadata', path),
  };
  const by = optString(o, 'encrypted-by-id', path);
  if (by !== undefined) key['encrypted-by-id'] = by;
  const props = optObject(o, 'properties', path);
  if (props !== undefined) key.properties = mapToRecord(asStringMap(props, sub(path, 'properties')));
  return key;
}
