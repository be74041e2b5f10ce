/** View operations of the catalog; same optimistic scheme as tables (see tables.ts). */
import { CatalogError, commitConflict, validation } from '../errors/catalog-error.js';
import { normalizeLocation } from '../storage/locations.js';
import type { CatalogDeps, RequestScope } from './context.js';
import { checkName, checkNamespace, checkStringMap, formatIdentifier } from './identifiers.js';
import { parseJson } from './json.js';
import { applyViewUpdatesDetailed, checkViewRequirements, newViewMetadata, nextMetadataLocation } from './metadata/index.js';
import type { ViewMetadata, ViewRequirement, ViewUpdate } from './metadata/index.js';
import { readMetadataFile, writeMetadataFile } from './metadata-files.js';
import { checkLocation } from './location-policy.js';
import type { NamespaceService } from './namespaces.js';
import { type PageRequest, pageOf, toPage } from './paging.js';
import type { CatalogObjectRecord } from './ports.js';
import { renameCatalogObject } from './rename.js';
import type { TableService } from './tables.js';

export interface CreateViewInput {
  name: unknown;
  location?: unknown;
  schema: unknown;
  viewVersion: unknown;
  properties?: unknown;
}

export class ViewService {
  constructor(
    private readonly deps: CatalogDeps,
    private readonly namespaces: NamespaceService,
    private readonly tables: TableService,
  ) {}

  async list(scope: RequestScope, namespace: string[], paging: PageRequest) {
    const levels = checkNamespace(namespace);
    const page = toPage(paging);
    await this.namespaces.require(scope, levels);
    const rows = await this.deps.store.repository.listObjects(scope.warehouse.name, levels, 'view', { ...page, limit: page.limit + 1 });
    const { items, nextPageToken } = pageOf(rows, page, (r) => r.name);
    return { identifiers: items.map((r) => ({ namespace: r.namespace, name: r.name })), nextPageToken };
  }

  async create(scope: RequestScope, namespace: string[], input: CreateViewInput): Promise<{ metadataLocation: string; metadata: ViewMetadata }> {
    // validate
    const levels = checkNamespace(namespace);
    const name = checkName(input.name, 'view name');
    const properties = checkStringMap(input.properties, 'properties');
    const ns = await this.namespaces.require(scope, levels);
    const uuid = this.deps.newUuid();
    const location =
      input.location !== undefined && input.location !== null
        ? this.tables.checkLocation(scope, input.location)
        : this.tables.defaultLocation(scope, levels, name, uuid, ns.properties);
    const metadata = newViewMetadata(
      { schema: input.schema, 'view-version': input.viewVersion, properties },
      { nowMs: this.deps.clock.now(), newUuid: () => uuid, location },
    );
    const existing = await this.deps.store.repository.getObject(scope.warehouse.name, levels, name);
    if (existing) throw exists(existing, levels, name);
    // execute
    const metadataLocation = this.metadataLocationFor(scope, metadata, null);
    const metadataJson = await writeMetadataFile((await this.deps.storageFor(scope.warehouse)), metadataLocation, metadata);
    const now = this.deps.clock.now();
    const ok = await this.deps.store.transaction(async (repo) =>
      repo.insertObject({
        warehouse: scope.warehouse.name,
        namespace: levels,
        name,
        kind: 'view',
        uuid: metadata['view-uuid'],
        location: normalizeLocation(location),
        metadataLocation,
        metadataJson,
        createdAtMs: now,
        updatedAtMs: now,
      }),
    );
    if (!ok) {
      await (await this.deps.storageFor(scope.warehouse)).delete(metadataLocation).catch(() => undefined);
      throw exists(await this.deps.store.repository.getObject(scope.warehouse.name, levels, name), levels, name);
    }
    this.deps.events.emit({ type: 'view.created', warehouse: scope.warehouse.name, namespace: levels, name });
    return { metadataLocation, metadata };
  }

  async load(scope: RequestScope, namespace: string[], name: string): Promise<{ metadataLocation: string; metadata: ViewMetadata }> {
    const record = await this.requireView(scope, namespace, name);
    return { metadataLocation: record.metadataLocation, metadata: parseJson(record.metadataJson) as ViewMetadata };
  }

  async exists(scope: RequestScope, namespace: string[], name: string): Promise<boolean> {
    const levels = checkNamespace(namespace);
    checkName(name, 'view name');
    return (await this.deps.store.repository.getObject(scope.warehouse.name, levels, name))?.kind === 'view';
  }

  async replace(scope: RequestScope, namespace: string[], name: string, requirements: unknown, updates: unknown) {
    if (!Array.isArray(requirements ?? [])) throw validation('requirements must be an array');
    if (!Array.isArray(updates)) throw validation('updates must be an array');
    for (let attempt = 0; ; attempt += 1) {
      const record = await this.requireView(scope, namespace, name);
      const base = parseJson(record.metadataJson) as ViewMetadata;
      checkViewRequirements(base, (requirements ?? []) as ViewRequirement[]);
      const applied = applyViewUpdatesDetailed(base, updates as ViewUpdate[], { nowMs: this.deps.clock.now(), newUuid: this.deps.newUuid });
      if (!applied.changed) return { metadataLocation: record.metadataLocation, metadata: base };
      const next = applied.metadata;
      this.tables.checkLocation(scope, next.location);
      const metadataLocation = this.metadataLocationFor(scope, next, record.metadataLocation);
      const metadataJson = await writeMetadataFile((await this.deps.storageFor(scope.warehouse)), metadataLocation, next);
      const swapped = await this.deps.store.transaction((repo) =>
        repo.swapMetadata(
          {
            warehouse: scope.warehouse.name,
            namespace: record.namespace,
            name: record.name,
            kind: 'view',
            expectedMetadataLocation: record.metadataLocation,
            metadataLocation,
            metadataJson,
            location: normalizeLocation(next.location),
          },
          this.deps.clock.now(),
        ),
      );
      if (swapped) {
        this.deps.events.emit({ type: 'view.replaced', warehouse: scope.warehouse.name, namespace: record.namespace, name });
        return { metadataLocation, metadata: next };
      }
      await (await this.deps.storageFor(scope.warehouse)).delete(metadataLocation).catch(() => undefined);
      if (attempt >= this.deps.settings.commitRetries) throw commitConflict(`Commit to view ${formatIdentifier(record.namespace, name)} lost concurrent-update races; retry`);
    }
  }

  async drop(scope: RequestScope, namespace: string[], name: string): Promise<void> {
    const record = await this.requireView(scope, namespace, name);
    const deleted = await this.deps.store.transaction((repo) => repo.deleteObject(scope.warehouse.name, record.namespace, record.name, 'view'));
    if (!deleted) throw viewNotFound(record.namespace, name);
    this.deps.events.emit({ type: 'view.dropped', warehouse: scope.warehouse.name, namespace: record.namespace, name });
  }

  rename(scope: RequestScope, source: unknown, destination: unknown): Promise<void> {
    return renameCatalogObject(this.deps, scope, 'view', source, destination);
  }

  async register(scope: RequestScope, namespace: string[], nameInput: unknown, metadataLocationInput: unknown) {
    const levels = checkNamespace(namespace);
    const name = checkName(nameInput, 'view name');
    if (typeof metadataLocationInput !== 'string' || metadataLocationInput.length === 0) throw validation('metadata-location is required');
    const metadataLocation = this.tables.checkLocation(scope, metadataLocationInput);
    await this.namespaces.require(scope, levels);
    const { json, metadata } = await readMetadataFile((await this.deps.storageFor(scope.warehouse)), metadataLocation);
    const view = metadata as ViewMetadata;
    if (typeof view !== 'object' || view === null || typeof view['view-uuid'] !== 'string' || typeof view.location !== 'string') {
      throw validation(`${metadataLocation} is not an Iceberg view metadata file`);
    }
    const location = normalizeLocation(this.tables.checkLocation(scope, view.location));
    const now = this.deps.clock.now();
    const ok = await this.deps.store.transaction(async (repo) => {
      const existing = await repo.getObject(scope.warehouse.name, levels, name);
      if (existing) throw exists(existing, levels, name);
      return repo.insertObject({
        warehouse: scope.warehouse.name,
        namespace: levels,
        name,
        kind: 'view',
        uuid: view['view-uuid'],
        location,
        metadataLocation,
        metadataJson: json,
        createdAtMs: now,
        updatedAtMs: now,
      });
    });
    if (!ok) throw new CatalogError('ERR_VIEW_EXISTS', `View already exists: ${formatIdentifier(levels, name)}`);
    this.deps.events.emit({ type: 'view.registered', warehouse: scope.warehouse.name, namespace: levels, name });
    return { metadataLocation, metadata: view };
  }

  private async requireView(scope: RequestScope, namespace: string[], name: string): Promise<CatalogObjectRecord> {
    const levels = checkNamespace(namespace);
    checkName(name, 'view name');
    const r = await this.deps.store.repository.getObject(scope.warehouse.name, levels, name);
    // A view in a missing namespace is a missing view: clients only catch NoSuchView here.
    if (!r || r.kind !== 'view') throw viewNotFound(levels, name);
    return r;
  }

  private metadataLocationFor(scope: RequestScope, metadata: ViewMetadata, previous: string | null): string {
    const location = nextMetadataLocation(metadata, previous, this.deps.newUuid());
    checkLocation(scope.warehouse, location);
    return location;
  }
}

const viewNotFound = (namespace: string[], name: string) => new CatalogError('ERR_VIEW_NOT_FOUND', `View does not exist: ${formatIdentifier(namespace, name)}`);

function exists(existing: CatalogObjectRecord | undefined, namespace: string[], name: string): CatalogError {
  if (existing?.kind === 'table') return new CatalogError('ERR_TABLE_EXISTS', `Table with same name already exists: ${formatIdentifier(namespace, name)}`);
  return new CatalogError('ERR_VIEW_EXISTS', `View already exists: ${formatIdentifier(namespace, name)}`);
}
