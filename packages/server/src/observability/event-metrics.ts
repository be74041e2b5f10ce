/**
 * Change event delivery in /metrics: events delivered and failed deliveries per sink kind, delivery lag (commit to
 * accepted by the sink), and, read from the database when /metrics is, events pending and failing sinks per kind, and
 * the event intents pending (OpenFGA changes whose events wait for the external write's outcome) and the Lance tag
 * intents pending (tag writes whose events wait for the write or its recovery) with the oldest one's age.
 *
 * The gauges read from the database describe the one shared database, and every worker of `serve --workers N` reads
 * it at a scrape: their cluster aggregation is the maximum (prom-client's default sums the workers' answers, which
 * showed N times the backlog). Counters and histograms here are each process's own work and are summed.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeliveryMetrics } from '../catalog/outbox/delivery.js';
import type { OutboxStores } from '../catalog/ports/outbox.js';
import type { EventIntentStore } from '../catalog/ports/intents.js';
import type { LanceTagIntentStore, LanceTagIntentSummary } from '../catalog/ports/lance-tag-intents.js';

/** The Lance tag intents' count and age at scrape: their store, and the clock the age is measured by. */
export interface TagIntentGauges {
  store: Pick<LanceTagIntentStore, 'summary'>;
  now: () => number;
}

export function eventMetrics(
  registry: Registry,
  store: OutboxStores,
  intents?: Pick<EventIntentStore, 'countPending'>,
  tagIntents?: TagIntentGauges,
): DeliveryMetrics {
  const delivered = new Counter({
    name: 'lakegate_events_delivered_total',
    help: 'Change events accepted by sinks, by sink kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'lakegate_event_deliveries_failed_total',
    help: 'Failed delivery attempts (batches), by sink kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'lakegate_event_delivery_lag_seconds',
    help: 'From the commit of the last event of a batch to its acceptance by the sink, by sink kind',
    labelNames: ['kind'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  new Gauge({
    name: 'lakegate_events_pending',
    help: 'Change events not yet accepted by a sink, by sink kind (summed over sinks)',
    labelNames: ['kind'],
    aggregator: 'max',
    registers: [registry],
    async collect() {
      this.reset();
      const sinks = await store.listSinks().catch(() => []);
      const heads = new Map<string, number>();
      for (const s of sinks) {
        if (!heads.has(s.warehouse)) heads.set(s.warehouse, await store.head(s.warehouse));
        this.inc({ kind: s.kind }, Math.max(0, heads.get(s.warehouse)! - s.cursor));
      }
    },
  });
  new Gauge({
    name: 'lakegate_event_sinks_failing',
    help: 'Event sinks in the failing (dead-letter) state, by sink kind',
    labelNames: ['kind'],
    aggregator: 'max',
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await store.listSinks().catch(() => [])) this.inc({ kind: s.kind }, s.state === 'failing' ? 1 : 0);
    },
  });
  if (intents) {
    new Gauge({
      name: 'lakegate_event_intents_pending',
      help: 'Event intents pending: changes to an external authorization store (OpenFGA) whose events wait for the outcome of its writes (the stream is held behind them)',
      aggregator: 'max',
      registers: [registry],
      async collect() {
        const pending = await intents.countPending().catch(() => undefined);
        if (pending !== undefined) this.set(pending);
      },
    });
  }
  if (tagIntents) lanceTagIntentGauges(registry, tagIntents);
  return {
    delivered: (kind, count, lagSeconds) => {
      delivered.inc({ kind }, count);
      lag.observe({ kind }, lagSeconds);
    },
    failed: (kind) => failed.inc({ kind }),
  };
}

/**
 * `lakegate_lance_tag_intents_pending` and `lakegate_lance_tag_intents_oldest_age_seconds` (0 when none), from one
 * query per scrape (a count and the indexed minimum of `created_at`), shared by both gauges. Every worker reads the
 * same database, so their cluster aggregation is the maximum, not the sum. A failing database leaves the last values.
 */
function lanceTagIntentGauges(registry: Registry, tagIntents: TagIntentGauges): void {
  let reading: Promise<LanceTagIntentSummary | undefined> | undefined;
  // A scrape collects every metric at once (prom-client's Registry.metrics): the two gauges share the read in flight.
  const read = () =>
    (reading ??= tagIntents.store
      .summary()
      .catch(() => undefined)
      .finally(() => {
        reading = undefined;
      }));
  new Gauge({
    name: 'lakegate_lance_tag_intents_pending',
    help: 'Lance tag writes whose change events are not published yet (recorded before the write; the request publishes or drops each, the recovery sweep those older than lanceTagIntentRecoverySeconds)',
    aggregator: 'max',
    registers: [registry],
    async collect() {
      const summary = await read();
      if (summary !== undefined) this.set(summary.pending);
    },
  });
  new Gauge({
    name: 'lakegate_lance_tag_intents_oldest_age_seconds',
    help: 'Age of the oldest pending Lance tag intent, in seconds (0: none pending)',
    aggregator: 'max',
    registers: [registry],
    async collect() {
      const summary = await read();
      if (summary === undefined) return;
      this.set(summary.oldestCreatedAtMs === undefined ? 0 : Math.max(0, (tagIntents.now() - summary.oldestCreatedAtMs) / 1000));
    },
  });
}
