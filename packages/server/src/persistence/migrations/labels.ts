/**
 * Migration 0026: catalog-supplied labels of tables and views (catalog/ports/labels.ts, issue 58), by the object's
 * catalog id (a rename keeps them). The object's row query reads `labels` by a primary-key subquery
 * (kysely-repository.ts); the column names differ from catalog_objects' own all the same, so neither is ever ambiguous.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const labelMigrations: Record<string, Migration> = {
  '0028_object_labels': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('object_labels')
        .addColumn('object_id', 'text', (c) => c.primaryKey())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('labels_updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('object_labels').ifExists().execute();
    },
  },
};
