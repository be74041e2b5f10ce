/**
 * Embedded default: one SQLite file, shared by the worker processes of
 * `serve --workers N`. WAL mode lets readers proceed during a commit, and
 * busy_timeout makes a process wait for the write lock instead of failing at
 * once. Transactions begin IMMEDIATE: they take the write lock first (waiting
 * for it), because a transaction that began reading and then wants to write
 * after another process wrote fails at once (SQLITE_BUSY, which no timeout
 * waits out). Writes are serialized by SQLite itself, so the compare-and-swap
 * in swapMetadata is race-free. A lock held past busy_timeout is an outage to
 * retry (503), not a 500.
 *
 * Two connections: Kysely's, which runs every write and every transaction
 * (one at a time), and a read-only one on which the hot reads run
 * synchronously with prepared statements (compiled-reads.ts), without
 * waiting for a transaction in progress. In WAL mode each of its statements
 * reads the last committed state, so a read never sees a commit half done
 * and always sees one that has finished.
 */
import Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect, sql } from 'kysely';
import type { ReadRunner } from '../compiled-reads.js';
import { type DriverErrors, outageOr, withMappedDriver } from '../mapped-driver.js';
import type { CatalogDatabase } from '../schema.js';
import { KyselyCatalogStore } from '../kysely-store.js';
import { CommittedChanges } from '../committed-changes.js';
import type { BookkeepingWrites } from '../kysely-outbox.js';
import { ReadMemo } from './read-memo.js';
import { BoundedMap } from '../../catalog/bounded-map.js';
import { oncePerDispatch } from '../../runtime/per-dispatch.js';
import type { Spans } from '../../catalog/ports/tracing.js';
import { type StatementTracing, traceStatementSync } from '../statement-spans.js';

/** Statements this process ran on its writing connection: raised before each runs (see readRunner). */
interface WriteCount {
  value: number;
}

export class SqliteCatalogStore extends KyselyCatalogStore {
  private readonly reader: Database.Database;
  private readonly writer: Database.Database;

  /** @param spans a span per statement when tracing is on (statement-spans.ts) */
  constructor(file: string, spans?: Spans) {
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    const reader = new Database(file, { readonly: true });
    reader.pragma('busy_timeout = 5000');
    const writes: WriteCount = { value: 0 };
    const tracing: StatementTracing | undefined = spans?.enabled ? { spans, system: 'sqlite' } : undefined;
    const commits = new CommittedChanges();
    const dialect = withMappedDriver(new SqliteDialect({ database: withStatementCache(database, writes) }), SQLITE_ERRORS, tracing, commits);
    const db = new Kysely<CatalogDatabase>({ dialect });
    super(db, readRunner(reader, writes, tracing), withoutFsync(db), commits);
    this.reader = reader;
    this.writer = database;
  }

  /** The writing connection's journal mode and `synchronous` level (2: FULL, each commit waits for its fsync). */
  durability(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.writer.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.writer.pragma('synchronous', { simple: true })),
    };
  }

  override async close(): Promise<void> {
    await super.close();
    this.reader.close();
  }
}

/**
 * Writes that need no fsync (the event delivery's bookkeeping, kysely-outbox.ts): run with `synchronous = NORMAL`,
 * then FULL again, on Kysely's one connection held for the while (no other statement runs between). Such a write is
 * visible to every connection and process at once, and survives the process dying; only a power failure may lose
 * it. Why: better-sqlite3 waits for each fsync on the event loop, so every delivery round's two fsyncs (lease and
 * cursor, 1.5 ms typical and 20+ ms at worst on a busy disk) held up the commits that arrived meanwhile
 * (docs/benchmarks-event-sinks.md). A later commit's fsync makes these writes durable too (WAL: one log).
 */
export function withoutFsync(db: Kysely<CatalogDatabase>): BookkeepingWrites {
  return (fn) =>
    db.connection().execute(async (conn) => {
      await sql`PRAGMA synchronous = NORMAL`.execute(conn);
      try {
        return await fn(conn);
      } finally {
        await sql`PRAGMA synchronous = FULL`.execute(conn);
      }
    });
}

/** Distinct SQL texts kept compiled; the repository issues a few dozen, so this is only a bound. */
const STATEMENT_CACHE_SIZE = 500;

function statementCache(database: Database.Database): (sql: string) => Database.Statement {
  const statements = new BoundedMap<string, Database.Statement>({ maxEntries: STATEMENT_CACHE_SIZE });
  return (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

/**
 * Hot reads on the read-only connection: prepared once, run synchronously to completion, and their answers kept
 * while the file has not changed (read-memo.ts).
 */
function readRunner(reader: Database.Database, writes: WriteCount, tracing: StatementTracing | undefined): ReadRunner {
  const prepare = statementCache(reader);
  const dataVersion = reader.prepare('pragma data_version').pluck();
  // Asked once per dispatch of requests, and again after any statement of this process's own writing connection.
  const version = oncePerDispatch(
    () => dataVersion.get() as number,
    () => writes.value,
  );
  const memo = new ReadMemo(version);
  const versionNow = (): number => {
    try {
      return version();
    } catch (error) {
      throw outageOr(SQLITE_ERRORS, error);
    }
  };
  const rowsNow = <R>(query: CompiledQuery<R>): R[] => {
    try {
      // Callers only read the rows they get (the kept ones are frozen).
      return memo.rows(query.sql, query.parameters, () =>
        traceStatementSync(tracing, query.sql, () => prepare(query.sql).all(...(query.parameters as unknown[]))),
      ) as R[];
    } catch (error) {
      throw outageOr(SQLITE_ERRORS, error);
    }
  };
  return {
    async rows<R>(query: CompiledQuery<R>): Promise<R[]> {
      return rowsNow(query);
    },
    rowsNow,
    versionNow,
  };
}

/** SQLITE_BUSY or SQLITE_LOCKED (and their extended codes): another process held the lock past busy_timeout. */
export function isLockTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** How the SQLite file's errors and transactions are handled, on the Kysely connection and on the read-only one alike. */
const SQLITE_ERRORS: DriverErrors = { isOutage: isLockTimeout, message: 'the catalog database is busy; retry', begin: 'begin immediate' };

/**
 * Kysely's SQLite driver compiles every query again (prepare) before it runs it, a measurable part of
 * a request (docs/benchmarks.md). A compiled statement is reusable: Kysely runs it synchronously
 * (all/run) to completion before the next query starts. Streaming (iterate) would hold a statement
 * busy, and the repository never streams.
 */
function withStatementCache(database: Database.Database, writes: WriteCount): { prepare(sql: string): Database.Statement; close(): void } {
  const prepare = statementCache(database);
  return {
    // Kysely prepares each statement right before it runs it, synchronously: counted here, before it runs.
    prepare(sql: string) {
      writes.value += 1;
      return prepare(sql);
    },
    close() {
      database.close();
    },
  };
}
