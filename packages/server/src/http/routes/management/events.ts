/**
 * Change events (the outbox's pull API) and the event sinks of a warehouse or a tenant. Each route validates its
 * request shape (the contract did), calls one EventService, SinkAdmin or TenantEventService method and writes the
 * answer; events as CloudEvents 1.0 JSON. `GET /events` reads a warehouse's events, or without `warehouse` a
 * tenant's (tenant-events.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { EventService } from '../../../catalog/management/event-service.js';
import type { SinkAdmin } from '../../../catalog/management/sink-admin.js';
import type { TenantEventService } from '../../../catalog/management/tenant-event-service.js';
import { validation } from '../../../errors/catalog-error.js';
import { toCloudEvent } from '../../../catalog/outbox/cloud-event.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

export interface EventRoutesOptions {
  events: EventService;
  sinks: SinkAdmin;
  tenantEvents: TenantEventService;
  /** The server's public URL (events' `source`). */
  baseUrl(): string;
}

export function eventRoutes(app: FastifyInstance, o: EventRoutesOptions): void {
  operationRoute(app, 'listEvents', async (req) => {
    const query = req.query;
    if (query.warehouse !== undefined && query.tenant !== undefined)
      throw validation('name either a warehouse (its events) or a tenant (its events), not both');
    const page =
      query.warehouse === undefined
        ? await o.tenantEvents.list(callerOf(req), { tenant: query.tenant, after: query.after, limit: query.limit })
        : await o.events.list({ caller: callerOf(req), warehouse: query.warehouse }, { after: query.after, limit: query.limit });
    const baseUrl = o.baseUrl();
    return { events: page.events.map((e) => toCloudEvent(e, baseUrl)), next: String(page.next), more: page.more };
  });

  operationRoute(app, 'listEventSinks', async (req) => ({
    sinks: await o.sinks.list({ caller: callerOf(req), warehouse: req.params.warehouse }),
  }));

  operationRoute(app, 'createEventSink', async (req, reply) =>
    reply.code(201).send(await o.sinks.create({ caller: callerOf(req), warehouse: req.params.warehouse }, req.body)),
  );

  operationRoute(app, 'listTenantEventSinks', async (req) => ({
    sinks: await o.tenantEvents.listSinks(callerOf(req), req.params.tenant),
  }));

  operationRoute(app, 'createTenantEventSink', async (req, reply) =>
    reply.code(201).send(await o.tenantEvents.createSink(callerOf(req), req.params.tenant, req.body)),
  );

  operationRoute(app, 'getTenantEventSink', async (req) => o.tenantEvents.getSink(callerOf(req), req.params.tenant, req.params.sinkId));

  operationRoute(app, 'deleteTenantEventSink', async (req, reply) => {
    await o.tenantEvents.deleteSink(callerOf(req), req.params.tenant, req.params.sinkId);
    return reply.code(204).send();
  });

  operationRoute(app, 'getEventSink', async (req) => o.sinks.get({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.sinkId));

  operationRoute(app, 'deleteEventSink', async (req, reply) => {
    await o.sinks.delete({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.sinkId);
    return reply.code(204).send();
  });
}
