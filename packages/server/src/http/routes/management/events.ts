/**
 * Change events (the outbox's pull API) and a warehouse's event sinks. Each route validates its request shape (the
 * contract did), calls one EventService or SinkAdmin method and writes the answer; events as CloudEvents 1.0 JSON.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventService } from '../../../catalog/outbox/event-service.js';
import type { SinkAdmin } from '../../../catalog/outbox/sink-admin.js';
import { toCloudEvent } from '../../../catalog/outbox/cloud-event.js';
import { callerOf } from '../../caller.js';

export interface EventRoutesOptions {
  events: EventService;
  sinks: SinkAdmin;
  /** The server's public URL (events' `source`). */
  baseUrl(): string;
}

type WarehouseReq = FastifyRequest<{ Params: { warehouse: string } }>;
type SinkReq = FastifyRequest<{ Params: { warehouse: string; sinkId: string } }>;

export function eventRoutes(app: FastifyInstance, o: EventRoutesOptions): void {
  app.get('/events', { schema: { operationId: 'listEvents' } }, async (req) => {
    const query = req.query as { warehouse: string; after?: string; limit?: number };
    const page = await o.events.list({ caller: callerOf(req), warehouse: query.warehouse }, { after: query.after, limit: query.limit });
    const baseUrl = o.baseUrl();
    return { events: page.events.map((e) => toCloudEvent(e, baseUrl)), next: String(page.next), more: page.more };
  });

  app.get('/warehouses/:warehouse/event-sinks', { schema: { operationId: 'listEventSinks' } }, async (req: WarehouseReq) => ({
    sinks: await o.sinks.list({ caller: callerOf(req), warehouse: req.params.warehouse }),
  }));

  app.post('/warehouses/:warehouse/event-sinks', { schema: { operationId: 'createEventSink' } }, async (req: WarehouseReq, reply) =>
    reply.code(201).send(await o.sinks.create({ caller: callerOf(req), warehouse: req.params.warehouse }, req.body)),
  );

  app.get('/warehouses/:warehouse/event-sinks/:sinkId', { schema: { operationId: 'getEventSink' } }, async (req: SinkReq) =>
    o.sinks.get({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.sinkId),
  );

  app.delete('/warehouses/:warehouse/event-sinks/:sinkId', { schema: { operationId: 'deleteEventSink' } }, async (req: SinkReq, reply) => {
    await o.sinks.delete({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.sinkId);
    return reply.code(204).send();
  });
}
