/**
 * Which tenants an administrator manages. An admin of the default tenant
 * (the bootstrap admin is one) is a platform admin and manages every
 * tenant; an admin of any other tenant manages only its own. Anonymous
 * callers exist only with authentication disabled (development), where
 * the management API is open.
 */
import { DEFAULT_TENANT } from '../../catalog/tenants.js';
import type { Actor } from '../actor.js';
import { ADMIN_ROLE } from '../issuer/principals.js';

export function isPlatformAdmin(actor: Actor): boolean {
  return actor.tenant === DEFAULT_TENANT && (actor.kind === 'anonymous' || actor.roles.includes(ADMIN_ROLE));
}

/** undefined: every tenant; otherwise the one tenant the actor may manage. */
export function managedTenant(actor: Actor): string | undefined {
  return isPlatformAdmin(actor) ? undefined : actor.tenant;
}

export function mayManage(actor: Actor, tenant: string): boolean {
  const managed = managedTenant(actor);
  return managed === undefined || managed === tenant;
}

/** A service principal of the default tenant that is an administrator by credential: a platform administrator. */
export function isPlatformAdminPrincipal(principal: { tenant: string; roles: readonly string[] }): boolean {
  return principal.tenant === DEFAULT_TENANT && principal.roles.includes(ADMIN_ROLE);
}

/**
 * Whether the actor may create or manage (secret, keys, delegation, tokens, disabling) a principal of that
 * tenant with those roles: one of a tenant it manages, and a platform administrator only if it is one itself.
 * Otherwise an administrator of the default tenant by role membership, who manages that tenant only, could
 * mint (or take over the credential of) a platform administrator and so manage every tenant.
 */
export function mayManagePrincipal(actor: Actor, principal: { tenant: string; roles: readonly string[] }): boolean {
  return mayManage(actor, principal.tenant) && (!isPlatformAdminPrincipal(principal) || isPlatformAdmin(actor));
}
