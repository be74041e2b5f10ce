/**
 * PostgreSQL for scale-out: several server processes share one database.
 * Commits are compare-and-swap UPDATEs under READ COMMITTED: a concurrent
 * UPDATE of the same row waits for the first to finish and then re-checks
 * the WHERE clause, so exactly one of two racing commits wins.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { CatalogDatabase } from '../schema.js';
import { KyselyCatalogStore } from '../kysely-store.js';

export interface PostgresStoreOptions {
  connectionString: string;
  maxConnections?: number;
}

export class PostgresCatalogStore extends KyselyCatalogStore {
  constructor(options: PostgresStoreOptions) {
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
    // An idle client that loses its connection emits 'error'; without a listener that would crash the process.
    pool.on('error', () => undefined);
    super(new Kysely<CatalogDatabase>({ dialect: new PostgresDialect({ pool }) }));
  }
}
