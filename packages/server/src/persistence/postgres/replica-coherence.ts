/**
 * Coherence between replicas that share one PostgreSQL database (LISTEN/NOTIFY): what a process announces to the
 * other workers of its server (cluster/worker-link.ts, over IPC) also goes to every other replica, so a revoked
 * grant, a changed warehouse or policy, a disabled principal or a revoked session is seen by every replica within
 * a notification's latency instead of within the caches' TTLs (docs/deployment.md).
 *
 * Only cache invalidations, notices of prepared policy-enforced files, and Lance optimize's fences travel between
 * replicas (SHARED below). Their listeners clear entries, queue a preparation that finds the files written, or tell
 * fences by their ids (catalog/lance-fences.ts), so a notification seen twice (by a worker that also hears it over IPC)
 * costs a second clear and nothing else; a notice without its key (after a reconnect, below) is ignored. Sign-in
 * failure counts stay per replica: counted twice they would lock users out early. Claims (Coherence.claim) are
 * advisory locks on the listening connection (replica-claims.ts).
 *
 * Every process listens on its own connection and tags what it sends with an id of its own, so it never hears its
 * own notifications. Notifications are not durable: while the connection is down nothing is heard, so after a
 * reconnect every shared topic is announced locally as "everything changed", and the TTL bounds stay the backstop.
 * Hand-written on pg's Client because no maintained library wraps LISTEN with this reconnect rule; it is small.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Coherence, CoherenceTopic } from '../../catalog/ports/index.js';
import { boundedWaits } from './postgres-store.js';
import { ReplicaClaims } from './replica-claims.js';

const CHANNEL = 'lakegate_coherence';
/** How the listening connections show in pg_stat_activity. */
export const APPLICATION_NAME = 'lakegate-coherence';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes: a longer key is sent as "everything of the topic". */
const MAX_PAYLOAD = 7900;
const SHARED: ReadonlySet<CoherenceTopic> = new Set<CoherenceTopic>([
  'access',
  'namespace-ids',
  'principals',
  'token-sessions',
  'warehouses',
  'policies',
  'objects',
  'policy-files',
  'lance-fences',
]);
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

interface Wire {
  o: string;
  t: CoherenceTopic;
  k?: string;
}

const isWire = (v: unknown): v is Wire =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Wire).o === 'string' &&
  SHARED.has((v as Wire).t) &&
  ((v as Wire).k === undefined || typeof (v as Wire).k === 'string');

export class ReplicaCoherence implements Coherence {
  private readonly origin = randomUUID();
  private readonly listeners = new Map<CoherenceTopic, Array<(key: string | undefined) => void>>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryMs = RETRY_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly claims: ReplicaClaims;
  /** Notifications heard from other replicas (for tests and /metrics-style checks). */
  heard = 0;

  constructor(
    private readonly inner: Coherence,
    private readonly connectionString: string,
    private readonly warn: (message: string) => void,
  ) {
    this.claims = new ReplicaClaims(() => this.client, connectionString);
  }

  /** Connects and listens; a failure is reported and retried in the background (the TTLs hold meanwhile). */
  async start(): Promise<void> {
    await this.connect(false);
  }

  announce(topic: CoherenceTopic, key?: string): void {
    this.inner.announce(topic, key);
    if (!SHARED.has(topic) || this.client === undefined) return;
    let payload = JSON.stringify({ o: this.origin, t: topic, k: key } satisfies Wire);
    if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ o: this.origin, t: topic } satisfies Wire);
    this.client.query('select pg_notify($1, $2)', [CHANNEL, payload]).catch(() => {
      // The connection's own 'error' or 'end' starts the reconnect; the other replicas fall back to their TTLs.
    });
  }

  on(topic: CoherenceTopic, onAnnounced: (key: string | undefined) => void): void {
    this.inner.on(topic, onAnnounced);
    const list = this.listeners.get(topic) ?? [];
    list.push(onAnnounced);
    this.listeners.set(topic, list);
  }

  runExclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    return this.inner.runExclusive(keys, fn);
  }

  /** Claimed among this server's workers first, then among the replicas (replica-claims.ts). */
  claim<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.inner.claim(key, () => this.claims.claim(key, fn));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.claims.close();
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private dispatch(topic: CoherenceTopic, key: string | undefined): void {
    for (const listener of this.listeners.get(topic) ?? []) listener(key);
  }

  private connect(afterLoss: boolean): Promise<void> {
    this.connecting = (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, ...boundedWaits(this.connectionString), application_name: APPLICATION_NAME });
      client.on('notification', (n) => {
        if (n.channel !== CHANNEL || n.payload === undefined) return;
        let wire: unknown;
        try {
          wire = JSON.parse(n.payload);
        } catch {
          return;
        }
        if (!isWire(wire) || wire.o === this.origin) return;
        this.heard++;
        this.dispatch(wire.t, wire.k);
      });
      const lost = () => {
        if (this.client !== client) return;
        this.client = undefined;
        this.retry('the connection was lost');
      };
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.connect();
        await client.query(`listen ${CHANNEL}`);
      } catch (e) {
        client.removeAllListeners('end');
        await client.end().catch(() => undefined);
        // The message names the failure's kind only: never the connection string (it may hold a password).
        this.retry(`listening failed (${(e as { code?: string }).code ?? (e as Error).name})`);
        return;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = RETRY_MIN_MS;
      // What was announced while nobody listened is unknown: everything shared counts as changed.
      if (afterLoss) for (const topic of SHARED) this.dispatch(topic, undefined);
    })();
    return this.connecting;
  }

  private retry(reason: string): void {
    if (this.closed) return;
    this.warn(`replica coherence: ${reason}; other replicas' changes are seen within the caches' TTLs until it reconnects`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(true), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}
