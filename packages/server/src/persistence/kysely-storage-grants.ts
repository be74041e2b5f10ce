/** Tenant storage grants in the catalog database (table tenant_storage_grants, migration 0014). */
import type { Kysely } from 'kysely';
import type { StorageGrantStore, TenantStorageGrant } from '../catalog/storage-grants/ports.js';
import type { CatalogDatabase } from './schema.js';

export class KyselyStorageGrants implements StorageGrantStore {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async get(tenant: string): Promise<TenantStorageGrant | undefined> {
    const row = await this.db.selectFrom('tenant_storage_grants').selectAll().where('tenant', '=', tenant).executeTakeFirst();
    return row && { tenant: row.tenant, roots: JSON.parse(row.roots) as string[], updatedAtMs: Number(row.updated_at) };
  }

  async put(grant: TenantStorageGrant): Promise<void> {
    const values = { tenant: grant.tenant, roots: JSON.stringify(grant.roots), updated_at: grant.updatedAtMs };
    await this.db
      .insertInto('tenant_storage_grants')
      .values(values)
      .onConflict((oc) => oc.column('tenant').doUpdateSet({ roots: values.roots, updated_at: values.updated_at }))
      .execute();
  }
}
