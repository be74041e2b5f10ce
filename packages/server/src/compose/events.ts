/**
 * Wires the change-event outbox (catalog/outbox/): the pull API and sink administration services, sink secrets
 * sealed with the server's SecretBox (like storage profile secrets, in the secrets table), the sink adapters by kind
 * (events/sink-factory.ts), delivery under the lease, its metrics, and the retention sweep.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { CatalogDeps, ServiceContext } from '../catalog/context.js';
import type { CatalogServices } from '../catalog/services.js';
import { EventDelivery } from '../catalog/outbox/delivery.js';
import { EventService } from '../catalog/outbox/event-service.js';
import { SinkAdmin, type SinkSecrets } from '../catalog/outbox/sink-admin.js';
import { type TenantAdmins, TenantEventService } from '../catalog/outbox/tenant-event-service.js';
import type { SinkKind } from '../catalog/outbox/delivery-ports.js';
import type { LakegateConfig } from '../config/config.js';
import { type SinkFactory, sinkFactories } from '../events/sink-factory.js';
import { systemHostResolver } from '../events/host-resolver.js';
import { type DestinationRule, type HostResolver, parseNetworks } from '../catalog/outbox/sink-destinations.js';
import { eventMetrics } from '../observability/event-metrics.js';
import type { EventRoutesOptions } from '../http/routes/management/events.js';
import type { SecretBox } from '../security/secret-box.js';

export interface ComposedEvents {
  routes: EventRoutesOptions;
  delivery: EventDelivery;
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
  /** Adapters of further kinds (Kafka, NATS JetStream). */
  extraSinks?: Partial<Record<SinkKind, SinkFactory>>;
  /** Their config checks, used when a sink of that kind is created. */
  sinkConfigChecks?: Partial<Record<SinkKind, (config: Record<string, unknown>) => string[]>>;
  /** How sink destinations are resolved, at creation and at every connection (default: the system resolver). */
  resolveHost?: HostResolver | undefined;
}

export function createEvents(config: LakegateConfig, e: EventDeps): ComposedEvents {
  const { store, clock } = e.deps;
  // Associated data binds each sealed secret to its sink secret id: a ciphertext moved to another row does not open.
  const aad = (id: string) => `event-sink-secret:${id}`;
  const secrets: SinkSecrets = {
    async create(secret) {
      const id = randomUUID();
      const plain = secret ?? `whsec_${randomBytes(32).toString('base64')}`;
      await store.repository.putSecret(id, e.box.seal(plain, aad(id)), clock.now());
      return { id, secret: plain };
    },
    async read(id) {
      const sealed = await store.repository.getSecret(id);
      return sealed === undefined ? undefined : e.box.open(sealed, aad(id));
    },
  };
  // Non-public destinations are the platform's, or in the networks the operator lists (docs/security.md): checked
  // when a sink is created and at every connection a sink not made by a platform administrator opens.
  const destinations: DestinationRule = { networks: parseNetworks(config.eventSinkPrivateNetworks), resolve: e.resolveHost ?? systemHostResolver() };
  const factories = sinkFactories(secrets, e.extraSinks, destinations);
  const ctx: ServiceContext = { ...e.deps, access: e.services.access, scope: async (r) => ({ warehouse: await e.services.warehouses.require(r.caller, r.warehouse), caller: r.caller }) };
  const delivery = new EventDelivery({
    store: store.outbox,
    sinkFor: (record) => factories.create(record),
    baseUrl: e.baseUrl,
    holder: `${hostname()}:${process.pid}:${randomUUID()}`,
    now: () => clock.now(),
    intervalMs: config.eventDeliveryIntervalMs,
    leaseTtlMs: config.eventLeaseSeconds * 1000,
    maxFailures: config.eventSinkMaxFailures,
    maxBackoffMs: config.eventSinkMaxBackoffSeconds * 1000,
    batchSize: 100,
    metrics: eventMetrics(e.registry, store.outbox, store.eventIntents),
    warn: e.warn,
  });
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
    async sweep() {
      if (config.eventRetentionDays <= 0) return 0;
      const keepAfter = new Map<string, number>();
      for (const s of await store.outbox.listSinks()) keepAfter.set(s.warehouse, Math.min(keepAfter.get(s.warehouse) ?? Number.MAX_SAFE_INTEGER, s.cursor));
      return store.outbox.deleteBefore(clock.now() - config.eventRetentionDays * 86_400_000, keepAfter);
    },
  };
}
