/**
 * Migration 0024: row-filter and column-mask policies (catalog/ports/policies.ts, issue 53). Keyed by id, found by
 * (tenant, table's catalog id): a rename keeps a table's policies. The expression is JSON text; `version` is raised
 * on every update, which compares it first (compare-and-swap).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const policyMigrations: Record<string, Migration> = {
  '0024_table_policies': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('table_policies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('table_policies_object').on('table_policies').columns(['tenant', 'object_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('table_policies').ifExists().execute();
    },
  },
  /**
   * Migration 0026: trusted policy enforcers (catalog/ports/enforcers.ts, issue 54): the principals a tenant
   * administrator declared able to enforce a warehouse's policies themselves, one row per (tenant, warehouse, principal).
   */
  '0026_policy_enforcers': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('policy_enforcers')
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('mechanism', 'text', (c) => c.notNull())
        .addColumn('trino_catalog', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('policy_enforcers_pk', ['tenant', 'warehouse', 'client_id'])
        .execute();
      await db.schema.createIndex('policy_enforcers_principal').on('policy_enforcers').columns(['tenant', 'client_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('policy_enforcers').ifExists().execute();
    },
  },
};
