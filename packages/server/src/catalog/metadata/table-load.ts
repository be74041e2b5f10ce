/**
 * Loading (and validating) stored table metadata into a builder, including
 * v1 files that only carry the legacy `schema` / `partition-spec` fields.
 */
import { lastAssignedFieldId, parsePartitionSpec, UNPARTITIONED_LAST_ASSIGNED_ID } from './partition-spec.js';
import { asArray, asLong, asObject, asString, asStringMap, get, optInt, optLong, optObject, reqInt, reqLong, reqString, sub, toWire } from './read.js';
import { parseSchema } from './schema.js';
import { parseSortOrder } from './sort-order.js';
import { MAIN_BRANCH, big, checkFormatVersion, stripTrailingSlash } from './table-format.js';
import { parseEncryptedKey, parsePartitionStatisticsFile, parseSnapshot, parseSnapshotRef, parseStatisticsFile } from './table-objects.js';
import type { TableState } from './table-state.js';
import type { PartitionSpec, SortOrder, TableMetadata } from './types.js';
import type { PartitionSpecInput } from './change-types.js';

export function loadTableMetadata<B extends TableState>(raw: unknown, path: string, make: (base: TableMetadata, formatVersion: number, uuid: string) => B): B {
  const o = asObject(raw, path);
  const formatVersion = checkFormatVersion(reqInt(o, 'format-version', path), sub(path, 'format-version'));
  const uuid = reqString(o, 'table-uuid', path);
  const b = make(o as unknown as TableMetadata, formatVersion, uuid);
  const location = get(o, 'location');
  b.location = location === undefined || location === null ? null : stripTrailingSlash(asString(location, sub(path, 'location')));
  b.lastSequenceNumber = optLong(o, 'last-sequence-number', path) ?? 0n;
  b.loadedLastUpdatedMs = reqLong(o, 'last-updated-ms', path);
  b.lastColumnId = reqInt(o, 'last-column-id', path);

  const schemasRaw = get(o, 'schemas');
  if (schemasRaw !== undefined && schemasRaw !== null) {
    b.schemas = asArray(schemasRaw, sub(path, 'schemas')).map((s, i) => parseSchema(s, sub(sub(path, 'schemas'), i)));
    b.currentSchemaId = reqInt(o, 'current-schema-id', path);
  } else {
    const legacy = parseSchema(get(o, 'schema'), sub(path, 'schema'));
    b.schemas = [legacy];
    b.currentSchemaId = legacy['schema-id'];
  }

  const specsRaw = get(o, 'partition-specs');
  const toSpec = (input: PartitionSpecInput, specId: number): PartitionSpec => ({
    'spec-id': specId,
    fields: input.fields.map((f, i) => ({
      'field-id': f['field-id'] ?? 1000 + i,
      'source-id': f['source-id'],
      name: f.name,
      transform: f.transform,
    })),
  });
  if (specsRaw !== undefined && specsRaw !== null) {
    b.specs = asArray(specsRaw, sub(path, 'partition-specs')).map((s, i) => {
      const p = sub(sub(path, 'partition-specs'), i);
      const input = parsePartitionSpec(s, p);
      return toSpec(input, input['spec-id'] ?? 0);
    });
    b.defaultSpecId = reqInt(o, 'default-spec-id', path);
  } else {
    const fields = get(o, 'partition-spec') ?? [];
    b.specs = [toSpec(parsePartitionSpec({ fields }, sub(path, 'partition-spec')), 0)];
    b.defaultSpecId = 0;
  }
  b.lastPartitionId = optInt(o, 'last-partition-id', path) ?? b.specs.reduce((m, s) => Math.max(m, lastAssignedFieldId(s)), UNPARTITIONED_LAST_ASSIGNED_ID);

  const ordersRaw = get(o, 'sort-orders');
  if (ordersRaw !== undefined && ordersRaw !== null) {
    b.sortOrders = asArray(ordersRaw, sub(path, 'sort-orders')).map((s, i): SortOrder => {
      const input = parseSortOrder(s, sub(sub(path, 'sort-orders'), i));
      return { 'order-id': input['order-id'] ?? (input.fields.length === 0 ? 0 : 1), fields: input.fields };
    });
    b.defaultSortOrderId = reqInt(o, 'default-sort-order-id', path);
  } else {
    b.sortOrders = [{ 'order-id': 0, fields: [] }];
    b.defaultSortOrderId = 0;
  }

  const props = optObject(o, 'properties', path);
  b.properties = props ? asStringMap(props, sub(path, 'properties')) : new Map();

  const current = get(o, 'current-snapshot-id');
  b.currentSnapshotId = current === undefined || current === null ? -1n : asLong(current, sub(path, 'current-snapshot-id'));
  b.nextRowId = optLong(o, 'next-row-id', path) ?? 0n;

  const keys = get(o, 'encryption-keys');
  if (keys !== undefined && keys !== null) {
    b.encryptionKeys = asArray(keys, sub(path, 'encryption-keys')).map((k, i) => parseEncryptedKey(k, sub(sub(path, 'encryption-keys'), i)));
  }

  const snaps = get(o, 'snapshots');
  if (snaps !== undefined && snaps !== null) {
    b.snapshots = asArray(snaps, sub(path, 'snapshots')).map((s, i) => parseSnapshot(s, sub(sub(path, 'snapshots'), i)));
  }
  for (const s of b.snapshots) b.snapshotsById.set(big(s['snapshot-id']), s);

  const refs = optObject(o, 'refs', path);
  if (refs) {
    for (const [name, ref] of Object.entries(refs)) {
      const p = sub(sub(path, 'refs'), name);
      b.refs.set(name, parseSnapshotRef(asObject(ref, p), p));
    }
  } else if (b.currentSnapshotId !== -1n) {
    // Metadata written before refs existed: main is the current snapshot.
    b.refs.set(MAIN_BRANCH, { 'snapshot-id': toWire(b.currentSnapshotId), type: 'branch' });
  }

  const stats = get(o, 'statistics');
  if (stats !== undefined && stats !== null) {
    asArray(stats, sub(path, 'statistics')).forEach((s, i) => {
      const file = parseStatisticsFile(s, sub(sub(path, 'statistics'), i));
      b.statistics.set(big(file['snapshot-id']), file);
    });
  }
  const pstats = get(o, 'partition-statistics');
  if (pstats !== undefined && pstats !== null) {
    asArray(pstats, sub(path, 'partition-statistics')).forEach((s, i) => {
      const file = parsePartitionStatisticsFile(s, sub(sub(path, 'partition-statistics'), i));
      b.partitionStatistics.set(big(file['snapshot-id']), file);
    });
  }

  const slog = get(o, 'snapshot-log');
  if (slog !== undefined && slog !== null) {
    b.snapshotLog = asArray(slog, sub(path, 'snapshot-log')).map((e, i) => {
      const p = sub(sub(path, 'snapshot-log'), i);
      const eo = asObject(e, p);
      return { ts: reqLong(eo, 'timestamp-ms', p), id: reqLong(eo, 'snapshot-id', p) };
    });
  }
  const mlog = get(o, 'metadata-log');
  if (mlog !== undefined && mlog !== null) {
    b.metadataLog = asArray(mlog, sub(path, 'metadata-log')).map((e, i) => {
      const p = sub(sub(path, 'metadata-log'), i);
      const eo = asObject(e, p);
      return { 'timestamp-ms': toWire(reqLong(eo, 'timestamp-ms', p)), 'metadata-file': reqString(eo, 'metadata-file', p) };
    });
  }
  return b;
}
