/**
 * Change events (the outbox's pull API) and the event sinks of a warehouse or a tenant. Each route validates its
 * request shape (the contract did), calls one EventService, SinkAdmin or TenantEventService method and writes the
 * answer; events as CloudEvents 1.0 JSON. `GET /events` reads a warehouse's events, or without `warehouse` a
 * tenant's (tenant-events.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventService } from '../../../catalog/management/event-service.js';
import type { SinkAdmin } from '../../../catalog/management/sink-admin.js';
import type { TenantEventService } from '../../../catalog/management/tenant-event-service.js';
import { validation } from '../../../errors/catalog-error.js';
import { toCloudEvent } from '../../../catalog/outbox/cloud-event.js';
import { callerOf } from '../../caller.js';

export interface EventRoutesOptions {
  events: EventService;
  sinks: SinkAdmin;
  tenantEvents: TenantEventService;
  /** The server's public URL (events' `source`). */
  baseUrl(): string;
}

type WarehouseReq = FastifyRequest<{ Params: { warehouse: string } }>;
type SinkReq = FastifyRequest<{ Params: { warehouse: string; sinkId: string } }>;
type TenantReq = FastifyRequest<{ Params: { tenant: string } }>;
type TenantSinkReq = FastifyRequest<{ Params: { tenant: string; sinkId: string } }>;

export function eventRoutes(app: FastifyInstance, o: EventRoutesOptions): void {
  app.get('/events', { schema: { operationId: 'listEvents' } }, async (req) => {
    const query = req.query as { warehouse?: string; tenant?: string; after?: string; limit?: number };
    if (query.warehouse !== undefined && query.tenant !== undefined) throw validation('name either a warehouse (its events) or a tenant (its events), not both');
    const page =
      query.warehouse === undefined
        ? await o.tenantEvents.list(callerOf(req), { tenant: query.tenant, after: query.after, limit: query.limit })
        : await o.events.list({ caller: callerOf(req), warehouse: query.warehouse }, { after: query.after, limit: query.limit });
    const baseUrl = o.baseUrl();
    return { events: page.events.map((e) => toCloudEvent(e, baseUrl)), next: String(page.next), more: page.more };
  });

  app.get('/warehouses/:warehouse/event-sinks', { schema: { operationId: 'listEventSinks' } }, async (req: WarehouseReq) => ({
    sinks: await o.sinks.list({ caller: callerOf(req), warehouse: req.params.warehouse }),
  }));

  app.post('/warehouses/:warehouse/event-sinks', { schema: { operationId: 'createEventSink' } }, async (req: WarehouseReq, reply) =>
    reply.code(201).send(await o.sinks.create({ caller: callerOf(req), warehouse: req.params.warehouse }, req.body)),
  );

  app.get('/tenants/:tenant/event-sinks', { schema: { operationId: 'listTenantEventSinks' } }, async (req: TenantReq) => ({
    sinks: await o.tenantEvents.listSinks(callerOf(req), req.params.tenant),
  }));

  app.post('/tenants/:tenant/event-sinks', { schema: { operationId: 'createTenantEventSink' } }, async (req: TenantReq, reply) =>
    reply.code(201).send(await o.tenantEvents.createSink(callerOf(req), req.params.tenant, req.body)),
  );

  app.get('/tenants/:tenant/event-sinks/:sinkId', { schema: { operationId: 'getTenantEventSink' } }, async (req: TenantSinkReq) =>
    o.tenantEvents.getSink(callerOf(req), req.params.tenant, req.params.sinkId),
  );

  app.delete('/tenants/:tenant/event-sinks/:sinkId', { schema: { operationId: 'deleteTenantEventSink' } }, async (req: TenantSinkReq, reply) => {
    await o.tenantEvents.deleteSink(callerOf(req), req.params.tenant, req.params.sinkId);
    return reply.code(204).send();
  });

  app.get('/warehouses/:warehouse/event-sinks/:sinkId', { schema: { operationId: 'getEventSink' } }, async (req: SinkReq) =>
    o.sinks.get({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.sinkId),
  );

  app.delete('/warehouses/:warehouse/event-sinks/:sinkId', { schema: { operationId: 'deleteEventSink' } }, async (req: SinkReq, reply) => {
    await o.sinks.delete({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.sinkId);
    return reply.code(204).send();
  });
}
