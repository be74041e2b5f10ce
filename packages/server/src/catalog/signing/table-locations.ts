/**
 * Which table holds a storage key, remembered for the unscoped sign endpoint (sign-default.ts), which would
 * otherwise look the table up (every directory above the key, then the warehouse's staged tables) on every
 * signature: an engine scanning 10,000 files of one table asks 10,000 times for keys under the same location.
 *
 * An entry is a hint, never a decision: before it is used, the table it names is read again (the repository's
 * point read of the table by name, or of the staged table, through the store's read caches, which are as fresh
 * as the database) and must still be a table at exactly the remembered location. A table dropped, renamed, moved
 * or re-created elsewhere since fails that check, its entry is forgotten and the key is looked up afresh; and the
 * signature is then decided on the table's current record and the caller's current privileges (sign-service.ts),
 * as on the table's own endpoint. So a stale entry can cost one extra read, never a signature for the wrong table
 * (test/http/remote-signing-default.test.ts), and the entries need no expiry and no invalidation across replicas.
 *
 * Bounded: at most `maxEntries` locations over all warehouses; when full, everything is forgotten.
 */

/** A table as the index holds it: where it lives (normalized), and its name, committed or stage-created. */
export interface LocatedTable {
  readonly namespace: readonly string[];
  readonly name: string;
  /** The table's normalized location (no trailing slash). */
  readonly location: string;
  /** Stage-created (not committed yet): re-read as a staged table. */
  readonly staged: boolean;
}

export class TableLocationHints {
  /** By warehouse, then by location. */
  private readonly byWarehouse = new Map<string, Map<string, LocatedTable>>();
  private size = 0;

  constructor(private readonly maxEntries = 10_000) {}

  /** The remembered table at the first of `directories` (longest first) that holds one. */
  find(warehouse: string, directories: readonly string[]): LocatedTable | undefined {
    const tables = this.byWarehouse.get(warehouse);
    if (tables === undefined) return undefined;
    for (let i = 0; i < directories.length; i++) {
      const hit = tables.get(directories[i]!);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  remember(warehouse: string, table: LocatedTable): void {
    if (this.size >= this.maxEntries) this.clear();
    let tables = this.byWarehouse.get(warehouse);
    if (tables === undefined) this.byWarehouse.set(warehouse, (tables = new Map()));
    if (!tables.has(table.location)) this.size++;
    tables.set(table.location, table);
  }

  forget(warehouse: string, location: string): void {
    if (this.byWarehouse.get(warehouse)?.delete(location)) this.size--;
  }

  clear(): void {
    this.byWarehouse.clear();
    this.size = 0;
  }

  get entries(): number {
    return this.size;
  }
}
