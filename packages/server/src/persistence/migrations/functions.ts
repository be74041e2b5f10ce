/**
 * Migration 0029: functions (SQL UDFs, catalog/ports/functions.ts, apache/iceberg#15180), one row per function with
 * its metadata JSON; listed by (warehouse, namespace) in name order through the primary key.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const functionMigrations: Record<string, Migration> = {
  '0029_catalog_functions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('catalog_functions')
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('uuid', 'text', (c) => c.notNull())
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_functions_pk', ['warehouse', 'namespace', 'name'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('catalog_functions').ifExists().execute();
    },
  },
};
