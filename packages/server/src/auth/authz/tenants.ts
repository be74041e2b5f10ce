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
