/**
 * Tenant events (issue 38): changes that belong to a tenant, not to a warehouse (roles, role members, service
 * principals and their credentials, the tenant's storage grant). They go to the same outbox as a warehouse's events, in a stream of their own
 * per tenant: the outbox row's stream key is `tenant/<tenant>`. Warehouse and tenant names refuse "/"
 * (identifiers.ts), so a tenant stream never meets a warehouse's; sequences, cursors, sinks, the delivery lease,
 * retention and the pull API work on it unchanged. Each event is written in the transaction of its change
 * (AccessControl.withEvents, IdentityRepository.withEvents, StorageGrantStore.put): a change that did not commit has no event.
 * No event carries a secret: a rotated or created credential is named by its id, never its value.
 */
import type { Caller } from '../ports/index.js';
import { EVENT_TYPE_PREFIX, callerData } from './changes.js';
import type { OutboxEventInput } from '../ports/outbox.js';

const STREAM_PREFIX = 'tenant/';

/** The outbox stream key of a tenant's events. */
export const tenantStream = (tenant: string): string => `${STREAM_PREFIX}${tenant}`;

/** The tenant of a stream key, or undefined for a warehouse's stream. */
export const tenantOfStream = (stream: string): string | undefined => (stream.startsWith(STREAM_PREFIX) ? stream.slice(STREAM_PREFIX.length) : undefined);

/** Every kind of tenant change, as `io.lakegate.<kind>`. Stable: consumers route on them (docs/events.md). */
export const TENANT_CHANGE_KINDS = [
  'role.created',
  'role.deleted',
  'role.member-added',
  'role.member-removed',
  'principal.created',
  'principal.disabled',
  'principal.enabled',
  'principal.delegation-set',
  'principal.secret-rotated',
  'principal.tokens-revoked',
  'principal.api-key-created',
  'principal.api-key-revoked',
  'principal.access-key-created',
  'principal.access-key-revoked',
  'tenant.storage-grant-set',
] as const;

export type TenantChangeKind = (typeof TENANT_CHANGE_KINDS)[number];

/** Who made the change, as every event names it: `{principal, kind, issuer?, act?, request-id?}`. */
export type CallerData = Record<string, unknown>;

export interface TenantChange {
  kind: TenantChangeKind;
  /** `role/<name>`, `principal/<client id>` or `tenant/<tenant>`: what the change is about. */
  subject: string;
  data?: Record<string, unknown> | undefined;
}

export interface TenantEventContext {
  newUuid: () => string;
  clock: { now(): number };
}

/**
 * A tenant change as an outbox row. The ordering key is the tenant itself: a tenant's events are one ordered stream
 * (a Kafka sink keeps them in one partition, NATS publishes them one after the other).
 */
export function tenantEvent(ctx: TenantEventContext, tenant: string, caller: CallerData, change: TenantChange): OutboxEventInput {
  return {
    id: ctx.newUuid(),
    warehouse: tenantStream(tenant),
    type: `${EVENT_TYPE_PREFIX}${change.kind}`,
    subject: change.subject,
    partitionKey: tenant,
    timeMs: ctx.clock.now(),
    data: { tenant, caller, ...change.data },
  };
}

/** The caller data of a catalog Caller (the management API's access routes). */
export const callerOf = (caller: Caller): CallerData => callerData(caller);
