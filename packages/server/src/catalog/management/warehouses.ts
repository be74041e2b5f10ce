/**
 * Warehouses: named catalogs, each with its own storage root. The Iceberg
 * `prefix` is the warehouse name. Requests address a warehouse through
 * require()/resolve(), which refuse a warehouse of another tenant with the
 * very error of a missing one (see tenants.ts) and record the refusal in the
 * owning tenant's audit trail (never the caller's, which would tell it apart).
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { isUnderRoot, normalizeLocation } from '../locations.js';
import type { CatalogDeps } from '../context.js';
import { UNSTORABLE_TEXT, checkPlainName, isStorableText } from '../identifiers.js';
import { TtlCache } from '../ttl-cache.js';
import { allowedRoots } from '../location-policy.js';
import type { Caller, Warehouse } from '../ports/index.js';
import type { FederationSettings } from '../ports/remote-catalog.js';
import { DEFAULT_TENANT, checkTenant } from '../tenants.js';

/** How long another replica (another machine) may serve a changed warehouse as it was. */
const CACHE_MS = 5_000;

const notFound = (name: string) => new CatalogError('ERR_WAREHOUSE_NOT_FOUND', `Warehouse does not exist: ${name}`);

export class WarehouseService {
  /**
   * Warehouses change rarely and are read on every request: cache them, re-reading on a miss. A change made
   * here is announced to this server's other processes; replicas elsewhere re-read within CACHE_MS.
   */
  private readonly cache: TtlCache<Warehouse>;

  constructor(
    private readonly deps: CatalogDeps,
    private readonly defaultWarehouse: string,
  ) {
    this.cache = new TtlCache(CACHE_MS, () => deps.clock.now(), 10_000);
    deps.coherence.on('warehouses', (name) => (name === undefined ? this.cache.clear() : this.cache.delete(name)));
  }

  /** After a change of a warehouse (its record, profile or properties): the next request re-reads it, in every process. */
  forget(name: string): void {
    this.cache.delete(name);
    this.deps.coherence.announce('warehouses', name);
  }

  /** The named warehouse, or the default one when no name is given (GET /v1/config without ?warehouse). */
  async resolve(caller: Caller, name: string | undefined): Promise<Warehouse> {
    return this.require(caller, name === undefined || name === '' ? this.defaultWarehouse : name);
  }

  /** The named warehouse when it belongs to the caller's tenant; otherwise exactly the error of a missing one. */
  async require(caller: Caller, name: string): Promise<Warehouse> {
    // validate
    const warehouse = await this.lookup(name);
    // authorize
    if (warehouse.tenant !== caller.tenant) {
      // In the trail of the tenant that owns the warehouse: in the caller's, its administrators could tell it from a missing one.
      await this.deps.audit.record(
        { ...caller, tenant: warehouse.tenant },
        {
          type: 'warehouse.access.denied',
          decision: 'deny',
          object: name,
          detail: { warehouse: name, warehouseTenant: warehouse.tenant, callerTenant: caller.tenant },
        },
      );
      throw notFound(name);
    }
    return warehouse;
  }

  /**
   * The named warehouse from the cache when it is there and of the caller's tenant; undefined otherwise (then
   * require() decides, refusals and their audit included). The same entries and bound as require().
   */
  cachedFor(caller: Caller, name: string): Warehouse | undefined {
    const cached = this.cache.get(name);
    return cached !== undefined && cached.tenant === caller.tenant ? cached : undefined;
  }

  /** The named warehouse whatever its tenant: for the management API, which applies its own tenant rules. */
  async lookup(name: string): Promise<Warehouse> {
    // No warehouse has such a name (creation takes letters and digits); a store could not even be asked (storable-text.ts).
    if (!isStorableText(name)) throw validation(`warehouse name ${UNSTORABLE_TEXT}`);
    const cached = this.cache.get(name);
    if (cached) return cached;
    const readAt = this.cache.generation;
    const found = await this.deps.store.repository.getWarehouse(name);
    if (!found) throw notFound(name);
    this.cache.set(name, found, readAt);
    return found;
  }

  /** Stores an already sealed secret. */
  async putSecret(id: string, ciphertext: string): Promise<void> {
    await this.deps.store.repository.putSecret(id, ciphertext, this.deps.clock.now());
  }

  async create(input: Omit<Warehouse, 'createdAtMs'>): Promise<Warehouse> {
    checkPlainName(input.name, 'warehouse name');
    checkTenant(input.tenant);
    // Warehouses never share storage, within a tenant or across tenants: a root inside (or around) another warehouse's
    // would let its tables read, overwrite or purge the other's files (each warehouse's checks see its own tables only).
    // The refusal names no warehouse and no tenant (finding 5 of issue 40: it must not tell where others keep data).
    const roots = allowedRoots({ ...input, createdAtMs: 0 });
    const overlaps = (a: string, b: string) => isUnderRoot(a, b) || isUnderRoot(b, a);
    for (const other of await this.list()) {
      if (other.name !== input.name && allowedRoots(other).some((r) => roots.some((mine) => overlaps(r, mine)))) {
        throw validation('the storage locations of this warehouse overlap those of an existing warehouse');
      }
    }
    const ok = await this.deps.store.repository.insertWarehouse({ ...input, createdAtMs: this.deps.clock.now() });
    // Names no tenant: the name may be another tenant's (a tenant administrator only reaches names of its own, storage-authority.ts).
    if (!ok) throw new CatalogError('ERR_NAMESPACE_EXISTS', `Warehouse name is taken: ${input.name}`);
    this.forget(input.name);
    return this.lookup(input.name);
  }

  /** Replaces a warehouse's properties (checked by the caller, management/warehouse-admin.ts); every process re-reads it. */
  async setProperties(name: string, properties: Record<string, string>): Promise<void> {
    await this.deps.store.repository.setWarehouseProperties(name, properties);
    this.forget(name);
  }

  /**
   * Replaces a warehouse's storage profile (checked by the caller, management/warehouse-admin.ts), in one transaction
   * with its new sealed secret, if any, and the removal of the secret it replaces; every process re-reads the warehouse,
   * and its storage adapters, vendor and signer are built anew from the new record (storage/warehouse-storage.ts).
   */
  async setStorage(
    name: string,
    change: { profile: Record<string, unknown>; secretId: string | undefined; sealed?: string; retiredSecretId?: string | undefined },
  ): Promise<void> {
    await this.deps.store.transaction(async (repo) => {
      if (change.sealed !== undefined && change.secretId !== undefined) await repo.putSecret(change.secretId, change.sealed, this.deps.clock.now());
      await repo.setWarehouseStorage(name, change.profile, change.secretId);
      if (change.retiredSecretId !== undefined) await repo.deleteSecret(change.retiredSecretId);
    });
    this.forget(name);
  }

  /**
   * Replaces a federated warehouse's remote settings (checked and tested by the caller, warehouse-federation.ts), in
   * one transaction with the removal of the credential they no longer name; every process drops the warehouse and
   * its connection to the remote (remote-catalogs.ts keys connections by the settings and secret id).
   */
  async setFederation(name: string, federation: FederationSettings, retiredSecretId: string | undefined): Promise<void> {
    await this.deps.store.transaction(async (repo) => {
      await repo.setWarehouseFederation(name, federation);
      if (retiredSecretId !== undefined) await repo.deleteSecret(retiredSecretId);
    });
    this.forget(name);
  }

  /** Every warehouse, or only those of one tenant. */
  async list(tenant?: string): Promise<Warehouse[]> {
    const all = await this.deps.store.repository.listWarehouses();
    return tenant === undefined ? all : all.filter((w) => w.tenant === tenant);
  }

  /** Creates the warehouse (in the default tenant) unless one of that name exists; returns the stored one either way. */
  async ensure(name: string, storageRoot: string, properties: Record<string, string> = {}): Promise<{ warehouse: Warehouse; created: boolean }> {
    checkPlainName(name, 'warehouse name');
    const root = normalizeLocation(storageRoot);
    if (root.split('/').length < 4 && root.startsWith('file:')) throw validation('a file warehouse root must not be the filesystem root');
    const repo = this.deps.store.repository;
    const created = await repo.insertWarehouse({
      name,
      tenant: DEFAULT_TENANT,
      storageRoot: root,
      properties,
      createdAtMs: this.deps.clock.now(),
      storageProfile: { type: 'file' },
    });
    if (!created) {
      // Operator-managed properties (from configuration) follow the configuration on every start.
      const stored = await repo.getWarehouse(name);
      const merged = { ...stored?.properties, ...properties };
      if (JSON.stringify(merged) !== JSON.stringify(stored?.properties)) await repo.setWarehouseProperties(name, merged);
    }
    this.forget(name);
    return { warehouse: await this.lookup(name), created };
  }
}
