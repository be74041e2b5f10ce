/**
 * Migration 0035: Lance tag intents (catalog/ports/lance-tag-intents.ts). A Lance tag write records its event here
 * before the write and turns it into the outbox event after; `claimed_until` is the recovery's claim on an intent
 * left behind (one replica recovers it); one index serves the recovery's scan by age. Migration 0036: the write asked
 * for (`operation`) and the tag's state just before it (`before_state` 'absent' or 'named', `before_version`), by which
 * the recovery tells a refused write from one that took effect; rows recorded before it keep nulls (not known).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const lanceTagIntentMigrations: Record<string, Migration> = {
  '0035_lance_tag_intents': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('lance_tag_intents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('table_id', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint')
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_until', 'bigint')
        .execute();
      await db.schema.createIndex('lance_tag_intents_created_at').on('lance_tag_intents').columns(['created_at', 'id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('lance_tag_intents').ifExists().execute();
    },
  },
  '0036_lance_tag_intent_before': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('lance_tag_intents').addColumn('operation', 'text').execute();
      await db.schema.alterTable('lance_tag_intents').addColumn('before_state', 'text').execute();
      await db.schema.alterTable('lance_tag_intents').addColumn('before_version', 'bigint').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const column of ['before_version', 'before_state', 'operation']) await db.schema.alterTable('lance_tag_intents').dropColumn(column).execute();
    },
  },
};
