/** Namespace operations of the catalog. Framework-free: no HTTP, no SQL. */
import { CatalogError } from '../errors/catalog-error.js';
import type { CatalogDeps, RequestScope } from './context.js';
import { checkNamespace, checkStringArray, checkStringMap, encodeNamespace, formatIdentifier } from './identifiers.js';
import { type PageRequest, pageOf, toPage } from './paging.js';
import type { NamespaceRecord } from './ports.js';

export interface NamespacePropertiesUpdate {
  updated: string[];
  removed: string[];
  missing: string[];
}

export class NamespaceService {
  constructor(private readonly deps: CatalogDeps) {}

  async list(scope: RequestScope, parent: string[] | undefined, paging: PageRequest) {
    // validate
    const parentLevels = parent && parent.length > 0 ? checkNamespace(parent) : [];
    const page = toPage(paging);
    // execute
    const repo = this.deps.store.repository;
    if (parentLevels.length > 0) await this.require(scope, parentLevels);
    const rows = await repo.listNamespaces(scope.warehouse.name, parentLevels, { ...page, limit: page.limit + 1 });
    const { items, nextPageToken } = pageOf(rows, page, (r) => encodeNamespace(r.levels));
    return { namespaces: items.map((r) => r.levels), nextPageToken };
  }

  async create(scope: RequestScope, namespace: unknown, properties: unknown): Promise<NamespaceRecord> {
    // validate
    const levels = checkNamespace(namespace);
    const props = checkStringMap(properties, 'properties');
    // execute
    const record: NamespaceRecord = { warehouse: scope.warehouse.name, levels, properties: props };
    await this.deps.store.transaction(async (repo) => {
      if (levels.length > 1 && !(await repo.getNamespace(scope.warehouse.name, levels.slice(0, -1)))) {
        throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Parent namespace does not exist: ${formatIdentifier(levels.slice(0, -1))}`);
      }
      if (!(await repo.insertNamespace(record))) {
        throw new CatalogError('ERR_NAMESPACE_EXISTS', `Namespace already exists: ${formatIdentifier(levels)}`);
      }
    });
    this.deps.events.emit({ type: 'namespace.created', warehouse: scope.warehouse.name, namespace: levels });
    return record;
  }

  async load(scope: RequestScope, namespace: string[]): Promise<NamespaceRecord> {
    return this.require(scope, checkNamespace(namespace));
  }

  async exists(scope: RequestScope, namespace: string[]): Promise<boolean> {
    const levels = checkNamespace(namespace);
    return (await this.deps.store.repository.getNamespace(scope.warehouse.name, levels)) !== undefined;
  }

  async drop(scope: RequestScope, namespace: string[]): Promise<void> {
    const levels = checkNamespace(namespace);
    await this.deps.store.transaction(async (repo) => {
      if (!(await repo.getNamespace(scope.warehouse.name, levels))) throw notFound(levels);
      if (await repo.namespaceHasChildren(scope.warehouse.name, levels)) {
        throw new CatalogError('ERR_NAMESPACE_NOT_EMPTY', `Namespace is not empty: ${formatIdentifier(levels)}`);
      }
      await repo.deleteNamespace(scope.warehouse.name, levels);
    });
    this.deps.events.emit({ type: 'namespace.dropped', warehouse: scope.warehouse.name, namespace: levels });
  }

  async updateProperties(scope: RequestScope, namespace: string[], removals: unknown, updates: unknown): Promise<NamespacePropertiesUpdate> {
    // validate
    const levels = checkNamespace(namespace);
    const remove = checkStringArray(removals, 'removals');
    const set = checkStringMap(updates, 'updates');
    const overlap = remove.filter((k) => k in set);
    if (overlap.length > 0) throw new CatalogError('ERR_VALIDATION', `Cannot remove and update the same keys: ${overlap.join(', ')}`);
    // execute
    const result = await this.deps.store.transaction(async (repo) => {
      const current = await repo.getNamespace(scope.warehouse.name, levels);
      if (!current) throw notFound(levels);
      const props = { ...current.properties };
      const removed: string[] = [];
      const missing: string[] = [];
      for (const k of remove) {
        if (k in props) {
          delete props[k];
          removed.push(k);
        } else missing.push(k);
      }
      Object.assign(props, set);
      await repo.setNamespaceProperties(scope.warehouse.name, levels, props);
      return { updated: Object.keys(set), removed, missing };
    });
    this.deps.events.emit({ type: 'namespace.updated', warehouse: scope.warehouse.name, namespace: levels });
    return result;
  }

  /** Loads a namespace or fails with ERR_NAMESPACE_NOT_FOUND. */
  async require(scope: RequestScope, levels: string[]): Promise<NamespaceRecord> {
    const found = await this.deps.store.repository.getNamespace(scope.warehouse.name, levels);
    if (!found) throw notFound(levels);
    return found;
  }
}

const notFound = (levels: string[]) => new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
