/**
 * The state of a table's metadata while a builder changes it, and the checks
 * and serialisation that end a build. Why the checks: a file this writes must
 * pass the re-validation Iceberg Java makes on every read (table-builder.ts).
 * The changes themselves are in table-schema-evolution.ts (uuid, format,
 * schemas, specs, sort orders) and table-builder.ts (snapshots, refs,
 * statistics, properties); loading a stored file is in table-load.ts.
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import { checkSpecAgainstSchema } from './partition-spec.js';
import { mapToRecord, toWire } from './read.js';
import { indexSchema, type SchemaIndex } from './schema.js';
import { checkSortOrderCompatibility } from './sort-order.js';
import { type LogEntry, MAIN_BRANCH, ONE_MINUTE, big } from './table-format.js';
import type {
  EncryptedKey,
  MetadataLogEntry,
  PartitionSpec,
  PartitionStatisticsFile,
  Schema,
  Snapshot,
  SnapshotReference,
  SortOrder,
  StatisticsFile,
  TableFormatVersion,
  TableMetadata,
} from './types.js';
import type { TableUpdate } from './change-types.js';

export abstract class TableState {
  formatVersion: number;
  uuid: string;
  location: string | null = null;
  lastSequenceNumber = 0n;
  /** Set when this builder changes something (Java: null until build or a main-branch move). */
  lastUpdatedMs: bigint | null = null;
  /** last-updated-ms of the loaded base, used only when serializing unchanged metadata. */
  loadedLastUpdatedMs: bigint | null = null;
  lastColumnId = 0;
  currentSchemaId = 0;
  schemas: Schema[] = [];
  defaultSpecId = 0;
  specs: PartitionSpec[] = [];
  lastPartitionId = 0;
  defaultSortOrderId = 0;
  sortOrders: SortOrder[] = [];
  properties = new Map<string, string>();
  currentSnapshotId = -1n;
  snapshots: Snapshot[] = [];
  snapshotsById = new Map<bigint, Snapshot>();
  refs = new Map<string, SnapshotReference>();
  statistics = new Map<bigint, StatisticsFile>();
  partitionStatistics = new Map<bigint, PartitionStatisticsFile>();
  snapshotLog: LogEntry[] = [];
  metadataLog: MetadataLogEntry[] = [];
  nextRowId = 0n;
  encryptionKeys: EncryptedKey[] = [];

  /** Every effective change, in order, in canonical update form. */
  readonly changes: TableUpdate[] = [];
  protected lastAddedSchemaId: number | undefined;
  protected lastAddedSpecId: number | undefined;
  protected lastAddedOrderId: number | undefined;
  protected schemaIndexCache: { id: number; schema: Schema; index: SchemaIndex } | undefined;

  protected constructor(
    protected readonly base: TableMetadata | null,
    protected readonly nowMs: bigint,
    formatVersion: number,
    uuid: string,
  ) {
    this.formatVersion = formatVersion;
    this.uuid = uuid;
  }

  get hasChanges(): boolean {
    return this.changes.length > 0;
  }

  // ------------------------------------------------------------ build

  /** The resulting metadata; the base object itself when nothing changed. */
  build(): TableMetadata {
    if (this.base !== null && this.changes.length === 0) return this.base;
    if (this.lastUpdatedMs === null) this.lastUpdatedMs = this.nowMs;
    this.snapshotLog = this.updatedSnapshotLog();
    this.validate();
    return this.serialize();
  }

  /** Validates the current state and serializes it, without recording a change (for loading files). */
  validateAndSerialize(): TableMetadata {
    this.validate();
    return this.serialize();
  }

  /**
   * Drops log entries of snapshots that were added and replaced as main within
   * this change set, and, when snapshots were removed, all history up to the
   * last entry whose snapshot is gone (a gap would make time travel wrong).
   */
  private updatedSnapshotLog(): LogEntry[] {
    const added = new Set<bigint>();
    const intermediate = new Set<bigint>();
    for (const change of this.changes) {
      if (change.action === 'add-snapshot') added.add(big(change.snapshot['snapshot-id']));
      else if (change.action === 'set-snapshot-ref') {
        const id = big(change['snapshot-id']);
        if (added.has(id) && change['ref-name'] === MAIN_BRANCH && id !== this.currentSnapshotId) intermediate.add(id);
      }
    }
    const removedSnapshots = this.changes.some((c) => c.action === 'remove-snapshots');
    if (intermediate.size === 0 && !removedSnapshots) return this.snapshotLog;
    let log: LogEntry[] = [];
    for (const entry of this.snapshotLog) {
      if (this.snapshotsById.has(entry.id)) {
        if (!intermediate.has(entry.id)) log.push(entry);
      } else if (removedSnapshots) {
        log = [];
      }
    }
    if (this.snapshotsById.has(this.currentSnapshotId)) {
      const last = log[log.length - 1];
      if (!last || last.id !== this.currentSnapshotId) {
        throw validation('Cannot set invalid snapshot log: latest entry is not the current snapshot');
      }
    }
    return log;
  }

  private validate(): void {
    const v = this.formatVersion;
    const schema = this.schemas.find((s) => s['schema-id'] === this.currentSchemaId);
    if (!schema) throw validation(`Invalid table metadata: current schema ${this.currentSchemaId} does not exist`);
    const spec = this.specs.find((s) => s['spec-id'] === this.defaultSpecId);
    if (!spec) throw validation(`Invalid table metadata: default partition spec ${this.defaultSpecId} does not exist`);
    const order = this.sortOrders.find((o) => o['order-id'] === this.defaultSortOrderId);
    if (!order) throw validation(`Invalid table metadata: default sort order ${this.defaultSortOrderId} does not exist`);
    if (this.location === null || this.location.length === 0) {
      throw illegalArgument(`Table location is required in format v${v}`);
    }
    const index = indexSchema(schema);
    for (const s of this.specs) checkSpecAgainstSchema(s, index, s === spec);
    // Only the default order: a reader binds the other orders without their columns' types (Iceberg Java 1.11).
    checkSortOrderCompatibility(order, index, 'default sort order');

    if (v === 1 && this.lastSequenceNumber !== 0n) {
      throw illegalArgument(`Sequence number must be 0 in v1: ${this.lastSequenceNumber}`);
    }
    for (const s of this.snapshots) {
      const seq = big(s['sequence-number'] ?? 0);
      if (seq > this.lastSequenceNumber) {
        throw validation(`Invalid snapshot with sequence number ${seq} greater than last sequence number ${this.lastSequenceNumber}`);
      }
    }
    for (const [name, ref] of this.refs) {
      if (!this.snapshotsById.has(big(ref['snapshot-id']))) {
        throw illegalArgument(`Snapshot for reference ${name} does not exist in the existing snapshots list`);
      }
    }
    const main = this.refs.get(MAIN_BRANCH);
    if (this.currentSnapshotId !== -1n) {
      if (main && big(main['snapshot-id']) !== this.currentSnapshotId) {
        throw illegalArgument(`Current snapshot ID does not match main branch (${this.currentSnapshotId} != ${main['snapshot-id']})`);
      }
      if (!this.snapshotsById.has(this.currentSnapshotId)) {
        throw illegalArgument('Invalid table metadata: Cannot find current version');
      }
    } else if (main) {
      throw illegalArgument('Current snapshot is not set, but main branch exists');
    }

    const updated = this.lastUpdatedMs ?? this.loadedLastUpdatedMs ?? this.nowMs;
    checkOrdered(
      this.snapshotLog.map((e) => e.ts),
      updated,
      'snapshot log',
    );
    checkOrdered(
      this.metadataLog.map((e) => big(e['timestamp-ms'])),
      updated,
      'metadata log',
    );
  }

  private serialize(): TableMetadata {
    const v = this.formatVersion as TableFormatVersion;
    const schema = this.schemas.find((s) => s['schema-id'] === this.currentSchemaId) as Schema;
    const spec = this.specs.find((s) => s['spec-id'] === this.defaultSpecId) as PartitionSpec;
    const out = {} as TableMetadata;
    out['format-version'] = v;
    out['table-uuid'] = this.uuid;
    out.location = this.location as string;
    if (v > 1) out['last-sequence-number'] = toWire(this.lastSequenceNumber);
    out['last-updated-ms'] = toWire(this.lastUpdatedMs ?? this.loadedLastUpdatedMs ?? this.nowMs);
    out['last-column-id'] = this.lastColumnId;
    if (v === 1) out.schema = schema;
    out['current-schema-id'] = this.currentSchemaId;
    out.schemas = [...this.schemas];
    if (v === 1) out['partition-spec'] = spec.fields;
    out['default-spec-id'] = this.defaultSpecId;
    out['partition-specs'] = [...this.specs];
    out['last-partition-id'] = this.lastPartitionId;
    out['default-sort-order-id'] = this.defaultSortOrderId;
    out['sort-orders'] = [...this.sortOrders];
    out.properties = mapToRecord(this.properties);
    // -1 alone means "no current snapshot" (validate() checked that any other id is a snapshot of the table);
    // a negative id of a real snapshot is written as it is, as Iceberg Java writes it.
    out['current-snapshot-id'] = this.currentSnapshotId !== -1n ? toWire(this.currentSnapshotId) : v >= 3 ? null : -1;
    if (v >= 3) out['next-row-id'] = toWire(this.nextRowId);
    if (this.encryptionKeys.length > 0) out['encryption-keys'] = [...this.encryptionKeys];
    out.refs = mapToRecord(this.refs);
    out.snapshots = [...this.snapshots];
    out.statistics = [...this.statistics.values()];
    out['partition-statistics'] = [...this.partitionStatistics.values()];
    out['snapshot-log'] = this.snapshotLog.map((e) => ({ 'timestamp-ms': toWire(e.ts), 'snapshot-id': toWire(e.id) }));
    out['metadata-log'] = [...this.metadataLog];
    return out;
  }
}

/** Entries must be ordered (one minute of clock skew tolerated) and not after the update time. */
function checkOrdered(timestamps: bigint[], lastUpdatedMs: bigint, what: string): void {
  let previous: bigint | undefined;
  for (const ts of timestamps) {
    if (previous !== undefined && ts - previous < -ONE_MINUTE) {
      throw illegalArgument(`[BUG] Expected sorted ${what} entries.`);
    }
    previous = ts;
  }
  if (previous !== undefined && lastUpdatedMs - previous < -ONE_MINUTE) {
    throw illegalArgument(`Invalid update timestamp ${lastUpdatedMs}: before the last ${what} entry at ${previous}`);
  }
}
