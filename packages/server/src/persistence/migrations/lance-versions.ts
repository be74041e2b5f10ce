/**
 * Migration 0016: the version history of catalog-managed Lance tables (catalog/ports/lance-versions.ts). One row
 * per version of a (table, branch), keyed by the table's catalog id so that a rename keeps its history and a table
 * created again under a dropped one's name starts its own; and one head per chain, the highest version reserved,
 * which a commit moves by compare-and-swap in the same transaction as it inserts the version's row.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const lanceVersionMigrations: Record<string, Migration> = {
  '0016_lance_table_versions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('lance_version_heads')
        .addColumn('table_id', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('lance_version_heads_pk', ['table_id', 'branch'])
        .execute();
      await db.schema
        .createTable('lance_table_versions')
        .addColumn('table_id', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('manifest_uri', 'text', (c) => c.notNull())
        .addColumn('manifest_size', 'bigint', (c) => c.notNull())
        .addColumn('e_tag', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lance_table_versions_pk', ['table_id', 'branch', 'version'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('lance_table_versions').ifExists().execute();
      await db.schema.dropTable('lance_version_heads').ifExists().execute();
    },
  },
};
