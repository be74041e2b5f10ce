/**
 * Lance tables in the shared catalog. A Lance dataset manages its own
 * versions under its location, so the catalog keeps only where it lives and
 * the namespace's properties for it: a catalog_objects row of kind
 * 'lance-table' whose metadata_location is the dataset location and whose
 * metadata is `{"format":"lance","properties":{...}}`. Iceberg routes never
 * list or load this kind, and these operations never treat an Iceberg table
 * or view as a dataset: its name is taken (409), but it is not found here.
 * Framework-free: no HTTP, no SQL.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { normalizeLocation } from '../../storage/locations.js';
import type { CatalogDeps, RequestScope } from '../context.js';
import type { CredentialService } from '../credentials.js';
import { checkName, checkNamespace, checkStringMap, formatIdentifier } from '../identifiers.js';
import { isPurgeable } from '../location-policy.js';
import type { NamespaceService } from '../namespaces.js';
import { type PageRequest, pageOf, toPage } from '../paging.js';
import type { CatalogObjectRecord } from '../ports.js';
import type { TableService } from '../tables.js';
import { registerTableMode } from './modes.js';
import { lanceStorageOptions } from './storage-options.js';

export const LANCE_TABLE = 'lance-table';

export interface LanceTableId {
  namespace: string[];
  name: string;
}

export interface LanceTableInfo {
  id: string[];
  location: string;
  properties: Record<string, string>;
  /** Object store options for the dataset: vended, location-scoped credentials with `expires_at_millis`, or {} when none are needed or wanted. */
  storageOptions: Record<string, string>;
}

interface StoredLanceMetadata {
  format: 'lance';
  properties: Record<string, string>;
}

/** A Lance table id is its namespace levels followed by its name. The root namespace holds no tables here (Iceberg could not see them). */
export function checkLanceTableId(id: unknown): LanceTableId {
  if (!Array.isArray(id) || id.length === 0) throw validation('table id must be a non-empty array of strings');
  return { namespace: id.length > 1 ? checkNamespace(id.slice(0, -1)) : [], name: checkName(id.at(-1), 'table name') };
}

const tableNotFound = (t: LanceTableId) => new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${formatIdentifier(t.namespace, t.name)}`);
const tableExists = (t: LanceTableId) => new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(t.namespace, t.name)}`);

export class LanceTableService {
  constructor(
    private readonly deps: CatalogDeps,
    private readonly namespaces: NamespaceService,
    private readonly tables: TableService,
    private readonly credentials: CredentialService,
  ) {}

  async list(scope: RequestScope, namespace: string[], paging: PageRequest): Promise<{ tables: string[]; nextPageToken: string | null }> {
    // validate
    const page = toPage(paging);
    if (namespace.length === 0) return { tables: [], nextPageToken: null };
    const levels = checkNamespace(namespace);
    // execute
    await this.namespaces.require(scope, levels);
    const rows = await this.deps.store.repository.listObjects(scope.warehouse.name, levels, LANCE_TABLE, { ...page, limit: page.limit + 1 });
    const { items, nextPageToken } = pageOf(rows, page, (r) => r.name);
    return { tables: items.map((r) => r.name), nextPageToken };
  }

  /**
   * Records a table that does not exist on storage yet: the server picks
   * its location under the warehouse (or checks the one asked for) and
   * vends read-write credentials for it, so the client can write the dataset.
   */
  async declare(scope: RequestScope, idInput: unknown, input: { location?: unknown; properties?: unknown; vendCredentials?: unknown }, principal: string): Promise<LanceTableInfo> {
    // validate
    const id = this.checkCreatable(idInput);
    const properties = checkStringMap(input.properties, 'properties');
    const vend = checkVend(input.vendCredentials);
    const ns = await this.namespaces.require(scope, id.namespace);
    const uuid = this.deps.newUuid();
    const location =
      input.location !== undefined && input.location !== null
        ? this.tables.checkLocation(scope, input.location)
        : this.tables.defaultLocation(scope, id.namespace, id.name, uuid, ns.properties);
    // execute
    await this.insert(scope, id, uuid, location, properties);
    this.deps.events.emit({ type: 'lance-table.declared', warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, location });
    return this.info(scope, id, location, properties, principal, vend);
  }

  /** Registers a dataset that exists already at a location inside the warehouse; overwrite replaces an earlier registration of a Lance table. */
  async register(scope: RequestScope, idInput: unknown, input: { location?: unknown; mode?: unknown; properties?: unknown }): Promise<LanceTableInfo> {
    // validate
    const id = this.checkCreatable(idInput);
    if (typeof input.location !== 'string' || input.location.length === 0) throw validation('location is required');
    const location = this.tables.checkLocation(scope, input.location);
    const mode = registerTableMode(input.mode);
    const properties = checkStringMap(input.properties, 'properties');
    await this.namespaces.require(scope, id.namespace);
    // execute
    await this.insert(scope, id, this.deps.newUuid(), location, properties, mode === 'overwrite');
    this.deps.events.emit({ type: 'lance-table.registered', warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, location });
    return { id: [...id.namespace, id.name], location, properties, storageOptions: {} };
  }

  async describe(scope: RequestScope, idInput: unknown, principal: string, vendCredentials: unknown): Promise<LanceTableInfo> {
    const vend = checkVend(vendCredentials);
    const { id, record } = await this.require(scope, idInput);
    return this.info(scope, id, record.location, propertiesOf(record), principal, vend);
  }

  async exists(scope: RequestScope, idInput: unknown): Promise<boolean> {
    const id = checkLanceTableId(idInput);
    const record = await this.deps.store.repository.getObject(scope.warehouse.name, id.namespace, id.name);
    return record?.kind === LANCE_TABLE;
  }

  /** Removes the table from the catalog, then deletes its data (unless its location is shared or outside the warehouse). */
  async drop(scope: RequestScope, idInput: unknown): Promise<LanceTableInfo> {
    const removed = await this.remove(scope, idInput);
    this.deps.events.emit({ type: 'lance-table.dropped', warehouse: scope.warehouse.name, namespace: removed.namespace, name: removed.name, location: removed.location });
    await this.purgeDropped(scope, removed);
    return { id: [...removed.namespace, removed.name], location: removed.location, properties: propertiesOf(removed), storageOptions: {} };
  }

  /** Removes the table from the catalog; its data stays where it is. */
  async deregister(scope: RequestScope, idInput: unknown): Promise<LanceTableInfo> {
    const removed = await this.remove(scope, idInput);
    this.deps.events.emit({ type: 'lance-table.deregistered', warehouse: scope.warehouse.name, namespace: removed.namespace, name: removed.name, location: removed.location });
    return { id: [...removed.namespace, removed.name], location: removed.location, properties: propertiesOf(removed), storageOptions: {} };
  }

  /** Deletes the files of a Lance table already removed from the catalog, unless another object lives under its location. */
  async purgeDropped(scope: RequestScope, record: CatalogObjectRecord): Promise<void> {
    const base = { warehouse: scope.warehouse.name, namespace: record.namespace, name: record.name, location: record.location };
    if (!isPurgeable(scope.warehouse, record.location)) {
      this.deps.events.emit({ type: 'table.purge-skipped', ...base, reason: 'location is not inside the storage locations of the warehouse' });
      return;
    }
    if ((await this.deps.store.repository.findObjectsByLocationPrefix(scope.warehouse.name, record.location)).length > 0) {
      this.deps.events.emit({ type: 'table.purge-skipped', ...base, reason: 'another table or view lives under this location' });
      return;
    }
    const objects = await (await this.deps.storageFor(scope.warehouse)).deletePrefix(record.location);
    this.deps.events.emit({ type: 'table.purged', ...base, objects });
  }

  private async require(scope: RequestScope, idInput: unknown): Promise<{ id: LanceTableId; record: CatalogObjectRecord }> {
    const id = checkLanceTableId(idInput);
    const record = await this.deps.store.repository.getObject(scope.warehouse.name, id.namespace, id.name);
    if (!record || record.kind !== LANCE_TABLE) throw tableNotFound(id);
    return { id, record };
  }

  private async remove(scope: RequestScope, idInput: unknown): Promise<CatalogObjectRecord> {
    const { id, record } = await this.require(scope, idInput);
    await this.deps.store.transaction(async (repo) => {
      if (!(await repo.deleteObject(scope.warehouse.name, id.namespace, id.name, LANCE_TABLE))) throw tableNotFound(id);
    });
    return record;
  }

  private checkCreatable(idInput: unknown): LanceTableId {
    const id = checkLanceTableId(idInput);
    if (id.namespace.length === 0) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'Tables in the root namespace are not supported: create the table in a namespace');
    return id;
  }

  /** With replace, an earlier Lance table of that name is swapped out in the same transaction (never an Iceberg table or view). */
  private async insert(scope: RequestScope, id: LanceTableId, uuid: string, location: string, properties: Record<string, string>, replace = false): Promise<void> {
    const now = this.deps.clock.now();
    const metadata: StoredLanceMetadata = { format: 'lance', properties };
    const outcome = await this.deps.store.transaction(async (repo) => {
      if (!(await repo.getNamespace(scope.warehouse.name, id.namespace))) return 'no-namespace' as const;
      if (replace && (await repo.getObject(scope.warehouse.name, id.namespace, id.name))?.kind === LANCE_TABLE) {
        await repo.deleteObject(scope.warehouse.name, id.namespace, id.name, LANCE_TABLE);
      }
      const ok = await repo.insertObject({
        warehouse: scope.warehouse.name,
        namespace: id.namespace,
        name: id.name,
        kind: LANCE_TABLE,
        uuid,
        location: normalizeLocation(location),
        metadataLocation: location,
        metadataJson: JSON.stringify(metadata),
        createdAtMs: now,
        updatedAtMs: now,
      });
      return ok ? ('ok' as const) : ('exists' as const);
    });
    if (outcome === 'no-namespace') throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(id.namespace)}`);
    if (outcome === 'exists') throw tableExists(id);
  }

  private async info(scope: RequestScope, id: LanceTableId, location: string, properties: Record<string, string>, principal: string, vend: boolean): Promise<LanceTableInfo> {
    let storageOptions: Record<string, string> = {};
    if (vend) {
      const vended = await this.credentials.forTable(scope, id, location, principal);
      storageOptions = lanceStorageOptions(vended.config);
    }
    return { id: [...id.namespace, id.name], location, properties, storageOptions };
  }
}

function checkVend(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'boolean') throw validation('vend_credentials must be a boolean');
  return value;
}

function propertiesOf(record: CatalogObjectRecord): Record<string, string> {
  try {
    const parsed = JSON.parse(record.metadataJson) as Partial<StoredLanceMetadata>;
    return parsed.properties ?? {};
  } catch {
    return {};
  }
}
