/**
 * Namespace operations of the Lance REST Namespace API over the shared
 * catalog: a Lance namespace IS the Iceberg namespace of the same levels
 * (same rows, same properties). The warehouse is the Lance root namespace
 * (id []), which always exists and cannot be created or dropped.
 * Framework-free: no HTTP, no SQL.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { CatalogDeps, RequestScope } from '../context.js';
import { checkNamespace, checkStringMap, formatIdentifier } from '../identifiers.js';
import type { NamespaceService } from '../namespaces.js';
import type { PageRequest } from '../paging.js';
import type { CatalogObjectRecord, CatalogRepository, ObjectKind } from '../ports.js';
import { createNamespaceMode, dropNamespaceBehavior, dropNamespaceMode } from './modes.js';
import type { LanceTableService } from './lance-tables.js';

const ALL_KINDS: ObjectKind[] = ['table', 'view', 'lance-table'];
const BATCH = 1000;

export class LanceNamespaceService {
  constructor(
    private readonly deps: CatalogDeps,
    private readonly namespaces: NamespaceService,
    private readonly tables: LanceTableService,
  ) {}

  /** Names of the child namespaces of `parent` ([] is the root), relative to it. */
  async list(scope: RequestScope, parent: string[], paging: PageRequest): Promise<{ namespaces: string[]; nextPageToken: string | null }> {
    const result = await this.namespaces.list(scope, parent, paging);
    return { namespaces: result.namespaces.map((levels) => levels.at(-1)!), nextPageToken: result.nextPageToken };
  }

  async describe(scope: RequestScope, id: string[]): Promise<Record<string, string>> {
    if (id.length === 0) return {};
    return (await this.namespaces.load(scope, id)).properties;
  }

  async exists(scope: RequestScope, id: string[]): Promise<boolean> {
    return id.length === 0 || this.namespaces.exists(scope, id);
  }

  async create(scope: RequestScope, id: string[], modeInput: unknown, propertiesInput: unknown): Promise<Record<string, string>> {
    // validate
    const levels = checkNamespace(id);
    const mode = createNamespaceMode(modeInput);
    const properties = checkStringMap(propertiesInput, 'properties');
    // execute
    if (mode === 'create') return (await this.namespaces.create(scope, levels, properties)).properties;
    const result = await this.deps.store.transaction(async (repo) => {
      const existing = await repo.getNamespace(scope.warehouse.name, levels);
      if (!existing) {
        if (levels.length > 1 && !(await repo.getNamespace(scope.warehouse.name, levels.slice(0, -1)))) {
          throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Parent namespace does not exist: ${formatIdentifier(levels.slice(0, -1))}`);
        }
        if (!(await repo.insertNamespace({ warehouse: scope.warehouse.name, levels, properties }))) {
          throw new CatalogError('ERR_NAMESPACE_EXISTS', `Namespace already exists: ${formatIdentifier(levels)}`);
        }
        return { properties, created: true };
      }
      if (mode === 'exist-ok') return { properties: existing.properties, created: false };
      // overwrite: "drop and re-create empty" without touching tables other protocols see, so only an empty namespace qualifies.
      if (await repo.namespaceHasChildren(scope.warehouse.name, levels)) {
        throw new CatalogError('ERR_NAMESPACE_NOT_EMPTY', `Namespace is not empty, cannot overwrite it: ${formatIdentifier(levels)}`);
      }
      await repo.setNamespaceProperties(scope.warehouse.name, levels, properties);
      return { properties, created: false };
    });
    this.deps.events.emit({ type: result.created ? 'namespace.created' : 'namespace.updated', warehouse: scope.warehouse.name, namespace: levels });
    return result.properties;
  }

  /**
   * Restrict refuses a namespace that holds anything. Cascade removes the
   * namespace, its child namespaces and every object in them from the
   * catalog in one transaction; afterwards the data of its Lance tables is
   * deleted (as DropTable does), while Iceberg tables and views are only
   * unregistered (as an Iceberg drop without purge).
   */
  async drop(scope: RequestScope, id: string[], modeInput: unknown, behaviorInput: unknown): Promise<Record<string, string> | undefined> {
    // validate
    const levels = checkNamespace(id);
    const mode = dropNamespaceMode(modeInput);
    const behavior = dropNamespaceBehavior(behaviorInput);
    // execute
    const removed = await this.deps.store.transaction(async (repo) => {
      const existing = await repo.getNamespace(scope.warehouse.name, levels);
      if (!existing) {
        if (mode === 'skip') return undefined;
        throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
      }
      const hasChildren = await repo.namespaceHasChildren(scope.warehouse.name, levels);
      if (hasChildren && behavior === 'restrict') throw new CatalogError('ERR_NAMESPACE_NOT_EMPTY', `Namespace is not empty: ${formatIdentifier(levels)}`);
      const lanceTables: CatalogObjectRecord[] = [];
      const namespaces: string[][] = [];
      if (hasChildren) await this.removeContents(repo, scope.warehouse.name, levels, lanceTables, namespaces);
      await repo.deleteNamespace(scope.warehouse.name, levels);
      namespaces.push(levels);
      return { properties: existing.properties, lanceTables, namespaces };
    });
    if (!removed) return undefined;
    for (const ns of removed.namespaces) this.deps.events.emit({ type: 'namespace.dropped', warehouse: scope.warehouse.name, namespace: ns });
    for (const t of removed.lanceTables) await this.tables.purgeDropped(scope, t);
    return removed.properties;
  }

  /** Depth first: objects, then child namespaces (and theirs), so that the namespace itself is empty at the end. */
  private async removeContents(repo: CatalogRepository, warehouse: string, levels: string[], lanceTables: CatalogObjectRecord[], namespaces: string[][]): Promise<void> {
    for (const kind of ALL_KINDS) {
      for (;;) {
        const batch = await repo.listObjects(warehouse, levels, kind, { limit: BATCH });
        if (batch.length === 0) break;
        for (const o of batch) {
          if (kind === 'lance-table') {
            const record = await repo.getObject(warehouse, o.namespace, o.name);
            if (record) lanceTables.push(record);
          }
          await repo.deleteObject(warehouse, o.namespace, o.name, kind);
        }
      }
    }
    for (;;) {
      const children = await repo.listNamespaces(warehouse, levels, { limit: BATCH });
      if (children.length === 0) break;
      for (const child of children) {
        await this.removeContents(repo, warehouse, child.levels, lanceTables, namespaces);
        await repo.deleteNamespace(warehouse, child.levels);
        namespaces.push(child.levels);
      }
    }
  }
}
