/**
 * Migration 0026: federated warehouses (catalog/ports/remote-catalog.ts). A warehouse's remote catalog settings, JSON with
 * its sealed secret named by id only; null for the warehouses Lakegate keeps itself (every row from before).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const federationMigrations: Record<string, Migration> = {
  '0027_federated_warehouses': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('warehouses').addColumn('federation', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('warehouses').dropColumn('federation').execute();
    },
  },
  /**
   * Migration 0032: the history of federated warehouses' remote failures (catalog/ports/remote-failures.ts), one row per
   * (warehouse, operation, error, window) with its count, and when each warehouse's remote last answered. In the
   * database so that every replica records into, and answers from, one history.
   */
  '0032_federation_remote_failures': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('federation_remote_failures')
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        // sha-256 of code and message: the key, as a message may be long
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addColumn('first_at', 'bigint', (c) => c.notNull())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('federation_remote_failures_pk', ['warehouse', 'operation', 'fingerprint', 'window_start'])
        .execute();
      await db.schema.createIndex('federation_remote_failures_recent').on('federation_remote_failures').columns(['warehouse', 'last_at']).execute();
      await db.schema
        .createTable('federation_remote_answers')
        .addColumn('warehouse', 'text', (c) => c.primaryKey())
        .addColumn('answered_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('federation_remote_answers').ifExists().execute();
      await db.schema.dropTable('federation_remote_failures').ifExists().execute();
    },
  },
};
