/**
 * What an authorizer read about a caller to decide a listing (with OpenFGA: the tables and views its roles hold
 * grants on, auth/authz/openfga/parents-first.ts), kept across the caller's listing requests, so that walking a
 * namespace page by page reads the grants once per walk instead of once per page request (issue 54).
 *
 * Why this is safe, and how stale it may be:
 * - Never shared between callers: an entry is kept under the caller's tenant and identities (its principal, or its
 *   user and each IdP group: what decides its roles; decision-keys.ts whoOf), the warehouse listed and the
 *   authorizer's own key.
 * - An entry lives at most `ttlMs` (authzCacheSeconds, the decision cache's bound), counted from when its read began.
 * - Every grant, role or membership change through this process (AccessService.invalidate) and every `access`
 *   announcement of another process or replica (ports/coherence.ts) drops every entry at once; a read in flight
 *   across such a change serves the requests that joined it but is not kept.
 * - Bounded: at most `maxEntries` entries holding `maxObjects` objects in all (a set counts its members); the least
 *   recently used go first, and one read larger than a sixteenth of `maxObjects` is not kept.
 * - An authorizer uses these reads only to spare checks it knows would deny (ports/access.ts CheckMemo): every allow
 *   is still a check, or the decision cache's answer under the same bound, so a revoked grant never shows through
 *   this cache; a grant made on a replica whose announcement did not arrive is seen within the bound.
 */
import { BoundedMap } from '../bounded-map.js';
import type { CheckMemo } from '../ports/access.js';

/** Entries kept at most (a caller and warehouse each, for one authorizer key). */
export const GRANT_READS_MAX_ENTRIES = 1_000;
/** Objects kept at most over all entries (some 20 MB of object ids). */
export const GRANT_READS_MAX_OBJECTS = 250_000;

/** A read may answer undefined ("unknown: check each"); the map keeps it boxed. */
interface Kept {
  value: unknown;
  startedMs: number;
}

const sizeOfRead = (kept: Kept): number => {
  const v = kept.value;
  return 1 + (v instanceof Set || v instanceof Map ? v.size : Array.isArray(v) ? v.length : 0);
};

export interface GrantReadsOptions {
  ttlMs: number;
  now: () => number;
  maxEntries?: number;
  maxObjects?: number;
}

export class GrantReads {
  private readonly kept: BoundedMap<string, Kept>;
  private readonly inFlight = new Map<string, { value: Promise<unknown>; startedMs: number }>();
  private generation = 0;

  constructor(private readonly options: GrantReadsOptions) {
    this.kept = new BoundedMap({
      maxEntries: options.maxEntries ?? GRANT_READS_MAX_ENTRIES,
      evict: 'least-recent',
      ttlMs: options.ttlMs,
      now: options.now,
      maxSize: options.maxObjects ?? GRANT_READS_MAX_OBJECTS,
      sizeOf: sizeOfRead,
    });
  }

  /** Forgets every entry and every read in flight (access changed here, or another process announced it). */
  clear(): void {
    this.kept.clear();
    this.inFlight.clear();
    this.generation++;
  }

  /** Entries held (expired ones included until they are read): for tests and metrics. */
  get size(): number {
    return this.kept.size;
  }

  /**
   * The memo the listings of one caller in one warehouse share (who: AccessService's whoOf of the caller). `onRead`
   * hears when the read it serves began (what a decision made from it may be kept from: check-memo.ts readSinceMs).
   */
  memoOf(who: string, warehouse: string, onRead: (startedMs: number) => void = () => {}): CheckMemo {
    const prefix = `${who}\u001f${warehouse}\u001f`;
    return { remember: (key, read) => this.remember(prefix + key, read, onRead) };
  }

  private remember<T>(key: string, read: () => Promise<T>, onRead: (startedMs: number) => void): Promise<T> {
    const startedMs = this.options.now();
    if (this.options.ttlMs <= 0) {
      onRead(startedMs);
      return read();
    }
    const kept = this.kept.get(key, startedMs);
    if (kept !== undefined) {
      onRead(kept.startedMs);
      return Promise.resolve(kept.value as T);
    }
    const flying = this.inFlight.get(key);
    if (flying !== undefined) {
      onRead(flying.startedMs);
      return flying.value as Promise<T>;
    }
    onRead(startedMs);
    const generation = this.generation;
    const value = read();
    const entry = { value: value as Promise<unknown>, startedMs };
    this.inFlight.set(key, entry);
    const settle = () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    // A failed read is not kept: the next request asks again (the failure itself reaches this one's caller).
    value.then((v) => {
      settle();
      if (generation === this.generation) this.kept.set(key, { value: v, startedMs }, startedMs);
    }, settle);
    return value;
  }
}
