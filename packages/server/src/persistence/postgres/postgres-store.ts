/**
 * PostgreSQL for scale-out: several server processes share one database.
 * Commits are compare-and-swap UPDATEs under READ COMMITTED: a concurrent
 * UPDATE of the same row waits for the first to finish and then re-checks
 * the WHERE clause, so exactly one of two racing commits wins.
 */
import { hash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { CatalogDatabase } from '../schema.js';
import { KyselyCatalogStore } from '../kysely-store.js';
import { withUnavailableErrors } from './unavailable.js';
import { CommittedChanges } from '../committed-changes.js';
import { BatchingReads } from './batched-reads.js';
import { kyselyRunner } from '../compiled-reads.js';
import type { Spans } from '../../catalog/ports/tracing.js';

export interface PostgresStoreOptions {
  connectionString: string;
  maxConnections?: number;
  /** A span per statement when tracing is on (statement-spans.ts). */
  spans?: Spans | undefined;
}

export class PostgresCatalogStore extends KyselyCatalogStore {
  constructor(options: PostgresStoreOptions) {
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10, ...boundedWaits(options.connectionString) });
    // An idle client that loses its connection emits 'error'; without a listener that would crash the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => usePreparedStatements(client));
    const commits = new CommittedChanges();
    const db = new Kysely<CatalogDatabase>({
      dialect: withUnavailableErrors(
        new PostgresDialect({ pool }),
        options.spans?.enabled ? { spans: options.spans, system: 'postgresql' } : undefined,
        commits,
      ),
    });
    // The hot reads outside transactions share round trips while the database is busy (batched-reads.ts).
    super(db, new BatchingReads(kyselyRunner(db)), undefined, commits);
  }
}

/**
 * No request waits forever on the database: a connection attempt gives up after 10 s (pg's default is never), a
 * statement after 30 s (its transaction is rolled back, so the client's retry is safe), and TCP keep-alive finds a
 * peer that vanished without closing. Either timeout surfaces as ERR_UNAVAILABLE (unavailable.ts). A connection
 * string that sets its own statement_timeout (`?options=-c statement_timeout=…`) keeps it.
 */
export function boundedWaits(connectionString: string): pg.PoolConfig {
  const waits: pg.PoolConfig = { connectionTimeoutMillis: 10_000, keepAlive: true };
  return /statement_timeout/i.test(connectionString) ? waits : { ...waits, statement_timeout: 30_000 };
}

const DML = /^\s*(select|insert|update|delete|with)\b/i;
const names = new Map<string, string>();

/**
 * Every parameterised query of a connection runs as a named prepared
 * statement: PostgreSQL parses and plans each distinct SQL text once per
 * connection instead of on every request (the repository's texts are fixed,
 * compiled-reads.ts). The name is derived from the text, so one name never
 * stands for two texts. A connection that is lost takes its statements with
 * it; its replacement prepares them again. (Not for a transaction-pooling
 * proxy such as PgBouncer in transaction mode, which does not keep prepared
 * statements on a connection.)
 */
function usePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || !DML.test(text)) return query(text, values, callback);
    let name = names.get(text);
    if (name === undefined) {
      name = `lg_${hash('sha256', text, 'base64url').slice(0, 24)}`;
      if (names.size < 10_000) names.set(text, name);
    }
    if (callback !== undefined) return query({ name, text, values }, callback);
    // The query built from its text and named afterwards: a config object would be copied property by property
    // (pg's cloneQueryConfig, about 1.5 µs per statement, into an object in dictionary mode).
    return new Promise((resolve, reject) => {
      const prepared = new pg.Query(text, values, (error, result) => (error ? reject(error) : resolve(result)));
      // pg reads the name when it sends the query; its typings do not show the field.
      (prepared as unknown as { name: string }).name = name;
      query(prepared);
    });
  };
}
