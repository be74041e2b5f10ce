/**
 * PostgreSQL going away (a restart, a failover, a network cut) is an outage the client can wait out, not a bug:
 * the driver's connection errors become ERR_UNAVAILABLE (503 with Retry-After at the edge, never a 500 with an
 * "unhandled error" stack in the log). Done by wrapping Kysely's PostgreSQL driver, since Kysely has no hook for
 * driver errors; everything else (SQL errors, constraint violations) passes through unchanged.
 */
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, Kysely, QueryResult, TransactionSettings } from 'kysely';
import { CatalogError } from '../../errors/catalog-error.js';

/** Network errors of the socket, and PostgreSQL's connection-exception (08) and operator-intervention (57P) classes. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLSTATES = /^(08...|57P0[1-4]|53300)$/;
const MESSAGES = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect/i;

export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK.has(code) || SQLSTATES.test(code))) return true;
  return MESSAGES.test(error.message);
}

async function mapped<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof CatalogError || !isConnectionLoss(error)) throw error;
    throw new CatalogError('ERR_UNAVAILABLE', 'the catalog database is unavailable; retry', { cause: error });
  }
}

class MappedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return mapped(() => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class MappedDriver implements Driver {
  private readonly wrappers = new WeakMap<DatabaseConnection, MappedConnection>();

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return mapped(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await mapped(() => this.inner.acquireConnection());
    let wrapper = this.wrappers.get(connection);
    if (!wrapper) this.wrappers.set(connection, (wrapper = new MappedConnection(connection)));
    return wrapper;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return mapped(() => this.inner.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(() => this.inner.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return mapped(() => this.inner.rollbackTransaction(unwrap(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

const unwrap = (connection: DatabaseConnection) => (connection instanceof MappedConnection ? connection.inner : connection);

/** The dialect with its driver's connection errors mapped to ERR_UNAVAILABLE. */
export function withUnavailableErrors(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new MappedDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db: Kysely<any>) => dialect.createIntrospector(db),
  };
}
