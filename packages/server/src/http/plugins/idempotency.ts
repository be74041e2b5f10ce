/**
 * Idempotency-Key on mutations (Iceberg REST spec, parameter idempotency-key):
 * the first finalized outcome of a key is stored and replayed for any retry
 * with the same key within the advertised lifetime, without running the
 * operation again. Finalized are the spec's terminal answers: 2xx and the
 * deterministic 4xx. Never 5xx, nor the answers that depend on who asks or
 * when (401, 403, 408, 419, 425, 429): a retry after a grant or a new token
 * runs the operation instead of replaying a refusal.
 *
 * A key belongs to one request: caller, method, path and body (a SHA-256 of
 * the parsed body). A key reused for anything else is refused (400) and
 * nothing runs. The reference CatalogHandlers.withIdempotency replays the
 * first answer whatever the body; the spec forbids reusing a key for another
 * operation, and replaying "namespace idem1 created" to a request that asked
 * for idem2 would tell the client a lie (docs/compatibility.md).
 *
 * The key is claimed before the operation runs. A retry that arrives while
 * the first attempt is still running waits for it (polling the store, so it
 * works across workers and replicas) and replays its answer, as the
 * reference does; it never runs the operation a second time, and is never
 * told 409 (Iceberg Java would re-apply its change on a new base: the double
 * append the key exists to prevent). The wait is bounded (ClaimTiming
 * .maxWaitMs): past it the retry gets 503, which clients treat as "state
 * unknown", not as a conflict. The process running a request keeps its claim
 * fresh; a claim left by a process that died is taken over, by exactly one
 * waiting retry, once nobody refreshed it for ClaimTiming.abandonedAfterMs
 * (15 s by default). A table commit also notes on the claim, in its own
 * database transaction, what it applied: a retry that finds the note (the
 * attempt committed, then died or has not answered yet) is answered from it
 * (catalog/tables/commit.ts) rather than committed again.
 *
 * Stored answers are sealed with the server's SecretBox (AES-256-GCM, the
 * key as associated data): create, register and Lance declare answer with
 * vended storage credentials, which must never lie in the database in clear
 * (issue 40). A replay hands back the credentials vended to the first
 * attempt, which are valid for longer than a key's replay window by default.
 *
 * Only POST and DELETE routes get the hooks (attached per route as routes
 * are added), and of those not the operations the contract marks `safe`
 * (remote signing): reads never carry a key worth honouring, and a hook on
 * every GET was a measurable part of the per-request cost (docs/benchmarks.md).
 * The catalog surfaces (Iceberg, Lance) install it in their own encapsulated
 * plugin before their routes; the token endpoint and the management API
 * never do, because they answer with secrets (tokens, client secrets, keys)
 * that no replay should hand out again.
 */
import { createHash } from 'node:crypto';
import { OPERATIONS, idempotent } from '@lakegate/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import { APPLIED_OUTCOME } from '../../catalog/context.js';
import { stringifyJson } from '../../catalog/json.js';
import type { CatalogStore, Clock } from '../../catalog/ports/index.js';
import { CatalogError } from '../../errors/catalog-error.js';
import type { SecretBox } from '../../security/secret-box.js';

/**
 * Claims of requests in progress are kept fresh by their process (every `heartbeatMs` it moves their time to
 * now); a claim that has not been refreshed for `abandonedAfterMs` belongs to a process that died, and a waiting
 * retry takes the key over. A retry waits at most `maxWaitMs` for a live claim to finish.
 */
export interface ClaimTiming {
  heartbeatMs: number;
  abandonedAfterMs: number;
  maxWaitMs: number;
}
const DEFAULT_TIMING: ClaimTiming = { heartbeatMs: 5_000, abandonedAfterMs: 15_000, maxWaitMs: 60_000 };
/** Answers that depend on who asks or when, not on the request: never stored, a retry runs the operation again. */
const NOT_FINAL = new Set([401, 403, 408, 419, 425, 429]);
const SEALED = 'v1.';
/** A request whose claim is still refreshed after this long is treated as gone (a bound on the in-flight set, never reached by a live one). */
const LONGEST_REQUEST_MS = 30 * 60_000;
const OPERATIONS_BY_ID = new Map(OPERATIONS.map((op) => [op.operationId, op]));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
    /** What an earlier attempt with this key applied before its process ended (a commit's note, APPLIED_OUTCOME). */
    idempotencyApplied?: string;
  }
}

export function useIdempotency(
  app: FastifyInstance,
  store: CatalogStore,
  clock: Clock,
  lifetimeMs: number,
  timing: Partial<ClaimTiming> = {},
  box?: SecretBox,
): void {
  const { heartbeatMs, abandonedAfterMs, maxWaitMs } = { ...DEFAULT_TIMING, ...timing };
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
  }, heartbeatMs);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  // The caller is part of the fingerprint (its tenant, and the subject the catalog authorizes: who vouched for it and
  // its name): a replay runs no authorization, so a key can never replay an outcome to anyone but the subject it was
  // decided for (another principal of the same tenant who learnt the key would get a table's metadata or the storage
  // credentials vended with it). The body too: the same key with another body is another operation, never
  // answered with the first one's outcome. JSON, so that no name can make two callers' fingerprints equal.
  const fingerprint = (req: FastifyRequest) =>
    JSON.stringify([
      req.actor?.tenant ?? '',
      req.actor?.kind ?? '',
      req.actor?.issuer ?? '',
      req.actor?.subject ?? '',
      req.method,
      req.routeOptions.url ?? '',
      req.url.split('?')[0],
      // The parsed body (exact 64-bit integers kept), so that only what the request says counts, not its spacing; a
      // binary body (Lance CreateTable's Arrow IPC stream) by its bytes.
      createHash('sha256')
        .update(req.body instanceof Uint8Array ? req.body : stringifyJson(req.body ?? null))
        .digest('base64url'),
    ]);
  const seal = (key: string, body: string) => (box === undefined || body === '' ? body : box.seal(body, `idempotency:${key}`));
  const unseal = (key: string, body: string) => (box !== undefined && body.startsWith(SEALED) ? box.open(body, `idempotency:${key}`) : body);
  const own = (req: FastifyRequest, key: string, applied?: string) => {
    req.idempotencyKey = key;
    if (applied !== undefined) req.idempotencyApplied = applied;
    held(key);
  };

  const claim = async (req: FastifyRequest, reply: FastifyReply) => {
    // A route may serve several methods; only the mutating ones are covered.
    if (req.method !== 'POST' && req.method !== 'DELETE') return;
    const key = req.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !UUID.test(key)) throw new CatalogError('ERR_BAD_REQUEST', 'Idempotency-Key must be a UUID');
    const normalized = key.toLowerCase();
    const fp = fingerprint(req);
    const deadline = clock.now() + maxWaitMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
      const now = clock.now();
      if (await store.repository.reserveIdempotency(normalized, fp, now)) return own(req, normalized);
      const found = await store.repository.getIdempotency(normalized, 0);
      if (found === undefined) continue; // released meanwhile (its outcome was not final): claim it now
      const noted = found.status === 0 && found.body.startsWith(APPLIED_OUTCOME);
      const abandoned = found.status === 0 && now - found.createdAtMs > abandonedAfterMs;
      if (abandoned && !noted) {
        // Nobody keeps this claim fresh: its process died before applying anything. One retry takes it over.
        if (await store.repository.takeOverIdempotency(normalized, found.createdAtMs, fp, now)) return own(req, normalized);
        continue;
      }
      if (found.fingerprint !== fp) throw new CatalogError('ERR_IDEMPOTENCY_CONFLICT', 'Idempotency-Key was already used for a different request');
      if (noted) {
        // An earlier attempt committed (its transaction noted what) and has not recorded its answer yet, or never
        // will (its process ended): answer from the note. The service applies nothing then, so this is safe even if
        // that attempt is still about to answer the same.
        return own(req, normalized, found.body);
      }
      if (found.status !== 0) {
        if (found.createdAtMs < now - lifetimeMs) {
          await store.repository.deleteIdempotency(normalized); // expired: the key is free again
          continue;
        }
        reply.header('idempotent-replayed', 'true').header('content-type', 'application/json; charset=utf-8');
        return reply.code(found.status).send(found.body === '' ? undefined : unseal(normalized, found.body));
      }
      if (now >= deadline) throw new CatalogError('ERR_UNAVAILABLE', 'A request with this Idempotency-Key is still in progress; retry later');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };

  const record = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!req.idempotencyKey) return payload;
    released(req);
    if (reply.statusCode >= 500 || NOT_FINAL.has(reply.statusCode) || (payload !== undefined && payload !== null && typeof payload !== 'string')) {
      // Not finalized: release the claim so that a retry (or a request waiting for this one) runs the operation.
      await store.repository.deleteIdempotency(req.idempotencyKey);
      return payload;
    }
    await store.repository.putIdempotency({
      key: req.idempotencyKey,
      fingerprint: fingerprint(req),
      status: reply.statusCode,
      body: seal(req.idempotencyKey, (payload as string | undefined) ?? ''),
      createdAtMs: clock.now(),
    });
    return payload;
  };

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => m === 'POST' || m === 'DELETE')) return;
    // Nor the POSTs of the contract that change nothing (remote signing, once per storage request of an engine).
    const op = route.schema?.operationId === undefined ? undefined : OPERATIONS_BY_ID.get(route.schema.operationId);
    if (op !== undefined && !idempotent(op)) return;
    // First in the route's own list, so it runs where the global hook used to: before any route-specific one.
    route.preHandler = [claim as preHandlerHookHandler, ...asList(route.preHandler)];
    route.onSend = [record as onSendHookHandler, ...asList(route.onSend)];
    // Whatever way the request ended, its claim is no longer this process's to keep fresh.
    route.onResponse = [...asList(route.onResponse), async (req: FastifyRequest) => released(req)] as never;
  });
}

const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);
