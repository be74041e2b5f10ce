/**
 * Answers of the hot reads on the SQLite read connection, kept while the
 * database file has not changed at all.
 *
 * `PRAGMA data_version` on a connection changes whenever any other
 * connection, of this process or another one, has committed to the file
 * since (https://sqlite.org/pragma.html#pragma_data_version); the read
 * connection never writes, so an unchanged value means every table holds
 * what it held, and any read's answer is what it was. Asking costs one read
 * transaction and no B-tree access (about 2 µs against about 6 µs for a
 * point read of a catalog row and more for a page of rows), so a catalog
 * that is read far more often than written answers its repeated reads
 * (loadTable's pointer row, a listing's version) without touching a table,
 * while a commit by any process is seen by the next read, as before.
 *
 * The version is read before the answer it is kept under: a commit landing
 * between the two leaves the answer kept under the older version, which the
 * next read no longer matches (never a newer version on an older answer).
 * Only the answers of reads seen twice recently are kept (a doorkeeper, as
 * for the metadata JSON in read-caches.ts): a read seen once costs no
 * version check, so random point reads over millions of tables cost what
 * they did. Kept rows are frozen and shared between callers; the map is
 * bounded and emptied whenever the version moves.
 *
 * Written here because better-sqlite3 has no result cache and SQLite's own
 * page cache still costs the B-tree walk and the row decoding.
 */
import { Doorkeeper, hashOf } from '../../catalog/doorkeeper.js';
import { parametersKey } from '../compiled-reads.js';
import { BoundedMap } from '../../catalog/bounded-map.js';

export interface ReadMemoOptions {
  /** Answers kept at most (all emptied when full). */
  maxEntries?: number;
  /** Reads remembered as seen once (emptied when full). */
  maxSeen?: number;
}

export class ReadMemo {
  private version: number | undefined;
  /** By SQL text (the same string every time: its hash is computed once), then by parameters. */
  private readonly answers = new Map<string, Map<string, readonly unknown[]>>();
  private kept = 0;
  private readonly doorkeeper: Doorkeeper;
  /** Each SQL text's hash, the doorkeeper's seed for the parameters of that read (no key string built from the SQL). */
  private readonly seeds = new BoundedMap<string, number>({ maxEntries: 1024 });
  private readonly maxEntries: number;

  /** @param dataVersion PRAGMA data_version of the connection the reads run on */
  constructor(
    private readonly dataVersion: () => number,
    options: ReadMemoOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.doorkeeper = new Doorkeeper(options.maxSeen);
  }

  /** The rows of `sql` with `parameters`: kept ones while the file is unchanged, otherwise from `run`. */
  rows(sql: string, parameters: readonly unknown[], run: () => unknown[]): readonly unknown[] {
    const key = parametersKey(parameters);
    if (key === undefined) return run();
    const kept = this.answers.get(sql)?.get(key);
    if (kept === undefined) {
      // First sighting: no version check, nothing kept.
      let seed = this.seeds.get(sql);
      if (seed === undefined) {
        seed = hashOf(sql);
        this.seeds.set(sql, seed);
      }
      if (!this.doorkeeper.admit(key, seed)) return run();
    }
    const version = this.dataVersion();
    if (version === this.version) {
      if (kept !== undefined) return kept;
    } else {
      this.clear();
      this.version = version;
    }
    const rows = run();
    for (const row of rows) Object.freeze(row);
    Object.freeze(rows);
    if (this.kept >= this.maxEntries) this.clear();
    let bySql = this.answers.get(sql);
    if (bySql === undefined) {
      bySql = new Map<string, readonly unknown[]>();
      this.answers.set(sql, bySql);
    }
    bySql.set(key, rows);
    this.kept += 1;
    return rows;
  }

  get size(): number {
    return this.kept;
  }

  private clear(): void {
    this.answers.clear();
    this.kept = 0;
  }
}
