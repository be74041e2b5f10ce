/**
 * Migration 0014: the storage the platform granted each tenant (catalog/ports/storage-grants.ts). No row: nothing
 * granted, so a tenant administrator creates no warehouse until the platform grants it storage (issue 40).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const storageGrantMigrations: Record<string, Migration> = {
  '0014_tenant_storage_grants': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenant_storage_grants')
        .addColumn('tenant', 'text', (c) => c.primaryKey())
        .addColumn('roots', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('tenant_storage_grants').ifExists().execute();
    },
  },
  /**
   * Migration 0015: whether the catalog created a table at its location (catalog/kit/purge.ts deletes a location's prefix
   * only then, never a registered table's directory). Rows from before cannot tell: 0, the conservative answer (their
   * purge deregisters and keeps the files).
   */
  '0015_location_owned': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('catalog_objects')
        .addColumn('location_owned', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('catalog_objects').dropColumn('location_owned').execute();
    },
  },
};
