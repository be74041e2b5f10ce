/**
 * Warehouse administration: create, list, change settings and change the storage profile, with the tenant rules and the
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
import { recordStorageDenied } from './storage-denied.js';
import { checkRetentionProperty } from '../dropped/retention.js';
import { checkExpiryProperties } from '../maintenance/maintenance-service.js';
import { checkCompactionProperties, checkCompactionRange } from '../metadata/compaction-properties.js';
import { EXTRA_LOCATION_ROOTS } from '../location-policy.js';
import { CREATOR_OWNS_PROPERTY } from '../access/creator-ownership.js';
import { FederationInput, FederationSecretInput, checkFederation, federationView, testConnection } from '../federation/settings.js';
import type { RemoteCatalogs } from '../ports/remote-catalog.js';
import type { UpdateWarehouseFederationRequest, UpdateWarehouseStorageRequest } from '@lakegate/protocol';
import { type FederationFailuresPage, federationFailures } from './federation-failures.js';
import type { RemoteFailureStore } from '../ports/remote-failures.js';
import { type FederationStatusResult, federationStatus, updateFederation } from './warehouse-federation.js';

/** The settings a warehouse's properties hold, checked alike at creation and on every change. */
function checkSettings(properties: Record<string, string>, touched?: readonly string[]): void {
  checkRetentionProperty(properties);
  checkExpiryProperties(properties);
  checkCompactionProperties(properties);
  checkCompactionRange(properties, 'warehouse', touched);
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
  /** A warehouse's stored secret, opened in memory, so that a profile change keeping it is checked as at creation. */
  storedSecret(warehouse: Warehouse): Promise<unknown>;
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
    /** The remote failures every replica records (catalog/ports/remote-failures.ts), answered with the status. */
    private readonly failures?: RemoteFailureStore,
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
      throw new CatalogError(
        'ERR_VALIDATION',
        `Invalid warehouse: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
      );
    }
    const body = parsed.data;
    checkPlainName(body.name, 'warehouse name');
    checkSettings(body.properties);
    const root = normalizeLocation(body['storage-root']);
    const checked = this.profiles.check({ root, profile: body['storage-profile'], secret: body['storage-secret'] });
    if (body['federation-secret'] !== undefined && body.federation === undefined)
      throw new CatalogError('ERR_VALIDATION', 'federation-secret needs federation');
    const federation = body.federation === undefined ? undefined : checkFederation(body.federation, body['federation-secret']);
    // authorize
    const tenant = await this.access.managedTenant(caller, body.tenant);
    await this.access.requireAdmin(caller, tenant, 'creating a warehouse');
    if (federation && !this.access.isPlatformAdmin(caller)) {
      const reason = 'only a platform administrator can create a federated warehouse';
      await recordStorageDenied(this.audit, caller, 'warehouse:create', { tenant, name: body.name }, reason);
      throw new CatalogError('ERR_FORBIDDEN', reason);
    }
    await this.checkAuthority(caller, 'warehouse:create', { tenant, name: body.name, root, properties: body.properties }, checked);
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
    const created = await this.warehouses.create({
      name: body.name,
      tenant,
      storageRoot: root,
      properties: body.properties,
      storageProfile: checked.profile,
      secretId,
      federation: stored,
    });
    return warehouseView(created);
  }

  /**
   * Storage authority is the platform's (storage-authority.ts): a tenant administrator's warehouse runs on the tenant's
   * own secret only, inside the storage granted to the tenant. The same rule at creation and on a profile change.
   */
  private async checkAuthority(
    caller: Caller,
    action: string,
    w: { tenant: string; name: string; root: string; properties: Record<string, string> },
    checked: { platformOnly: string[] },
  ): Promise<void> {
    if (this.access.isPlatformAdmin(caller)) return;
    try {
      checkTenantWarehouse(w.tenant, w.name, w.root, await this.grantedRoots(w.tenant), checked, w.properties);
    } catch (e) {
      // The reason names only what the caller sent (never the secret): it is what the caller is told.
      await recordStorageDenied(this.audit, caller, action, w, (e as Error).message);
      throw e;
    }
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
    checkSettings(properties, [...Object.keys(updates), ...removals]);
    if (!this.access.isPlatformAdmin(caller) && (Object.hasOwn(updates, EXTRA_LOCATION_ROOTS) || removals.includes(EXTRA_LOCATION_ROOTS))) {
      const reason = `only a platform administrator can configure a warehouse with the property ${EXTRA_LOCATION_ROOTS}`;
      await recordStorageDenied(this.audit, caller, 'warehouse:update', { tenant: warehouse.tenant, name }, reason);
      throw new CatalogError('ERR_FORBIDDEN', reason);
    }
    // execute
    await this.warehouses.setProperties(name, properties);
    await this.audit.record(caller, {
      type: 'warehouse.updated',
      decision: 'allow',
      action: 'warehouse:update',
      object: name,
      detail: { tenant: warehouse.tenant, warehouse: name, updated: Object.keys(updates), removed: removals },
    });
    return warehouseView(await this.warehouses.lookup(name));
  }

  /**
   * Replaces a warehouse's storage profile, and its secret when a new one is given, through creation's checks: the
   * same StorageProfiles.check against the warehouse's root (unknown fields named, null refused, the root must lie in
   * the storage the profile reaches, a secret that fits the profile) and the same storage authority for a tenant
   * administrator. A kept secret is checked against the new profile as if it were sent again.
   *
   * Why the type, and the storage the root lies in, cannot change: the warehouse's tables (their metadata and data
   * files, and dropped tables kept for undrop) live under its root in the storage the profile reaches. Another type,
   * bucket, account or container would strand every one of them, and purges and maintenance would look for their
   * files where they are not. Moving storage is making a new warehouse. What may change is how the same storage is
   * reached: endpoint, region, credentials, role, STS, delegation, signing and lifetimes. Audited as
   * `warehouse.storage.updated` with the names of the fields that changed (never a value: a profile holds no secret,
   * but the audit need not repeat endpoints either) and whether the secret was replaced.
   */
  async updateStorage(caller: Caller, name: string, input: UpdateWarehouseStorageRequest): Promise<WarehouseView> {
    // validate: the request's shape is checked against the protocol's UpdateWarehouseStorageRequest at the route
    // authorize: a warehouse of another tenant is answered as a missing one, as for its properties
    const warehouse = this.access.isPlatformAdmin(caller) ? await this.warehouses.lookup(name) : await this.warehouses.require(caller, name);
    await this.access.requireAdmin(caller, warehouse.tenant, "changing a warehouse's storage");
    // validate against the warehouse (its type, its root, its secret), as at creation
    const type = input['storage-profile'].type;
    const storedType = String(warehouse.storageProfile.type);
    if (typeof type === 'string' && type !== storedType) {
      throw new CatalogError(
        'ERR_VALIDATION',
        `storage-profile.type cannot change (${storedType} to ${JSON.stringify(type.slice(0, 20))}): the warehouse's tables live in its ${storedType} storage; create a new warehouse for other storage`,
      );
    }
    const fresh = input['storage-secret'];
    const remove = input['remove-storage-secret'] === true;
    if (remove && fresh !== undefined)
      throw new CatalogError('ERR_VALIDATION', 'storage-secret and remove-storage-secret: send one of them (a new secret replaces the stored one by itself)');
    const secret = remove ? undefined : (fresh ?? (warehouse.secretId === undefined ? undefined : await this.profiles.storedSecret(warehouse)));
    const checked = this.profiles.check({ root: warehouse.storageRoot, profile: input['storage-profile'], secret });
    // authorize: storage authority, as at creation. A kept secret is the warehouse's: when its profile needed the
    // platform's authority (an endpoint, a role), that secret may be the platform's, and a tenant administrator taking
    // those away would send it elsewhere; it sends its own instead.
    const platformSecret =
      fresh === undefined &&
      !remove &&
      !this.access.isPlatformAdmin(caller) &&
      this.profiles.check({ root: warehouse.storageRoot, profile: warehouse.storageProfile, secret }).platformOnly.length > 0;
    const reasons = [
      ...checked.platformOnly,
      ...(platformSecret ? ['the stored storage-secret of a warehouse the platform configured (send a storage-secret of your own)'] : []),
    ];
    await this.checkAuthority(
      caller,
      'warehouse:update',
      { tenant: warehouse.tenant, name, root: warehouse.storageRoot, properties: warehouse.properties },
      { platformOnly: reasons },
    );
    // execute
    // A new secret gets a new id (the storage adapters are rebuilt when the id changes); the one it replaces is deleted.
    const replaced = fresh !== undefined && checked.seal !== undefined ? this.newId() : undefined;
    // A removed secret is deleted with the profile's change, in its transaction.
    await this.warehouses.setStorage(name, {
      profile: checked.profile,
      secretId: remove ? undefined : (replaced ?? warehouse.secretId),
      ...(remove
        ? { retiredSecretId: warehouse.secretId }
        : replaced === undefined || !checked.seal
          ? {}
          : { sealed: checked.seal(replaced), retiredSecretId: warehouse.secretId }),
    });
    const changed = [...new Set([...Object.keys(warehouse.storageProfile), ...Object.keys(checked.profile)])]
      .filter((k) => JSON.stringify(warehouse.storageProfile[k]) !== JSON.stringify(checked.profile[k]))
      .sort();
    await this.audit.record(caller, {
      type: 'warehouse.storage.updated',
      decision: 'allow',
      action: 'warehouse:update',
      object: name,
      detail: {
        tenant: warehouse.tenant,
        warehouse: name,
        type: storedType,
        changed,
        'secret-replaced': fresh !== undefined,
        'secret-removed': remove && warehouse.secretId !== undefined,
      },
    });
    return warehouseView(await this.warehouses.lookup(name));
  }

  /** Rotates a federated warehouse's remote credential or changes its connection settings (warehouse-federation.ts). */
  async updateFederation(caller: Caller, name: string, input: UpdateWarehouseFederationRequest): Promise<WarehouseView> {
    const { warehouses, access, audit, remotes } = this;
    return warehouseView(await updateFederation({ warehouses, access, audit, remotes }, caller, name, input));
  }

  /** Runs a federated warehouse's connection test with what is stored and answers its outcome (warehouse-federation.ts). */
  async federationStatus(caller: Caller, name: string): Promise<FederationStatusResult> {
    const { warehouses, access, audit, remotes, failures } = this;
    return federationStatus({ warehouses, access, audit, remotes, failures }, caller, name);
  }

  /** A page of a federated warehouse's remote failure history, newest first (federation-failures.ts). */
  async federationFailures(caller: Caller, name: string, pageToken: unknown, pageSize: unknown): Promise<FederationFailuresPage> {
    const { warehouses, access, failures } = this;
    return federationFailures({ warehouses, access, failures }, caller, name, pageToken, pageSize);
  }
}
