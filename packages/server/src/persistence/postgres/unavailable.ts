/**
 * PostgreSQL going away (a restart, a failover, a network cut) is an outage the client can wait out, not a bug:
 * its connection errors become ERR_UNAVAILABLE (persistence/mapped-driver.ts).
 */
import type { Dialect } from 'kysely';
import { type TransactionEnds, withMappedDriver } from '../mapped-driver.js';
import type { StatementTracing } from '../statement-spans.js';

/**
 * Network errors of the socket, PostgreSQL's connection-exception (08) and operator-intervention (57P) classes,
 * too many connections (53300) and a statement cancelled by statement_timeout (57014: its transaction was rolled back).
 */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLSTATES = /^(08...|57P0[1-4]|57014|53300)$/;
const MESSAGES = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect/i;

export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK.has(code) || SQLSTATES.test(code))) return true;
  return MESSAGES.test(error.message);
}

/** The dialect with its driver's connection errors mapped to ERR_UNAVAILABLE. */
export function withUnavailableErrors(dialect: Dialect, tracing?: StatementTracing, ends?: TransactionEnds): Dialect {
  return withMappedDriver(dialect, { isOutage: isConnectionLoss, message: 'the catalog database is unavailable; retry' }, tracing, ends);
}
