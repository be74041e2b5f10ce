/**
 * Tenants: every warehouse and every service principal belongs to exactly
 * one, and a caller reaches only the warehouses of its own tenant. The
 * tenant "default" always exists and owns everything created before
 * tenants did, so existing databases and configurations keep working.
 * A warehouse of another tenant is refused exactly like one that does not
 * exist, so a caller cannot learn which names other tenants use.
 */
import { checkPlainName } from './identifiers.js';

export const DEFAULT_TENANT = 'default';

/** A tenant identifier follows the rules of every other name. */
export function checkTenant(tenant: unknown): string {
  return checkPlainName(tenant, 'tenant');
}
