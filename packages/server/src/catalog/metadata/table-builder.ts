/**
 * The table metadata builder: applies metadata changes one by one with
 * Iceberg's rules (mirroring Iceberg Java's TableMetadata.Builder) and
 * produces canonical table metadata.
 *
 * Why these checks live here: Iceberg Java re-validates table metadata every
 * time it reads a metadata file. Anything this builder lets through and
 * writes would make the table unreadable for Java clients, so `build()`
 * re-checks the invariants Java's TableMetadata constructor enforces (refs
 * point at existing snapshots, main == current snapshot, sequence numbers
 * bounded by last-sequence-number, logs ordered within one minute, default
 * spec / sort order compatible with the current schema, ...).
 *
 * Error mapping (as Iceberg's REST server does it): a request that breaks a
 * rule → validation (400); a request built on stale state (sequence number
 * or first-row-id behind the table) → commitConflict (409), so that clients
 * refresh and retry.
 */
import { commitConflict, validation } from '../../errors/catalog-error.js';
import { deepEqual } from './schema.js';
import { sub, toWire } from './read.js';
import { checkMetadataWriteProperty } from './metadata-log.js';
import { checkCompactionProperty, checkCompactionRange } from './compaction-properties.js';
import { removeProperties, setProperties } from './property-changes.js';
import { MAIN_BRANCH, MIN_FORMAT_VERSION_ROW_LINEAGE, big, checkFormatVersion, clock, stripTrailingSlash } from './table-format.js';
import { loadTableMetadata } from './table-load.js';
import { TableSchemaEvolution } from './table-schema-evolution.js';
import type { EncryptedKey, PartitionStatisticsFile, Schema, Snapshot, SnapshotReference, StatisticsFile, TableMetadata } from './types.js';
import type { TableUpdate } from './change-types.js';

export {
  DEFAULT_TABLE_FORMAT_VERSION,
  MAX_TABLE_FORMAT_VERSION,
  MIN_FORMAT_VERSION_ROW_LINEAGE,
  MAIN_BRANCH,
  checkFormatVersion,
  stripTrailingSlash,
} from './table-format.js';

/**
 * The builder: its state and final checks are in table-state.ts, the changes to uuid, format, schemas, specs and
 * sort orders in table-schema-evolution.ts; here the changes to snapshots, refs, statistics, properties, location
 * and encryption keys, and the dispatch of parsed updates.
 */
export class TableMetadataBuilder extends TableSchemaEvolution {
  private constructor(base: TableMetadata | null, nowMs: bigint, formatVersion: number, uuid: string) {
    super(base, nowMs, formatVersion, uuid);
  }

  /** A builder for a brand-new table (Iceberg Java's buildFromEmpty). */
  static empty(formatVersion: number, uuid: string, nowMs: number): TableMetadataBuilder {
    return new TableMetadataBuilder(null, clock(nowMs), checkFormatVersion(formatVersion), uuid);
  }

  /** A builder over existing metadata; `base` is validated and normalized while loading. */
  static from(base: TableMetadata | unknown, nowMs: number, path = 'metadata'): TableMetadataBuilder {
    const at = clock(nowMs);
    return loadTableMetadata(base, path, (stored, formatVersion, uuid) => new TableMetadataBuilder(stored, at, formatVersion, uuid));
  }

  // ------------------------------------------------------------ snapshots and refs

  addSnapshot(snapshot: Snapshot): this {
    if (this.schemas.length === 0) throw validation('Attempting to add a snapshot before a schema is added');
    if (this.specs.length === 0) throw validation('Attempting to add a snapshot before a partition spec is added');
    if (this.sortOrders.length === 0) throw validation('Attempting to add a snapshot before a sort order is added');
    const id = big(snapshot['snapshot-id']);
    if (this.snapshotsById.has(id)) throw validation(`Snapshot already exists for id: ${id}`);
    // `manifests` (a list of manifest files in place of a manifest list) is a v1 field: a v2+ reader
    // takes no sequence number or row lineage from it (Iceberg Java reads a v3 snapshot's first-row-id
    // as null when it has no manifest list).
    if (this.formatVersion > 1 && snapshot['manifest-list'] === undefined) {
      throw validation(`Cannot add a snapshot without a manifest-list to a format v${this.formatVersion} table (manifests is a v1 field)`);
    }
    const sequenceNumber = big(snapshot['sequence-number'] ?? 0);
    // A snapshot without a parent (a replace's) may reuse the last sequence number, as Iceberg Java allows, but never go
    // below it: its writer numbered it on a base that commits have passed since (a replace racing appends), and the
    // table would hold a newer snapshot than its last sequence number. A conflict: the writer reloads and numbers again.
    const stale = snapshot['parent-snapshot-id'] === undefined ? sequenceNumber < this.lastSequenceNumber : sequenceNumber <= this.lastSequenceNumber;
    if (this.formatVersion > 1 && stale) {
      throw commitConflict(`Cannot add snapshot with sequence number ${sequenceNumber} older than last sequence number ${this.lastSequenceNumber}`);
    }
    if (this.formatVersion >= MIN_FORMAT_VERSION_ROW_LINEAGE) {
      if (snapshot['first-row-id'] === undefined) throw validation('Cannot add a snapshot: first-row-id is null');
      const firstRowId = big(snapshot['first-row-id']);
      if (firstRowId < this.nextRowId) {
        throw commitConflict(`Cannot add a snapshot, first-row-id is behind table next-row-id: ${firstRowId} < ${this.nextRowId}`);
      }
    }
    this.lastSequenceNumber = sequenceNumber;
    this.snapshots.push(snapshot);
    this.snapshotsById.set(id, snapshot);
    this.changes.push({ action: 'add-snapshot', snapshot });
    if (this.formatVersion >= MIN_FORMAT_VERSION_ROW_LINEAGE) {
      this.nextRowId += big(snapshot['added-rows'] ?? 0);
    }
    return this;
  }

  private isAddedSnapshot(id: bigint): boolean {
    return this.changes.some((c) => c.action === 'add-snapshot' && big(c.snapshot['snapshot-id']) === id);
  }

  setRef(name: string, ref: SnapshotReference): this {
    const existing = this.refs.get(name);
    if (existing && deepEqual(existing, ref)) return this;
    const id = big(ref['snapshot-id']);
    const snapshot = this.snapshotsById.get(id);
    if (!snapshot) throw validation(`Cannot set ${name} to unknown snapshot: ${id}`);
    if (name === MAIN_BRANCH && ref.type !== 'branch') {
      throw validation(`Cannot set ${MAIN_BRANCH} to a tag, it must be a branch`);
    }
    if (name === MAIN_BRANCH) {
      this.currentSnapshotId = id;
      if (this.lastUpdatedMs === null) this.lastUpdatedMs = this.nowMs;
      // Rolling back to an older snapshot is logged at the time of the change.
      const ts = this.isAddedSnapshot(id) ? big(snapshot['timestamp-ms']) : this.lastUpdatedMs;
      this.snapshotLog.push({ ts, id });
    }
    this.refs.set(name, ref);
    this.changes.push({ action: 'set-snapshot-ref', 'ref-name': name, ...ref });
    return this;
  }

  removeRef(name: string): this {
    if (name === MAIN_BRANCH) this.currentSnapshotId = -1n;
    if (this.refs.delete(name)) this.changes.push({ action: 'remove-snapshot-ref', 'ref-name': name });
    return this;
  }

  removeSnapshots(ids: readonly bigint[]): this {
    const remove = new Set(ids);
    const retained: Snapshot[] = [];
    for (const snapshot of this.snapshots) {
      const id = big(snapshot['snapshot-id']);
      if (remove.has(id)) {
        this.snapshotsById.delete(id);
        this.changes.push({ action: 'remove-snapshots', 'snapshot-ids': [toWire(id)] });
        this.removeStatistics(id);
        this.removePartitionStatistics(id);
      } else {
        retained.push(snapshot);
      }
    }
    this.snapshots = retained;
    // Refs that now point nowhere are removed with their snapshots.
    for (const [name, ref] of [...this.refs]) {
      if (!this.snapshotsById.has(big(ref['snapshot-id']))) this.removeRef(name);
    }
    return this;
  }

  // ------------------------------------------------------------ statistics

  setStatistics(file: StatisticsFile): this {
    this.statistics.set(big(file['snapshot-id']), file);
    this.changes.push({ action: 'set-statistics', statistics: file });
    return this;
  }

  removeStatistics(snapshotId: bigint): this {
    if (this.statistics.delete(snapshotId)) {
      this.changes.push({ action: 'remove-statistics', 'snapshot-id': toWire(snapshotId) });
    }
    return this;
  }

  setPartitionStatistics(file: PartitionStatisticsFile): this {
    this.partitionStatistics.set(big(file['snapshot-id']), file);
    this.changes.push({ action: 'set-partition-statistics', 'partition-statistics': file });
    return this;
  }

  removePartitionStatistics(snapshotId: bigint): this {
    if (this.partitionStatistics.delete(snapshotId)) {
      this.changes.push({ action: 'remove-partition-statistics', 'snapshot-id': toWire(snapshotId) });
    }
    return this;
  }

  // ------------------------------------------------------------ properties, location, keys

  setProperties(updates: ReadonlyMap<string, string> | Record<string, string>): this {
    const change = setProperties(this.properties, updates instanceof Map ? updates : Object.entries(updates), (k, v) => {
      checkMetadataWriteProperty(k, v);
      checkCompactionProperty(k, v);
    });
    checkCompactionRange(Object.fromEntries(this.properties), 'table', updates instanceof Map ? updates.keys() : Object.keys(updates));
    if (change) this.changes.push(change);
    return this;
  }

  removeProperties(keys: readonly string[]): this {
    const change = removeProperties(this.properties, keys);
    checkCompactionRange(Object.fromEntries(this.properties), 'table', keys);
    if (change) this.changes.push(change);
    return this;
  }

  setLocation(location: string): this {
    const stripped = stripTrailingSlash(location.trim());
    if (stripped.length === 0) throw validation('Invalid location: must not be empty');
    if (this.location === stripped) return this;
    this.location = stripped;
    this.changes.push({ action: 'set-location', location: stripped });
    return this;
  }

  addEncryptionKey(key: EncryptedKey): this {
    // encryption-keys is a format v3 field (Iceberg Java refuses it below v3 too).
    if (this.formatVersion < 3) throw validation(`Cannot add an encryption key to a format v${this.formatVersion} table (encryption keys need format v3)`);
    if (this.encryptionKeys.some((k) => k['key-id'] === key['key-id'])) return this;
    this.encryptionKeys.push(key);
    this.changes.push({ action: 'add-encryption-key', 'encryption-key': key });
    return this;
  }

  removeEncryptionKey(keyId: string): this {
    const kept = this.encryptionKeys.filter((k) => k['key-id'] !== keyId);
    if (kept.length !== this.encryptionKeys.length) {
      this.encryptionKeys = kept;
      this.changes.push({ action: 'remove-encryption-key', 'key-id': keyId });
    }
    return this;
  }

  // ------------------------------------------------------------ dispatch

  /** Applies one parsed update. */
  apply(update: TableUpdate, path = 'update'): this {
    switch (update.action) {
      case 'assign-uuid':
        return this.assignUuid(update.uuid);
      case 'upgrade-format-version':
        return this.upgradeFormatVersion(update['format-version']);
      case 'add-schema':
        this.addSchema(update.schema as Schema);
        return this;
      case 'set-current-schema':
        return this.setCurrentSchema(update['schema-id']);
      case 'add-spec':
        this.addPartitionSpec(update.spec, sub(path, 'spec'));
        return this;
      case 'set-default-spec':
        return this.setDefaultPartitionSpec(update['spec-id']);
      case 'add-sort-order':
        this.addSortOrder(update['sort-order'], sub(path, 'sort-order'));
        return this;
      case 'set-default-sort-order':
        return this.setDefaultSortOrder(update['sort-order-id']);
      case 'add-snapshot':
        return this.addSnapshot(update.snapshot);
      case 'set-snapshot-ref': {
        const { action: _a, 'ref-name': name, ...ref } = update;
        return this.setRef(name, ref);
      }
      case 'remove-snapshots':
        return this.removeSnapshots(update['snapshot-ids'].map(big));
      case 'remove-snapshot-ref':
        return this.removeRef(update['ref-name']);
      case 'set-location':
        return this.setLocation(update.location);
      case 'set-properties':
        return this.setProperties(update.updates);
      case 'remove-properties':
        return this.removeProperties(update.removals);
      case 'set-statistics':
        return this.setStatistics(update.statistics);
      case 'remove-statistics':
        return this.removeStatistics(big(update['snapshot-id']));
      case 'set-partition-statistics':
        return this.setPartitionStatistics(update['partition-statistics']);
      case 'remove-partition-statistics':
        return this.removePartitionStatistics(big(update['snapshot-id']));
      case 'remove-partition-specs':
        return this.removeSpecs(update['spec-ids']);
      case 'remove-schemas':
        return this.removeSchemas(update['schema-ids']);
      case 'add-encryption-key':
        return this.addEncryptionKey(update['encryption-key']);
      case 'remove-encryption-key':
        return this.removeEncryptionKey(update['key-id']);
    }
  }
}
