/**
 * The one way the change-event delivery (catalog/outbox/delivery.ts) is built, whether it runs on the server's main
 * thread or in the delivery thread (compose/delivery-thread.ts): the sink adapters by kind (webhook built in, the
 * broker sinks beside it), the destination rule with its resolver, the sink secrets sealed with the server's
 * SecretBox, and the delivery's settings from the config. The event administration (compose/events.ts) uses the
 * same secrets and destination rule.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../catalog/ports/index.js';
import { type DeliveryMetrics, EventDelivery } from '../catalog/outbox/delivery.js';
import type { SinkKind } from '../catalog/ports/delivery.js';
import type { OutboxStores } from '../catalog/ports/outbox.js';
import type { SinkSecrets } from '../catalog/management/sink-admin.js';
import { type DestinationRule, type HostResolver, parseNetworks } from '../catalog/outbox/sink-destinations.js';
import type { LakegateConfig } from '../config/config.js';
import { systemHostResolver } from '../events/host-resolver.js';
import { type SinkFactories, type SinkFactory, sinkFactories } from '../events/sink-factory.js';
import type { SecretBox } from '../security/secret-box.js';

/**
 * The adapters beside the built-in webhook: the broker sinks (events/broker-sinks.ts). Their clients (kafkajs, NATS)
 * are imported when the first broker sink is built, not at start: a server without one never loads them.
 */
const brokerSinkFor: SinkFactory = async (record, secret, guard) => (await import('../events/broker-sinks.js')).brokerSinkFor(record, secret, guard);
export const BROKER_SINKS: Partial<Record<SinkKind, SinkFactory>> = { kafka: brokerSinkFor, nats: brokerSinkFor };

/** Where sink secrets are sealed (the secrets table of the catalog store). */
export interface SecretRows {
  putSecret(id: string, sealed: string, nowMs: number): Promise<void>;
  getSecret(id: string): Promise<string | undefined>;
}

export interface SinkParts {
  repository: SecretRows;
  box: SecretBox;
  clock: Clock;
  /** Adapters of further kinds (default: BROKER_SINKS). */
  extraSinks?: Partial<Record<SinkKind, SinkFactory>> | undefined;
  /** How sink destinations are resolved, at creation and at every connection (default: the system resolver). */
  resolveHost?: HostResolver | undefined;
}

/** The sealed sink secrets, the destination rule and the sink adapters by kind. */
export function sinkParts(config: LakegateConfig, p: SinkParts): { secrets: SinkSecrets; destinations: DestinationRule; factories: SinkFactories } {
  // Associated data binds each sealed secret to its sink secret id: a ciphertext moved to another row does not open.
  const aad = (id: string) => `event-sink-secret:${id}`;
  const secrets: SinkSecrets = {
    async create(secret) {
      const id = randomUUID();
      const plain = secret ?? `whsec_${randomBytes(32).toString('base64')}`;
      await p.repository.putSecret(id, p.box.seal(plain, aad(id)), p.clock.now());
      return { id, secret: plain };
    },
    async read(id) {
      const sealed = await p.repository.getSecret(id);
      return sealed === undefined ? undefined : p.box.open(sealed, aad(id));
    },
  };
  // Non-public destinations are the platform's, or in the networks the operator lists (docs/security.md): checked
  // when a sink is created and at every connection a sink not made by a platform administrator opens.
  const destinations: DestinationRule = { networks: parseNetworks(config.eventSinkPrivateNetworks), resolve: p.resolveHost ?? systemHostResolver() };
  return { secrets, destinations, factories: sinkFactories(secrets, p.extraSinks ?? BROKER_SINKS, destinations) };
}

export interface DeliveryParts extends SinkParts {
  /** The sink adapters by kind when the caller has built them already (sinkParts); else built here. */
  factories?: SinkFactories | undefined;
  outbox: OutboxStores;
  /** The server's public URL: events' `source`. */
  baseUrl: () => string;
  /** This replica's name in the lease row. */
  holder: string;
  metrics: DeliveryMetrics | undefined;
  /** Failures worth a log line (never a secret). */
  warn: (message: string, detail: Record<string, unknown>) => void;
}

export function buildDelivery(config: LakegateConfig, p: DeliveryParts): EventDelivery {
  const factories = p.factories ?? sinkParts(config, p).factories;
  return new EventDelivery({
    store: p.outbox,
    sinkFor: (record) => factories.create(record),
    baseUrl: p.baseUrl,
    holder: p.holder,
    now: () => p.clock.now(),
    intervalMs: config.eventDeliveryIntervalMs,
    leaseTtlMs: config.eventLeaseSeconds * 1000,
    maxFailures: config.eventSinkMaxFailures,
    maxBackoffMs: config.eventSinkMaxBackoffSeconds * 1000,
    batchSize: 100,
    metrics: p.metrics,
    warn: p.warn,
  });
}

/** This process's name in the lease row (one per process: a delivery thread started again keeps it). */
export const deliveryHolder = (): string => `${hostname()}:${process.pid}:${randomUUID()}`;
