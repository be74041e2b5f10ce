/** Migration 0011: listing versions, raised by triggers (read-caches.ts keeps listing pages while they are current). */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const listingVersionMigrations: Record<string, Migration> = {
  '0011_listing_versions': {
    async up(db: Kysely<unknown>) {
      // A counter per (warehouse, namespace), raised in the same transaction as every change to the set of objects a
      // listing of that namespace shows (create, register, drop, rename in or out), whoever makes it: this process,
      // another process on the same database, or a bulk load in SQL. A listing cache (persistence/read-caches.ts)
      // keeps a page only as long as the counter it was read under is current, so every process answers a listing as
      // fresh as its database without reading the rows again. Triggers rather than repository code: no write path
      // can forget it, and a crash cannot separate the change from the bump.
      await db.schema
        .createTable('listing_versions')
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('listing_versions_pk', ['warehouse', 'namespace'])
        .execute();
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        // Inserts and deletes per statement over their transition table (a bulk insert bumps each namespace once);
        // renames per row, the two namespaces in a fixed order so that crossing renames cannot deadlock.
        await sql`create function lakegate_bump_listings() returns trigger language plpgsql as $$
          begin
            insert into listing_versions (warehouse, namespace, version)
              select distinct warehouse, namespace, 1 from changed order by 1, 2
              on conflict (warehouse, namespace) do update set version = listing_versions.version + 1;
            return null;
          end $$`.execute(db);
        await sql`create function lakegate_bump_listings_moved() returns trigger language plpgsql as $$
          begin
            insert into listing_versions (warehouse, namespace, version)
              select distinct w, n, 1 from (values (old.warehouse, old.namespace), (new.warehouse, new.namespace)) as v (w, n) order by 1, 2
              on conflict (warehouse, namespace) do update set version = listing_versions.version + 1;
            return null;
          end $$`.execute(db);
        await sql`create trigger catalog_objects_listing_insert after insert on catalog_objects referencing new table as changed for each statement execute function lakegate_bump_listings()`.execute(
          db,
        );
        await sql`create trigger catalog_objects_listing_delete after delete on catalog_objects referencing old table as changed for each statement execute function lakegate_bump_listings()`.execute(
          db,
        );
        await sql`create trigger catalog_objects_listing_move after update of warehouse, namespace, name, kind, id on catalog_objects for each row execute function lakegate_bump_listings_moved()`.execute(
          db,
        );
      } else {
        const bump = (row: 'new' | 'old') =>
          `insert into listing_versions (warehouse, namespace, version) values (${row}.warehouse, ${row}.namespace, 1) on conflict (warehouse, namespace) do update set version = version + 1;`;
        await sql.raw(`create trigger catalog_objects_listing_insert after insert on catalog_objects begin ${bump('new')} end`).execute(db);
        await sql.raw(`create trigger catalog_objects_listing_delete after delete on catalog_objects begin ${bump('old')} end`).execute(db);
        await sql
          .raw(
            `create trigger catalog_objects_listing_move after update of warehouse, namespace, name, kind, id on catalog_objects begin ${bump('old')} ${bump('new')} end`,
          )
          .execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      for (const t of ['catalog_objects_listing_insert', 'catalog_objects_listing_delete', 'catalog_objects_listing_move']) {
        await sql.raw(postgres ? `drop trigger if exists ${t} on catalog_objects` : `drop trigger if exists ${t}`).execute(db);
      }
      if (postgres) {
        await sql`drop function if exists lakegate_bump_listings()`.execute(db);
        await sql`drop function if exists lakegate_bump_listings_moved()`.execute(db);
      }
      await db.schema.dropTable('listing_versions').ifExists().execute();
    },
  },
};
