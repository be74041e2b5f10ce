/**
 * A database outage the client can wait out (PostgreSQL going away, SQLite's write lock held past busy_timeout) is
 * not a bug: the driver's errors of that kind become ERR_UNAVAILABLE (503 with Retry-After at the edge, never a 500
 * with an "unhandled error" stack in the log). Done by wrapping a Kysely driver, since Kysely has no hook for driver
 * errors; everything else (SQL errors, constraint violations) passes through unchanged. The wrapper can also change
 * how a transaction begins (SQLite: BEGIN IMMEDIATE). Every statement Kysely runs passes here, so this is also
 * where each gets its database span when tracing is on (statement-spans.ts), and where a transaction's end is seen:
 * Kysely has no after-commit hook, so the wrapper tells `ends` (committed-changes.ts) after COMMIT or ROLLBACK.
 * Every statement's parameters are checked for text the database cannot store as sent (storable-text.ts).
 */
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult, type TransactionSettings } from 'kysely';
import { CatalogError } from '../errors/catalog-error.js';
import { type StatementTracing, traceStatement } from './statement-spans.js';
import { checkStorableParameters } from './storable-text.js';

export interface DriverErrors {
  /** Whether an error of the driver is an outage to wait out. */
  isOutage(error: unknown): boolean;
  /** What the client is told. */
  message: string;
  /** SQL that begins a transaction, instead of the driver's own. */
  begin?: string;
}

/** The error to throw for one the database raised: ERR_UNAVAILABLE for an outage, the error itself otherwise. */
export function outageOr(errors: DriverErrors, error: unknown): unknown {
  if (error instanceof CatalogError || !errors.isOutage(error)) return error;
  return new CatalogError('ERR_UNAVAILABLE', errors.message, { cause: error });
}

async function mapped<T>(errors: DriverErrors, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw outageOr(errors, error);
  }
}

/** Told when the transaction on a connection ended: after its COMMIT succeeded (true), or it rolled back (false). */
export interface TransactionEnds {
  ended(connection: DatabaseConnection, committed: boolean): void;
}

export class MappedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly errors: DriverErrors,
    private readonly tracing: StatementTracing | undefined,
    readonly ends: TransactionEnds | undefined,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Text the database would refuse (a driver error) or change (U+FFFD) is the request's fault: storable-text.ts.
    try {
      checkStorableParameters(query.parameters);
    } catch (error) {
      return Promise.reject(error);
    }
    return traceStatement(this.tracing, query.sql, () => mapped(this.errors, () => this.inner.executeQuery<R>(query)));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    checkStorableParameters(query.parameters);
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class MappedDriver implements Driver {
  private readonly wrappers = new WeakMap<DatabaseConnection, MappedConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly errors: DriverErrors,
    private readonly tracing: StatementTracing | undefined,
    private readonly ends: TransactionEnds | undefined,
  ) {}

  init(): Promise<void> {
    return mapped(this.errors, () => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await mapped(this.errors, () => this.inner.acquireConnection());
    let wrapper = this.wrappers.get(connection);
    if (!wrapper) this.wrappers.set(connection, (wrapper = new MappedConnection(connection, this.errors, this.tracing, this.ends)));
    return wrapper;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const { begin } = this.errors;
    if (begin === undefined)
      return traceStatement(this.tracing, 'BEGIN', () => mapped(this.errors, () => this.inner.beginTransaction(unwrap(connection), settings)));
    await traceStatement(this.tracing, begin, () => mapped(this.errors, () => unwrap(connection).executeQuery(CompiledQuery.raw(begin))));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await traceStatement(this.tracing, 'COMMIT', () => mapped(this.errors, () => this.inner.commitTransaction(unwrap(connection))));
    } catch (error) {
      this.ends?.ended(connection, false);
      throw error;
    }
    this.ends?.ended(connection, true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await traceStatement(this.tracing, 'ROLLBACK', () => mapped(this.errors, () => this.inner.rollbackTransaction(unwrap(connection))));
    } finally {
      this.ends?.ended(connection, false);
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

const unwrap = (connection: DatabaseConnection) => (connection instanceof MappedConnection ? connection.inner : connection);

/**
 * The dialect with its driver's outage errors mapped to ERR_UNAVAILABLE (and, with `tracing`, a span per statement;
 * with `ends`, told of every transaction's end).
 */
export function withMappedDriver(dialect: Dialect, errors: DriverErrors, tracing?: StatementTracing, ends?: TransactionEnds): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new MappedDriver(dialect.createDriver(), errors, tracing, ends),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db: Kysely<any>) => dialect.createIntrospector(db),
  };
}
