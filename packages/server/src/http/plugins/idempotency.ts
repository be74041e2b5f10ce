/**
 * Idempotency-Key on mutations (Iceberg REST spec): the first finalized
 * outcome of a key (2xx and 4xx; never 5xx) is stored and replayed for any
 * retry with the same key within the advertised lifetime, without running
 * the operation again. A key reused for a different operation, or by a
 * different caller, is refused.
 * The key is claimed before the operation runs, so a retry that arrives
 * while the first attempt is still running is told so (409) instead of
 * running the operation a second time; the process running it keeps its
 * claim fresh, and a claim left by a process that died is taken over by a
 * retry after ClaimTiming.abandonedAfterMs. A table commit also notes on the
 * claim, in its own database transaction, what it applied: when the process
 * dies between that transaction and recording the answer, a retry is
 * answered from the note (catalog/tables/commit.ts) rather than committed
 * again.
 *
 * Only POST and DELETE routes get the hooks (attached per route as routes
 * are added): reads never carry a key worth honouring, and a hook on every
 * GET was a measurable part of the per-request cost (docs/benchmarks.md).
 * The catalog surfaces (Iceberg, Lance) install it in their own encapsulated
 * plugin before their routes; the token endpoint and the management API
 * never do, because they answer with secrets (tokens, client secrets, keys)
 * that must never be stored in plain text for a replay.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import { APPLIED_OUTCOME } from '../../catalog/context.js';
import type { CatalogStore, Clock } from '../../catalog/ports.js';
import { CatalogError } from '../../errors/catalog-error.js';

/**
 * Claims of requests in progress are kept fresh by their process (every `heartbeatMs` it moves their time to
 * now); a claim that has not been refreshed for `abandonedAfterMs` belongs to a process that died, and a retry
 * takes the key over instead of being told "in progress" until the key expires.
 */
export interface ClaimTiming {
  heartbeatMs: number;
  abandonedAfterMs: number;
}
const DEFAULT_TIMING: ClaimTiming = { heartbeatMs: 5_000, abandonedAfterMs: 15_000 };
/** A request whose claim is still refreshed after this long is treated as gone (a bound on the in-flight set, never reached by a live one). */
const LONGEST_REQUEST_MS = 30 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
    /** What an earlier attempt with this key applied before its process ended (a commit's note, APPLIED_OUTCOME). */
    idempotencyApplied?: string;
  }
}

export function useIdempotency(app: FastifyInstance, store: CatalogStore, clock: Clock, lifetimeMs: number, timing: ClaimTiming = DEFAULT_TIMING): void {
  /** Keys this process claimed and is still working on, with when each was claimed. */
  const inFlight = new Map<string, number>();
  const held = (key: string) => inFlight.set(key, clock.now());
  const released = (req: FastifyRequest) => {
    if (req.idempotencyKey) inFlight.delete(req.idempotencyKey);
  };
  const heartbeat = setInterval(() => {
    if (inFlight.size === 0) return;
    const now = clock.now();
    for (const [key, since] of inFlight) if (now - since > LONGEST_REQUEST_MS) inFlight.delete(key);
    store.repository.touchIdempotency([...inFlight.keys()], now).catch((err: unknown) => app.log.warn({ err }, 'refreshing Idempotency-Key claims failed'));
  }, timing.heartbeatMs);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  // The caller is part of the fingerprint (its tenant, and the subject the catalog authorizes: who vouched for it and
  // its name): a replay runs no authorization, so a key can never replay an outcome to anyone but the subject it was
  // decided for (another principal of the same tenant who learnt the key would get a table's metadata or the storage
  // credentials vended with it). JSON, so that no name can make two callers' fingerprints equal.
  const fingerprint = (req: FastifyRequest) =>
    JSON.stringify([req.actor?.tenant ?? '', req.actor?.kind ?? '', req.actor?.issuer ?? '', req.actor?.subject ?? '', req.method, req.routeOptions.url ?? '', req.url.split('?')[0]]);

  const claim = async (req: FastifyRequest, reply: FastifyReply) => {
    // A route may serve several methods; only the mutating ones are covered.
    if (req.method !== 'POST' && req.method !== 'DELETE') return;
    const key = req.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !UUID.test(key)) throw new CatalogError('ERR_BAD_REQUEST', 'Idempotency-Key must be a UUID');
    const normalized = key.toLowerCase();
    const now = clock.now();
    if (await store.repository.reserveIdempotency(normalized, fingerprint(req), now)) {
      req.idempotencyKey = normalized;
      held(normalized);
      return;
    }
    const found = await store.repository.getIdempotency(normalized, 0);
    if (found !== undefined && found.status === 0 && found.body.startsWith(APPLIED_OUTCOME) && found.fingerprint === fingerprint(req)) {
      // An earlier attempt committed (its transaction noted what) but its process ended before recording the
      // answer: run again, and the service answers from what was applied instead of applying it twice.
      req.idempotencyKey = normalized;
      req.idempotencyApplied = found.body;
      held(normalized);
      return;
    }
    const abandoned = found !== undefined && found.status === 0 && now - found.createdAtMs > timing.abandonedAfterMs;
    if (found === undefined || found.createdAtMs < now - lifetimeMs || abandoned) {
      // Expired, or claimed by a process that died before finishing: the key is free again.
      await store.repository.deleteIdempotency(normalized);
      if (await store.repository.reserveIdempotency(normalized, fingerprint(req), now)) {
        req.idempotencyKey = normalized;
        held(normalized);
        return;
      }
      throw new CatalogError('ERR_COMMIT_CONFLICT', 'A request with this Idempotency-Key is in progress; retry later');
    }
    if (found.fingerprint !== fingerprint(req)) throw new CatalogError('ERR_IDEMPOTENCY_CONFLICT', 'Idempotency-Key was already used for a different operation');
    if (found.status === 0) throw new CatalogError('ERR_COMMIT_CONFLICT', 'A request with this Idempotency-Key is still in progress; retry later');
    reply.header('idempotent-replayed', 'true').header('content-type', 'application/json; charset=utf-8');
    return reply.code(found.status).send(found.body === '' ? undefined : found.body);
  };

  const record = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!req.idempotencyKey) return payload;
    released(req);
    if (reply.statusCode >= 500 || (payload !== undefined && payload !== null && typeof payload !== 'string')) {
      // Not finalized: release the claim so that a retry runs the operation.
      await store.repository.deleteIdempotency(req.idempotencyKey);
      return payload;
    }
    await store.repository.putIdempotency({
      key: req.idempotencyKey,
      fingerprint: fingerprint(req),
      status: reply.statusCode,
      body: (payload as string | undefined) ?? '',
      createdAtMs: clock.now(),
    });
    return payload;
  };

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => m === 'POST' || m === 'DELETE')) return;
    // First in the route's own list, so it runs where the global hook used to: before any route-specific one.
    route.preHandler = [claim as preHandlerHookHandler, ...asList(route.preHandler)];
    route.onSend = [record as onSendHookHandler, ...asList(route.onSend)];
    // Whatever way the request ended, its claim is no longer this process's to keep fresh.
    route.onResponse = [...asList(route.onResponse), async (req: FastifyRequest) => released(req)] as never;
  });
}

const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);
