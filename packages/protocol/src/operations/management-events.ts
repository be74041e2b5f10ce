/** The management API's change events (pull) and event sinks (docs/events.md). */
import { Type } from '@sinclair/typebox';
import {
  CreateEventSinkRequest,
  CreateEventSinkResponse,
  EventCursorExpiredResponse,
  EventSink,
  ListEventSinksResponse,
  ListEventsResponse,
} from '../management/events.js';
import { manage, ok } from './manage.js';
import { parameters } from './types.js';

const tags = ['Lakegate management: events'];
const byWarehouse = parameters({ warehouse: Type.String() });
const bySink = parameters({ warehouse: Type.String(), sinkId: Type.String() });
const byTenant = parameters({ tenant: Type.String() });
const byTenantSink = parameters({ tenant: Type.String(), sinkId: Type.String() });

export const MANAGEMENT_EVENT_OPERATIONS = [
  manage({
    operationId: 'listEvents',
    method: 'GET',
    path: '/events',
    summary:
      "A warehouse's change events after a cursor, oldest first, those the caller may read; without a warehouse, a tenant's events (its administrators only)",
    tags,
    query: parameters({
      warehouse: Type.Optional(Type.String({ description: 'The warehouse (Iceberg prefix)' })),
      tenant: Type.Optional(
        Type.String({ description: "Without warehouse: the tenant whose events (roles, members, principals) to read; default the caller's" }),
      ),
      after: Type.Optional(
        Type.String({
          pattern: '^[0-9]{1,15}$',
          description:
            'A sequence: the next of the previous page (default 0: from the oldest retained). One whose next events retention deleted is answered 410',
        }),
      ),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    }),
    responses: { 200: ok('A page of events', ListEventsResponse) },
    errors: [404, 410],
    errorBodies: {
      410: ok(
        'Retention deleted events right after the cursor: resume from resume-after (the oldest cursor still answered) or read again from 0',
        EventCursorExpiredResponse,
      ),
    },
  }),
  manage({
    operationId: 'listEventSinks',
    method: 'GET',
    path: '/warehouses/{warehouse}/event-sinks',
    summary: "A warehouse's event sinks and their delivery state",
    tags,
    params: byWarehouse,
    responses: { 200: ok('The sinks', ListEventSinksResponse) },
    errors: [404],
  }),
  manage({
    operationId: 'createEventSink',
    method: 'POST',
    path: '/warehouses/{warehouse}/event-sinks',
    summary: 'Add an event sink to a warehouse',
    tags,
    params: byWarehouse,
    body: CreateEventSinkRequest,
    responses: { 201: ok('The sink (and a generated secret, shown once)', CreateEventSinkResponse) },
    errors: [404],
  }),
  manage({
    operationId: 'getEventSink',
    method: 'GET',
    path: '/warehouses/{warehouse}/event-sinks/{sinkId}',
    summary: 'An event sink and its delivery state',
    tags,
    params: bySink,
    responses: { 200: ok('The sink', EventSink) },
    errors: [404],
  }),
  manage({
    operationId: 'listTenantEventSinks',
    method: 'GET',
    path: '/tenants/{tenant}/event-sinks',
    summary: "A tenant's event sinks (its role, member and principal events) and their delivery state",
    tags,
    params: byTenant,
    responses: { 200: ok('The sinks', ListEventSinksResponse) },
  }),
  manage({
    operationId: 'createTenantEventSink',
    method: 'POST',
    path: '/tenants/{tenant}/event-sinks',
    summary: "Add an event sink for a tenant's events",
    tags,
    params: byTenant,
    body: CreateEventSinkRequest,
    responses: { 201: ok('The sink (and a generated secret, shown once)', CreateEventSinkResponse) },
  }),
  manage({
    operationId: 'getTenantEventSink',
    method: 'GET',
    path: '/tenants/{tenant}/event-sinks/{sinkId}',
    summary: "A tenant's event sink and its delivery state",
    tags,
    params: byTenantSink,
    responses: { 200: ok('The sink', EventSink) },
    errors: [404],
  }),
  manage({
    operationId: 'deleteTenantEventSink',
    method: 'DELETE',
    path: '/tenants/{tenant}/event-sinks/{sinkId}',
    summary: "Remove a tenant's event sink",
    tags,
    params: byTenantSink,
    responses: { 204: { description: 'Removed' } },
    errors: [404],
  }),
  manage({
    operationId: 'deleteEventSink',
    method: 'DELETE',
    path: '/warehouses/{warehouse}/event-sinks/{sinkId}',
    summary: 'Remove an event sink',
    tags,
    params: bySink,
    responses: { 204: { description: 'Removed' } },
    errors: [404],
  }),
];
