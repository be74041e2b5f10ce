/**
 * Entries kept by key, bounded by their size (`sizeOf`: bytes of an encoded body, characters of a JSON
 * text): an entry larger than a sixteenth of the bound is not kept, and when keeping one would pass the
 * bound, every entry is dropped (no LRU bookkeeping on the hot path). What an entry must match to be
 * answered is its owner's rule: a table's load answer its metadata JSON (http/routes/iceberg/load-body.ts),
 * a listing page its items (http/listing-bodies.ts), a snapshots=refs metadata its file's JSON
 * (catalog/tables/load.ts).
 */
export class KeptBySize<E> {
  private readonly entries = new Map<string, E>();
  private kept = 0;

  constructor(
    private readonly maxSize: number,
    private readonly sizeOf: (entry: E) => number,
  ) {}

  get(key: string): E | undefined {
    return this.entries.get(key);
  }

  /** Keeps `entry` under `key`, in place of what was there, unless it is too large to keep. */
  keep(key: string, entry: E): void {
    const size = this.sizeOf(entry);
    if (size > this.maxSize / 16) return;
    const old = this.entries.get(key);
    if (old !== undefined) this.kept -= this.sizeOf(old);
    if (this.kept + size > this.maxSize) {
      this.entries.clear();
      this.kept = 0;
    }
    this.entries.set(key, entry);
    this.kept += size;
  }

  /** Total size of the entries kept. */
  get size(): number {
    return this.kept;
  }
}
