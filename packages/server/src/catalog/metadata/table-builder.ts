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
import { commitConflict, illegalArgument, validation } from '../../errors/catalog-error.js';
import {
  bindPartitionSpec,
  checkSpecCompatibility,
  compatibleSpecs,
  hasSequentialIds,
  lastAssignedFieldId,
  parsePartitionSpec,
  UNPARTITIONED_LAST_ASSIGNED_ID,
} from './partition-spec.js';
import {
  asArray,
  asLong,
  asObject,
  asString,
  asStringMap,
  get,
  mapToRecord,
  optInt,
  optLong,
  optObject,
  reqInt,
  reqLong,
  reqString,
  sub,
  toWire,
} from './read.js';
import {
  checkSchemaCompatibility,
  deepEqual,
  indexSchema,
  parseSchema,
  sameSchema,
  withSchemaId,
  type SchemaIndex,
} from './schema.js';
import { checkSortOrderCompatibility, INITIAL_SORT_ORDER_ID, parseSortOrder, sameOrder, UNSORTED_ORDER_ID } from './sort-order.js';
import {
  parseEncryptedKey,
  parsePartitionStatisticsFile,
  parseSnapshot,
  parseSnapshotRef,
  parseStatisticsFile,
} from './table-objects.js';
import type {
  EncryptedKey,
  MetadataLogEntry,
  PartitionSpec,
  PartitionSpecInput,
  PartitionStatisticsFile,
  Schema,
  Snapshot,
  SnapshotReference,
  SortOrder,
  SortOrderInput,
  StatisticsFile,
  TableFormatVersion,
  TableMetadata,
  TableUpdate,
} from './types.js';

export const DEFAULT_TABLE_FORMAT_VERSION = 2;
export const MAX_TABLE_FORMAT_VERSION = 3;
export const MIN_FORMAT_VERSION_ROW_LINEAGE = 3;
export const MAIN_BRANCH = 'main';
const LAST_ADDED = -1;
const ONE_MINUTE = 60_000n;

interface LogEntry {
  ts: bigint;
  id: bigint;
}

const big = (v: number | bigint): bigint => BigInt(v);
/** A clock reading as bigint; tolerates fractional or non-finite values from odd clocks. */
const clock = (ms: number): bigint => BigInt(Number.isFinite(ms) ? Math.trunc(ms) : Date.now());

/** Removes trailing slashes, but never the ones of a bare "scheme://". */
export function stripTrailingSlash(location: string): string {
  let out = location;
  while (out.endsWith('/') && !out.endsWith('://')) out = out.slice(0, -1);
  return out;
}

export function checkFormatVersion(v: number, path = 'format-version'): TableFormatVersion {
  if (!Number.isInteger(v) || v < 1 || v > MAX_TABLE_FORMAT_VERSION) {
    throw illegalArgument(`Unsupported format version: v${v} (supported: v${MAX_TABLE_FORMAT_VERSION}) in ${path}`);
  }
  return v as TableFormatVersion;
}

export class TableMetadataBuilder {
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
  private lastAddedSchemaId: number | undefined;
  private lastAddedSpecId: number | undefined;
  private lastAddedOrderId: number | undefined;
  private schemaIndexCache: { id: number; schema: Schema; index: SchemaIndex } | undefined;

  private constructor(
    private readonly base: TableMetadata | null,
    private readonly nowMs: bigint,
    formatVersion: number,
    uuid: string,
  ) {
    this.formatVersion = formatVersion;
    this.uuid = uuid;
  }

  /** A builder for a brand-new table (Iceberg Java's buildFromEmpty). */
  static empty(formatVersion: number, uuid: string, nowMs: number): TableMetadataBuilder {
    return new TableMetadataBuilder(null, clock(nowMs), checkFormatVersion(formatVersion), uuid);
  }

  /** A builder over existing metadata; `base` is validated and normalized while loading. */
  static from(base: TableMetadata | unknown, nowMs: number, path = 'metadata'): TableMetadataBuilder {
    return loadTableMetadata(base, clock(nowMs), path);
  }

  get hasChanges(): boolean {
    return this.changes.length > 0;
  }

  // ------------------------------------------------------------ identity and format

  assignUuid(uuid: string): this {
    if (uuid.toLowerCase() === this.uuid.toLowerCase()) return this;
    if (this.base !== null) throw illegalArgument(`Cannot reassign uuid: ${this.uuid} to ${uuid}`);
    this.uuid = uuid;
    this.changes.push({ action: 'assign-uuid', uuid });
    return this;
  }

  upgradeFormatVersion(version: number): this {
    if (version > MAX_TABLE_FORMAT_VERSION) {
      throw illegalArgument(
        `Cannot upgrade table to unsupported format version: v${version} (supported: v${MAX_TABLE_FORMAT_VERSION})`,
      );
    }
    if (version < this.formatVersion) {
      throw illegalArgument(`Cannot downgrade v${this.formatVersion} table to v${version}`);
    }
    if (version === this.formatVersion) return this;
    this.formatVersion = version;
    this.changes.push({ action: 'upgrade-format-version', 'format-version': version });
    return this;
  }

  // ------------------------------------------------------------ schemas

  private currentSchemaIndex(what: string): SchemaIndex {
    const schema = this.schemas.find((s) => s['schema-id'] === this.currentSchemaId);
    if (!schema) throw validation(`Cannot add ${what}: the table has no current schema`);
    if (this.schemaIndexCache?.schema !== schema) {
      this.schemaIndexCache = { id: schema['schema-id'], schema, index: indexSchema(schema) };
    }
    return this.schemaIndexCache.index;
  }

  /** Adds a schema, reusing the id of an identical existing schema. Returns the schema id. */
  addSchema(schema: Schema, lastColumnIdHint?: number): number {
    const highest = indexSchema(schema).highestFieldId;
    const newLastColumnId = Math.max(this.lastColumnId, highest, lastColumnIdHint ?? 0);
    checkSchemaCompatibility(schema, this.formatVersion);

    let newSchemaId = this.currentSchemaId;
    let reused = false;
    for (const existing of this.schemas) {
      if (sameSchema(existing, schema)) {
        newSchemaId = existing['schema-id'];
        reused = true;
        break;
      }
      if (existing['schema-id'] >= newSchemaId) newSchemaId = existing['schema-id'] + 1;
    }

    if (reused && newLastColumnId === this.lastColumnId) {
      // Identical schema already present: nothing changes, but "-1" now means this schema.
      this.lastAddedSchemaId = newSchemaId;
      return newSchemaId;
    }

    this.lastColumnId = newLastColumnId;
    const added = withSchemaId(schema, newSchemaId);
    if (!reused) this.schemas.push(added);
    this.changes.push({ action: 'add-schema', schema: added });
    this.lastAddedSchemaId = newSchemaId;
    return newSchemaId;
  }

  setCurrentSchema(schemaId: number): this {
    if (schemaId === LAST_ADDED) {
      if (this.lastAddedSchemaId === undefined) throw validation('Cannot set last added schema: no schema has been added');
      return this.setCurrentSchema(this.lastAddedSchemaId);
    }
    if (this.currentSchemaId === schemaId) return this;
    if (!this.schemas.some((s) => s['schema-id'] === schemaId)) {
      throw illegalArgument(`Cannot set current schema to unknown schema: ${schemaId}`);
    }
    this.currentSchemaId = schemaId;
    this.changes.push({ action: 'set-current-schema', 'schema-id': schemaId });
    return this;
  }

  removeSchemas(schemaIds: number[]): this {
    const remove = new Set(schemaIds);
    if (remove.has(this.currentSchemaId)) throw illegalArgument('Cannot remove the current schema');
    const kept = this.schemas.filter((s) => !remove.has(s['schema-id']));
    if (kept.length !== this.schemas.length) {
      const removed = this.schemas.filter((s) => remove.has(s['schema-id'])).map((s) => s['schema-id']);
      this.schemas = kept;
      this.changes.push({ action: 'remove-schemas', 'schema-ids': removed });
    }
    return this;
  }

  // ------------------------------------------------------------ partition specs

  /** Adds a spec bound to the current schema, reusing the id of an equivalent spec. Returns the spec id. */
  addPartitionSpec(input: PartitionSpecInput, path = 'spec'): number {
    const schema = this.currentSchemaIndex('a partition spec');
    // Missing field ids: v1 numbers fields positionally from 1000 (as Iceberg Java does);
    // v2+ continues after every id the table (or this spec) has ever used, so ids never clash.
    const v1 = this.formatVersion === 1;
    let counter = v1
      ? UNPARTITIONED_LAST_ASSIGNED_ID
      : input.fields.reduce(
          (max, f) => Math.max(max, f['field-id'] ?? max),
          Math.max(this.lastPartitionId, UNPARTITIONED_LAST_ASSIGNED_ID),
        );
    const withIds: PartitionSpecInput = {
      fields: input.fields.map((f) => {
        const given = f['field-id'];
        if (given !== undefined) {
          if (v1) counter = Math.max(counter, given);
          return f;
        }
        return { ...f, 'field-id': ++counter };
      }),
    };
    const next = (): number => ++counter;
    const bound = bindPartitionSpec(withIds, 0, schema, next, path);

    let newSpecId = 0;
    let reused = false;
    for (const existing of this.specs) {
      if (compatibleSpecs(existing, bound)) {
        newSpecId = existing['spec-id'];
        reused = true;
        break;
      }
      if (newSpecId <= existing['spec-id']) newSpecId = existing['spec-id'] + 1;
    }
    if (reused) {
      this.lastAddedSpecId = newSpecId;
      return newSpecId;
    }
    if (this.formatVersion === 1 && !hasSequentialIds(bound)) {
      throw validation(`Invalid ${path}: spec does not use sequential ids that are required in v1`);
    }
    const spec: PartitionSpec = { 'spec-id': newSpecId, fields: bound.fields };
    this.lastPartitionId = Math.max(this.lastPartitionId, lastAssignedFieldId(spec));
    this.specs.push(spec);
    this.changes.push({ action: 'add-spec', spec });
    this.lastAddedSpecId = newSpecId;
    return newSpecId;
  }

  setDefaultPartitionSpec(specId: number): this {
    if (specId === LAST_ADDED) {
      if (this.lastAddedSpecId === undefined) throw validation('Cannot set last added spec: no spec has been added');
      return this.setDefaultPartitionSpec(this.lastAddedSpecId);
    }
    if (this.defaultSpecId === specId) return this;
    if (!this.specs.some((s) => s['spec-id'] === specId)) {
      throw illegalArgument(`Cannot set default partition spec to unknown spec: ${specId}`);
    }
    this.defaultSpecId = specId;
    this.changes.push({ action: 'set-default-spec', 'spec-id': specId });
    return this;
  }

  removeSpecs(specIds: number[]): this {
    const remove = new Set(specIds);
    if (remove.has(this.defaultSpecId)) throw illegalArgument('Cannot remove the default partition spec');
    const kept = this.specs.filter((s) => !remove.has(s['spec-id']));
    if (kept.length !== this.specs.length) {
      const removed = this.specs.filter((s) => remove.has(s['spec-id'])).map((s) => s['spec-id']);
      this.specs = kept;
      this.changes.push({ action: 'remove-partition-specs', 'spec-ids': removed });
    }
    return this;
  }

  // ------------------------------------------------------------ sort orders

  /** Adds a sort order bound to the current schema, reusing the id of an identical order. Returns the order id. */
  addSortOrder(input: SortOrderInput, path = 'sort-order'): number {
    const schema = this.currentSchemaIndex('a sort order');
    let newOrderId: number;
    let reused = false;
    if (input.fields.length === 0) {
      newOrderId = UNSORTED_ORDER_ID;
      reused = this.sortOrders.some((o) => o['order-id'] === UNSORTED_ORDER_ID);
    } else {
      newOrderId = INITIAL_SORT_ORDER_ID;
      for (const existing of this.sortOrders) {
        if (sameOrder(existing, input)) {
          newOrderId = existing['order-id'];
          reused = true;
          break;
        }
        if (newOrderId <= existing['order-id']) newOrderId = existing['order-id'] + 1;
      }
    }
    if (reused) {
      this.lastAddedOrderId = newOrderId;
      return newOrderId;
    }
    checkSortOrderCompatibility(input, schema, path);
    const order: SortOrder = { 'order-id': newOrderId, fields: input.fields };
    this.sortOrders.push(order);
    this.changes.push({ action: 'add-sort-order', 'sort-order': order });
    this.lastAddedOrderId = newOrderId;
    return newOrderId;
  }

  setDefaultSortOrder(orderId: number): this {
    if (orderId === LAST_ADDED) {
      if (this.lastAddedOrderId === undefined) {
        throw validation('Cannot set last added sort order: no sort order has been added');
      }
      return this.setDefaultSortOrder(this.lastAddedOrderId);
    }
    if (this.defaultSortOrderId === orderId) return this;
    if (!this.sortOrders.some((o) => o['order-id'] === orderId)) {
      throw illegalArgument(`Cannot set default sort order to unknown sort order: ${orderId}`);
    }
    this.defaultSortOrderId = orderId;
    this.changes.push({ action: 'set-default-sort-order', 'sort-order-id': orderId });
    return this;
  }

  // ------------------------------------------------------------ snapshots and refs

  addSnapshot(snapshot: Snapshot): this {
    if (this.schemas.length === 0) throw validation('Attempting to add a snapshot before a schema is added');
    if (this.specs.length === 0) throw validation('Attempting to add a snapshot before a partition spec is added');
    if (this.sortOrders.length === 0) throw validation('Attempting to add a snapshot before a sort order is added');
    const id = big(snapshot['snapshot-id']);
    if (this.snapshotsById.has(id)) throw validation(`Snapshot already exists for id: ${id}`);
    const sequenceNumber = big(snapshot['sequence-number'] ?? 0);
    if (
      this.formatVersion > 1 &&
      !(sequenceNumber > this.lastSequenceNumber || snapshot['parent-snapshot-id'] === undefined)
    ) {
      throw commitConflict(
        `Cannot add snapshot with sequence number ${sequenceNumber} older than last sequence number ${this.lastSequenceNumber}`,
      );
    }
    if (this.formatVersion >= MIN_FORMAT_VERSION_ROW_LINEAGE) {
      if (snapshot['first-row-id'] === undefined) throw validation('Cannot add a snapshot: first-row-id is null');
      const firstRowId = big(snapshot['first-row-id']);
      if (firstRowId < this.nextRowId) {
        throw commitConflict(
          `Cannot add a snapshot, first-row-id is behind table next-row-id: ${firstRowId} < ${this.nextRowId}`,
        );
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
    const entries = updates instanceof Map ? [...updates] : Object.entries(updates);
    const changed = entries.filter(([k, v]) => this.properties.get(k) !== v);
    if (changed.length === 0) return this;
    for (const [k, v] of changed) this.properties.set(k, v);
    this.changes.push({ action: 'set-properties', updates: Object.fromEntries(changed) });
    return this;
  }

  removeProperties(keys: readonly string[]): this {
    const removed = keys.filter((k) => this.properties.delete(k));
    if (removed.length > 0) this.changes.push({ action: 'remove-properties', removals: removed });
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
        this.addSchema(update.schema as Schema, update['last-column-id']);
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
    checkSpecCompatibility(spec, index, 'default partition spec');
    checkSortOrderCompatibility(order, index, 'default sort order');

    if (v === 1 && this.lastSequenceNumber !== 0n) {
      throw illegalArgument(`Sequence number must be 0 in v1: ${this.lastSequenceNumber}`);
    }
    for (const s of this.snapshots) {
      const seq = big(s['sequence-number'] ?? 0);
      if (seq > this.lastSequenceNumber) {
        throw validation(
          `Invalid snapshot with sequence number ${seq} greater than last sequence number ${this.lastSequenceNumber}`,
        );
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
    checkOrdered(this.snapshotLog.map((e) => e.ts), updated, 'snapshot log');
    checkOrdered(this.metadataLog.map((e) => big(e['timestamp-ms'])), updated, 'metadata log');
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
    out['current-snapshot-id'] =
      this.currentSnapshotId >= 0n ? toWire(this.currentSnapshotId) : v >= 3 ? null : -1;
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

  // ------------------------------------------------------------ loading

  /** @internal used by the loader */
  static blank(base: TableMetadata | null, nowMs: bigint, formatVersion: number, uuid: string): TableMetadataBuilder {
    return new TableMetadataBuilder(base, nowMs, formatVersion, uuid);
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

/**
 * Loads (and validates) stored table metadata, including v1 files that only
 * carry the legacy `schema` / `partition-spec` fields.
 */
function loadTableMetadata(raw: unknown, nowMs: bigint, path: string): TableMetadataBuilder {
  const o = asObject(raw, path);
  const formatVersion = checkFormatVersion(reqInt(o, 'format-version', path), sub(path, 'format-version'));
  const uuid = reqString(o, 'table-uuid', path);
  const b = TableMetadataBuilder.blank(o as unknown as TableMetadata, nowMs, formatVersion, uuid);
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
  b.lastPartitionId =
    optInt(o, 'last-partition-id', path) ??
    b.specs.reduce((m, s) => Math.max(m, lastAssignedFieldId(s)), UNPARTITIONED_LAST_ASSIGNED_ID);

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
  if (b.currentSnapshotId < 0n) b.currentSnapshotId = -1n;
  b.nextRowId = optLong(o, 'next-row-id', path) ?? 0n;

  const keys = get(o, 'encryption-keys');
  if (keys !== undefined && keys !== null) {
    b.encryptionKeys = asArray(keys, sub(path, 'encryption-keys')).map((k, i) =>
      parseEncryptedKey(k, sub(sub(path, 'encryption-keys'), i)),
    );
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
