/**
 * Table operations of the catalog: validate, then execute inside a store
 * transaction. Commits are optimistic: the new metadata file is written
 * first, then the catalog pointer is swapped with a compare-and-swap; the
 * loser of a race is re-applied on the winner's metadata when its
 * requirements still hold, and otherwise gets ERR_COMMIT_CONFLICT.
 */
import { CatalogError, commitConflict, validation } from '../errors/catalog-error.js';
import { joinLocation, normalizeLocation } from '../storage/locations.js';
import { checkLocation, isAllowedLocation, isPurgeable } from './location-policy.js';
import type { CatalogDeps, RequestScope } from './context.js';
import { checkIdentifier, checkName, checkNamespace, checkStringMap, formatIdentifier, type TableIdentifier } from './identifiers.js';
import {
  applyTableUpdatesDetailed,
  checkTableRequirements,
  newTableMetadata,
  nextMetadataLocation,
  withMetadataLog,
  withRefSnapshotsOnly,
} from './metadata/index.js';
import type { TableMetadata, TableRequirement, TableUpdate } from './metadata/index.js';
import { readMetadataFile, writeMetadataFile } from './metadata-files.js';
import { parseJson, stringifyJson } from './json.js';
import { KeyedMutex } from './keyed-mutex.js';
import { renameCatalogObject } from './rename.js';
import type { NamespaceService } from './namespaces.js';
import { type PageRequest, pageOf, toPage } from './paging.js';
import type { CatalogObjectRecord, CatalogRepository, MetricsReportRecord } from './ports.js';

export interface CreateTableInput {
  name: unknown;
  location?: unknown;
  schema: unknown;
  partitionSpec?: unknown;
  writeOrder?: unknown;
  stageCreate?: unknown;
  properties?: unknown;
}

export interface LoadedTable {
  metadataLocation: string | null;
  metadata: TableMetadata;
  /** The storage location credentials would be scoped to. */
  location: string;
  staged: boolean;
}

export interface TableChange {
  identifier: TableIdentifier;
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

export type SnapshotsMode = 'all' | 'refs';

/** One table's commit, prepared (metadata file written) but not yet swapped in. */
interface PreparedCommit {
  identifier: TableIdentifier;
  base: CatalogObjectRecord | undefined;
  metadata: TableMetadata;
  metadataJson: string;
  metadataLocation: string;
  changed: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TableService {
  private readonly commitLocks = new KeyedMutex();

  constructor(
    private readonly deps: CatalogDeps,
    private readonly namespaces: NamespaceService,
  ) {}

  async list(scope: RequestScope, namespace: string[], paging: PageRequest) {
    const levels = checkNamespace(namespace);
    const page = toPage(paging);
    await this.namespaces.require(scope, levels);
    const rows = await this.deps.store.repository.listObjects(scope.warehouse.name, levels, 'table', { ...page, limit: page.limit + 1 });
    const { items, nextPageToken } = pageOf(rows, page, (r) => r.name);
    return { identifiers: items.map((r) => ({ namespace: r.namespace, name: r.name })), nextPageToken };
  }

  async create(scope: RequestScope, namespace: string[], input: CreateTableInput): Promise<LoadedTable> {
    // validate
    const levels = checkNamespace(namespace);
    const name = checkName(input.name, 'table name');
    const properties = checkStringMap(input.properties, 'properties');
    if (input.stageCreate !== undefined && typeof input.stageCreate !== 'boolean') throw validation('stage-create must be a boolean');
    if (input.schema === undefined || input.schema === null) throw validation('schema is required');
    const ns = await this.namespaces.require(scope, levels);
    const uuid = this.deps.newUuid();
    const location =
      input.location !== undefined && input.location !== null
        ? this.checkLocation(scope, input.location)
        : this.defaultLocation(scope, levels, name, uuid, ns.properties);
    const metadata = newTableMetadata({
      schema: input.schema,
      partitionSpec: input.partitionSpec,
      sortOrder: input.writeOrder,
      location,
      properties,
      uuid,
      nowMs: this.deps.clock.now(),
    });
    const existing = await this.deps.store.repository.getObject(scope.warehouse.name, levels, name);
    if (existing) throw exists(existing, levels, name);
    // execute
    if (input.stageCreate === true) {
      await this.deps.store.repository.putStagedTable({
        warehouse: scope.warehouse.name,
        namespace: levels,
        name,
        uuid: metadata['table-uuid'],
        location,
        metadataJson: stringifyJson(metadata),
        expiresAtMs: this.deps.clock.now() + this.deps.settings.stagedTableTtlMs,
      });
      this.deps.events.emit({ type: 'table.staged', warehouse: scope.warehouse.name, namespace: levels, name });
      return { metadataLocation: null, metadata, location, staged: true };
    }
    const metadataLocation = this.metadataLocationFor(scope, metadata, null);
    const metadataJson = await writeMetadataFile((await this.deps.storageFor(scope.warehouse)), metadataLocation, metadata);
    const now = this.deps.clock.now();
    const inserted = await this.deps.store.transaction(async (repo) => {
      if (!(await repo.getNamespace(scope.warehouse.name, levels))) return 'no-namespace' as const;
      const ok = await repo.insertObject({
        warehouse: scope.warehouse.name,
        namespace: levels,
        name,
        kind: 'table',
        uuid: metadata['table-uuid'],
        location: normalizeLocation(location),
        metadataLocation,
        metadataJson,
        createdAtMs: now,
        updatedAtMs: now,
      });
      return ok ? ('ok' as const) : ('exists' as const);
    });
    if (inserted !== 'ok') {
      await (await this.deps.storageFor(scope.warehouse)).delete(metadataLocation).catch(() => undefined);
      if (inserted === 'no-namespace') throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
      throw exists(await this.deps.store.repository.getObject(scope.warehouse.name, levels, name), levels, name);
    }
    this.deps.events.emit({ type: 'table.created', warehouse: scope.warehouse.name, namespace: levels, name, metadataLocation });
    return { metadataLocation, metadata, location, staged: false };
  }

  /** The metadata of a loaded record as a client asked for it (snapshots=refs hides unreferenced snapshots); no I/O. */
  metadataFor(record: CatalogObjectRecord, snapshots: SnapshotsMode): TableMetadata {
    const metadata = parseJson(record.metadataJson) as TableMetadata;
    return snapshots === 'refs' ? withRefSnapshotsOnly(metadata) : metadata;
  }

  /** The table's record (with its metadata JSON text) once its metadata file is known to exist: the hot path of loadTable. */
  async loadRecord(scope: RequestScope, namespace: string[], name: string): Promise<CatalogObjectRecord> {
    const record = await this.requireTable(scope, namespace, name);
    await this.requireMetadataFile(scope, record.metadataLocation);
    return record;
  }

  /** A committed table, or else a stage-created one that has not expired: what credentials can be vended for. */
  async resolveForCredentials(scope: RequestScope, namespace: string[], name: string): Promise<{ location: string; staged: boolean }> {
    const levels = checkNamespace(namespace);
    checkName(name, 'table name');
    const repo = this.deps.store.repository;
    const record = await repo.getObject(scope.warehouse.name, levels, name);
    if (record?.kind === 'table') return { location: record.location, staged: false };
    const staged = await repo.getStagedTable(scope.warehouse.name, levels, name, this.deps.clock.now());
    if (staged) return { location: staged.location, staged: true };
    throw tableNotFound(levels, name);
  }

  async exists(scope: RequestScope, namespace: string[], name: string): Promise<boolean> {
    const levels = checkNamespace(namespace);
    checkName(name, 'table name');
    const r = await this.deps.store.repository.getObject(scope.warehouse.name, levels, name);
    return r?.kind === 'table';
  }

  async commit(scope: RequestScope, change: TableChange): Promise<{ metadataLocation: string; metadata: TableMetadata }> {
    const [result] = await this.commitAll(scope, [change]);
    return result!;
  }

  /**
   * All-or-nothing commit of one or more tables (multi-table transactions use
   * several). Every table's new metadata file is written first; the pointers
   * are then swapped in one database transaction that rolls back entirely if
   * any swap loses.
   */
  async commitAll(scope: RequestScope, changes: TableChange[]): Promise<Array<{ metadataLocation: string; metadata: TableMetadata }>> {
    // validate
    if (changes.length === 0) throw validation('a commit needs at least one table change');
    const seen = new Set<string>();
    for (const c of changes) {
      const key = formatIdentifier(c.identifier.namespace, c.identifier.name);
      if (seen.has(key)) throw validation(`table ${key} appears more than once in the transaction`);
      seen.add(key);
    }
    // execute
    const keys = changes.map((c) => `${scope.warehouse.name}\u0000${formatIdentifier(c.identifier.namespace, c.identifier.name)}`);
    return this.commitLocks.runExclusive(keys, () => this.commitWithRetries(scope, changes));
  }

  private async commitWithRetries(scope: RequestScope, changes: TableChange[]): Promise<Array<{ metadataLocation: string; metadata: TableMetadata }>> {
    for (let attempt = 0; ; attempt += 1) {
      const prepared: PreparedCommit[] = [];
      for (const change of changes) prepared.push(await this.prepare(scope, change));
      let outcome: PreparedCommit | undefined;
      try {
        await this.deps.store.transaction(async (repo) => {
          for (const p of prepared) {
            // Throwing (not returning) rolls back the swaps already made for other tables.
            // Unchanged tables are swapped onto themselves: the compare-and-swap still proves their requirements held at commit time.
            if (!(await this.swap(scope, repo, p))) throw new LostRace(p);
          }
        });
      } catch (e) {
        if (!(e instanceof LostRace)) throw e;
        outcome = e.commit;
      }
      if (outcome === undefined) {
        for (const p of prepared) {
          if (p.base === undefined && p.changed) {
            await this.deps.store.repository.deleteStagedTable(scope.warehouse.name, p.identifier.namespace, p.identifier.name, p.metadata['table-uuid']);
          }
          if (p.changed) {
            this.deps.events.emit({
              type: p.base ? 'table.committed' : 'table.created',
              warehouse: scope.warehouse.name,
              namespace: p.identifier.namespace,
              name: p.identifier.name,
              metadataLocation: p.metadataLocation,
            });
          }
        }
        if (changes.length > 1) this.deps.events.emit({ type: 'transaction.committed', warehouse: scope.warehouse.name, tables: changes.length });
        await Promise.all(prepared.map((p) => this.deleteTrimmedMetadata(scope, p)));
        return prepared.map((p) => ({ metadataLocation: p.metadataLocation, metadata: p.metadata }));
      }
      // Lost a race: the files just written are unreferenced and are removed; retry on the new base.
      const io = await this.deps.storageFor(scope.warehouse);
      await Promise.all(prepared.filter((p) => p.changed).map((p) => io.delete(p.metadataLocation).catch(() => undefined)));
      if (outcome.base === undefined) throw commitConflict(`Requirement failed: table already exists: ${formatIdentifier(outcome.identifier.namespace, outcome.identifier.name)}`);
      if (attempt >= this.deps.settings.commitRetries) {
        throw commitConflict(`Commit to ${formatIdentifier(outcome.identifier.namespace, outcome.identifier.name)} lost ${attempt + 1} concurrent-update races; retry`);
      }
      this.deps.events.emit({ type: 'commit.retried', warehouse: scope.warehouse.name, namespace: outcome.identifier.namespace, name: outcome.identifier.name, attempt: attempt + 1 });
      // Another process won: back off with jitter so that contending processes stop colliding in lockstep.
      await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
    }
  }

  private async prepare(scope: RequestScope, change: TableChange): Promise<PreparedCommit> {
    const identifier = checkIdentifier(change.identifier);
    if (!Array.isArray(change.requirements)) throw validation('requirements must be an array');
    if (!Array.isArray(change.updates)) throw validation('updates must be an array');
    const repo = this.deps.store.repository;
    const record = await repo.getObject(scope.warehouse.name, identifier.namespace, identifier.name);
    const isCreate = change.requirements.some((r) => (r as { type?: unknown })?.type === 'assert-create');
    if (record && record.kind !== 'table') {
      // A view, or a Lance table (catalog/lance/): either way the name is taken.
      if (isCreate) throw exists(record, identifier.namespace, identifier.name);
      throw tableNotFound(identifier.namespace, identifier.name);
    }
    if (!record && !isCreate) throw tableNotFound(identifier.namespace, identifier.name);
    const ns = record ? undefined : await this.namespaces.require(scope, identifier.namespace);
    const base = record ? (parseJson(record.metadataJson) as TableMetadata) : null;
    checkTableRequirements(base, change.requirements);
    const now = this.deps.clock.now();
    const applied = applyTableUpdatesDetailed(base, change.updates, {
      nowMs: now,
      newUuid: this.deps.newUuid,
      // A create transaction that sets no location gets the same default a plain create would.
      defaultLocation: (uuid) => this.defaultLocation(scope, identifier.namespace, identifier.name, uuid, ns?.properties ?? {}),
    });
    let next = applied.metadata;
    this.checkLocation(scope, next.location);
    if (record && !applied.changed) {
      return { identifier, base: record, metadata: base!, metadataJson: record.metadataJson, metadataLocation: record.metadataLocation, changed: false };
    }
    if (record) next = withMetadataLog(base!, record.metadataLocation, next);
    const metadataLocation = this.metadataLocationFor(scope, next, record?.metadataLocation ?? null);
    const metadataJson = await writeMetadataFile((await this.deps.storageFor(scope.warehouse)), metadataLocation, next);
    return { identifier, base: record, metadata: next, metadataJson, metadataLocation, changed: true };
  }

  private async swap(scope: RequestScope, repo: CatalogRepository, p: PreparedCommit): Promise<boolean> {
    const now = this.deps.clock.now();
    if (p.base === undefined) {
      return repo.insertObject({
        warehouse: scope.warehouse.name,
        namespace: p.identifier.namespace,
        name: p.identifier.name,
        kind: 'table',
        uuid: p.metadata['table-uuid'],
        location: normalizeLocation(p.metadata.location),
        metadataLocation: p.metadataLocation,
        metadataJson: p.metadataJson,
        createdAtMs: now,
        updatedAtMs: now,
      });
    }
    return repo.swapMetadata(
      {
        warehouse: scope.warehouse.name,
        namespace: p.identifier.namespace,
        name: p.identifier.name,
        kind: 'table',
        expectedMetadataLocation: p.base.metadataLocation,
        metadataLocation: p.metadataLocation,
        metadataJson: p.metadataJson,
        location: normalizeLocation(p.metadata.location),
      },
      now,
    );
  }

  async drop(scope: RequestScope, namespace: string[], name: string, purge: boolean): Promise<void> {
    const record = await this.requireTable(scope, namespace, name);
    await this.deps.store.transaction(async (repo) => {
      if (!(await repo.deleteObject(scope.warehouse.name, record.namespace, record.name, 'table'))) throw tableNotFound(record.namespace, name);
    });
    this.deps.events.emit({ type: 'table.dropped', warehouse: scope.warehouse.name, namespace: record.namespace, name });
    if (purge) await this.purge(scope, record);
  }

  /** Deletes the files under a dropped table's own location, unless that location is shared with another live object. */
  private async purge(scope: RequestScope, record: CatalogObjectRecord): Promise<void> {
    const base = { warehouse: scope.warehouse.name, namespace: record.namespace, name: record.name, location: record.location };
    if (!isPurgeable(scope.warehouse, record.location)) {
      this.deps.events.emit({ type: 'table.purge-skipped', ...base, reason: 'location is not inside the storage locations of the warehouse' });
      return;
    }
    const sharing = await this.deps.store.repository.findObjectsByLocationPrefix(scope.warehouse.name, record.location);
    if (sharing.length > 0) {
      this.deps.events.emit({ type: 'table.purge-skipped', ...base, reason: 'another table or view lives under this location' });
      return;
    }
    const objects = await (await this.deps.storageFor(scope.warehouse)).deletePrefix(record.location);
    this.deps.events.emit({ type: 'table.purged', ...base, objects });
  }

  rename(scope: RequestScope, source: unknown, destination: unknown): Promise<void> {
    return renameCatalogObject(this.deps, scope, 'table', source, destination);
  }

  async register(scope: RequestScope, namespace: string[], nameInput: unknown, metadataLocationInput: unknown, overwrite: unknown): Promise<LoadedTable> {
    // validate
    const levels = checkNamespace(namespace);
    const name = checkName(nameInput, 'table name');
    if (typeof metadataLocationInput !== 'string' || metadataLocationInput.length === 0) throw validation('metadata-location is required');
    if (overwrite !== undefined && typeof overwrite !== 'boolean') throw validation('overwrite must be a boolean');
    const metadataLocation = this.checkLocation(scope, metadataLocationInput);
    await this.namespaces.require(scope, levels);
    const { json, metadata } = await readMetadataFile((await this.deps.storageFor(scope.warehouse)), metadataLocation);
    const table = metadata as TableMetadata;
    if (typeof table !== 'object' || table === null || typeof table['table-uuid'] !== 'string' || typeof table.location !== 'string') {
      throw validation(`${metadataLocation} is not an Iceberg table metadata file`);
    }
    const location = normalizeLocation(this.checkLocation(scope, table.location));
    // execute
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (repo) => {
      const existing = await repo.getObject(scope.warehouse.name, levels, name);
      if (existing && !(overwrite === true && existing.kind === 'table')) throw exists(existing, levels, name);
      if (existing) {
        await repo.swapMetadata(
          { warehouse: scope.warehouse.name, namespace: levels, name, kind: 'table', expectedMetadataLocation: existing.metadataLocation, metadataLocation, metadataJson: json, location },
          now,
        );
        return;
      }
      const ok = await repo.insertObject({
        warehouse: scope.warehouse.name,
        namespace: levels,
        name,
        kind: 'table',
        uuid: table['table-uuid'],
        location,
        metadataLocation,
        metadataJson: json,
        createdAtMs: now,
        updatedAtMs: now,
      });
      if (!ok) throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(levels, name)}`);
    });
    this.deps.events.emit({ type: 'table.registered', warehouse: scope.warehouse.name, namespace: levels, name, metadataLocation });
    return { metadataLocation, metadata: table, location, staged: false };
  }

  async unregister(scope: RequestScope, namespace: string[], name: string): Promise<{ metadataLocation: string; metadata: TableMetadata }> {
    const record = await this.requireTable(scope, namespace, name);
    await this.deps.store.transaction(async (repo) => {
      if (!(await repo.deleteObject(scope.warehouse.name, record.namespace, record.name, 'table'))) throw tableNotFound(record.namespace, name);
    });
    this.deps.events.emit({ type: 'table.unregistered', warehouse: scope.warehouse.name, namespace: record.namespace, name });
    return { metadataLocation: record.metadataLocation, metadata: parseJson(record.metadataJson) as TableMetadata };
  }

  async reportMetrics(scope: RequestScope, namespace: string[], name: string, report: unknown): Promise<void> {
    // Engines report on a CTAS target before its commit, so stage-created tables are accepted too.
    await this.resolveForCredentials(scope, namespace, name);
    const record = { namespace: checkNamespace(namespace), name };
    if (typeof report !== 'object' || report === null || Array.isArray(report)) throw validation('metrics report must be an object');
    const reportType = (report as { 'report-type'?: unknown })['report-type'];
    if (reportType !== 'scan-report' && reportType !== 'commit-report') throw validation('report-type must be scan-report or commit-report');
    const entry: MetricsReportRecord = {
      id: this.deps.newUuid(),
      warehouse: scope.warehouse.name,
      namespace: record.namespace,
      table: record.name,
      reportType,
      report: JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
      createdAtMs: this.deps.clock.now(),
    };
    await this.deps.store.repository.insertMetricsReport(entry);
  }

  async listMetrics(scope: RequestScope, namespace: string[], name: string, limit: number) {
    const levels = checkNamespace(namespace);
    checkName(name, 'table name');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw validation('limit must be an integer from 1 to 1000');
    const rows = await this.deps.store.repository.listMetricsReports(scope.warehouse.name, levels, name, limit);
    return rows.map((r) => ({ id: r.id, reportType: r.reportType, createdAtMs: r.createdAtMs, report: JSON.parse(r.report) as unknown }));
  }

  async requireTable(scope: RequestScope, namespace: string[], name: string): Promise<CatalogObjectRecord> {
    const levels = checkNamespace(namespace);
    checkName(name, 'table name');
    const r = await this.deps.store.repository.getObject(scope.warehouse.name, levels, name);
    // A table in a missing namespace is reported as a missing table: clients only fall back to metadata tables on NoSuchTable.
    if (!r || r.kind !== 'table') throw tableNotFound(levels, name);
    return r;
  }

  /**
   * The current metadata file must still exist; the cached copy is served
   * only while it does. Metadata files are immutable and only ever deleted by
   * a purge, so on object stores (where a check is a HEAD request per load)
   * the pointer is trusted; on local files the check is a stat.
   */
  private async requireMetadataFile(scope: RequestScope, metadataLocation: string): Promise<void> {
    const io = await this.deps.storageFor(scope.warehouse);
    if (io.existsIsCheap(metadataLocation) && !(await io.exists(metadataLocation))) {
      throw new CatalogError('ERR_METADATA_FILE_NOT_FOUND', `Failed to open input stream for file: ${metadataLocation}`);
    }
  }

  /** Where the next metadata file of `metadata` goes; write.metadata.path must stay inside the warehouse too. */
  private metadataLocationFor(scope: RequestScope, metadata: TableMetadata, previous: string | null): string {
    const location = nextMetadataLocation(metadata, previous, this.deps.newUuid());
    this.checkLocation(scope, location);
    return location;
  }

  /** write.metadata.delete-after-commit.enabled: files trimmed out of the metadata-log by this commit are deleted. */
  private async deleteTrimmedMetadata(scope: RequestScope, p: PreparedCommit): Promise<void> {
    if (!p.changed || !p.base || p.metadata.properties?.['write.metadata.delete-after-commit.enabled'] !== 'true') return;
    const previous = (parseJson(p.base.metadataJson) as TableMetadata)['metadata-log'] ?? [];
    const kept = new Set((p.metadata['metadata-log'] ?? []).map((e) => e['metadata-file']));
    for (const entry of previous) {
      const file = entry['metadata-file'];
      if (!kept.has(file) && isAllowedLocation(scope.warehouse, file)) await (await this.deps.storageFor(scope.warehouse)).delete(file).catch(() => undefined);
    }
  }

  /** A location given by a client must be a valid URI inside the warehouse root. */
  checkLocation(scope: RequestScope, location: unknown): string {
    return checkLocation(scope.warehouse, location);
  }

  /**
   * Default location: under the namespace's own `location` property when it
   * has one, else under the warehouse root. The table uuid is part of the
   * path, so a later table of the same name never shares files with a
   * renamed or dropped one (and a purge of one cannot touch the other).
   */
  defaultLocation(scope: RequestScope, namespace: string[], name: string, uuid: string, nsProperties: Record<string, string>): string {
    const nsLocation = nsProperties.location;
    const base = nsLocation && isAllowedLocation(scope.warehouse, nsLocation) ? nsLocation.replace(/\/+$/, '') : joinLocation(scope.warehouse.storageRoot, ...namespace);
    return joinLocation(base, `${name}-${uuid.replace(/-/g, '')}`);
  }
}

export const tableNotFound = (namespace: string[], name: string) =>
  new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${formatIdentifier(namespace, name)}`);

function exists(existing: CatalogObjectRecord | undefined, namespace: string[], name: string): CatalogError {
  if (existing?.kind === 'view') return new CatalogError('ERR_VIEW_EXISTS', `View with same name already exists: ${formatIdentifier(namespace, name)}`);
  return new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(namespace, name)}`);
}

/** Thrown inside the store transaction when a compare-and-swap loses, so that the whole transaction rolls back. */
class LostRace extends Error {
  constructor(readonly commit: PreparedCommit) {
    super('lost a compare-and-swap race');
  }
}

