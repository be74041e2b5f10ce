/**
 * Tenant storage grants through the management API: a platform administrator sets which storage (bucket,
 * container or prefix roots) a tenant's administrators may create warehouses in; a tenant's administrator reads its
 * own. validate → authorize → execute, every decision audited. See storage-authority.ts for how a grant is used.
 */
import { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import type { AccessAdmin } from './access-admin.js';
import { storageOf } from '../location-policy.js';
import { normalizeLocation } from '../locations.js';
import type { AccessAudit, Caller, Clock } from '../ports/index.js';
import type { StorageGrantStore } from '../ports/storage-grants.js';
import { STORAGE_KIND_FACTS } from '../ports/storage-kinds.js';
import { checkTenant } from '../tenants.js';
import { callerOf, tenantEvent } from '../outbox/tenant-events.js';
import { randomUUID } from 'node:crypto';

const SetGrant = z.object({ tenant: z.string().optional(), roots: z.array(z.string()).max(100) });

/** Cloud storage only: the server's filesystem is never granted to a tenant (ports/storage-kinds.ts grantScheme). */
const GRANT_SCHEMES = STORAGE_KIND_FACTS.flatMap((kind) => (kind.grantScheme ? [`${kind.grantScheme}://`] : []));
const CLOUD = new RegExp(`^(${GRANT_SCHEMES.map((s) => s.slice(0, -3)).join('|')}):\\/\\/[^/]+`);
/** How a refusal names them, in the registry's order: "an s3://, abfss:// or gs:// location". */
const CLOUD_NAMES = `${GRANT_SCHEMES.slice(0, -1).join(', ')} or ${GRANT_SCHEMES.at(-1)}`;

export interface TenantStorageGrantView {
  tenant: string;
  roots: string[];
}

export class StorageGrantAdmin {
  constructor(
    private readonly grants: StorageGrantStore,
    private readonly access: AccessAdmin,
    private readonly audit: AccessAudit,
    private readonly clock: Clock,
  ) {}

  async get(caller: Caller, tenantInput: string): Promise<TenantStorageGrantView> {
    // validate
    const tenant = checkTenant(tenantInput);
    // authorize
    await this.access.managedTenant(caller, tenant);
    await this.access.requireAdmin(caller, tenant, "reading the tenant's storage grant");
    // execute
    return { tenant, roots: (await this.grants.get(tenant))?.roots ?? [] };
  }

  async set(caller: Caller, tenantInput: string, input: unknown): Promise<TenantStorageGrantView> {
    // validate
    const tenant = checkTenant(tenantInput);
    const parsed = SetGrant.safeParse(input);
    if (!parsed.success)
      throw new CatalogError(
        'ERR_VALIDATION',
        `Invalid storage grant: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
      );
    if (parsed.data.tenant !== undefined && parsed.data.tenant !== tenant)
      throw new CatalogError('ERR_VALIDATION', 'tenant in the body must be the tenant of the path');
    const roots = [...new Set(parsed.data.roots.map((root) => normalizeLocation(root)))];
    for (const root of roots) {
      if (!CLOUD.test(root)) throw new CatalogError('ERR_VALIDATION', `storage grant root ${root} must be an ${CLOUD_NAMES} location`);
      storageOf(root);
    }
    // authorize: storage authority is the platform's
    if (!this.access.isPlatformAdmin(caller)) {
      await this.audit.record(caller, { type: 'storage-grant.denied', decision: 'deny', action: 'storage-grant:set', object: tenant, detail: { tenant } });
      throw new CatalogError('ERR_FORBIDDEN', 'only a platform administrator grants a tenant storage');
    }
    // execute
    const event = tenantEvent({ newUuid: randomUUID, clock: this.clock }, tenant, callerOf(caller), {
      kind: 'tenant.storage-grant-set',
      subject: `tenant/${tenant}`,
      data: { roots },
    });
    await this.grants.put({ tenant, roots, updatedAtMs: this.clock.now() }, [event]);
    await this.audit.record(caller, { type: 'storage-grant.set', decision: 'allow', action: 'storage-grant:set', object: tenant, detail: { tenant, roots } });
    return { tenant, roots };
  }

  /** The roots granted to a tenant ([] when none). */
  async rootsOf(tenant: string): Promise<string[]> {
    return (await this.grants.get(tenant))?.roots ?? [];
  }
}
