/**
 * Migration 0024: scan plans (catalog/ports/planning.ts PlanStore) live in the catalog database, so every worker and
 * every replica answers fetchPlanningResult and cancelPlanning (issue 51). `result` is the plan's kept answer (JSON,
 * bounded by the planning limits), `lease_until` a submitted plan's lease; expired rows are swept by `expires_at`.
 * Migration 0031: a submitted plan's pinned `scan` and its `takeovers` (plan-keeping.ts: takeover).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const planningMigrations: Record<string, Migration> = {
  '0025_scan_plans': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('scan_plans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('table_uuid', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('delegation', 'text')
        .addColumn('error', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('scan_plans_expiry_idx').on('scan_plans').columns(['expires_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('scan_plans').ifExists().execute();
    },
  },
  // A submitted plan keeps its pinned scan, so that another replica can take it over when its process stops, and
  // counts its takeovers (bounded: PlanningLimits.asyncTakeovers). Rows from before have no scan: they lapse failed.
  '0031_scan_plan_takeover': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('scan_plans').addColumn('scan', 'text').execute();
      await db.schema
        .alterTable('scan_plans')
        .addColumn('takeovers', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('scan_plans').dropColumn('takeovers').execute();
      await db.schema.alterTable('scan_plans').dropColumn('scan').execute();
    },
  },
};
