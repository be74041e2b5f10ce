/**
 * View operations of the catalog; same optimistic scheme as tables (see
 * tables/commit.ts), validate → authorize → execute. Privileges: list with
 * `view:list` (or see the views you hold something on), create and
 * register with `view:create` on the namespace, load with `view:read`,
 * replace with `view:replace`, drop with `view:drop`.
 */
import { refuseOnFederated } from './ports/remote-catalog.js';
import { CatalogError, commitConflict, validation } from '../errors/catalog-error.js';
import { describeObject } from './access/access-service.js';
import { VIEW_VISIBILITY, type Privilege } from './privileges.js';
import { isUnderRoot, normalizeLocation } from './locations.js';
import type { CatalogRequest, RequestScope } from './context.js';
import { listVisible } from './kit/listing.js';
import { mayKnowObject } from './kit/visibility.js';
import { requireView, viewNotFound } from './kit/view-kit.js';
import { refuseMovedViewPolicies } from './policies/follow.js';
import { checkName, checkNamespace, checkNewName, checkNewNamespace, checkStringMap, formatIdentifier } from './identifiers.js';
import { parseJson } from './json.js';
import { WRITE_METADATA_PATH, applyViewUpdatesDetailed, checkViewRequirements, newViewMetadata, nextMetadataLocation } from './metadata/index.js';
import type { ViewMetadata, ViewRequirement, ViewUpdate } from './metadata/index.js';
import { type MetadataResult, readMetadataFile, writeMetadataFile } from './metadata-files.js';
import { checkLocation, checkNoOverlap } from './location-policy.js';
import type { PageRequest } from './paging.js';
import { everyPage, listingOf, toPage } from './paging.js';
import type { CatalogObjectRecord, CatalogRepository } from './ports/index.js';
import { renameCatalogObject } from './kit/rename.js';
import { softDrop } from './dropped/soft-drop.js';
import { type TableContext, checkTableLocation, defaultLocation, requireNamespaceFor } from './kit/table-kit.js';
import { KeyedMutex } from './keyed-mutex.js';
import { afterChange } from './outbox/object-events.js';
import { recordChanges } from './outbox/changes.js';

export interface CreateViewInput {
  name: unknown;
  location?: unknown;
  schema: unknown;
  viewVersion: unknown;
  properties?: unknown;
}

export class ViewService {
  private readonly deps: TableContext;
  /** Replaces of one view from this process queue here (as table commits do), so they do not race each other. */
  private readonly replaces = new KeyedMutex();

  constructor(ctx: TableContext) {
    this.deps = ctx;
  }

  async list(request: CatalogRequest, namespace: string[], paging: PageRequest) {
    const levels = checkNamespace(namespace);
    const page = toPage(paging, this.deps.pageTokens, listingOf(request.warehouse, levels, 'view'));
    const scope = await this.deps.scope(request);
    const r = await listVisible(this.deps, scope, levels, page, { kind: 'view', list: 'view:list', visibleWith: VIEW_VISIBILITY, securable: 'view' });
    return { identifiers: r.items.map((i) => ({ namespace: i.namespace, name: i.name })), nextPageToken: r.nextPageToken };
  }

  /** Every view of the namespace the caller may see, page after page (paging.ts everyPage): a listing without pageToken. */
  listAll(request: CatalogRequest, namespace: string[]) {
    return everyPage(async (pageToken) => {
      const r = await this.list(request, namespace, { pageToken });
      return { items: r.identifiers, nextPageToken: r.nextPageToken };
    });
  }

  async create(request: CatalogRequest, namespace: string[], input: CreateViewInput): Promise<MetadataResult> {
    // validate
    const levels = checkNewNamespace(namespace);
    const name = checkNewName(input.name, 'view name');
    const properties = checkStringMap(input.properties, 'properties');
    const explicit = input.location !== undefined && input.location !== null;
    const scope = await this.deps.scope(request);
    refuseOnFederated(scope, 'Creating a view');
    if (explicit) checkTableLocation(scope, input.location);
    // authorize
    await requireNamespaceFor(this.deps, scope, levels, name, ['view:create']);
    // execute
    const ns = await this.deps.namespaces.require(scope, levels);
    const uuid = this.deps.newUuid();
    const location = explicit ? checkTableLocation(scope, input.location) : defaultLocation(scope, levels, name, uuid, ns.properties);
    const metadata = newViewMetadata(
      { schema: input.schema, 'view-version': input.viewVersion, properties },
      { nowMs: this.deps.clock.now(), newUuid: () => uuid, location },
    );
    const existing = await this.deps.store.repository.getObject(scope.warehouse.name, levels, name);
    if (existing) throw exists(existing, levels, name);
    await checkNoOverlap(this.deps.store.repository, scope.warehouse, location, { view: true, nowMs: this.deps.clock.now(), byCatalog: !explicit });
    // execute
    const metadataLocation = this.metadataLocationFor(scope, metadata, null, null);
    const metadataJson = await writeMetadataFile(await this.deps.storageFor(scope.warehouse), metadataLocation, metadata);
    const now = this.deps.clock.now();
    const viewId = this.deps.newUuid();
    const object = describeObject(scope.warehouse.name, levels, name);
    // The creator's owner grant commits with the view (access/creator-ownership.ts), before its event.
    const owner = await this.deps.access.creatorGrant(scope);
    const ok = await this.deps.store.transaction(async (repo, ports) =>
      afterChange(
        await repo.insertObject({
          id: viewId,
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
        async () => {
          await owner.record(ports, { kind: 'view', id: viewId }, object);
          await recordChanges(this.deps, repo, scope.warehouse.name, scope.caller, {
            kind: 'view.created',
            namespace: levels,
            name,
            uuid: metadata['view-uuid'],
            data: { 'metadata-location': metadataLocation },
          });
        },
      ),
    );
    if (!ok) {
      await (await this.deps.storageFor(scope.warehouse)).delete(metadataLocation).catch(() => undefined);
      throw exists(await this.deps.store.repository.getObject(scope.warehouse.name, levels, name), levels, name);
    }
    await owner.committed();
    return { metadataLocation, metadataJson };
  }

  async load(request: CatalogRequest, namespace: string[], name: string): Promise<MetadataResult & { labelsJson: string | undefined }> {
    const scope = await this.deps.scope(request);
    const { record } = await this.requireView(scope, namespace, name, ['view:read']);
    // A row filter or mask on the view cannot be enforced by the catalog inside the view's SQL that an engine runs: a
    // caller a policy restricts gets the view only through a declared enforcer acting for it (policies/gate.ts).
    await this.deps.policies.refuse(
      scope.caller,
      scope.warehouse.tenant,
      record.id,
      describeObject(scope.warehouse.name, record.namespace, record.name),
      'view:read',
      'view',
    );
    return { metadataLocation: record.metadataLocation, metadataJson: record.metadataJson, labelsJson: record.labelsJson };
  }

  /** HEAD: true for a view the caller may see; false for a missing one in a namespace it may see; 403 otherwise. */
  async exists(request: CatalogRequest, namespace: string[], name: string): Promise<boolean> {
    const levels = checkNamespace(namespace);
    checkName(name, 'view name');
    const scope = await this.deps.scope(request);
    const ns = await this.deps.access.namespacePath(scope.warehouse, levels);
    const record = ns.missing ? undefined : await this.deps.store.repository.getObject(scope.warehouse.name, levels, name);
    const object = describeObject(scope.warehouse.name, levels, name);
    if (record?.kind !== 'view') {
      if (await mayKnowObject(this.deps.access, scope, ns.path, record)) return false;
      return this.deps.access
        .notFoundOrForbidden(scope, ns.path, 'view:read', object, () => viewNotFound(levels, name))
        .catch((e: unknown) => {
          if (e instanceof CatalogError && e.code === 'ERR_VIEW_NOT_FOUND') return false;
          throw e;
        });
    }
    const path = this.deps.access.objectPath(ns.path, 'view', record.id);
    const answers = await this.deps.access.allows(scope, [
      ...VIEW_VISIBILITY.map((privilege) => ({ privilege, path })),
      { privilege: 'view:list', path: ns.path },
    ]);
    if (!answers.some(Boolean)) await this.deps.access.require(scope, 'view:read', path, { object });
    return true;
  }

  async replace(request: CatalogRequest, namespace: string[], name: string, requirements: unknown, updates: unknown) {
    if (!Array.isArray(requirements ?? [])) throw validation('requirements must be an array');
    if (!Array.isArray(updates)) throw validation('updates must be an array');
    const scope = await this.deps.scope(request);
    const first = await this.requireView(scope, namespace, name, ['view:replace'], true);
    const identifier = { namespace: first.record.namespace, name: first.record.name };
    const keys = [`${scope.warehouse.name}\u0000${formatIdentifier(identifier.namespace, identifier.name)}`];
    // Queued per view in this process, then among this server's processes (--workers): a locked attempt below holds a
    // database connection while it waits, so at most one per view and process may wait.
    return this.replaces.runExclusive(keys, () =>
      this.deps.coherence.runExclusive(keys, () => this.replaceWithRetries(scope, namespace, name, identifier, requirements, updates as ViewUpdate[])),
    );
  }

  private async replaceWithRetries(
    scope: RequestScope,
    namespace: string[],
    name: string,
    identifier: { namespace: string[]; name: string },
    requirements: unknown,
    updates: ViewUpdate[],
  ) {
    for (let attempt = 0; ; attempt += 1) {
      // After a lost race, where the database has row locks, the attempt holds the view's row from its read to its
      // swap, so another process cannot make it lose again (as table commits do, tables/commit.ts).
      const locked = attempt > 0 && this.deps.store.rowLocks === true;
      const outcome = locked
        ? await this.deps.store.transaction(async (repo) => {
            await repo.lockObjects(scope.warehouse.name, [identifier]);
            return this.replaceOnce(scope, namespace, name, requirements, updates, repo);
          })
        : await this.replaceOnce(scope, namespace, name, requirements, updates);
      if (outcome.swapped) return outcome.result;
      if (outcome.written === undefined) return outcome.result;
      await (await this.deps.storageFor(scope.warehouse)).delete(outcome.written).catch(() => undefined);
      if (attempt >= this.deps.settings.commitRetries)
        throw commitConflict(`Commit to view ${formatIdentifier(identifier.namespace, name)} lost concurrent-update races; retry`);
    }
  }

  /**
   * One attempt of replace(): the view read afresh, the updates applied, a metadata file written and swapped in.
   * @param locked the transaction holding the view's row, to swap in; else the swap runs in a transaction of its own.
   */
  private async replaceOnce(
    scope: RequestScope,
    namespace: string[],
    name: string,
    requirements: unknown,
    updates: ViewUpdate[],
    locked?: CatalogRepository,
  ): Promise<{ swapped: boolean; written?: string; result: { metadataLocation: string; metadataJson: string } }> {
    const { record } = await this.requireView(scope, namespace, name, ['view:replace']);
    const base = parseJson(record.metadataJson) as ViewMetadata;
    checkViewRequirements(base, (requirements ?? []) as ViewRequirement[]);
    const applied = applyViewUpdatesDetailed(base, updates, { nowMs: this.deps.clock.now(), newUuid: this.deps.newUuid });
    if (!applied.changed) return { swapped: false, result: { metadataLocation: record.metadataLocation, metadataJson: record.metadataJson } };
    const next = applied.metadata;
    // A replace after which a view's policy would filter or mask other columns than it does now is refused (policies/follow.ts).
    refuseMovedViewPolicies(
      await this.deps.policies.policiesOn(scope.warehouse.tenant, record.id),
      base,
      next,
      formatIdentifier(record.namespace, record.name),
    );
    checkTableLocation(scope, next.location);
    if (normalizeLocation(next.location) !== normalizeLocation(record.location)) {
      await checkNoOverlap(locked ?? this.deps.store.repository, scope.warehouse, next.location, {
        view: true,
        except: record.id,
        nowMs: this.deps.clock.now(),
      });
    }
    const metadataLocation = this.metadataLocationFor(scope, next, record.metadataLocation, base);
    const metadataJson = await writeMetadataFile(await this.deps.storageFor(scope.warehouse), metadataLocation, next);
    const swap = async (repo: CatalogRepository) =>
      afterChange(
        await repo.swapMetadata(
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
        () =>
          recordChanges(this.deps, repo, scope.warehouse.name, scope.caller, {
            kind: 'view.replaced',
            namespace: record.namespace,
            name,
            uuid: next['view-uuid'],
            data: { 'metadata-location': metadataLocation },
          }),
      );
    const swapped = locked ? await swap(locked) : await this.deps.store.transaction(swap);
    return { swapped, written: metadataLocation, result: { metadataLocation, metadataJson } };
  }

  async drop(request: CatalogRequest, namespace: string[], name: string): Promise<void> {
    const scope = await this.deps.scope(request);
    const { record, path } = await this.requireView(scope, namespace, name, ['view:drop'], true);
    // Soft while the warehouse keeps dropped objects (dropped/soft-drop.ts): grants kept for an undrop.
    const object = describeObject(scope.warehouse.name, record.namespace, name);
    if (
      await softDrop(this.deps, scope, record, {
        purge: false,
        path,
        object,
        notFound: () => viewNotFound(record.namespace, name),
        change: { kind: 'view.dropped', namespace: record.namespace, name, uuid: record.uuid },
      })
    ) {
      return;
    }
    const deleted = await this.deps.store.transaction(async (repo) =>
      afterChange(await repo.deleteObject(scope.warehouse.name, record.namespace, record.name, 'view', record.id), () =>
        recordChanges(this.deps, repo, scope.warehouse.name, scope.caller, { kind: 'view.dropped', namespace: record.namespace, name, uuid: record.uuid }),
      ),
    );
    if (!deleted) throw viewNotFound(record.namespace, name);
    await this.deps.access.forgetSecurable({ kind: 'view', id: record.id });
  }

  rename(request: CatalogRequest, source: unknown, destination: unknown): Promise<void> {
    return renameCatalogObject(this.deps, request, 'view', source, destination);
  }

  async register(request: CatalogRequest, namespace: string[], nameInput: unknown, metadataLocationInput: unknown) {
    const levels = checkNamespace(namespace);
    const name = checkName(nameInput, 'view name');
    if (typeof metadataLocationInput !== 'string' || metadataLocationInput.length === 0) throw validation('metadata-location is required');
    const scope = await this.deps.scope(request);
    const metadataLocation = checkTableLocation(scope, metadataLocationInput);
    await requireNamespaceFor(this.deps, scope, levels, name, ['view:create']);
    const { json, metadata } = await readMetadataFile(await this.deps.storageFor(scope.warehouse), metadataLocation);
    const view = metadata as ViewMetadata;
    if (typeof view !== 'object' || view === null || typeof view['view-uuid'] !== 'string' || typeof view.location !== 'string') {
      throw validation(`${metadataLocation} is not an Iceberg view metadata file`);
    }
    const location = normalizeLocation(checkTableLocation(scope, view.location));
    await checkNoOverlap(this.deps.store.repository, scope.warehouse, location, { view: true, nowMs: this.deps.clock.now() });
    const now = this.deps.clock.now();
    const viewId = this.deps.newUuid();
    const object = describeObject(scope.warehouse.name, levels, name);
    const owner = await this.deps.access.creatorGrant(scope);
    const ok = await this.deps.store.transaction(async (repo, ports) => {
      const existing = await repo.getObject(scope.warehouse.name, levels, name);
      if (existing) throw exists(existing, levels, name);
      const inserted = await repo.insertObject({
        id: viewId,
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
      return afterChange(inserted, async () => {
        await owner.record(ports, { kind: 'view', id: viewId }, object);
        await recordChanges(this.deps, repo, scope.warehouse.name, scope.caller, {
          kind: 'view.registered',
          namespace: levels,
          name,
          uuid: view['view-uuid'],
          data: { 'metadata-location': metadataLocation },
        });
      });
    });
    if (!ok) throw new CatalogError('ERR_VIEW_EXISTS', `View already exists: ${formatIdentifier(levels, name)}`);
    await owner.committed();
    return { metadataLocation, metadataJson: json };
  }

  /** An existing view on which the caller holds the privileges (kit/view-kit.ts). */
  private requireView(scope: RequestScope, namespace: string[], name: string, privileges: Privilege[], recordAllow = false) {
    return requireView(this.deps, scope, namespace, name, privileges, recordAllow);
  }

  /**
   * Where the next metadata file goes. A view's write.metadata.path must lie inside its own location, as a table's
   * write paths must (tables/paths.ts): elsewhere it could name a table's directory, where the catalog would write
   * the view's files for that table's credentials to reach and its purge to delete. Checked when the path or the
   * location is new (`base` is the metadata before, null at create), so a view stored before this rule stays usable.
   */
  private metadataLocationFor(scope: RequestScope, metadata: ViewMetadata, previous: string | null, base: ViewMetadata | null): string {
    const path = metadata.properties?.[WRITE_METADATA_PATH];
    if (path !== undefined && (base === null || path !== base.properties?.[WRITE_METADATA_PATH] || metadata.location !== base.location)) {
      checkLocation(scope.warehouse, path, `property ${WRITE_METADATA_PATH}`);
      if (!isUnderRoot(metadata.location, path))
        throw validation(
          `property ${WRITE_METADATA_PATH} ${path} is outside the location of the view (${metadata.location}): a view's files go under its own location`,
        );
    }
    const location = nextMetadataLocation(metadata, previous, this.deps.newUuid());
    checkLocation(scope.warehouse, location);
    return location;
  }
}

function exists(existing: CatalogObjectRecord | undefined, namespace: string[], name: string): CatalogError {
  if (existing?.kind === 'table') return new CatalogError('ERR_TABLE_EXISTS', `Table with same name already exists: ${formatIdentifier(namespace, name)}`);
  return new CatalogError('ERR_VIEW_EXISTS', `View already exists: ${formatIdentifier(namespace, name)}`);
}
