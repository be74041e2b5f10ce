/**
 * Warehouse administration: create, list and change settings, with the tenant rules and the
 * audit trail inside the service. The storage profile and its secret are
 * checked and the secret sealed by the storage adapter behind the
 * StorageProfiles port; the secret is stored apart, never returned.
 * Who may choose what storage (platform versus tenant administrators) is
 * decided in storage-authority.ts.
 */
import { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import type { AccessAdmin } from './access-admin.js';
import { checkPlainName } from '../identifiers.js';
import { normalizeLocation } from '../locations.js';
import type { AccessAudit, Caller, Warehouse } from '../ports/index.js';
import type { WarehouseService } from './warehouses.js';
import { checkTenantWarehouse } from './storage-authority.js';
import { checkRetentionProperty } from '../dropped/retention.js';
import { checkExpiryProperties } from '../maintenance/maintenance-service.js';
import { checkCompactionProperties } from '../metadata/compaction-properties.js';
import { EXTRA_LOCATION_ROOTS } from '../location-policy.js';
import { CREATOR_OWNS_PROPERTY } from '../access/creator-ownership.js';
import { FederationInput, FederationSecretInput, checkFederation, federationView, testConnection } from '../federation/settings.js';
import type { RemoteCatalogs } from '../ports/remote-catalog.js';

/** The settings a warehouse's properties hold, checked alike at creation and on every change. */
function checkSettings(properties: Record<string, string>): void {
  checkRetentionProperty(properties);
  checkExpiryProperties(properties);
  checkCompactionProperties(properties);
  const owns = properties[CREATOR_OWNS_PROPERTY];
  if (owns !== undefined && owns !== 'true' && owns !== 'false') throw new CatalogError('ERR_VALIDATION', `${CREATOR_OWNS_PROPERTY} must be "true" or "false"`);
}

/** The storage side of creating a warehouse (storage/profile-admin.ts). */
export interface StorageProfiles {
  /**
   * Validates a storage profile and its secret against the warehouse root
   * (ERR_VALIDATION naming the problem, never echoing the secret). Returns
   * the profile to store, whether it is the server's own filesystem, and a
   * sealer for the secret when there is one.
   */
  check(input: { root: string; profile: unknown; secret: unknown }): {
    profile: Record<string, unknown>;
    local: boolean;
    /** What in the profile only the platform may choose (the local filesystem, ambient credentials, endpoints, roles), as reasons. */
    platformOnly: string[];
    seal?: (secretId: string) => string;
  };
}

const CreateWarehouse = z.object({
  name: z.string(),
  /** Default: the caller's own tenant. */
  tenant: z.string().optional(),
  'storage-root': z.string(),
  'storage-profile': z.unknown(),
  /** The secret part of the profile: stored encrypted, never returned. */
  'storage-secret': z.unknown().optional(),
  properties: z.record(z.string(), z.string()).default({}),
  /** A federated warehouse's remote catalog (docs/federation.md): a platform administrator's choice only. */
  federation: FederationInput.optional(),
  'federation-secret': FederationSecretInput.optional(),
});

/** What the API shows of a warehouse: never the secret, only whether one is set. */
export interface WarehouseView {
  name: string;
  tenant: string;
  'storage-root': string;
  'storage-profile': Record<string, unknown>;
  'has-storage-secret': boolean;
  properties: Record<string, string>;
  federation?: ReturnType<typeof federationView>;
}

export const warehouseView = (w: Warehouse): WarehouseView => ({
  ...(w.federation === undefined ? {} : { federation: federationView(w.federation) }),
  name: w.name,
  tenant: w.tenant,
  'storage-root': w.storageRoot,
  'storage-profile': w.storageProfile,
  'has-storage-secret': w.secretId !== undefined,
  properties: w.properties,
});

export class WarehouseAdmin {
  constructor(
    private readonly warehouses: WarehouseService,
    private readonly access: AccessAdmin,
    private readonly profiles: StorageProfiles,
    private readonly newId: () => string,
    /** The roots the platform granted a tenant (storage-grant-admin.ts). */
    private readonly grantedRoots: (tenant: string) => Promise<string[]>,
    /** Where refusals on storage authority are recorded (the audit trail). */
    private readonly audit: AccessAudit,
    /** The remote catalogs of federated warehouses (catalog/federation/); none: federation is refused. */
    private readonly remotes?: RemoteCatalogs,
  ) {}

  async list(caller: Caller): Promise<WarehouseView[]> {
    await this.access.requireAdmin(caller, caller.tenant, 'listing warehouses');
    return (await this.warehouses.list(this.access.isPlatformAdmin(caller) ? undefined : caller.tenant)).map(warehouseView);
  }

  async create(caller: Caller, input: unknown): Promise<WarehouseView> {
    // validate
    const parsed = CreateWarehouse.safeParse(input);
    if (!parsed.success) {
      // Issue paths and messages only: zod's input echo could contain the secret.
      throw new CatalogError('ERR_VALIDATION', `Invalid warehouse: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
    }
    const body = parsed.data;
    checkPlainName(body.name, 'warehouse name');
    checkSettings(body.properties);
    const root = normalizeLocation(body['storage-root']);
    const checked = this.profiles.check({ root, profile: body['storage-profile'], secret: body['storage-secret'] });
    if (body['federation-secret'] !== undefined && body.federation === undefined) throw new CatalogError('ERR_VALIDATION', 'federation-secret needs federation');
    const federation = body.federation === undefined ? undefined : checkFederation(body.federation, body['federation-secret']);
    // authorize
    const tenant = await this.access.managedTenant(caller, body.tenant);
    await this.access.requireAdmin(caller, tenant, 'creating a warehouse');
    if (federation && !this.access.isPlatformAdmin(caller)) {
      const reason = 'only a platform administrator can create a federated warehouse';
      await this.audit.record(caller, { type: 'warehouse.storage.denied', decision: 'deny', action: 'warehouse:create', object: body.name, detail: { tenant, warehouse: body.name, reason } });
      throw new CatalogError('ERR_FORBIDDEN', reason);
    }
    // Storage authority is the platform's (storage-authority.ts): a tenant administrator's warehouse runs on the tenant's own secret only.
    if (!this.access.isPlatformAdmin(caller)) {
      try {
        checkTenantWarehouse(tenant, body.name, root, await this.grantedRoots(tenant), checked, body.properties);
      } catch (e) {
        // The reason names only what the caller sent (never the secret): it is what the caller is told.
        await this.audit.record(caller, { type: 'warehouse.storage.denied', decision: 'deny', action: 'warehouse:create', object: body.name, detail: { tenant, warehouse: body.name, reason: (e as Error).message } });
        throw e;
      }
    }
    // execute
    let stored: Warehouse['federation'];
    if (federation) {
      if (!this.remotes) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'This server has no federation');
      await testConnection(this.remotes, federation.settings, federation.credential);
      stored = { ...federation.settings, secretId: federation.credential === undefined ? undefined : await this.remotes.seal(federation.credential) };
    }
    let secretId: string | undefined;
    if (checked.seal) {
      secretId = this.newId();
      await this.warehouses.putSecret(secretId, checked.seal(secretId));
    }
    const created = await this.warehouses.create({ name: body.name, tenant, storageRoot: root, properties: body.properties, storageProfile: checked.profile, secretId, federation: stored });
    return warehouseView(created);
  }

  /**
   * Changes a warehouse's properties (its settings: drop.retention-ms, maintenance.interval-ms, history.expire.*),
   * checked as at creation; the storage profile and root are not changed here. Audited as `warehouse.updated` with
   * the keys set and removed.
   */
  async updateProperties(caller: Caller, name: string, input: { updates?: Record<string, string>; removals?: string[] }): Promise<WarehouseView> {
    // validate
    const updates = input.updates ?? {};
    const removals = input.removals ?? [];
    const both = removals.find((k) => Object.hasOwn(updates, k));
    if (both !== undefined) throw new CatalogError('ERR_VALIDATION', `property ${JSON.stringify(both.slice(0, 100))} is both set and removed`);
    // authorize: a warehouse of another tenant is answered as a missing one (warehouses.ts), unless the caller administers the platform
    const warehouse = this.access.isPlatformAdmin(caller) ? await this.warehouses.lookup(name) : await this.warehouses.require(caller, name);
    await this.access.requireAdmin(caller, warehouse.tenant, 'changing a warehouse');
    const properties = { ...warehouse.properties, ...updates };
    for (const key of removals) delete properties[key];
    checkSettings(properties);
    if (!this.access.isPlatformAdmin(caller) && (Object.hasOwn(updates, EXTRA_LOCATION_ROOTS) || removals.includes(EXTRA_LOCATION_ROOTS))) {
      const reason = `only a platform administrator can configure a warehouse with the property ${EXTRA_LOCATION_ROOTS}`;
      await this.audit.record(caller, { type: 'warehouse.storage.denied', decision: 'deny', action: 'warehouse:update', object: name, detail: { tenant: warehouse.tenant, warehouse: name, reason } });
      throw new CatalogError('ERR_FORBIDDEN', reason);
    }
    // execute
    await this.warehouses.setProperties(name, properties);
    await this.audit.record(caller, { type: 'warehouse.updated', decision: 'allow', action: 'warehouse:update', object: name, detail: { tenant: warehouse.tenant, warehouse: name, updated: Object.keys(updates), removed: removals } });
    return warehouseView(await this.warehouses.lookup(name));
  }
}
