/**
 * The CheckMemo of one listing page (ports/access.ts): what the authorizer read about the caller while deciding one
 * chunk (with OpenFGA, its roles' grants on tables and views) serves the next chunks of the same scan, instead of
 * being read again for each chunk of 100 rows.
 *
 * How stale it may be: it lives for one listing request's scan, is forgotten when access changes through this
 * process or is announced by another (the access service's decision generation moves), and an entry older than
 * MEMO_MAX_AGE_MS is read again. What it reads it asks of `shared` first: the caller's reads kept across its listing
 * requests for at most the authorization cache's bound (grant-reads.ts), so the pages of one walk read once. An authorizer uses it only to spare checks it knows would deny
 * (openfga/parents-first.ts): every allow is still a fresh check, so a revoked grant is never seen through it.
 */
import type { CheckMemo } from '../ports/access.js';

/** An entry is read again once this old (a long scan of a huge namespace): a grant made meanwhile is seen by its next chunks. */
export const MEMO_MAX_AGE_MS = 1_000;

export class ListingMemo implements CheckMemo {
  private readonly kept = new Map<string, { value: Promise<unknown>; atMs: number }>();
  private generation: number;
  private sinceMs: number | undefined;

  constructor(
    private readonly currentGeneration: () => number,
    private readonly now: () => number,
    private readonly shared?: CheckMemo,
  ) {
    this.generation = currentGeneration();
  }

  /**
   * When the oldest read this memo served began (undefined: it served none). A denial decided from these reads may be
   * kept only as long as they may (AccessService.decide): from this time on, not from the decision's.
   */
  get readSinceMs(): number | undefined {
    return this.sinceMs;
  }

  /** Records that a read begun at `sinceMs` was served (the shared layer tells when its kept read began). */
  noteRead(sinceMs: number): void {
    if (this.sinceMs === undefined || sinceMs < this.sinceMs) this.sinceMs = sinceMs;
  }

  remember<T>(key: string, read: () => Promise<T>): Promise<T> {
    const generation = this.currentGeneration();
    if (generation !== this.generation) {
      this.kept.clear();
      this.generation = generation;
    }
    const nowMs = this.now();
    const entry = this.kept.get(key);
    if (entry && nowMs - entry.atMs <= MEMO_MAX_AGE_MS) return entry.value as Promise<T>;
    if (!this.shared) this.noteRead(nowMs);
    const value = this.shared ? this.shared.remember(key, read) : read();
    const fresh = { value, atMs: nowMs };
    this.kept.set(key, fresh);
    // A failed read is not kept: the next chunk asks again (the failure itself reaches this chunk's caller).
    value.catch(() => {
      if (this.kept.get(key) === fresh) this.kept.delete(key);
    });
    return value;
  }
}
