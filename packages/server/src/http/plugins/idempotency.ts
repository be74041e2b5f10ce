/**
 * Idempotency-Key on mutations (Iceberg REST spec): the first finalized
 * outcome of a key (2xx and 4xx; never 5xx) is stored and replayed for any
 * retry with the same key within the advertised lifetime, without running
 * the operation again. A key reused for a different operation is refused.
 * The key is claimed before the operation runs, so a retry that arrives
 * while the first attempt is still running is told so (409) instead of
 * running the operation a second time. A table commit also notes on the
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

/** A claim this old whose request never finished belongs to a process that died. */
const ABANDONED_AFTER_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
    /** What an earlier attempt with this key applied before its process ended (a commit's note, APPLIED_OUTCOME). */
    idempotencyApplied?: string;
  }
}

export function useIdempotency(app: FastifyInstance, store: CatalogStore, clock: Clock, lifetimeMs: number): void {
  // The caller's tenant is part of the fingerprint: a key can never replay another tenant's outcome.
  const fingerprint = (req: FastifyRequest) => `${req.actor?.tenant ?? ''} ${req.method} ${req.routeOptions.url ?? ''} ${req.url.split('?')[0]}`;

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
      return;
    }
    const found = await store.repository.getIdempotency(normalized, 0);
    if (found !== undefined && found.status === 0 && found.body.startsWith(APPLIED_OUTCOME) && found.fingerprint === fingerprint(req)) {
      // An earlier attempt committed (its transaction noted what) but its process ended before recording the
      // answer: run again, and the service answers from what was applied instead of applying it twice.
      req.idempotencyKey = normalized;
      req.idempotencyApplied = found.body;
      return;
    }
    const abandoned = found !== undefined && found.status === 0 && now - found.createdAtMs > ABANDONED_AFTER_MS;
    if (found === undefined || found.createdAtMs < now - lifetimeMs || abandoned) {
      // Expired, or claimed by a process that died before finishing: the key is free again.
      await store.repository.deleteIdempotency(normalized);
      if (await store.repository.reserveIdempotency(normalized, fingerprint(req), now)) {
        req.idempotencyKey = normalized;
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
  });
}

const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);
