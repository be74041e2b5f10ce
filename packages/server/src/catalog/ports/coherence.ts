/** The Coherence port: what the processes of a server, and replicas on one database, tell each other and claim. */
/**
 * What one process of a server tells the others it runs beside (`lakegate
 * serve --workers N`): that state they may have cached changed, or a fact
 * every process should count (failed sign-ins). A process that changes
 * something drops its own copy itself and announces the change; the others
 * drop theirs when the announcement arrives (milliseconds, over the cluster's
 * IPC channel). Replicas on one PostgreSQL hear the shared topics too
 * (persistence/postgres/replica-coherence.ts); while that channel is down the
 * caches' lifetimes bound staleness (authzCacheSeconds, identityCacheSeconds).
 */
export interface Coherence {
  /** Tells the other processes that `topic` changed (optionally: which key). Never echoed back to this process. */
  announce(topic: CoherenceTopic, key?: string): void;
  /** Runs `onAnnounced` for each announcement of `topic` by another process. */
  on(topic: CoherenceTopic, onAnnounced: (key: string | undefined) => void): void;
  /**
   * Runs `fn` while no other process of this server runs one for any of `keys` (e.g. commits to one table), so
   * they queue instead of losing compare-and-swap races to each other. An optimisation, never what correctness
   * rests on: when the lock cannot be had in time, `fn` runs anyway and the compare-and-swap decides.
   */
  runExclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while no other process runs one under `key`: neither another worker of this server nor, on PostgreSQL,
   * another replica on the same database (persistence/postgres/replica-claims.ts), so work that every process could do
   * (deriving one policy-enforced file) is done once and the others find its result. The claim lapses with its holder
   * (a worker that exits, a replica whose database session ends because it was killed), and a waiter runs `fn` anyway
   * after a bounded wait: an optimisation, never what correctness rests on. Claims of one process do not exclude each
   * other (the caller dedupes its own work: restricted.ts's in-flight derivations).
   */
  claim<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export type CoherenceTopic =
  /** Grants, roles, memberships, admin status, dropped securables: authorization decisions. */
  | 'access'
  /** Namespaces created or dropped: cached namespace ids. */
  | 'namespace-ids'
  /** Principals changed (disabled, tokens revoked, delegation changed). */
  | 'principals'
  /** A token session revoked or rotated (key: its id). */
  | 'token-sessions'
  /** A warehouse created, changed or deleted (key: its name). */
  | 'warehouses'
  /** A failed client authentication at the token endpoint or console (key: JSON [client id, address]). */
  | 'sign-in-failed'
  /** A successful one (key: JSON [client id, address]). */
  | 'sign-in-succeeded'
  /** A table's row-filter or column-mask policies changed (key: the table's catalog id). */
  | 'policies'
  /** A table's, view's or namespace's record changed: created, committed, renamed, dropped (key: the warehouse). */
  | 'objects'
  /** A table's policy-enforced files were prepared (key: JSON [warehouse, table uuid, metadata location, policy versions]). */
  | 'policy-files'
  /** A Lance optimize's fence went up or came down (key: JSON, catalog/lance-fences.ts). */
  | 'lance-fences';

/** One process alone: announcements reach nobody (the in-memory implementation). */
export class LocalCoherence implements Coherence {
  announce(): void {}
  on(): void {}
  runExclusive<T>(_keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  claim<T>(_key: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}
