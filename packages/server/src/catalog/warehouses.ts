/** Warehouses: named catalogs, each with its own storage root. The Iceberg `prefix` is the warehouse name. */
import { CatalogError, validation } from '../errors/catalog-error.js';
import { normalizeLocation } from '../storage/locations.js';
import type { CatalogDeps } from './context.js';
import { checkName } from './identifiers.js';
import type { Warehouse } from './ports.js';

export class WarehouseService {
  /** Warehouses change rarely and are read on every request: cache them, re-reading on a miss. */
  private readonly cache = new Map<string, Warehouse>();

  constructor(
    private readonly deps: CatalogDeps,
    private readonly defaultWarehouse: string,
  ) {}

  /** The named warehouse, or the default one when no name is given (GET /v1/config without ?warehouse). */
  async resolve(name: string | undefined): Promise<Warehouse> {
    return this.require(name === undefined || name === '' ? this.defaultWarehouse : name);
  }

  async require(name: string): Promise<Warehouse> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const found = await this.deps.store.repository.getWarehouse(name);
    if (!found) throw new CatalogError('ERR_WAREHOUSE_NOT_FOUND', `Warehouse does not exist: ${name}`);
    this.cache.set(name, found);
    return found;
  }

  /** Stores an already sealed secret. */
  async putSecret(id: string, ciphertext: string): Promise<void> {
    await this.deps.store.repository.putSecret(id, ciphertext, this.deps.clock.now());
  }

  async create(input: Omit<Warehouse, 'createdAtMs'>): Promise<Warehouse> {
    checkName(input.name, 'warehouse name');
    const ok = await this.deps.store.repository.insertWarehouse({ ...input, createdAtMs: this.deps.clock.now() });
    if (!ok) throw new CatalogError('ERR_NAMESPACE_EXISTS', `Warehouse already exists: ${input.name}`);
    this.cache.delete(input.name);
    return this.require(input.name);
  }

  list(): Promise<Warehouse[]> {
    return this.deps.store.repository.listWarehouses();
  }

  /** Creates the warehouse unless one of that name exists; returns the stored one either way. */
  async ensure(name: string, storageRoot: string, properties: Record<string, string> = {}): Promise<{ warehouse: Warehouse; created: boolean }> {
    checkName(name, 'warehouse name');
    const root = normalizeLocation(storageRoot);
    if (root.split('/').length < 4 && root.startsWith('file:')) throw validation('a file warehouse root must not be the filesystem root');
    const repo = this.deps.store.repository;
    const created = await repo.insertWarehouse({ name, storageRoot: root, properties, createdAtMs: this.deps.clock.now(), storageProfile: { type: 'file' } });
    if (!created) {
      // Operator-managed properties (from configuration) follow the configuration on every start.
      const stored = await repo.getWarehouse(name);
      const merged = { ...stored?.properties, ...properties };
      if (JSON.stringify(merged) !== JSON.stringify(stored?.properties)) await repo.setWarehouseProperties(name, merged);
    }
    this.cache.delete(name);
    return { warehouse: await this.require(name), created };
  }
}
