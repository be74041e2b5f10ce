/**
 * Namespace operations of the Lance REST Namespace API over the shared
 * catalog: a Lance namespace IS the Iceberg namespace of the same levels
 * (same rows, same properties). The warehouse is the Lance root namespace
 * (id []), which always exists and cannot be created or dropped.
 * Framework-free: no HTTP, no SQL. Privileges are the namespace ones (see
 * ../namespaces.ts); "exist_ok" on an existing namespace needs nothing more
 * than `namespace:create` on its parent, "overwrite" also
 * `namespace:update-properties`, and a cascading drop needs, on the
 * namespace, the right to drop everything inside: `namespace:drop`,
 * `table:drop`, `table:write-data` (Lance data is deleted) and `view:drop`.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { Privilege } from '../privileges.js';
import type { CatalogRequest, ServiceContext } from '../context.js';
import { checkLanceLevels, checkNamespace, checkNewNamespace, checkStringMap, formatIdentifier } from '../identifiers.js';
import { checkNamespaceLocation, checkNamespaceLocationFor, type NamespaceService } from '../namespaces.js';
import type { PageRequest } from '../paging.js';
import type { CatalogObjectRecord, CatalogRepository, NamespaceRecord, ObjectKind } from '../ports/index.js';
import { createNamespaceMode, dropNamespaceBehavior, dropNamespaceMode } from './modes.js';
import type { LanceTableService } from './lance-tables.js';
import { cascadeDropped } from '../outbox/object-events.js';
import { recordChanges } from '../outbox/changes.js';
import { type CascadeSoftDrop, cascadeSoftDrop, softCascadeChanges, softDropInCascade, softNamespaceChanges } from '../dropped/soft-cascade.js';

const ALL_KINDS: ObjectKind[] = ['table', 'view', 'lance-table'];

/** What a cascading drop took out of the catalog (Lance tables: whole records, their data is deleted afterwards). */
interface Removed {
  lanceTables: CatalogObjectRecord[];
  namespaces: Array<{ id: string; levels: string[] }>;
  objects: Array<{ id: string; kind: ObjectKind; namespace?: string[]; name?: string; uuid?: string | undefined }>;
  /** Soft-dropped (recoverable): moved to the dropped objects with the namespace's removal. */
  soft: CatalogObjectRecord[];
  /** Namespaces soft-dropped (recoverable, with their grants): moved to the dropped namespaces. */
  softNamespaces: Array<{ id: string; levels: string[] }>;
}
const BATCH = 1000;
/** A soft cascade, with the id of the namespace it drops: what each namespace and object it takes is marked with (droppedWith). */
type SoftCascade = CascadeSoftDrop & { droppedWith: string };

/** An empty namespace of the cascade: kept among the dropped namespaces when the cascade is soft, else removed. */
async function removeNamespace(repo: CatalogRepository, ns: NamespaceRecord, removed: Removed, soft: SoftCascade | undefined): Promise<void> {
  if (
    soft &&
    (await repo.softDropNamespace({
      namespace: ns,
      droppedAtMs: soft.droppedAtMs,
      expiresAtMs: soft.expiresAtMs,
      droppedBy: soft.droppedBy,
      droppedWith: soft.droppedWith,
    }))
  ) {
    removed.softNamespaces.push({ id: ns.id, levels: ns.levels });
    return;
  }
  await repo.deleteNamespace(ns.warehouse, ns.levels);
  removed.namespaces.push({ id: ns.id, levels: ns.levels });
}

export class LanceNamespaceService {
  private readonly deps: ServiceContext;

  constructor(
    ctx: ServiceContext,
    private readonly namespaces: NamespaceService,
    private readonly tables: LanceTableService,
  ) {
    this.deps = ctx;
  }

  /** Names of the child namespaces of `parent` ([] is the root), relative to it. */
  async list(request: CatalogRequest, parent: string[], paging: PageRequest): Promise<{ namespaces: string[]; nextPageToken: string | null }> {
    const result = await this.namespaces.list(request, parent, paging);
    return { namespaces: result.namespaces.map((levels) => levels.at(-1)!), nextPageToken: result.nextPageToken };
  }

  async describe(request: CatalogRequest, id: string[]): Promise<Record<string, string>> {
    if (id.length === 0) {
      await this.deps.scope(request);
      return {};
    }
    return (await this.namespaces.load(request, id)).properties;
  }

  async exists(request: CatalogRequest, id: string[]): Promise<boolean> {
    if (id.length === 0) {
      await this.deps.scope(request);
      return true;
    }
    return this.namespaces.exists(request, id);
  }

  async create(request: CatalogRequest, id: string[], modeInput: unknown, propertiesInput: unknown): Promise<Record<string, string>> {
    // validate
    const levels = checkNewNamespace(id);
    checkLanceLevels(levels, 'a Lance namespace id');
    const mode = createNamespaceMode(modeInput);
    const properties = checkStringMap(propertiesInput, 'properties');
    if (mode === 'create') return (await this.namespaces.create(request, levels, properties)).properties;
    const scope = await this.deps.scope(request);
    checkNamespaceLocation(scope, properties);
    // authorize: creating needs namespace:create on the parent; overwriting an existing one, also update-properties on it
    const parentPath =
      levels.length === 1 ? this.deps.access.warehousePath(scope.warehouse) : (await this.namespaces.requireVisible(scope, levels.slice(0, -1))).path;
    const object = `${scope.warehouse.name}/${formatIdentifier(levels)}`;
    await this.deps.access.require(scope, 'namespace:create', parentPath, { object });
    if (mode === 'overwrite' && (await this.deps.store.repository.getNamespace(scope.warehouse.name, levels))) {
      await this.namespaces.requireOn(scope, levels, 'namespace:update-properties');
    }
    // execute
    await checkNamespaceLocationFor(this.deps, scope, properties, levels);
    // The creator's owner grant commits with a namespace created here (access/creator-ownership.ts), before its event.
    const owner = await this.deps.access.creatorGrant(scope);
    const result = await this.deps.store.transaction(async (repo, ports) => {
      const existing = await repo.getNamespace(scope.warehouse.name, levels);
      if (!existing) {
        if (levels.length > 1 && !(await repo.getNamespace(scope.warehouse.name, levels.slice(0, -1)))) {
          throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Parent namespace does not exist: ${formatIdentifier(levels.slice(0, -1))}`);
        }
        const id = this.deps.newUuid();
        if (!(await repo.insertNamespace({ id, warehouse: scope.warehouse.name, levels, properties }))) {
          throw new CatalogError('ERR_NAMESPACE_EXISTS', `Namespace already exists: ${formatIdentifier(levels)}`);
        }
        await owner.record(ports, { kind: 'namespace', id }, object);
        await recordChanges(this.deps, repo, scope.warehouse.name, scope.caller, { kind: 'namespace.created', namespace: levels, operation: { properties } });
        return { properties, created: true, id };
      }
      if (mode === 'exist-ok') return { properties: existing.properties, created: false, id: undefined };
      // overwrite: "drop and re-create empty" without touching tables other protocols see, so only an empty namespace qualifies.
      if (await repo.namespaceHasChildren(scope.warehouse.name, levels)) {
        throw new CatalogError('ERR_NAMESPACE_NOT_EMPTY', `Namespace is not empty, cannot overwrite it: ${formatIdentifier(levels)}`);
      }
      await repo.setNamespaceProperties(scope.warehouse.name, levels, properties);
      await recordChanges(this.deps, repo, scope.warehouse.name, scope.caller, {
        kind: 'namespace.updated',
        namespace: levels,
        operation: { updated: Object.keys(properties), removed: Object.keys(existing.properties).filter((k) => !Object.hasOwn(properties, k)), missing: [] },
      });
      return { properties, created: false, id: undefined };
    });
    if (result.created) this.deps.access.forgetNamespaceIds();
    await owner.committed();
    return result.properties;
  }

  /**
   * Restrict refuses a namespace that holds anything. Cascade removes the
   * namespace, its child namespaces and every object in them from the
   * catalog in one transaction. While the warehouse keeps dropped objects the
   * objects are soft-dropped in that transaction (dropped/soft-cascade.ts),
   * recoverable with undrop, and so are the namespaces (with their properties
   * and grants: an undrop of the namespace brings the whole cascade back);
   * otherwise (or for Lance tables, when the caller
   * may purge at once) the data of its Lance tables is deleted afterwards (as
   * DropTable does), while Iceberg tables and views are only unregistered.
   */
  async drop(request: CatalogRequest, id: string[], modeInput: unknown, behaviorInput: unknown): Promise<Record<string, string> | undefined> {
    // validate
    const levels = checkNamespace(id);
    const mode = dropNamespaceMode(modeInput);
    const behavior = dropNamespaceBehavior(behaviorInput);
    const scope = await this.deps.scope(request);
    // authorize
    const needed: Privilege[] = behavior === 'cascade' ? ['namespace:drop', 'table:drop', 'table:write-data', 'view:drop'] : ['namespace:drop'];
    const resolved = await this.deps.access.namespacePath(scope.warehouse, levels);
    const object = `${scope.warehouse.name}/${formatIdentifier(levels)}`;
    if (resolved.missing) {
      const visible = await this.deps.access.allowed(scope, 'any', resolved.path);
      if (!visible) await this.deps.access.require(scope, 'namespace:drop', resolved.path, { object });
      if (mode === 'skip') return undefined;
      throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
    }
    await this.deps.access.requireAll(scope, needed, resolved.path, { object, recordAllow: true });
    // execute
    const soft = behavior === 'cascade' ? await cascadeSoftDrop(this.deps, scope, resolved.path, object) : undefined;
    const removed = await this.deps.store.transaction(async (repo) => {
      const existing = await repo.getNamespace(scope.warehouse.name, levels);
      if (!existing) {
        if (mode === 'skip') return undefined;
        throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
      }
      const hasChildren = await repo.namespaceHasChildren(scope.warehouse.name, levels);
      if (hasChildren && behavior === 'restrict') throw new CatalogError('ERR_NAMESPACE_NOT_EMPTY', `Namespace is not empty: ${formatIdentifier(levels)}`);
      const removed: Removed = { lanceTables: [], namespaces: [], objects: [], soft: [], softNamespaces: [] };
      const cascade = soft && { ...soft, droppedWith: existing.id };
      if (hasChildren) await this.removeContents(repo, scope.warehouse.name, levels, removed, cascade);
      await removeNamespace(repo, existing, removed, cascade);
      await recordChanges(
        this.deps,
        repo,
        scope.warehouse.name,
        scope.caller,
        ...(cascade ? softCascadeChanges(removed.soft, cascade) : []),
        ...cascadeDropped(removed),
        ...(cascade ? softNamespaceChanges(removed.softNamespaces, cascade) : []),
      );
      return { properties: existing.properties, ...removed };
    });
    if (!removed) return undefined;
    this.deps.access.forgetNamespaceIds();
    for (const ns of removed.namespaces) await this.deps.access.forgetSecurable({ kind: 'namespace', id: ns.id });
    for (const o of removed.objects) await this.deps.access.forgetSecurable({ kind: o.kind === 'view' ? 'view' : 'table', id: o.id });
    for (const t of removed.lanceTables) await this.tables.purgeDropped(scope, t);
    return removed.properties;
  }

  /** Depth first: objects, then child namespaces (and theirs), so that the namespace itself is empty at the end. */
  private async removeContents(repo: CatalogRepository, warehouse: string, levels: string[], removed: Removed, soft: SoftCascade | undefined): Promise<void> {
    for (const kind of ALL_KINDS) {
      for (;;) {
        const batch = await repo.listObjects(warehouse, levels, kind, { limit: BATCH });
        if (batch.length === 0) break;
        for (const o of batch) {
          const live = soft ? await repo.getObject(warehouse, o.namespace, o.name) : undefined;
          if (live && (await softDropInCascade(repo, soft, live, soft?.droppedWith))) {
            removed.soft.push(live);
            continue;
          }
          if (kind === 'lance-table') {
            const record = await repo.getObject(warehouse, o.namespace, o.name);
            if (record) removed.lanceTables.push(record);
          } else
            removed.objects.push({ id: o.id, kind, namespace: o.namespace, name: o.name, uuid: (await repo.getObject(warehouse, o.namespace, o.name))?.uuid });
          await repo.deleteObject(warehouse, o.namespace, o.name, kind);
        }
      }
    }
    for (;;) {
      const children = await repo.listNamespaces(warehouse, levels, { limit: BATCH });
      if (children.length === 0) break;
      for (const child of children) {
        await this.removeContents(repo, warehouse, child.levels, removed, soft);
        await removeNamespace(repo, child, removed, soft);
      }
    }
  }
}
