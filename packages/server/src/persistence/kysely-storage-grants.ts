/** Tenant storage grants in the catalog database (table tenant_storage_grants, migration 0014). */
import type { Kysely } from 'kysely';
import type { StorageGrantStore, TenantStorageGrant } from '../catalog/ports/storage-grants.js';
import type { CatalogDatabase } from './schema.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { appendOutboxEvents } from './kysely-outbox.js';

export class KyselyStorageGrants implements StorageGrantStore {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async get(tenant: string): Promise<TenantStorageGrant | undefined> {
    const row = await this.db.selectFrom('tenant_storage_grants').selectAll().where('tenant', '=', tenant).executeTakeFirst();
    return row && { tenant: row.tenant, roots: JSON.parse(row.roots) as string[], updatedAtMs: Number(row.updated_at) };
  }

  /** The grant and its tenant event (catalog/outbox/tenant-events.ts) in one transaction, the event last. */
  async put(grant: TenantStorageGrant, events: readonly OutboxEventInput[] = []): Promise<void> {
    const values = { tenant: grant.tenant, roots: JSON.stringify(grant.roots), updated_at: grant.updatedAtMs };
    const run = async (db: Kysely<CatalogDatabase>) => {
      await db
        .insertInto('tenant_storage_grants')
        .values(values)
        .onConflict((oc) => oc.column('tenant').doUpdateSet({ roots: values.roots, updated_at: values.updated_at }))
        .execute();
      if (events.length > 0) await appendOutboxEvents(db, events);
    };
    await (this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run));
  }
}
