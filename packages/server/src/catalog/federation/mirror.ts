/**
 * The mirror of a federated warehouse (docs/federation.md). The remote catalog holds the truth; Lakegate keeps, per
 * remote namespace and table it has seen, a record with a stable catalog id (what grants, policies and audit name) and
 * the last metadata pointer (what vending, planning and policies read). Every operation on a federated object first
 * refreshes its record from the remote, so a change made at the remote is seen on the next request that touches the
 * object; a table the remote no longer has loses its record (404), its grants kept by id (access/ keeps grants of
 * dropped objects until the access sweep). The remote's answers are checked before they are kept: a table whose
 * location or metadata file lies outside the warehouse's storage roots is refused (the storage-authority rules apply
 * to federated warehouses too), so Lakegate never vends credentials for storage it was not given.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { ServiceContext, RequestScope } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import { isAllowedLocation } from '../location-policy.js';
import { BoundedMap } from '../bounded-map.js';
import type { CatalogObjectRecord, Warehouse } from '../ports/index.js';
import type { FederationSettings, RemoteCatalog, RemoteCatalogs, RemoteTable } from '../ports/remote-catalog.js';
import { RemoteHealth } from './remote-health.js';

/** The ports the mirror uses (a service context without its federation). */
export type MirrorContext = Pick<ServiceContext, 'store' | 'newUuid' | 'clock' | 'access' | 'remoteFailures'>;

export type FederatedWarehouse = Warehouse & { federation: FederationSettings };

export const isFederated = (warehouse: Warehouse): warehouse is FederatedWarehouse => warehouse.federation !== undefined;

const outside = (namespace: string[], name: string) =>
  new CatalogError('ERR_FORBIDDEN', `The remote table ${formatIdentifier(namespace, name)} lies outside this warehouse's storage: Lakegate does not serve it`);

const tableKey = (warehouse: string, namespace: readonly string[], name: string) => [warehouse, ...namespace, name].join('\u001f');

export class FederationMirror {
  /** When this process last had each table's state from the remote (a load, create or commit), for max-staleness-ms. */
  private readonly refreshed = new BoundedMap<string, number>({ maxEntries: 100_000 });

  /** Every call to a remote is watched: its failures recorded for the status answer (remote-health.ts). */
  private readonly health: RemoteHealth;

  constructor(
    private readonly ctx: MirrorContext,
    private readonly remotes: RemoteCatalogs,
  ) {
    this.health = new RemoteHealth(() => ctx.remoteFailures ?? ctx.store.remoteFailures, ctx.clock);
  }

  async remote(warehouse: FederatedWarehouse): Promise<RemoteCatalog> {
    let remote: RemoteCatalog;
    try {
      remote = await this.remotes.of(warehouse);
    } catch (e) {
      await this.health.failed(warehouse, 'connect', e);
      throw e;
    }
    return this.health.watch(warehouse, remote);
  }

  /** Refuses a remote table whose data or metadata Lakegate's storage profile for the warehouse does not cover. */
  checkStorage(warehouse: Warehouse, namespace: string[], name: string, table: RemoteTable): void {
    if (!isAllowedLocation(warehouse, table.location) || !isAllowedLocation(warehouse, table.metadataLocation)) throw outside(namespace, name);
  }

  /** Records for the namespace and its ancestors, created for those the mirror has not seen yet. */
  async ensureNamespace(warehouse: Warehouse, levels: string[]): Promise<void> {
    const repo = this.ctx.store.repository;
    let added = false;
    for (let i = 1; i <= levels.length; i++) {
      const prefix = levels.slice(0, i);
      if (await repo.getNamespace(warehouse.name, prefix)) continue;
      await repo.insertNamespace({ id: this.ctx.newUuid(), warehouse: warehouse.name, levels: prefix, properties: {} });
      added = true;
    }
    if (added) this.ctx.access.forgetNamespaceIds();
  }

  /** The remote's namespaces under `parent`, mirrored (a remote namespace Lakegate has not seen gets its record). */
  async syncNamespaces(scope: RequestScope, parent: string[]): Promise<void> {
    const { warehouse } = scope;
    if (!isFederated(warehouse)) return;
    const remote = await this.remote(warehouse);
    for (const levels of await remote.listNamespaces(parent)) await this.ensureNamespace(warehouse, levels);
  }

  /** Before an operation in a namespace: a remote namespace the mirror has not seen yet is looked for at the remote. */
  async seeNamespace(scope: RequestScope, levels: string[]): Promise<void> {
    if (!isFederated(scope.warehouse) || levels.length === 0) return;
    if (await this.ctx.store.repository.getNamespace(scope.warehouse.name, levels)) return;
    await this.syncNamespaces(scope, levels.slice(0, -1)).catch((e: unknown) => {
      // A missing parent is a missing namespace: the operation's own checks answer it (404 or 403, as for Lakegate's own).
      if (!(e instanceof CatalogError && e.code === 'ERR_NAMESPACE_NOT_FOUND')) throw e;
    });
  }

  /**
   * Before an operation on a table: its record refreshed from the remote. A table the remote does not have is left to
   * the operation's own checks (404 to whoever may see the namespace, 403 to anyone else: never told by the remote).
   */
  async seeTable(scope: RequestScope, namespace: string[], name: string): Promise<void> {
    if (!isFederated(scope.warehouse)) return;
    // Within the warehouse's max-staleness-ms, a table this process mirrored is served as it was (docs/federation.md).
    const window = scope.warehouse.federation.maxStalenessMs ?? 0;
    const seenAt = window > 0 ? this.refreshed.get(tableKey(scope.warehouse.name, namespace, name)) : undefined;
    if (seenAt !== undefined && this.ctx.clock.now() - seenAt < window) return;
    await this.seeNamespace(scope, namespace);
    await this.syncTable(scope, namespace, name).catch((e: unknown) => {
      if (!(e instanceof CatalogError && (e.code === 'ERR_TABLE_NOT_FOUND' || e.code === 'ERR_NAMESPACE_NOT_FOUND'))) throw e;
    });
  }

  /** The remote's tables of a namespace, mirrored: new ones loaded and recorded, those the remote dropped forgotten. */
  async syncTables(scope: RequestScope, namespace: string[]): Promise<void> {
    const { warehouse } = scope;
    if (!isFederated(warehouse)) return;
    const remote = await this.remote(warehouse);
    const listed = await remote.listTables(namespace);
    await this.ensureNamespace(warehouse, namespace);
    const repo = this.ctx.store.repository;
    const names = new Set(listed.map((t) => t.name));
    for (const t of listed) {
      if (await repo.getObject(warehouse.name, namespace, t.name)) continue;
      await this.syncTable(scope, namespace, t.name).catch((e: unknown) => {
        // A table outside the warehouse's storage is not served, and not listed either.
        if (!(e instanceof CatalogError && (e.code === 'ERR_FORBIDDEN' || e.code === 'ERR_TABLE_NOT_FOUND'))) throw e;
      });
    }
    for (const mine of await repo.listObjects(warehouse.name, namespace, 'table', { limit: 100_000 })) {
      if (!names.has(mine.name)) await repo.deleteObject(warehouse.name, namespace, mine.name, 'table', mine.id);
    }
  }

  /**
   * The table as the remote has it now, mirrored: recorded on first sight, its pointer moved when it changed, the
   * record removed when the remote no longer has it (then ERR_TABLE_NOT_FOUND).
   */
  async syncTable(scope: RequestScope, namespace: string[], name: string): Promise<CatalogObjectRecord | undefined> {
    const { warehouse } = scope;
    if (!isFederated(warehouse)) return undefined;
    const remote = await this.remote(warehouse);
    let table: RemoteTable;
    try {
      table = await remote.loadTable(namespace, name);
    } catch (e) {
      if (e instanceof CatalogError && (e.code === 'ERR_TABLE_NOT_FOUND' || e.code === 'ERR_NAMESPACE_NOT_FOUND'))
        await this.forget(warehouse, namespace, name);
      throw e;
    }
    return this.keep(warehouse, namespace, name, table);
  }

  /** Records what the remote answered for a table (after a load, a create or a commit through Lakegate). */
  async keep(warehouse: Warehouse, namespace: string[], name: string, table: RemoteTable): Promise<CatalogObjectRecord> {
    this.checkStorage(warehouse, namespace, name, table);
    this.refreshed.set(tableKey(warehouse.name, namespace, name), this.ctx.clock.now());
    const repo = this.ctx.store.repository;
    const now = this.ctx.clock.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const mine = await repo.getObject(warehouse.name, namespace, name);
      if (mine && mine.kind === 'table' && mine.uuid !== table.uuid) {
        // Another table of that name at the remote (dropped and re-created there): a new object, with a new id.
        await repo.deleteObject(warehouse.name, namespace, name, 'table', mine.id);
        continue;
      }
      if (mine && mine.kind !== 'table') throw new CatalogError('ERR_TABLE_EXISTS', `A ${mine.kind} of that name exists: ${formatIdentifier(namespace, name)}`);
      if (mine) {
        if (mine.metadataLocation === table.metadataLocation) return mine;
        const swap = {
          warehouse: warehouse.name,
          namespace,
          name,
          kind: 'table' as const,
          expectedMetadataLocation: mine.metadataLocation,
          metadataLocation: table.metadataLocation,
          metadataJson: table.metadataJson,
          location: table.location,
        };
        if (await repo.swapMetadata(swap, now))
          return { ...mine, metadataLocation: table.metadataLocation, metadataJson: table.metadataJson, location: table.location, updatedAtMs: now };
        continue;
      }
      await this.ensureNamespace(warehouse, namespace);
      const record: CatalogObjectRecord = {
        id: this.ctx.newUuid(),
        warehouse: warehouse.name,
        namespace,
        name,
        kind: 'table',
        uuid: table.uuid,
        location: table.location,
        metadataLocation: table.metadataLocation,
        metadataJson: table.metadataJson,
        createdAtMs: now,
        updatedAtMs: now,
        locationOwned: false,
      };
      if (await repo.insertObject(record)) return record;
    }
    throw new CatalogError('ERR_UNAVAILABLE', `The mirror of ${formatIdentifier(namespace, name)} kept changing; retry`);
  }

  /** The remote no longer has the table: its record goes (grants stay keyed by its id). */
  async forget(warehouse: Warehouse, namespace: string[], name: string): Promise<void> {
    this.refreshed.delete(tableKey(warehouse.name, namespace, name));
    const repo = this.ctx.store.repository;
    const mine = await repo.getObject(warehouse.name, namespace, name);
    if (mine?.kind === 'table') await repo.deleteObject(warehouse.name, namespace, name, 'table', mine.id);
  }
}
