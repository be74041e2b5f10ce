/**
 * The hot reads (loadTable's object, the namespace ids behind every
 * authorization, listings, warehouses) as queries built and compiled once
 * and then run with new parameter values: Kysely's query builder and
 * compiler cost more per request than SQLite's own execution of these
 * queries (docs/benchmarks.md). The SQL text is what Kysely compiles for
 * the dialect; nothing here is written by hand.
 *
 * How compiled queries run is a ReadRunner: through Kysely (any dialect,
 * and always inside transactions), or, for SQLite, synchronously on a
 * read-only connection of its own (sqlite/sqlite-store.ts).
 */
import { type Compilable, CompiledQuery, type Kysely } from 'kysely';

/** A compiled query of fixed text, and where each of its parameters comes from. */
interface Template {
  sql: string;
  query: CompiledQuery['query'];
  /** For each SQL parameter: the index of the argument it takes, or a constant the builder put there. */
  sources: Array<{ arg: number } | { value: unknown }>;
}

const sentinel = (i: number) => `\u0000lakegate-parameter-${i}\u0000`;

export class CompiledReads {
  private readonly templates = new Map<string, Template>();

  /**
   * The query `build` makes, with `args` as its parameters. `build` receives one placeholder per
   * argument and must use each where the argument goes (placeholders are strings; cast them for
   * numeric positions such as LIMIT). It runs once per `key`; the key must name every variation
   * of the query's text (e.g. the length of an IN list).
   */
  compile<R>(key: string, args: readonly unknown[], build: (...placeholders: string[]) => Compilable<R>): CompiledQuery<R> {
    let t = this.templates.get(key);
    if (t === undefined) {
      const placeholders = args.map((_, i) => sentinel(i));
      const compiled = build(...placeholders).compile();
      const sources = compiled.parameters.map((p) => {
        const arg = typeof p === 'string' ? placeholders.indexOf(p) : -1;
        return arg >= 0 ? { arg } : { value: p };
      });
      const used = new Set(sources.flatMap((s) => ('arg' in s ? [s.arg] : [])));
      if (used.size !== args.length) throw new TypeError(`compiled read ${key}: every argument must be used exactly where a parameter goes`);
      t = { sql: compiled.sql, query: compiled.query, sources };
      this.templates.set(key, t);
    }
    const parameters = t.sources.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return { sql: t.sql, query: t.query, parameters, queryId: undefined as never } as unknown as CompiledQuery<R>;
  }
}

/** Runs a compiled read and gives its rows. */
export interface ReadRunner {
  rows<R>(query: CompiledQuery<R>): Promise<R[]>;
  /** rows() run to completion at once, where the database is read synchronously (SQLite's read-only connection). */
  rowsNow?<R>(query: CompiledQuery<R>): R[];
  /**
   * A number that is the same as long as every read answers what it answered (SQLite: the read connection's
   * `PRAGMA data_version`, asked once per dispatch and after this process's own writes, as the read memo asks it),
   * read before the reads it vouches for. Optional: a store without such a version has none (PostgreSQL).
   */
  versionNow?(): number;
}

/** Through Kysely: the connection pool, the transaction, or SQLite's single connection. */
export function kyselyRunner<DB>(db: Kysely<DB>): ReadRunner {
  return {
    async rows<R>(query: CompiledQuery<R>): Promise<R[]> {
      return (await db.executeQuery(query)).rows;
    },
  };
}

/**
 * A read's parameters as one string, equal exactly when the parameters bind the same values (each string with its
 * length, so no two lists run together; numbers and bigints by their digits); undefined for parameters that are not
 * plain values. What the SQLite read memo keeps answers under, and how PostgreSQL's batches find the same read twice.
 */
export function parametersKey(parameters: readonly unknown[]): string | undefined {
  let key = '';
  for (const p of parameters) {
    if (typeof p === 'string') key += `s${p.length}:${p}`;
    else if (typeof p === 'number' || typeof p === 'bigint') key += `n${String(p)};`;
    else if (p === null) key += 'z;';
    else return undefined;
  }
  return key;
}
