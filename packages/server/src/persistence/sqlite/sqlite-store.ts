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
    super(new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }));
  }
}

/** Distinct SQL texts kept compiled; the repository issues a few dozen, so this is only a bound. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver compiles every query again (prepare) before it runs it, a measurable part of
 * a loadTable (docs/benchmarks.md). A compiled statement is reusable: Kysely runs it synchronously
 * (all/run) to completion before the next query starts. Streaming (iterate) would hold a statement
 * busy, and the repository never streams.
 */
function withStatementCache(database: Database.Database): { prepare(sql: string): Database.Statement; close(): void } {
  const statements = new Map<string, Database.Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
