/**
 * A client span per database statement, named by its operation and table only (`SELECT tables`): the SQL text's
 * first keyword and the first table it names, both matched against identifier syntax. Never the statement's bound
 * parameters nor its full text (docs/security.md). Used by the one driver wrapper every Kysely statement goes
 * through (mapped-driver.ts) and by SQLite's read-only connection (sqlite/sqlite-store.ts), the one path that
 * bypasses Kysely.
 */
import type { Spans } from '../catalog/ports/tracing.js';

export type DatabaseSystem = 'sqlite' | 'postgresql';

export interface StatementTracing {
  spans: Spans;
  system: DatabaseSystem;
}

const OPERATIONS = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'WITH',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'CREATE',
  'ALTER',
  'DROP',
  'PRAGMA',
]);
const TABLE = /\b(?:from|into|update)\s+"?([A-Za-z_][A-Za-z0-9_]{0,62})"?/gi;

/**
 * The first table the statement itself names: outside parentheses, so a subquery in the select list (the labels
 * read beside a table's row, kysely-repository.ts) does not name the span; the first one anywhere if none is.
 */
function tableOf(sql: string): string | undefined {
  let first: string | undefined;
  let depth = 0;
  let scanned = 0;
  for (const m of sql.matchAll(TABLE)) {
    for (; scanned < m.index; scanned++) depth += sql[scanned] === '(' ? 1 : sql[scanned] === ')' ? -1 : 0;
    if (depth <= 0) return m[1];
    first ??= m[1];
  }
  return first;
}

/** The statement's operation and table, as a span names them. */
export function describeStatement(sql: string): { operation: string; table: string | undefined } {
  const first = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
  const operation = OPERATIONS.has(first) ? first : 'OTHER';
  return { operation, table: tableOf(sql) };
}

function name(tracing: StatementTracing, sql: string, note: { recording: boolean; set(k: string, v: string): void }): void {
  if (!note.recording) return;
  const { operation, table } = describeStatement(sql);
  note.set('db.system.name', tracing.system);
  note.set('db.operation.name', operation);
  if (table !== undefined) note.set('db.collection.name', table);
}

const spanName = (sql: string) => {
  const { operation, table } = describeStatement(sql);
  return table === undefined ? operation : `${operation} ${table}`;
};

export function traceStatement<T>(tracing: StatementTracing | undefined, sql: string, run: () => Promise<T>): Promise<T> {
  if (tracing === undefined || !tracing.spans.enabled) return run();
  return tracing.spans.run(
    spanName(sql),
    (note) => {
      name(tracing, sql, note);
      return run();
    },
    'client',
  );
}

export function traceStatementSync<T>(tracing: StatementTracing | undefined, sql: string, run: () => T): T {
  if (tracing === undefined || !tracing.spans.enabled) return run();
  return tracing.spans.runSync(
    spanName(sql),
    (note) => {
      name(tracing, sql, note);
      return run();
    },
    'client',
  );
}
