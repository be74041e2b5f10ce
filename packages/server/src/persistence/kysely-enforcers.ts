/**
 * Trusted policy enforcers (catalog/ports/enforcers.ts) in the catalog database (table policy_enforcers,
 * migration 0026). A change and its outbox events commit in one transaction, the events last.
 */
import type { Kysely } from 'kysely';
import type { EnforcerStore, PolicyEnforcer } from '../catalog/ports/enforcers.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import type { CatalogDatabase } from './schema.js';
import { appendOutboxEvents } from './kysely-outbox.js';

type EnforcerTables = {
  policy_enforcers: {
    tenant: string;
    warehouse: string;
    client_id: string;
    mechanism: string;
    trino_catalog: string | null;
    created_by: string;
    created_at: number | string | bigint;
  };
};
type Db = Kysely<EnforcerTables>;
type Row = EnforcerTables['policy_enforcers'];

const toEnforcer = (r: Row): PolicyEnforcer => ({
  tenant: r.tenant,
  warehouse: r.warehouse,
  clientId: r.client_id,
  mechanism: r.mechanism as PolicyEnforcer['mechanism'],
  ...(r.trino_catalog !== null ? { trinoCatalog: r.trino_catalog } : {}),
  createdBy: r.created_by,
  createdAtMs: Number(r.created_at),
});

export class KyselyEnforcers implements EnforcerStore {
  private readonly db: Db;

  constructor(db: Kysely<CatalogDatabase>) {
    this.db = db as unknown as Db;
  }

  async list(tenant: string, warehouse: string): Promise<PolicyEnforcer[]> {
    const rows = await this.db
      .selectFrom('policy_enforcers')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('warehouse', '=', warehouse)
      .orderBy('client_id')
      .execute();
    return rows.map(toEnforcer);
  }

  async listForPrincipal(tenant: string, clientId: string): Promise<PolicyEnforcer[]> {
    const rows = await this.db
      .selectFrom('policy_enforcers')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('client_id', '=', clientId)
      .orderBy('warehouse')
      .execute();
    return rows.map(toEnforcer);
  }

  async put(e: PolicyEnforcer, events: readonly OutboxEventInput[] = []): Promise<void> {
    const values: Row = {
      tenant: e.tenant,
      warehouse: e.warehouse,
      client_id: e.clientId,
      mechanism: e.mechanism,
      trino_catalog: e.trinoCatalog ?? null,
      created_by: e.createdBy,
      created_at: e.createdAtMs,
    };
    await this.write(async (db) => {
      await db
        .insertInto('policy_enforcers')
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(['tenant', 'warehouse', 'client_id'])
            .doUpdateSet({ mechanism: values.mechanism, trino_catalog: values.trino_catalog, created_by: values.created_by, created_at: values.created_at }),
        )
        .execute();
      if (events.length > 0) await appendOutboxEvents(db as never, events);
    });
  }

  async remove(tenant: string, warehouse: string, clientId: string, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    return this.write(async (db) => {
      const r = await db
        .deleteFrom('policy_enforcers')
        .where('tenant', '=', tenant)
        .where('warehouse', '=', warehouse)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      const removed = Number(r.numDeletedRows) > 0;
      if (removed && events.length > 0) await appendOutboxEvents(db as never, events);
      return removed;
    });
  }

  private write<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }
}
