/**
 * Migration 0030: pending owner grants (catalog/ports/owner-grants.ts). With OpenFGA, a create records its creator's
 * owner grant here in its own transaction; the row is removed once the grant is in OpenFGA. One index serves the
 * recovery's scan by age.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const ownerGrantMigrations: Record<string, Migration> = {
  '0030_pending_owner_grants': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pending_owner_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('member_kind', 'text', (c) => c.notNull())
        .addColumn('member_issuer', 'text', (c) => c.notNull())
        .addColumn('member_name', 'text', (c) => c.notNull())
        .addColumn('securable_kind', 'text', (c) => c.notNull())
        .addColumn('securable_id', 'text', (c) => c.notNull())
        .addColumn('object', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pending_owner_grants_created_at').on('pending_owner_grants').column('created_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('pending_owner_grants').ifExists().execute();
    },
  },
};
