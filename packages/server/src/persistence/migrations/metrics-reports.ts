/**
 * Migration 0013: a metrics report belongs to the table it was reported on, not to a name. Reports were listed by
 * (namespace, table name), so a table dropped and created again under its name showed its predecessor's scan
 * reports (filters with their literals, projected columns) to whoever may read the new table's metadata, and a
 * renamed table left its reports behind. Reports now carry the table's catalog id (and its uuid, which a
 * stage-create's commit keeps); kysely-records.ts lists a live table's by id. Reports are kept
 * metricsReportRetentionDays (app.ts's sweep, by the created_at index).
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const metricsReportMigrations: Record<string, Migration> = {
  '0013_metrics_report_tables': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('metrics_reports')
        .addColumn('table_id', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('metrics_reports')
        .addColumn('table_uuid', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      // Reports stored before: given to the table that holds their name now if it existed when they were made (it
      // may have been renamed there later, which cannot be told afterwards); older ones stay with no live table,
      // listed under their name as a dropped table's.
      const owner = (column: 'id' | 'uuid') =>
        sql`coalesce((select o.${sql.ref(column)} from catalog_objects o where o.warehouse = metrics_reports.warehouse and o.namespace = metrics_reports.namespace and o.name = metrics_reports.table_name and o.kind = 'table' and o.created_at <= metrics_reports.created_at), '')`;
      await sql`update metrics_reports set table_id = ${owner('id')}, table_uuid = ${owner('uuid')}`.execute(db);
      await db.schema.createIndex('metrics_reports_table_id_idx').on('metrics_reports').columns(['table_id', 'created_at']).execute();
      // The retention sweep deletes by age (metricsReportRetentionDays).
      await db.schema.createIndex('metrics_reports_at_idx').on('metrics_reports').column('created_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('metrics_reports_at_idx').ifExists().execute();
      await db.schema.dropIndex('metrics_reports_table_id_idx').ifExists().execute();
      await db.schema.alterTable('metrics_reports').dropColumn('table_uuid').execute();
      await db.schema.alterTable('metrics_reports').dropColumn('table_id').execute();
    },
  },
};
