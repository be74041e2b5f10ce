/**
 * Migration 0033: derivation intents (catalog/ports/derivation-intents.ts). A policy-derived Lance dataset's
 * derivation records one before it writes and removes it once its table was checked; one index serves the
 * housekeeping sweep's scan by age. Migration 0034: `attempted_at`, when the sweep last tried (and kept) an intent,
 * by which the sweep pages (least recently tried first), so intents that keep failing no longer hold the page.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const derivationIntentMigrations: Record<string, Migration> = {
  '0033_lance_derivation_intents': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('lance_derivation_intents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('table_id', 'text', (c) => c.notNull())
        .addColumn('table_uuid', 'text', (c) => c.notNull())
        .addColumn('table_location', 'text', (c) => c.notNull())
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('lance_derivation_intents_created_at').on('lance_derivation_intents').column('created_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('lance_derivation_intents').ifExists().execute();
    },
  },
  '0034_lance_derivation_intent_attempts': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('lance_derivation_intents').addColumn('attempted_at', 'bigint').execute();
      await db.schema.createIndex('lance_derivation_intents_attempted_at').on('lance_derivation_intents').columns(['attempted_at', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('lance_derivation_intents_attempted_at').ifExists().execute();
      await db.schema.alterTable('lance_derivation_intents').dropColumn('attempted_at').execute();
    },
  },
};
