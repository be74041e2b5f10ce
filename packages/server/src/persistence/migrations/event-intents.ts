/**
 * Migration 0019: event intents (catalog/outbox/intent-ports.ts). A change whose writes live outside the database
 * (OpenFGA tuples) records its events here, pending, before the external write; publishing moves them to
 * `event_outbox` in one transaction with the row's removal. `writes` names the external writes (JSON) the recovery
 * sweep reads back; the index serves its scan by age.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const eventIntentMigrations: Record<string, Migration> = {
  '0019_event_intents': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('event_intents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('writes', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('event_intents_created_at').on('event_intents').column('created_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('event_intents').ifExists().execute();
    },
  },
};
