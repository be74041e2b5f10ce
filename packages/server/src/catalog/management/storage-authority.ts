/**
 * Storage authority: who may point the catalog at what storage (docs/security.md).
 *
 * The platform (administrators of the default tenant by credential) owns the server's storage authority: its
 * filesystem, its ambient cloud credentials, the endpoints and roles the catalog sends credentials to, and extra
 * location roots. A warehouse runs every later request (writes, purges, credential vending) with the authority of
 * whoever configured it, so a tenant administrator may only configure what spends the tenant's own authority: a
 * cloud profile with the tenant's own secret, on the cloud's own endpoints, with no extra roots. Anything else is
 * refused with ERR_FORBIDDEN naming what only the platform may choose.
 *
 * Names: warehouse names are global (the Iceberg prefix), so a tenant administrator names its warehouses
 * `<tenant>-…`. A name outside that space is refused whether or not another tenant holds it, so the refusal
 * tells nothing about other tenants' warehouses.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { EXTRA_LOCATION_ROOTS } from '../location-policy.js';
import { isUnderRoot } from '../locations.js';

const forbidden = (message: string) => new CatalogError('ERR_FORBIDDEN', message);

/**
 * A tenant administrator's warehouse: refused (403) unless it uses only the tenant's own storage authority, inside the
 * storage the platform granted the tenant (`granted`, storage-grant-admin.ts). The grant check comes before any
 * check against other warehouses, so a tenant cannot probe where others keep data outside its grant.
 */
export function checkTenantWarehouse(
  tenant: string,
  name: string,
  root: string,
  granted: string[],
  checked: { platformOnly: string[] },
  properties: Record<string, string>,
): void {
  if (!name.startsWith(tenantWarehousePrefix(tenant))) {
    throw forbidden(`a tenant administrator names the tenant's warehouses ${tenantWarehousePrefix(tenant)}…; other names are chosen by the platform`);
  }
  const reasons = [...checked.platformOnly, ...(Object.hasOwn(properties, EXTRA_LOCATION_ROOTS) ? [`the property ${EXTRA_LOCATION_ROOTS}`] : [])];
  if (reasons.length > 0) throw forbidden(`only a platform administrator can configure a warehouse with ${reasons.join(', ')}`);
  if (!granted.some((g) => isUnderRoot(g, root))) {
    throw forbidden(
      granted.length === 0
        ? `the platform has granted tenant ${tenant} no storage for warehouses`
        : `storage-root ${root} is outside the storage the platform granted tenant ${tenant}`,
    );
  }
}

/** The names a tenant administrator may give its warehouses start with this. */
export function tenantWarehousePrefix(tenant: string): string {
  return `${tenant}-`;
}
