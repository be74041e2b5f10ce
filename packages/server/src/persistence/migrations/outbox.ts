/**
 * Migration 0017: the event outbox (catalog/outbox/). `event_outbox` holds one row per change, written in the change's
 * own transaction, keyed by (warehouse, sequence); `event_sequences` is each warehouse's counter, updated in the same
 * transaction (its row lock serialises a warehouse's writers on PostgreSQL: sequence order is commit order).
 * `event_sinks` are the delivery targets configured per warehouse, each with its cursor (the last sequence delivered)
 * and its failure state; `event_leases` the delivery lease a replica holds (compare-and-set on expiry).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const outboxMigrations: Record<string, Migration> = {
  '0017_event_outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('event_outbox')
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('sequence', 'bigint', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('partition_key', 'text', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('event_outbox_pk', ['warehouse', 'sequence'])
        .execute();
      // The retention sweep deletes by age.
      await db.schema.createIndex('event_outbox_time').on('event_outbox').column('time').execute();
      await db.schema
        .createTable('event_sequences')
        .addColumn('warehouse', 'text', (c) => c.primaryKey())
        .addColumn('sequence', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('event_sinks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('secret_id', 'text')
        .addColumn('cursor', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('event_sinks_warehouse').on('event_sinks').column('warehouse').execute();
      await db.schema
        .createTable('event_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['event_leases', 'event_sinks', 'event_sequences', 'event_outbox']) await db.schema.dropTable(t).ifExists().execute();
    },
  },
  /**
   * Migration 0022: whether a sink may connect anywhere (a platform administrator's) or only where the destination
   * rule allows, checked at every connection (catalog/outbox/sink-destinations.ts). Existing rows get 0: the rule
   * applies to them, the safe side; a platform administrator's sink to an internal address made before this
   * migration is refused at delivery until it is made again (docs/events.md).
   */
  '0022_event_sink_destination_rule': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('event_sinks')
        .addColumn('any_destination', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('event_sinks').dropColumn('any_destination').execute();
    },
  },
  /**
   * Migration 0023: per stream (a warehouse's or a tenant's), the highest sequence the retention sweep deleted,
   * written in the sweep's own transaction. The pull answers a cursor below it with 410 (catalog/outbox/expired.ts):
   * a gap in the sequences does not prove that events were deleted (a dropped event intent leaves one too). A table of
   * its own, not a column of `event_sequences`, so the sweep never takes the counter rows' locks that appends wait on.
   */
  '0023_event_retention_watermark': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('event_retention')
        .addColumn('warehouse', 'text', (c) => c.primaryKey())
        .addColumn('deleted_through', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('event_retention').ifExists().execute();
    },
  },
};
