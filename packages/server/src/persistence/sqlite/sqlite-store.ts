/**
 * Embedded default: one SQLite file. WAL mode lets readers proceed during a
 * commit, and busy_timeout makes a second process on the same file wait for
 * the write lock instead of failing at once. Writes are serialized by SQLite
 * itself, so the compare-and-swap in swapMetadata is race-free.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { CatalogDatabase } from '../schema.js';
import { KyselyCatalogStore } from '../kysely-store.js';

export class SqliteCatalogStore extends KyselyCatalogStore {
  constructor(file: string) {
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    super(new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database }) }));
  }
}
