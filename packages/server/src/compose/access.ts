/** Picks the authorization adapter from configuration: the built-in one (roles and grants in the catalog database) or OpenFGA. */
import type { AccessPorts } from '../catalog/services.js';
import type { CatalogStore, Clock } from '../catalog/ports.js';
import type { LakegateConfig } from '../config/config.js';
import { RbacAuthorizer } from '../auth/authz/rbac/rbac-authorizer.js';

export interface ComposedAccess extends AccessPorts {
  close?: () => Promise<void>;
}

export async function createAccessPorts(config: LakegateConfig, store: CatalogStore, clock: Clock): Promise<ComposedAccess> {
  const cacheTtlMs = config.authzCacheSeconds * 1000;
  if (config.authorizer === 'openfga') {
    const { OpenFgaAccess } = await import('../auth/authz/openfga/openfga-access.js');
    // Role definitions stay in the catalog database; assignments and grants live in OpenFGA (see openfga-access.ts).
    const fga = await OpenFgaAccess.connect({ url: config.openfgaUrl, storeId: config.openfgaStoreId, token: config.openfgaToken, roles: store.access, maxBatchCheck: config.openfgaBatchCheckSize });
    return { authorizer: fga, control: fga, cacheTtlMs };
  }
  // The built-in authorizer caches role memberships and the access service caches the decisions made from them:
  // the two stack (a decision made from a cached membership may outlive it), so each gets half of the bound
  // within which a change made through another replica must be seen here.
  const rolesTtlMs = Math.floor(cacheTtlMs / 2);
  return { authorizer: new RbacAuthorizer(store.access, rolesTtlMs, () => clock.now()), control: store.access, cacheTtlMs: cacheTtlMs - rolesTtlMs };
}
