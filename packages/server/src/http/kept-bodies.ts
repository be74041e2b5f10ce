/**
 * Encoded response bodies kept by key, bounded by their bytes: a body larger than a sixteenth of the
 * bound is not kept, and when keeping one would pass the bound, every body is dropped (no LRU
 * bookkeeping on the hot path). What an entry must match to be answered is its owner's rule: a
 * table's load answer its metadata JSON (routes/iceberg/load-body.ts), a listing page its items
 * (listing-bodies.ts).
 */
export class KeptBodies<E extends { body: Buffer }> {
  private readonly entries = new Map<string, E>();
  private kept = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): E | undefined {
    return this.entries.get(key);
  }

  /** Keeps `entry` under `key`, in place of what was there, unless its body is too large to keep. */
  keep(key: string, entry: E): void {
    const size = entry.body.length;
    if (size > this.maxBytes / 16) return;
    const old = this.entries.get(key);
    if (old !== undefined) this.kept -= old.body.length;
    if (this.kept + size > this.maxBytes) {
      this.entries.clear();
      this.kept = 0;
    }
    this.entries.set(key, entry);
    this.kept += size;
  }

  /** Bytes of the bodies kept. */
  get bytes(): number {
    return this.kept;
  }
}
