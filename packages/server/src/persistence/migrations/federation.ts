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
};
