/** Migration 0012: PostgreSQL finds objects under a location by a range of its location index, in byte order. */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const locationMigrations: Record<string, Migration> = {
  '0012_location_byte_order': {
    async up(db: Kysely<unknown>) {
      // The overlap checks of every chosen location, and purges, ask for the objects at or under a location
      // (kysely-repository.ts findObjectsByLocationPrefix) as a range scan, which needs the index in byte order.
      // SQLite's index already is (BINARY); a PostgreSQL index follows the database's collation, in which a locale
      // can sort "base/x" after "base0". Equality lookups (findObjectsAtLocations) use the same index.
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      await sql`create index catalog_objects_location_bytes_idx on catalog_objects (warehouse, location collate "C")`.execute(db);
      await db.schema.dropIndex('catalog_objects_location_idx').ifExists().execute();
    },
    async down(db: Kysely<unknown>) {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      await db.schema.createIndex('catalog_objects_location_idx').on('catalog_objects').columns(['warehouse', 'location']).execute();
      await sql`drop index if exists catalog_objects_location_bytes_idx`.execute(db);
    },
  },
};
