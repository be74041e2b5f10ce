/**
 * A tenant's events (tenant-events.ts) through the management API: the pull API (`GET /management/v1/events?tenant=`)
 * and the tenant's event sinks (`/management/v1/tenants/{tenant}/event-sinks`). validate → authorize → execute.
 * Deny by default: only administrators of the tenant read its events or manage its sinks (a platform administrator,
 * any tenant's); a refusal is audited by the access admin. These events name roles, members and principals, which
 * only a tenant's administrators may list anyway, so there is no finer filter: an administrator sees every one.
 * Sinks of a tenant use the same delivery (delivery.ts): lease, cursor, retries, `failing` state, at least once and
 * in order.
 */
import type { Caller } from '../ports/index.js';
import type { OutboxStores } from '../ports/outbox.js';
import { checkCursor, checkLimit, type EventPage, type EventRetention, refusePastHead } from './event-service.js';
import { refuseExpired } from '../outbox/expired.js';
import type { SinkAdmin, SinkView } from './sink-admin.js';
import { tenantOfStream, tenantStream } from '../outbox/tenant-events.js';

/** Who administers a tenant (catalog/management/access-admin.ts): the tenant a request manages, and the check. */
export interface TenantAdmins {
  /** The tenant asked for (platform administrators only, for another tenant), else the caller's. */
  managedTenant(caller: Caller, requested: string | undefined): Promise<string>;
  /** Fails with ERR_FORBIDDEN (audited) unless the caller administers the tenant; `action` names what was refused. */
  requireAdmin(caller: Caller, tenant: string, action: string): Promise<void>;
}

export class TenantEventService {
  constructor(
    private readonly outbox: OutboxStores,
    private readonly admins: TenantAdmins,
    private readonly sinks: SinkAdmin,
    private readonly retention: EventRetention = { retentionDays: 0 },
  ) {}

  /** The tenant's events after a cursor, oldest first (the warehouse pull's cursor rules). */
  async list(caller: Caller, input: { tenant?: string | undefined; after?: unknown; limit?: unknown }): Promise<EventPage & { tenant: string }> {
    // validate
    const after = checkCursor(input.after);
    const limit = checkLimit(input.limit);
    const tenant = await this.admins.managedTenant(caller, input.tenant);
    // authorize
    await this.admins.requireAdmin(caller, tenant, "reading the tenant's events");
    // execute
    const events = await this.outbox.list(tenantStream(tenant), after, limit);
    const head = events.length === 0 ? await refusePastHead(after, () => this.outbox.head(tenantStream(tenant))) : undefined;
    await refuseExpired(after, events, head, () => this.outbox.deletedThrough(tenantStream(tenant)), this.retention.retentionDays);
    return { tenant, events, next: events.at(-1)?.sequence ?? after, more: events.length === limit };
  }

  async listSinks(caller: Caller, tenantInput: string): Promise<SinkView[]> {
    return this.sinks.listIn(await this.authorized(caller, tenantInput));
  }

  async createSink(caller: Caller, tenantInput: string, body: unknown): Promise<{ sink: SinkView; secret?: string }> {
    // validate
    const input = this.sinks.check(body);
    // authorize
    const stream = await this.authorized(caller, tenantInput);
    await this.sinks.requireDestination(caller, input, `tenant:${tenantOfStream(stream) ?? tenantInput}/event-sinks`);
    // execute
    return this.sinks.createIn(stream, input, this.sinks.mayReachAny(caller));
  }

  async getSink(caller: Caller, tenantInput: string, id: string): Promise<SinkView> {
    return this.sinks.getIn(await this.authorized(caller, tenantInput), id);
  }

  async deleteSink(caller: Caller, tenantInput: string, id: string): Promise<void> {
    await this.sinks.deleteIn(await this.authorized(caller, tenantInput), id);
  }

  private async authorized(caller: Caller, tenantInput: string): Promise<string> {
    const tenant = await this.admins.managedTenant(caller, tenantInput);
    await this.admins.requireAdmin(caller, tenant, "managing the tenant's event sinks");
    return tenantStream(tenant);
  }
}
