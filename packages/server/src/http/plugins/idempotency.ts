/**
 * Idempotency-Key on mutations (Iceberg REST spec): the first finalized
 * outcome of a key (2xx and 4xx; never 5xx) is stored and replayed for any
 * retry with the same key within the advertised lifetime, without running
 * the operation again. A key reused for a different operation is refused.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogStore, Clock } from '../../catalog/ports.js';
import { CatalogError } from '../../errors/catalog-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

export function useIdempotency(app: FastifyInstance, store: CatalogStore, clock: Clock, lifetimeMs: number): void {
  const fingerprint = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? ''} ${req.url.split('?')[0]}`;

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'POST' && req.method !== 'DELETE') return;
    const key = req.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !UUID.test(key)) throw new CatalogError('ERR_BAD_REQUEST', 'Idempotency-Key must be a UUID');
    const found = await store.repository.getIdempotency(key.toLowerCase(), clock.now() - lifetimeMs);
    if (found) {
      if (found.fingerprint !== fingerprint(req)) throw new CatalogError('ERR_IDEMPOTENCY_CONFLICT', 'Idempotency-Key was already used for a different operation');
      reply.header('idempotent-replayed', 'true').header('content-type', 'application/json; charset=utf-8');
      return reply.code(found.status).send(found.body === '' ? undefined : found.body);
    }
    req.idempotencyKey = key.toLowerCase();
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.idempotencyKey || reply.statusCode >= 500) return payload;
    if (payload !== undefined && payload !== null && typeof payload !== 'string') return payload;
    await store.repository.putIdempotency({
      key: req.idempotencyKey,
      fingerprint: fingerprint(req),
      status: reply.statusCode,
      body: (payload as string | undefined) ?? '',
      createdAtMs: clock.now(),
    });
    return payload;
  });
}
