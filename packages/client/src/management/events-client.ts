/**
 * The audit trail, change events and event sinks of the management client (client.ts's LakegateManagement extends
 * this).
 */
import type * as protocol from '@lakegate/protocol';
import { paginate } from '../iceberg/catalog.js';
import type { TransportRequest } from '../transport/http-transport.js';
import type { AuditEvent, AuditFilter, AuditPage } from './types.js';
import type { CreateEventSinkRequest, CreatedEventSink, EventPage, EventSink } from './event-types.js';
import type { EventCursorExpiredError } from '../errors.js';
import { segment, timeParam } from './paths.js';
import { ManagementBase } from './base.js';

/**
 * Paging of the audit trail: events per page (1..1000, default 100) and the cursor to continue from.
 *
 * @example
 * ```ts
 * const page = await management.listAudit({ action: 'table:' }, { limit: 20, before: previous.next! });
 * ```
 */
export interface AuditPageOptions {
  limit?: number;
  before?: string;
  signal?: AbortSignal;
}

export abstract class ManagementEvents extends ManagementBase {
  // ---------------------------------------------------------------- audit

  /** One page of the audit trail, newest first, and the cursor of the next page. */
  async listAudit(filter: AuditFilter = {}, page: AuditPageOptions = {}): Promise<AuditPage> {
    const query: TransportRequest['query'] = {
      tenant: filter.tenant,
      actor: filter.actor,
      object: filter.object,
      action: filter.action,
      type: filter.type,
      decision: filter.decision,
      since: timeParam(filter.since),
      until: timeParam(filter.until),
      limit: page.limit,
      before: page.before,
    };
    return this.call('GET', 'audit', { signal: page.signal, query });
  }

  /**
   * Every audit event that matches, newest first, following the `next` cursor page by page (`pageSize` events
   * per request).
   *
   * @example
   * ```ts
   * for await (const e of management.auditEvents({ action: 'grant.' }, { pageSize: 500 })) console.log(e.actor, e.type);
   * ```
   */
  auditEvents(filter: AuditFilter = {}, options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<AuditEvent> {
    return paginate(async (before) => {
      const page = await this.listAudit(filter, { limit: options.pageSize, signal: options.signal, ...(before ? { before } : {}) });
      return { items: page.events, nextPageToken: page.next ?? undefined };
    });
  }

  // ---------------------------------------------------------------- change events and sinks

  /**
   * A warehouse's change events after the cursor `after` (a sequence, default from the oldest kept), those the caller
   * may read. Rejects with {@link EventCursorExpiredError} when retention deleted events right after `after`.
   */
  async listEvents(warehouse: string, page: { after?: string; limit?: number; signal?: AbortSignal } = {}): Promise<EventPage> {
    return this.call('GET', 'events', { signal: page.signal, query: { warehouse, after: page.after, limit: page.limit } });
  }

  async listEventSinks(warehouse: string, options: { signal?: AbortSignal } = {}): Promise<EventSink[]> {
    return (await this.call<protocol.ListEventSinksResponse>('GET', `warehouses/${segment(warehouse)}/event-sinks`, { signal: options.signal })).sinks;
  }

  /** Adds a sink; for a webhook without a chosen secret, the answer carries the generated one (shown once). */
  async createEventSink(warehouse: string, request: CreateEventSinkRequest, options: { signal?: AbortSignal } = {}): Promise<CreatedEventSink> {
    return this.call('POST', `warehouses/${segment(warehouse)}/event-sinks`, { signal: options.signal, body: request });
  }

  async getEventSink(warehouse: string, id: string, options: { signal?: AbortSignal } = {}): Promise<EventSink> {
    return this.call('GET', `warehouses/${segment(warehouse)}/event-sinks/${segment(id)}`, { signal: options.signal });
  }

  async deleteEventSink(warehouse: string, id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', `warehouses/${segment(warehouse)}/event-sinks/${segment(id)}`, { signal: options.signal });
  }

  /**
   * A tenant's events (roles, role members, principals and their credentials; docs/events.md "Tenant events") after
   * the cursor `after`: the caller's tenant, or `tenant` (platform administrators). Administrators of the tenant only.
   * Rejects with {@link EventCursorExpiredError} when retention deleted events right after `after`.
   */
  async listTenantEvents(page: { tenant?: string; after?: string; limit?: number; signal?: AbortSignal } = {}): Promise<EventPage> {
    return this.call('GET', 'events', { signal: page.signal, query: { tenant: page.tenant, after: page.after, limit: page.limit } });
  }

  async listTenantEventSinks(tenant: string, options: { signal?: AbortSignal } = {}): Promise<EventSink[]> {
    return (await this.call<protocol.ListEventSinksResponse>('GET', `tenants/${segment(tenant)}/event-sinks`, { signal: options.signal })).sinks;
  }

  /** Adds a sink of the tenant's events; for a webhook without a chosen secret, the answer carries the generated one (shown once). */
  async createTenantEventSink(tenant: string, request: CreateEventSinkRequest, options: { signal?: AbortSignal } = {}): Promise<CreatedEventSink> {
    return this.call('POST', `tenants/${segment(tenant)}/event-sinks`, { signal: options.signal, body: request });
  }

  async getTenantEventSink(tenant: string, id: string, options: { signal?: AbortSignal } = {}): Promise<EventSink> {
    return this.call('GET', `tenants/${segment(tenant)}/event-sinks/${segment(id)}`, { signal: options.signal });
  }

  async deleteTenantEventSink(tenant: string, id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', `tenants/${segment(tenant)}/event-sinks/${segment(id)}`, { signal: options.signal });
  }
}
