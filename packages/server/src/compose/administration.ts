/**
 * The administration services above the catalog (app.ts's authorization step): role, grant and policy
 * administration (AccessAdmin, over the access ports), storage grants, and who is an administrator.
 */
import type { CatalogDeps } from '../catalog/context.js';
import type { Clock } from '../catalog/ports/index.js';
import type { CatalogServices } from '../catalog/services.js';
import { AccessAdmin } from '../catalog/management/access-admin.js';
import { StorageGrantAdmin } from '../catalog/management/storage-grant-admin.js';
import { ASSERTED_ISSUER, type Actor } from '../auth/actor.js';
import type { ExternalIssuers } from '../auth/idp/external-issuers.js';
import { ADMIN_ROLE, type PrincipalService } from '../auth/issuer/principals.js';
import { callerOfActor } from '../http/caller.js';
import type { LakegateStore } from '../store.js';
import type { ComposedAccess } from './access.js';

export interface ComposedAdministration {
  accessAdmin: AccessAdmin;
  storageGrants: StorageGrantAdmin;
  isAdmin: (actor: Actor) => Promise<boolean>;
}

export function createAdministration(c: {
  store: LakegateStore;
  deps: CatalogDeps;
  services: CatalogServices;
  accessPorts: ComposedAccess;
  principals: PrincipalService;
  external: ExternalIssuers;
  clock: Clock;
}): ComposedAdministration {
  const { store, deps, services, accessPorts, principals, external, clock } = c;
  const isAdmin = (actor: Actor) => services.access.isAdmin(callerOfActor(actor));
  const accessAdmin = new AccessAdmin({
    access: services.access,
    control: accessPorts.control,
    authorizer: accessPorts.authorizer,
    warehouses: services.warehouses,
    repository: () => store.repository,
    clock,
    policies: {
      policiesOn: (tenant, objectId) => store.policies.listForObject(tenant, objectId),
      rolesOf: (tenant, members) => accessPorts.control.rolesOf(tenant, members),
    },
    identities: {
      principal: async (clientId) => {
        const p = await principals.get(clientId);
        return p && { tenant: p.tenant, admin: p.roles.includes(ADMIN_ROLE) };
      },
      issuerServes: (issuerUrl, tenant) => issuerUrl === ASSERTED_ISSUER || external.tenantOf(issuerUrl) === tenant,
    },
  });
  const storageGrants = new StorageGrantAdmin(store.storageGrants, accessAdmin, deps.audit, clock);
  return { accessAdmin, storageGrants, isAdmin };
}
