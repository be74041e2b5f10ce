/**
 * Wires the change-event outbox (catalog/outbox/): the pull API and sink administration services, sink secrets
 * sealed with the server's SecretBox (like storage profile secrets, in the secrets table), the sink adapters by kind
 * (events/sink-factory.ts, built in compose/delivery.ts), delivery under the lease (on this thread or in the delivery
 * thread, compose/delivery-thread.ts), its metrics, and the retention sweep.
 */
import type { Registry } from 'prom-client';
import type { CatalogDeps, ServiceContext } from '../catalog/context.js';
import type { CatalogServices } from '../catalog/services.js';
import type { DeliveryMetrics, EventDelivery } from '../catalog/outbox/delivery.js';
import { EventService } from '../catalog/management/event-service.js';
import { SinkAdmin } from '../catalog/management/sink-admin.js';
import { type TenantAdmins, TenantEventService } from '../catalog/management/tenant-event-service.js';
import type { SinkKind } from '../catalog/ports/delivery.js';
import type { LakegateConfig } from '../config/config.js';
import type { SinkFactory } from '../events/sink-factory.js';
import type { HostResolver } from '../catalog/outbox/sink-destinations.js';
import { buildDelivery, deliveryHolder, sinkParts } from './delivery.js';
import { DeliveryThread, threadEntry } from './delivery-thread.js';
import { eventMetrics } from '../observability/event-metrics.js';
import type { EventRoutesOptions } from '../http/routes/management/events.js';
import type { SecretBox } from '../security/secret-box.js';

/** Where delivery runs: EventDelivery on this thread, or the delivery thread. */
export interface Delivery {
  start(): void;
  stop(): Promise<void>;
}

export interface ComposedEvents {
  routes: EventRoutesOptions;
  delivery: Delivery;
  /** To call when the server's public URL is set (the delivery thread is told; in-process delivery reads it). */
  publicUrlChanged(): void;
  /** Deletes events past retention, except those a sink has not accepted yet. */
  sweep(): Promise<number>;
}

export interface EventDeps {
  deps: CatalogDeps;
  services: CatalogServices;
  box: SecretBox;
  registry: Registry;
  baseUrl: () => string;
  warn: (message: string, detail: Record<string, unknown>) => void;
  /** Who administers a tenant: who reads its events and manages its sinks (the access admin). */
  admins: TenantAdmins;
  /**
   * Delivery in a worker thread (config eventDeliveryThread "worker"): its secret key and how long stop() waits.
   * Ignored when extraSinks or resolveHost is given (the thread builds its own adapters).
   */
  thread?: { secretKey: Uint8Array; graceMs: number } | undefined;
  /** Adapters of further kinds (default: Kafka and NATS JetStream, compose/delivery.ts). */
  extraSinks?: Partial<Record<SinkKind, SinkFactory>>;
  /** Their config checks, used when a sink of that kind is created. */
  sinkConfigChecks?: Partial<Record<SinkKind, (config: Record<string, unknown>) => string[]>>;
  /** How sink destinations are resolved, at creation and at every connection (default: the system resolver). */
  resolveHost?: HostResolver | undefined;
}

export function createEvents(config: LakegateConfig, e: EventDeps): ComposedEvents {
  const { store, clock } = e.deps;
  const parts = { repository: store.repository, box: e.box, clock, extraSinks: e.extraSinks, resolveHost: e.resolveHost };
  const { secrets, destinations, factories } = sinkParts(config, parts);
  const ctx: ServiceContext = {
    ...e.deps,
    access: e.services.access,
    scope: async (r) => ({ warehouse: await e.services.warehouses.require(r.caller, r.warehouse), caller: r.caller }),
  };
  const metrics = eventMetrics(e.registry, store.outbox, store.eventIntents, { store: store.lanceTagIntents, now: () => clock.now() });
  const delivery = deliveryOf(
    config,
    e,
    () => buildDelivery(config, { ...parts, factories, outbox: store.outbox, baseUrl: e.baseUrl, holder: deliveryHolder(), metrics, warn: e.warn }),
    metrics,
  );
  const sinks = new SinkAdmin(ctx, {
    kinds: factories.kinds,
    secrets,
    checkConfig: e.sinkConfigChecks ?? {},
    destinations,
    audit: (caller, object, reason) => e.services.access.record(caller, 'access.denied', 'deny', 'event-sink:destination', object, { reason }),
  });
  return {
    routes: {
      events: new EventService(ctx, { retentionDays: config.eventRetentionDays }),
      sinks,
      tenantEvents: new TenantEventService(store.outbox, e.admins, sinks, { retentionDays: config.eventRetentionDays }),
      baseUrl: e.baseUrl,
    },
    delivery,
    publicUrlChanged: () => (delivery instanceof DeliveryThread ? delivery.baseUrlChanged() : undefined),
    async sweep() {
      if (config.eventRetentionDays <= 0) return 0;
      const keepAfter = new Map<string, number>();
      for (const s of await store.outbox.listSinks()) keepAfter.set(s.warehouse, Math.min(keepAfter.get(s.warehouse) ?? Number.MAX_SAFE_INTEGER, s.cursor));
      return store.outbox.deleteBefore(clock.now() - config.eventRetentionDays * 86_400_000, keepAfter);
    },
  };
}

/**
 * In the delivery thread (compose/delivery-thread.ts) when asked for and possible: the thread builds its adapters
 * itself, so a build with injected ones (a host resolver, other sink kinds) delivers in-process, as it does when the
 * thread's module is not built.
 */
function deliveryOf(config: LakegateConfig, e: EventDeps, inProcess: () => EventDelivery, metrics: DeliveryMetrics): Delivery {
  if (!e.thread || e.extraSinks || e.resolveHost) return inProcess();
  const entry = threadEntry();
  if (!entry) {
    e.warn('the event delivery thread module is not built; delivering on the main thread', {});
    return inProcess();
  }
  return new DeliveryThread({
    config,
    secretKey: e.thread.secretKey,
    graceMs: e.thread.graceMs,
    entry,
    holder: deliveryHolder(),
    baseUrl: e.baseUrl,
    metrics,
    warn: e.warn,
  });
}
