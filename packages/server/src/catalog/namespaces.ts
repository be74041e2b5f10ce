/**
 * Namespace operations of the catalog: validate → authorize → execute.
 * Framework-free: no HTTP, no SQL. Who may do what (catalog/access):
 * create needs `namespace:create` on the parent (the warehouse for a
 * top-level one); load and HEAD need any privilege on the namespace (held
 * there or inherited) or `namespace:list` on its parent; listing shows every
 * child to holders of `namespace:list`, and otherwise only the children the
 * caller holds something on; drop and property updates need
 * `namespace:drop` and `namespace:update-properties`.
 */
import type { FunctionStore } from './ports/functions.js';
import { CatalogError } from '../errors/catalog-error.js';
import { describeObject } from './access/access-service.js';
import type { SecurablePath } from './ports/access.js';
import type { CatalogRequest, RequestScope, ServiceContext } from './context.js';
import { checkNamespace, checkNewNamespace, checkStringArray, checkStringMap, encodeNamespace, formatIdentifier } from './identifiers.js';
import { checkLocation, checkNamespaceLocationFree } from './location-policy.js';
import { namespaceDirectory } from './default-locations.js';
import { type PageRequest, everyPage, listingOf, pageOf, toPage, visiblePage } from './paging.js';
import type { NamespaceRecord } from './ports/index.js';
import { recordChanges } from './outbox/changes.js';

export interface NamespacePropertiesUpdate {
  updated: string[];
  removed: string[];
  missing: string[];
}

export class NamespaceService {
  /** @param functions where functions are kept: a namespace holding one is not empty (dropNamespace refuses it). */
  constructor(
    private readonly ctx: ServiceContext,
    private readonly functions?: FunctionStore,
  ) {}

  async list(request: CatalogRequest, parent: string[] | undefined, paging: PageRequest) {
    // validate
    const parentLevels = parent && parent.length > 0 ? checkNamespace(parent) : [];
    const page = toPage(paging, this.ctx.pageTokens, listingOf(request.warehouse, parentLevels, 'namespace'));
    const scope = await this.ctx.scope(request);
    // A federated warehouse's namespaces are the remote's (federation/mirror.ts): mirrored before the listing is read.
    if (page.after === undefined)
      await this.ctx.federation?.syncNamespaces(scope, parentLevels).catch((e: unknown) => {
        if (!(e instanceof CatalogError && e.code === 'ERR_NAMESPACE_NOT_FOUND')) throw e;
      });
    // authorize
    let parentPath = this.ctx.access.warehousePath(scope.warehouse);
    let parentVisible = true;
    if (parentLevels.length > 0) {
      const resolved = await this.ctx.access.namespacePath(scope.warehouse, parentLevels);
      const object = describeObject(scope.warehouse.name, parentLevels);
      if (resolved.missing) return this.ctx.access.notFoundOrForbidden(scope, resolved.path, 'namespace:list', object, () => notFound(parentLevels));
      parentPath = resolved.path;
      const grandparent: SecurablePath = { warehouse: scope.warehouse.name, namespaces: parentPath.namespaces.slice(0, -1) };
      parentVisible = (
        await this.ctx.access.allows(scope, [
          { privilege: 'any', path: parentPath },
          { privilege: 'namespace:list', path: grandparent },
        ])
      ).some(Boolean);
    }
    const everything = await this.ctx.access.allowed(scope, 'namespace:list', parentPath);
    // execute
    const repo = this.ctx.store.repository;
    const fetch = (after: string | undefined, limit: number) =>
      repo.listNamespaces(scope.warehouse.name, parentLevels, after === undefined ? { limit } : { after, limit });
    const key = (r: NamespaceRecord) => encodeNamespace(r.levels);
    if (everything) {
      const { items, nextPageToken } = pageOf(await fetch(page.after, page.limit + 1), page, key);
      return { namespaces: items.map((r) => r.levels), nextPageToken };
    }
    // Without namespace:list, only the children the caller holds something on (one batched check per chunk).
    const { items, nextPageToken } = await visiblePage(
      page,
      fetch,
      (rows) =>
        this.ctx.access.allows(
          scope,
          rows.map((r) => ({ privilege: 'any' as const, path: childPath(parentPath, r.id) })),
        ),
      key,
    );
    // Seeing nothing under a parent one cannot see is the 403 a missing parent gets: an empty answer would say it exists.
    if (!parentVisible && page.after === undefined && items.length === 0 && nextPageToken === null) {
      await this.ctx.access.require(scope, 'namespace:list', parentPath, { object: describeObject(scope.warehouse.name, parentLevels) });
    }
    return { namespaces: items.map((r) => r.levels), nextPageToken };
  }

  /** Every child namespace the caller may see, page after page (paging.ts everyPage): a listing without pageToken. */
  listAll(request: CatalogRequest, parent: string[] | undefined) {
    return everyPage(async (pageToken) => {
      const r = await this.list(request, parent, { pageToken });
      return { items: r.namespaces, nextPageToken: r.nextPageToken };
    });
  }

  async create(request: CatalogRequest, namespace: unknown, properties: unknown): Promise<NamespaceRecord> {
    // validate
    const levels = checkNewNamespace(namespace);
    const props = checkStringMap(properties, 'properties');
    const scope = await this.ctx.scope(request);
    checkNamespaceLocation(scope, props);
    await this.ctx.federation?.seeNamespace(scope, levels.slice(0, -1));
    // authorize
    await this.requireOnParent(scope, levels, 'namespace:create');
    // execute
    await checkNamespaceLocationFor(this.ctx, scope, props, levels);
    // A federated warehouse's namespace is created at the remote first (its answer decides "exists"), then recorded here.
    await this.ctx.federation?.createNamespace(scope, levels, props);
    const record: NamespaceRecord = { id: this.ctx.newUuid(), warehouse: scope.warehouse.name, levels, properties: props };
    // The creator's owner grant commits with the namespace (access/creator-ownership.ts), before its event.
    const owner = await this.ctx.access.creatorGrant(scope);
    await this.ctx.store.transaction(async (repo, ports) => {
      if (levels.length > 1 && !(await repo.getNamespace(scope.warehouse.name, levels.slice(0, -1)))) throw parentNotFound(levels);
      if (!(await repo.insertNamespace(record))) {
        throw new CatalogError('ERR_NAMESPACE_EXISTS', `Namespace already exists: ${formatIdentifier(levels)}`);
      }
      await owner.record(ports, { kind: 'namespace', id: record.id }, `${scope.warehouse.name}/${formatIdentifier(levels)}`);
      await recordChanges(this.ctx, repo, scope.warehouse.name, scope.caller, {
        kind: 'namespace.created',
        namespace: levels,
        operation: { properties: props },
      });
    });
    this.ctx.access.forgetNamespaceIds();
    await owner.committed();
    return record;
  }

  /**
   * A namespace and its properties. With `effectiveLocation`, a namespace without a `location` property shows
   * where its tables go by default (under the warehouse root): engines such as Trino derive table locations
   * from it and stage-create there, instead of creating at a location the catalog then fills first.
   */
  async load(request: CatalogRequest, namespace: string[], options: { effectiveLocation?: boolean } = {}): Promise<NamespaceRecord> {
    const levels = checkNamespace(namespace);
    const scope = await this.ctx.scope(request);
    await this.ctx.federation?.seeNamespace(scope, levels);
    await this.requireVisible(scope, levels);
    const record = await this.require(scope, levels);
    if (!options.effectiveLocation || record.properties.location !== undefined) return record;
    return { ...record, properties: { ...record.properties, location: namespaceDirectory(scope.warehouse.storageRoot, levels) } };
  }

  async exists(request: CatalogRequest, namespace: string[]): Promise<boolean> {
    const levels = checkNamespace(namespace);
    const scope = await this.ctx.scope(request);
    try {
      await this.requireVisible(scope, levels);
      return true;
    } catch (e) {
      // "Not found" only reaches a caller who may see where the namespace would be; others got a 403.
      if (e instanceof CatalogError && e.code === 'ERR_NAMESPACE_NOT_FOUND') return false;
      throw e;
    }
  }

  async drop(request: CatalogRequest, namespace: string[]): Promise<void> {
    const levels = checkNamespace(namespace);
    const scope = await this.ctx.scope(request);
    const path = await this.requireOn(scope, levels, 'namespace:drop');
    // Functions live in their own store: checked before the transaction (a function put meanwhile is not seen).
    if (this.functions && (await this.functions.list(scope.warehouse.name, levels, undefined, 1)).length > 0)
      throw new CatalogError('ERR_NAMESPACE_NOT_EMPTY', `Namespace is not empty (it holds functions): ${formatIdentifier(levels)}`);
    let id: string | undefined;
    await this.ctx.store.transaction(async (repo) => {
      const found = await repo.getNamespace(scope.warehouse.name, levels);
      if (!found) throw notFound(levels);
      if (await repo.namespaceHasChildren(scope.warehouse.name, levels)) {
        throw new CatalogError('ERR_NAMESPACE_NOT_EMPTY', `Namespace is not empty: ${formatIdentifier(levels)}`);
      }
      id = found.id;
      await repo.deleteNamespace(scope.warehouse.name, levels);
      await recordChanges(this.ctx, repo, scope.warehouse.name, scope.caller, { kind: 'namespace.dropped', namespace: levels });
    });
    await this.forget(id ?? path.namespaces.at(-1)!);
  }

  async updateProperties(request: CatalogRequest, namespace: string[], removals: unknown, updates: unknown): Promise<NamespacePropertiesUpdate> {
    // validate
    const levels = checkNamespace(namespace);
    const remove = checkStringArray(removals, 'removals');
    const set = checkStringMap(updates, 'updates');
    const overlap = remove.filter((k) => Object.hasOwn(set, k));
    if (overlap.length > 0) throw new CatalogError('ERR_UNPROCESSABLE', `Cannot remove and update the same keys: ${overlap.join(', ')}`);
    const scope = await this.ctx.scope(request);
    checkNamespaceLocation(scope, set);
    // authorize
    await this.requireOn(scope, levels, 'namespace:update-properties');
    // execute
    await checkNamespaceLocationFor(this.ctx, scope, set);
    const result = await this.ctx.store.transaction(async (repo) => {
      const current = await repo.getNamespace(scope.warehouse.name, levels);
      if (!current) throw notFound(levels);
      const props = { ...current.properties };
      const removed: string[] = [];
      const missing: string[] = [];
      for (const k of remove) {
        if (Object.hasOwn(props, k)) {
          delete props[k];
          removed.push(k);
        } else missing.push(k);
      }
      Object.assign(props, set);
      await repo.setNamespaceProperties(scope.warehouse.name, levels, props);
      await recordChanges(this.ctx, repo, scope.warehouse.name, scope.caller, {
        kind: 'namespace.updated',
        namespace: levels,
        operation: { updated: Object.keys(set), removed, missing },
      });
      return { updated: Object.keys(set), removed, missing };
    });
    return result;
  }

  /** Loads a namespace or fails with ERR_NAMESPACE_NOT_FOUND (no access check: callers have authorized). */
  async require(scope: RequestScope, levels: string[]): Promise<NamespaceRecord> {
    const found = await this.ctx.store.repository.getNamespace(scope.warehouse.name, levels);
    if (!found) throw notFound(levels);
    return found;
  }

  /**
   * The path of an existing namespace the caller may see: any privilege on
   * it (held there or inherited), or `namespace:list` on its parent. A
   * missing one is "not found" to those who may see its parent, 403 to others.
   */
  async requireVisible(scope: RequestScope, levels: string[]): Promise<{ path: SecurablePath }> {
    const object = describeObject(scope.warehouse.name, levels);
    const resolved = await this.ctx.access.namespacePath(scope.warehouse, levels);
    if (resolved.missing) return this.ctx.access.notFoundOrForbidden(scope, resolved.path, 'namespace:list', object, () => notFound(levels));
    const parent: SecurablePath = { warehouse: scope.warehouse.name, namespaces: resolved.path.namespaces.slice(0, -1) };
    const [own, listed] = await this.ctx.access.allows(scope, [
      { privilege: 'any', path: resolved.path },
      { privilege: 'namespace:list', path: parent },
    ]);
    if (!own && !listed) await this.ctx.access.require(scope, 'namespace:list', parent, { object });
    return { path: resolved.path };
  }

  /** The path of an existing namespace on which the caller holds the privilege (or the matching refusal). */
  async requireOn(
    scope: RequestScope,
    levels: string[],
    privilege: Parameters<ServiceContext['access']['require']>[1],
    recordAllow = true,
  ): Promise<SecurablePath> {
    const object = describeObject(scope.warehouse.name, levels);
    const resolved = await this.ctx.access.namespacePath(scope.warehouse, levels);
    if (resolved.missing) return this.ctx.access.notFoundOrForbidden(scope, resolved.path, privilege, object, () => notFound(levels));
    await this.ctx.access.require(scope, privilege, resolved.path, { object, recordAllow });
    return resolved.path;
  }

  /** For creating something inside the namespace's parent: the parent's path, with the privilege checked there. */
  private async requireOnParent(scope: RequestScope, levels: string[], privilege: 'namespace:create'): Promise<SecurablePath> {
    const parentLevels = levels.slice(0, -1);
    if (parentLevels.length === 0) {
      const path = this.ctx.access.warehousePath(scope.warehouse);
      await this.ctx.access.require(scope, privilege, path, { object: describeObject(scope.warehouse.name, levels) });
      return path;
    }
    const resolved = await this.ctx.access.namespacePath(scope.warehouse, parentLevels);
    const object = describeObject(scope.warehouse.name, levels);
    if (resolved.missing) return this.ctx.access.notFoundOrForbidden(scope, resolved.path, privilege, object, () => parentNotFound(levels));
    await this.ctx.access.require(scope, privilege, resolved.path, { object });
    return resolved.path;
  }

  /** Grants on a dropped namespace are removed (its id is never reused, so this is tidiness, not safety). */
  private async forget(id: string): Promise<void> {
    this.ctx.access.forgetNamespaceIds();
    await this.ctx.access.forgetSecurable({ kind: 'namespace', id });
  }
}

const childPath = (parent: SecurablePath, id: string): SecurablePath => ({ warehouse: parent.warehouse, namespaces: [...parent.namespaces, id] });
export const notFound = (levels: string[]) => new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
const parentNotFound = (levels: string[]) =>
  new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Parent namespace does not exist: ${formatIdentifier(levels.slice(0, -1))}`);

/**
 * A namespace's `location` property is where its tables go by default (kit/table-kit.ts), so it obeys the rule of
 * every location a client brings in (location-policy.ts) instead of being taken and then silently passed over.
 */
export function checkNamespaceLocation(scope: RequestScope, properties: Record<string, string>): void {
  if (Object.hasOwn(properties, 'location')) checkLocation(scope.warehouse, properties.location, 'namespace property location');
}

/**
 * After authorization (it asks the database what lies there): where a namespace's tables will go may not lie inside
 * an object's location: its `location` property when set, and at create without one its directory under the storage
 * root (a table someone put there first would otherwise keep every default-located table of the namespace out).
 */
export async function checkNamespaceLocationFor(
  ctx: ServiceContext,
  scope: RequestScope,
  properties: Record<string, string>,
  creating?: string[],
): Promise<void> {
  const location = Object.hasOwn(properties, 'location') ? properties.location! : creating && namespaceDirectory(scope.warehouse.storageRoot, creating);
  if (location !== undefined) await checkNamespaceLocationFree(ctx.store.repository, scope.warehouse, location, ctx.clock.now());
}
