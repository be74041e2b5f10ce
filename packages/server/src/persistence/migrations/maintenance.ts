/**
 * Migration 0018: soft deletion (catalog/ports/maintenance.ts). A dropped table, view or Lance table moves, whole,
 * from catalog_objects to dropped_objects (same columns, plus when and by whom it was dropped, when its retention
 * ends and whether its files go then), keyed by its catalog id: a name can be taken again at once, and any number of
 * dropped objects may once have had it.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const maintenanceMigrations: Record<string, Migration> = {
  '0018_dropped_objects': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dropped_objects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('uuid', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('metadata_location', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('location_owned', 'integer', (c) => c.notNull())
        .addColumn('dropped_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('purge', 'integer', (c) => c.notNull())
        .addColumn('dropped_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dropped_objects_warehouse_idx').on('dropped_objects').columns(['warehouse', 'dropped_at', 'id']).execute();
      await db.schema.createIndex('dropped_objects_expiry_idx').on('dropped_objects').columns(['expires_at']).execute();
      // Scheduled maintenance: one lease per table's job (catalog/ports/maintenance.ts MaintenanceLeases).
      await db.schema
        .createTable('maintenance_leases')
        .addColumn('table_id', 'text', (c) => c.primaryKey())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_run_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('maintenance_leases').ifExists().execute();
      await db.schema.dropTable('dropped_objects').ifExists().execute();
    },
  },
  /** Migration 0020: a maintenance job's state and progress live on its lease row, readable by every replica (catalog/ports/maintenance.ts MaintenanceLeases). */
  '0020_maintenance_progress': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('maintenance_leases')
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('done'))
        .execute();
      await db.schema
        .alterTable('maintenance_leases')
        .addColumn('started_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('maintenance_leases').addColumn('progress', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const column of ['progress', 'started_at', 'state']) await db.schema.alterTable('maintenance_leases').dropColumn(column).execute();
    },
  },
  /**
   * Migration 0021: a soft cascading namespace drop keeps the namespaces it took (id, levels, properties, creation
   * time) in dropped_namespaces, and marks each object it took with the id of the namespace the drop named
   * (dropped_with), so an undrop of that namespace restores it all (catalog/ports/maintenance.ts).
   */
  '0021_dropped_namespaces': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dropped_namespaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('dropped_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('dropped_by', 'text', (c) => c.notNull())
        .addColumn('dropped_with', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dropped_namespaces_warehouse_idx').on('dropped_namespaces').columns(['warehouse', 'dropped_at', 'id']).execute();
      await db.schema.createIndex('dropped_namespaces_with_idx').on('dropped_namespaces').columns(['warehouse', 'dropped_with']).execute();
      await db.schema.createIndex('dropped_namespaces_expiry_idx').on('dropped_namespaces').columns(['expires_at']).execute();
      await db.schema.alterTable('dropped_objects').addColumn('dropped_with', 'text').execute();
      await db.schema.createIndex('dropped_objects_with_idx').on('dropped_objects').columns(['warehouse', 'dropped_with']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('dropped_objects_with_idx').ifExists().execute();
      await db.schema.alterTable('dropped_objects').dropColumn('dropped_with').execute();
      await db.schema.dropTable('dropped_namespaces').ifExists().execute();
    },
  },
};
