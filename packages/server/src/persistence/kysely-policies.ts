/**
 * Row-filter and column-mask policies (catalog/ports/policies.ts) in the catalog database (table table_policies,
 * migration 0024). Each change and its outbox events commit in one transaction, the events last; an update moves
 * the row only from the version it was read at.
 */
import type { Kysely } from 'kysely';
import type { Policy, PolicyStore, PolicyTable } from '../catalog/ports/policies.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import type { CatalogDatabase } from './schema.js';
import { appendOutboxEvents } from './kysely-outbox.js';
import { parseJson, stringifyJson } from '../catalog/json.js';

type PolicyTables = {
  table_policies: {
    id: string;
    tenant: string;
    warehouse: string;
    object_id: string;
    kind: string;
    roles: string;
    body: string;
    version: number | string | bigint;
    created_at: number | string | bigint;
    updated_at: number | string | bigint;
  };
};
type Db = Kysely<PolicyTables>;
type Row = PolicyTables['table_policies'];

/** What the row keeps as JSON: the kind's own fields (lossless: a filter's 64-bit literals stay exact). */
const bodyOf = (p: Policy): string =>
  stringifyJson({ filter: p.filter, fieldIds: p.fieldIds, filterTerms: p.filterTerms, masks: p.masks, lanceFields: p.lanceFields, description: p.description });

function toPolicy(r: Row): Policy {
  const body = parseJson(r.body) as Pick<Policy, 'filter' | 'fieldIds' | 'filterTerms' | 'masks' | 'lanceFields' | 'description'>;
  return {
    id: r.id,
    tenant: r.tenant,
    warehouse: r.warehouse,
    objectId: r.object_id,
    kind: r.kind as Policy['kind'],
    roles: JSON.parse(r.roles) as string[],
    ...(body.filter !== undefined ? { filter: body.filter } : {}),
    ...(body.fieldIds !== undefined ? { fieldIds: body.fieldIds } : {}),
    ...(body.filterTerms !== undefined ? { filterTerms: body.filterTerms } : {}),
    ...(body.masks !== undefined ? { masks: body.masks } : {}),
    ...(body.lanceFields !== undefined ? { lanceFields: body.lanceFields } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    version: Number(r.version),
    createdAtMs: Number(r.created_at),
    updatedAtMs: Number(r.updated_at),
  };
}

export class KyselyPolicies implements PolicyStore {
  private readonly db: Db;

  constructor(db: Kysely<CatalogDatabase>) {
    this.db = db as unknown as Db;
  }

  async get(tenant: string, id: string): Promise<Policy | undefined> {
    const row = await this.db.selectFrom('table_policies').selectAll().where('id', '=', id).where('tenant', '=', tenant).executeTakeFirst();
    return row && toPolicy(row);
  }

  async listForObject(tenant: string, objectId: string): Promise<Policy[]> {
    const rows = await this.db
      .selectFrom('table_policies')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('object_id', '=', objectId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toPolicy);
  }

  /** Keyset pages on the (tenant, object_id) index. */
  async listTables(limit: number, after?: Pick<PolicyTable, 'tenant' | 'objectId'>): Promise<PolicyTable[]> {
    let query = this.db.selectFrom('table_policies').select(['tenant', 'warehouse', 'object_id']).distinct();
    if (after !== undefined)
      query = query.where((eb) => eb.or([eb('tenant', '>', after.tenant), eb.and([eb('tenant', '=', after.tenant), eb('object_id', '>', after.objectId)])]));
    const rows = await query.orderBy('tenant').orderBy('object_id').limit(limit).execute();
    return rows.map((r) => ({ tenant: r.tenant, warehouse: r.warehouse, objectId: r.object_id }));
  }

  /** One read on the (tenant, object_id) index. */
  async withPolicies(tenant: string, objectIds: readonly string[]): Promise<Set<string>> {
    if (objectIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('table_policies')
      .select('object_id')
      .distinct()
      .where('tenant', '=', tenant)
      .where('object_id', 'in', [...objectIds])
      .execute();
    return new Set(rows.map((r) => r.object_id));
  }

  async insert(policy: Policy, events: readonly OutboxEventInput[] = []): Promise<void> {
    await this.inTransaction(async (db) => {
      await db
        .insertInto('table_policies')
        .values({
          id: policy.id,
          tenant: policy.tenant,
          warehouse: policy.warehouse,
          object_id: policy.objectId,
          kind: policy.kind,
          roles: JSON.stringify(policy.roles),
          body: bodyOf(policy),
          version: policy.version,
          created_at: policy.createdAtMs,
          updated_at: policy.updatedAtMs,
        })
        .execute();
      if (events.length > 0) await appendOutboxEvents(db as never, events);
      return true;
    });
  }

  update(policy: Policy, expectedVersion: number, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    return this.inTransaction(async (db) => {
      const result = await db
        .updateTable('table_policies')
        .set({ roles: JSON.stringify(policy.roles), body: bodyOf(policy), version: policy.version, updated_at: policy.updatedAtMs })
        .where('id', '=', policy.id)
        .where('tenant', '=', policy.tenant)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      if (events.length > 0) await appendOutboxEvents(db as never, events);
      return true;
    });
  }

  delete(tenant: string, id: string, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    return this.inTransaction(async (db) => {
      const result = await db.deleteFrom('table_policies').where('id', '=', id).where('tenant', '=', tenant).executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) return false;
      if (events.length > 0) await appendOutboxEvents(db as never, events);
      return true;
    });
  }

  /** A change and its events land together; false from `fn` writes no events (it returns before appending). */
  private inTransaction(fn: (db: Db) => Promise<boolean>): Promise<boolean> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute((trx) => fn(trx));
  }
}
