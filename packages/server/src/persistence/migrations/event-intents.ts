/**
 * Migration 0019: event intents (catalog/ports/intents.ts). A change whose writes live outside the database
 * (OpenFGA tuples) records its events here, pending, before the external write; publishing moves them to
 * `event_outbox` in one transaction with the row's removal. `writes` names the external writes (JSON) the recovery
 * sweep reads back; one index serves its scan by age. `stream`, `sequence` and `count`: the sequence numbers the
 * events got when the intent was recorded (from `event_sequences`, as any event); the stream is readable only below
 * the lowest one still held (the other index), so later events never overtake a pending one.
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
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('sequence', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('event_intents_created_at').on('event_intents').column('created_at').execute();
      await db.schema.createIndex('event_intents_stream').on('event_intents').columns(['stream', 'sequence']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('event_intents').ifExists().execute();
    },
  },
};
