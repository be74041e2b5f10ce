/**
 * Coherence.claim between replicas that share one PostgreSQL database: a session-level advisory lock per key, so a
 * piece of work every replica could do (deriving one policy-enforced file, catalog/planning/restricted.ts) is done by
 * one of them while the others wait and then find its result.
 *  - Why advisory locks: PostgreSQL releases them when the holder's session ends, so a replica that is killed or
 *    crashes (its connections close) frees what it claimed at once, without a claim row and an expiry to tune.
 *  - The uncontended claim is one round trip on the connection the replica already keeps for LISTEN
 *    (pg_try_advisory_lock, then pg_advisory_unlock): no connection per file.
 *  - A contended claim waits on a connection of its own (pg_advisory_lock under lock_timeout), so the wait ends the
 *    moment the holder unlocks or its session ends, and shows in pg_locks as an ungranted advisory lock. At most
 *    MAX_WAITERS such connections per process; past that, and after CLAIM_WAIT_MS, or when the database cannot be
 *    reached, `fn` runs unclaimed: claims are an optimisation (two replicas deriving one file still agree on the first
 *    side file written).
 *  - Keys are digested (SHA-256, hex: any key, NUL included, is valid text) and hashed into the two-int form under one
 *    class id (`LAKEGATE_CLAIMS`): another application's advisory
 *    locks on the same database do not meet ours; two of our keys that collide only wait for each other.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { boundedWaits } from './postgres-store.js';

/** The first int of every claim's lock id ('LG' + 1). */
const LAKEGATE_CLAIMS = 0x4c4701;
/** How long a contended claim waits before `fn` runs unclaimed (under the 30 s statement bound of boundedWaits). */
const CLAIM_WAIT_MS = 20_000;
/** Connections waiting for a claim at once, per process. */
const MAX_WAITERS = 8;
/** How the waiting connections show in pg_stat_activity. */
export const CLAIM_APPLICATION_NAME = 'lakegate-claim';

export class ReplicaClaims {
  private readonly waiters = new Set<pg.Client>();
  private closed = false;

  constructor(
    /** The replica's own long-lived connection (its LISTEN one), when connected. */
    private readonly shared: () => pg.Client | undefined,
    private readonly connectionString: string,
  ) {}

  async claim<T>(given: string, fn: () => Promise<T>): Promise<T> {
    // PostgreSQL text holds no NUL: a key with one (the Lance policy reads' keys) made every query fail, and so every
    // claim ran unclaimed. Its digest is safe whatever the key holds.
    const key = createHash('sha256').update(given).digest('hex');
    const shared = this.shared();
    if (shared === undefined || this.closed) return fn();
    let held = false;
    try {
      const r = await shared.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LAKEGATE_CLAIMS, key]);
      held = r.rows[0]?.ok === true;
    } catch {
      return fn();
    }
    if (held) {
      try {
        return await fn();
      } finally {
        // A lost connection released the lock with its session; nothing to undo then.
        await shared.query('select pg_advisory_unlock($1, hashtext($2))', [LAKEGATE_CLAIMS, key]).catch(() => undefined);
      }
    }
    const waiter = await this.waitFor(key);
    try {
      return await fn();
    } finally {
      // Ending the session releases the lock it was granted.
      if (waiter !== undefined) {
        this.waiters.delete(waiter);
        await waiter.end().catch(() => undefined);
      }
    }
  }

  /** Ends the connections waiting for claims (their `fn`s then run unclaimed, or were stopped by their callers). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.waiters].map((w) => w.end().catch(() => undefined)));
    this.waiters.clear();
  }

  /** A connection granted the claim of `key`, or undefined when it is not worth waiting any longer (see the opening comment). */
  private async waitFor(key: string): Promise<pg.Client | undefined> {
    if (this.waiters.size >= MAX_WAITERS || this.closed) return undefined;
    const client = new pg.Client({ connectionString: this.connectionString, ...boundedWaits(this.connectionString), application_name: CLAIM_APPLICATION_NAME });
    client.on('error', () => undefined);
    this.waiters.add(client);
    try {
      await client.connect();
      await client.query(`set lock_timeout = ${CLAIM_WAIT_MS}`);
      await client.query('select pg_advisory_lock($1, hashtext($2))', [LAKEGATE_CLAIMS, key]);
      return client;
    } catch {
      this.waiters.delete(client);
      await client.end().catch(() => undefined);
      return undefined;
    }
  }
}
