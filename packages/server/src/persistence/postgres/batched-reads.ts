/**
 * Hot reads on PostgreSQL, batched while the database is busy: a read that
 * arrives while the same read (same SQL text) is already on its way to the
 * database waits, and every read that waited goes in the next round trip
 * together, as one statement. When every parameter is text (the catalog's
 * point reads: names, ids, locations), the reads' parameters travel as
 * arrays, one per placeholder, and the read runs once per element:
 *
 *   select (lg_k.lg_i - 1)::int as lg_batch, q.* from unnest($1::text[], $2::text[])
 *     with ordinality as lg_k(lg_p1, lg_p2, lg_i)
 *     cross join lateral (<the read, with lg_k.lg_p1 for $1 …>) as q
 *
 * That is one statement text per read whatever the number of reads in it,
 * so each pooled connection prepares and plans it once. The other form,
 * for reads with parameters of other types,
 *
 *   select 0 as lg_batch, q.* from (<read 1>) as q
 *   union all select 1, q.* from (<read 2 with its parameters renumbered>) as q …
 *
 * is a new text for every batch size: up to 64 prepared statements per read
 * and connection, each planned per parameter set (PostgreSQL's custom plans)
 * until its generic plan wins, which measured about 10 µs more CPU per
 * loadTable at 16 connections (docs/benchmarks.md). A read whose text turns
 * out not to take text parameters where it compares (PostgreSQL refuses the
 * array form with a type error, e.g. `bigint = text`) falls back to the
 * union form for good, the same reads resent at once.
 *
 * Why batch: on PostgreSQL one point read costs ~50–100 µs of CPU in the
 * server process and the database backend together (protocol, pool,
 * executor start-up, two context switches), almost all of it per statement
 * and not per row; a loadTable on SQLite costs less than that in total
 * (docs/benchmarks.md). Batching shares that cost between the requests that
 * are in flight at once, without keeping anything in memory: every read
 * still goes to the database after its request arrived, so a commit
 * acknowledged by any process is seen by every later read (read-after-write
 * across replicas holds, which a cache invalidated by notifications would
 * give up).
 *
 * A group goes at the end of the event loop's current turn
 * (runtime/end-of-turn.ts, before the turn's responses are written),
 * both when a read finds its lane idle and when the previous round trip is
 * answered: the requests whose bytes arrived in the same turn (one poll of
 * the sockets reads many) are parsed by then, and their reads join the
 * group instead of waiting for a whole round trip. At 16 connections on one
 * core that made groups of about 8 reads instead of 5, and a loadTable
 * about 10 µs cheaper (docs/benchmarks.md). A read alone waits only for
 * that turn to end (microseconds, no timer), and goes alone, as the same
 * statement as without batching.
 *
 * Reads of a group with the same parameters (the same hot table loaded by
 * many requests at once) are read once: the statement carries each distinct
 * read, and every request that asked gets its rows (frozen, as the SQLite
 * read memo's shared rows are). A group whose reads are all the same goes as
 * the plain statement.
 *
 * Only reads whose result has no order (no ORDER BY, LIMIT or OFFSET) are
 * batched: neither form says anything about the order of the rows. The SQL
 * texts are the repository's own (compiled-reads.ts: Kysely-compiled,
 * values always parameters, never literals), so rewriting `$n` is exact; a
 * text with a quote, which could hold a `$` in a literal, is not batched.
 *
 * Written here because no PostgreSQL driver for Node offers this: node-postgres
 * runs one statement per connection round trip and has no pipelining.
 */
import { CompiledQuery } from 'kysely';
import { atEndOfTurn } from '../../runtime/end-of-turn.js';
import { type ReadRunner, parametersKey } from '../compiled-reads.js';

/** Reads of one text in one round trip, at most (PostgreSQL takes 65,535 parameters per statement). */
export const MAX_BATCH = 64;

const BATCH_COLUMN = 'lg_batch';
const PLACEHOLDER = /\$(\d+)/g;
const UNORDERED_SELECT = /^\s*select\b/i;
const ORDERED = /\border\s+by\b|\blimit\b|\boffset\b|'/i;

export interface Waiting {
  query: CompiledQuery<unknown>;
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

/** The reads of one SQL text: whether a round trip is under way, and who waits for the next. */
interface Lane {
  busy: boolean;
  waiting: Waiting[];
}

/** True when reads of this text may share a statement (see above). */
export function batchable(sql: string, parameterCount: number): boolean {
  if (!UNORDERED_SELECT.test(sql) || ORDERED.test(sql) || sql.includes(BATCH_COLUMN)) return false;
  let highest = 0;
  for (const m of sql.matchAll(PLACEHOLDER)) highest = Math.max(highest, Number(m[1]));
  return highest === parameterCount;
}

/** The statement that runs any number of reads of `sql` with text parameters at once, each parameter an array (see above). */
export function lateralSql(sql: string, parameterCount: number): string {
  const arrays: string[] = [];
  const columns: string[] = [];
  for (let i = 1; i <= parameterCount; i++) {
    arrays.push(`$${i}::text[]`);
    columns.push(`lg_p${i}`);
  }
  const inner = sql.replace(PLACEHOLDER, (_, n: string) => `lg_k.lg_p${n}`);
  return `select (lg_k.lg_i - 1)::int as ${BATCH_COLUMN}, q.* from unnest(${arrays.join(', ')}) with ordinality as lg_k(${columns.join(', ')}, lg_i) cross join lateral (${inner}) as q`;
}

/** The statement that runs `count` reads of `sql` (each with `parameterCount` parameters) at once, for any parameter types. */
export function mergedSql(sql: string, parameterCount: number, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const shifted = i === 0 ? sql : sql.replace(PLACEHOLDER, (_, n: string) => `$${Number(n) + i * parameterCount}`);
    parts.push(`select ${i} as ${BATCH_COLUMN}, q.* from (${shifted}) as q`);
  }
  return parts.join(' union all ');
}

/**
 * `start()`'s promise, or a rejected one if it throws: send() runs at the end of the turn (from
 * setImmediate), where a throw would not reach the reads it took but end the process.
 */
function settle<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error);
  }
}

export class BatchingReads implements ReadRunner {
  private readonly lanes = new Map<string, Lane>();
  /** The array form's text of each read's text. */
  private readonly arrayTexts = new Map<string, string>();
  /** The union form's text of each read's text and batch size. */
  private readonly unionTexts = new Map<string, string>();
  private readonly shapes = new Map<string, boolean>();
  /** Texts the array form was refused for (a type error): batched in the union form only. */
  private readonly unionOnly = new Set<string>();

  constructor(
    private readonly inner: ReadRunner,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  rows<R>(query: CompiledQuery<R>): Promise<R[]> {
    const { sql } = query;
    let ok = this.shapes.get(sql);
    if (ok === undefined) {
      ok = batchable(sql, query.parameters.length);
      // The repository's texts are a few dozen; the bound only guards against a caller with unbounded texts.
      if (this.shapes.size < 10_000) this.shapes.set(sql, ok);
    }
    if (!ok) return this.inner.rows(query);
    let lane = this.lanes.get(sql);
    if (lane === undefined) {
      lane = { busy: false, waiting: [] };
      this.lanes.set(sql, lane);
    }
    const target = lane;
    return new Promise<R[]>((resolve, reject) => {
      target.waiting.push({ query, resolve: resolve as (rows: unknown[]) => void, reject });
      if (!target.busy) {
        target.busy = true;
        atEndOfTurn('send', () => this.send(sql, target));
      }
    });
  }

  /** Sends what waits on the lane as one statement; when it is answered, the next group goes. */
  private send(sql: string, lane: Lane): void {
    const group = lane.waiting.length <= this.maxBatch ? lane.waiting.splice(0) : lane.waiting.splice(0, this.maxBatch);
    if (group.length === 0) {
      lane.busy = false;
      return;
    }
    const done = () => atEndOfTurn('send', () => this.send(sql, lane));
    // Reads with the same parameters (many requests for one hot table at once) are read once and share the rows.
    const { reads, readOf } = distinct(group);
    const answer = (rows: unknown[][]) => {
      if (reads.length === group.length) {
        group.forEach((w, i) => w.resolve(rows[i]!));
        return;
      }
      const shared = new Array<number>(reads.length).fill(0);
      for (const r of readOf) shared[r]! += 1;
      // Rows given to several callers are frozen, as the SQLite read memo's kept rows are: callers only read them.
      rows.forEach((list, r) => {
        if (shared[r]! > 1) for (const row of list) Object.freeze(row);
      });
      group.forEach((w, i) => w.resolve(rows[readOf[i]!]!.slice()));
    };
    const fail = (error: unknown) => {
      for (const w of group) w.reject(error);
    };
    if (reads.length === 1) {
      const only = reads[0]!;
      settle(() => this.inner.rows(only.query))
        .then((rows) => answer([rows]), fail)
        .finally(done);
      return;
    }
    const n = reads[0]!.query.parameters.length;
    const asArrays = n > 0 && !this.unionOnly.has(sql) && reads.every((w) => w.query.parameters.every(isText));
    settle(() => this.inner.rows<Record<string, unknown>>(asArrays ? this.arrayStatement(sql, n, reads) : this.unionStatement(sql, n, reads)))
      .catch((error: unknown) => {
        if (!asArrays || !refusedForType(error)) throw error;
        if (this.unionOnly.size < 10_000) this.unionOnly.add(sql);
        return this.inner.rows<Record<string, unknown>>(this.unionStatement(sql, n, reads));
      })
      .then((rows) => {
        const answers: unknown[][] = reads.map(() => []);
        for (const row of rows) {
          const { [BATCH_COLUMN]: index, ...rest } = row;
          answers[Number(index)]?.push(rest);
        }
        answer(answers);
      }, fail)
      .finally(done);
  }

  /** The group's reads as one statement of the array form: parameter i of every read, in order, in array i. */
  private arrayStatement(sql: string, n: number, group: readonly Waiting[]): CompiledQuery<Record<string, unknown>> {
    let text = this.arrayTexts.get(sql);
    if (text === undefined) {
      text = lateralSql(sql, n);
      if (this.arrayTexts.size < 10_000) this.arrayTexts.set(sql, text);
    }
    const arrays: unknown[][] = [];
    for (let i = 0; i < n; i++) arrays.push(group.map((w) => w.query.parameters[i]));
    return CompiledQuery.raw(text, arrays);
  }

  /** The group's reads as one statement of the union form, renumbered. */
  private unionStatement(sql: string, n: number, group: readonly Waiting[]): CompiledQuery<Record<string, unknown>> {
    const key = `${group.length}\u0000${sql}`;
    let text = this.unionTexts.get(key);
    if (text === undefined) {
      text = mergedSql(sql, n, group.length);
      if (this.unionTexts.size < 10_000) this.unionTexts.set(key, text);
    }
    return CompiledQuery.raw(
      text,
      group.flatMap((w) => w.query.parameters),
    );
  }
}

/**
 * The distinct reads of a group and, for each read of the group, the index of the distinct read that answers it.
 * Reads are the same when their parameters are (the lane holds one SQL text: compiled-reads.ts parametersKey); a
 * parameter that is not a plain value makes a read distinct from every other.
 */
export function distinct(group: readonly Waiting[]): { reads: Waiting[]; readOf: number[] } {
  const reads: Waiting[] = [];
  const readOf: number[] = [];
  const seen = new Map<string, number>();
  for (const w of group) {
    const key = parametersKey(w.query.parameters);
    const known = key === undefined ? undefined : seen.get(key);
    if (known !== undefined) {
      readOf.push(known);
      continue;
    }
    if (key !== undefined) seen.set(key, reads.length);
    readOf.push(reads.length);
    reads.push(w);
  }
  return { reads, readOf };
}

const isText = (value: unknown): boolean => typeof value === 'string' || value === null;

/**
 * PostgreSQL's refusals of the array form for a read that compares a placeholder with a column of another type:
 * no such operator (42883, e.g. `bigint = text`), an ambiguous one (42725), a type mismatch (42804) or no cast
 * (42846). Any other error (a missing table, a lost connection) is not the form's fault and is passed on as it is,
 * without giving up the array form for later reads.
 */
const TYPE_REFUSALS = new Set(['42883', '42725', '42804', '42846']);

function refusedForType(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TYPE_REFUSALS.has(code);
}
