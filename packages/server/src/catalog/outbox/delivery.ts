/**
 * Delivery of outbox events to the sinks of each warehouse, at least once and in order: by the one replica that
 * holds the delivery lease (a row with an expiry, taken and renewed by compare-and-set, so two replicas never
 * deliver at once while the lease is honoured). For each sink whose backoff has passed, the events after its cursor
 * go to deliver() in sequence order, one batch at a time; the cursor moves (compare-and-set from the value read)
 * only after deliver() resolved, so a sink that is down delays its events and never loses one. A failed batch is
 * retried whole after an exponential backoff (1 s doubling, capped); after `maxFailures` failures in a row the sink
 * shows as `failing` (the dead-letter state of the management API, console and /metrics) and is still retried.
 * A batch is started only while the lease has at least a sink's timeout left, so a holder that lost its lease by
 * stalling has stopped before the next holder starts; if it has not, a consumer sees a duplicate (same event id),
 * never a gap.
 *
 * Store round trips per round are kept few, since they share the database (and on SQLite its one writing connection)
 * with the commits: the lease is renewed (a write) only once half of it has gone, not every round; after an accepted
 * batch the next one starts from the cursor this loop just wrote, without reading the sink again; and a batch shorter
 * than batchSize ends the sink's round (it was at the warehouse's head when read), instead of one more empty read.
 */
import { toCloudEvent } from './cloud-event.js';
import type { SinkRecord } from '../ports/delivery.js';
import type { OutboxStores, OutboxEvent } from '../ports/outbox.js';
import { type EventSink, PartialDelivery } from '../ports/event-sink.js';

export const DELIVERY_LEASE = 'event-delivery';
/** Of the lease, what a batch leaves for the cursor write after it. */
const LEASE_MARGIN_MS = 500;

export interface DeliveryMetrics {
  delivered(kind: string, count: number, lagSeconds: number): void;
  failed(kind: string): void;
}

export interface DeliveryOptions {
  store: OutboxStores;
  /** The sink adapter for a configured sink (events/sink-factory.ts); rejects when it cannot be built. */
  sinkFor(record: SinkRecord): Promise<EventSink>;
  /** The server's public URL: events' `source`. */
  baseUrl(): string;
  /** This replica's name in the lease row. */
  holder: string;
  now(): number;
  intervalMs: number;
  leaseTtlMs: number;
  maxFailures: number;
  maxBackoffMs: number;
  /** Events per deliver() call. */
  batchSize: number;
  metrics?: DeliveryMetrics | undefined;
  /** Failures worth a log line (never a secret: errors of sinks are written without their configuration). */
  warn(message: string, detail: Record<string, unknown>): void;
}

export class EventDelivery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly sinks = new Map<string, { version: string; sink: EventSink }>();
  /** Until when this replica holds the lease, as of its last successful take or renewal (0: not held). */
  private leaseUntil = 0;

  constructor(private readonly o: DeliveryOptions) {}

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => this.o.warn('event delivery failed', { err: messageOf(err) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.o.intervalMs).unref();
        });
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.leaseUntil = 0;
    await this.o.store.releaseLease(DELIVERY_LEASE, this.o.holder).catch(() => undefined);
    await this.closeSinks([]);
  }

  /** One round: take or renew the lease, then bring each due sink up to date (or until the lease runs short). */
  async tick(): Promise<void> {
    // No sink anywhere: nothing to deliver, and no lease write (a write transaction) every interval.
    const records = await this.o.store.listSinks();
    if (records.length === 0 || !(await this.holdLease())) {
      await this.closeSinks([]);
      return;
    }
    const leaseUntil = this.leaseUntil;
    await this.closeSinks(records.map((r) => r.id));
    for (const record of records) {
      let current: SinkRecord | undefined = record;
      while (current && !this.stopped && current.nextAttemptAtMs <= this.o.now()) {
        // Only with enough of the lease left for a whole attempt (see the file's comment); a sink timeout longer than
        // half the lease counts as half the lease, or no attempt would ever start.
        if (this.o.now() + Math.min(sinkTimeoutMs(current), this.o.leaseTtlMs / 2) > leaseUntil) return;
        current = await this.deliverBatch(current);
      }
    }
  }

  /**
   * Takes the lease, or renews it once half of it has gone (a renewal is a write; the other replicas only need the
   * row to stay unexpired). The expiry is computed from the time before the write, so this replica never counts on
   * more of the lease than the row gives it.
   */
  private async holdLease(): Promise<boolean> {
    const now = this.o.now();
    if (this.leaseUntil - now > this.o.leaseTtlMs / 2) return true;
    const held = await this.o.store.acquireLease(DELIVERY_LEASE, this.o.holder, now, this.o.leaseTtlMs);
    this.leaseUntil = held ? now + this.o.leaseTtlMs : 0;
    return held;
  }

  /**
   * Delivers the next batch after the sink's cursor. Returns the sink as it now is when a full batch was accepted
   * and the cursor moved (there may be more right away); undefined when there was nothing, the batch failed, the
   * batch was short (the sink reached the head as read), or another deliverer moved the cursor.
   */
  private async deliverBatch(record: SinkRecord): Promise<SinkRecord | undefined> {
    const events = await this.o.store.list(record.warehouse, record.cursor, this.o.batchSize);
    if (events.length === 0) return undefined;
    const baseUrl = this.o.baseUrl();
    try {
      const sink = await this.sinkOf(record);
      // Aborted when this replica's lease ends (less a margin for the store write that follows), so a sink that sends
      // event by event stops before the next holder may start.
      const leaseLeft = Math.max(1, Math.floor(this.leaseUntil - this.o.now() - LEASE_MARGIN_MS));
      await sink.deliver(
        events.map((e) => toCloudEvent(e, baseUrl)),
        AbortSignal.timeout(leaseLeft),
      );
    } catch (err) {
      // Some leading events were accepted (a webhook that went slow or failed midway): move past them, and count no
      // failure when some got through: the next round goes on from there (or fails at once, and backs off then).
      if (err instanceof PartialDelivery && err.accepted > 0 && err.accepted < events.length) {
        await this.accepted(record, events.slice(0, err.accepted));
        return undefined;
      }
      const failures = record.failures + 1;
      const backoff = Math.min(this.o.maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 30));
      const state = failures >= this.o.maxFailures ? 'failing' : 'active';
      const lastError = messageOf(err).slice(0, 300);
      await this.o.store.recordFailure(
        record.id,
        { failures, state, lastError, nextAttemptAtMs: Math.round(this.o.now() + backoff * (0.75 + Math.random() * 0.5)) },
        this.o.now(),
      );
      this.o.metrics?.failed(record.kind);
      if (state === 'failing' && record.state !== 'failing')
        this.o.warn('event sink is failing (dead letter); its events wait, none is dropped', {
          sink: record.id,
          warehouse: record.warehouse,
          kind: record.kind,
          failures,
          error: lastError,
        });
      return undefined;
    }
    const now = this.o.now();
    if (!(await this.accepted(record, events))) return undefined;
    const last = events.at(-1)!;
    if (events.length < this.o.batchSize) return undefined;
    // What advanceSink wrote (a changed config or a deletion is seen at the next round's listSinks).
    return {
      ...record,
      cursor: last.sequence,
      delivered: record.delivered + events.length,
      failures: 0,
      state: 'active',
      lastError: undefined,
      nextAttemptAtMs: 0,
      updatedAtMs: now,
    };
  }

  /** Moves the sink's cursor past `events`, accepted by it (compare-and-set: false when another deliverer moved it). */
  private async accepted(record: SinkRecord, events: readonly OutboxEvent[]): Promise<boolean> {
    const last = events.at(-1)!;
    const now = this.o.now();
    const moved = await this.o.store.advanceSink(record.id, record.cursor, last.sequence, events.length, now);
    if (moved) this.o.metrics?.delivered(record.kind, events.length, Math.max(0, now - last.timeMs) / 1000);
    return moved;
  }

  /**
   * The adapter of a sink, built again when its configuration changed. (Keyed by the config and secret, not the row's
   * updatedAtMs, which every accepted batch and failure moves: a broker sink would otherwise reconnect per batch.)
   */
  private async sinkOf(record: SinkRecord): Promise<EventSink> {
    const kept = this.sinks.get(record.id);
    const version = JSON.stringify([record.config, record.secretId ?? null]);
    if (kept && kept.version === version) return kept.sink;
    if (kept) await kept.sink.close().catch(() => undefined);
    const sink = await this.o.sinkFor(record);
    this.sinks.set(record.id, { version, sink });
    return sink;
  }

  /** Closes the adapters of sinks that are gone (all of them when `keep` is empty and this replica lost the lease). */
  private async closeSinks(keep: readonly string[]): Promise<void> {
    for (const [id, { sink }] of this.sinks) {
      if (keep.includes(id)) continue;
      this.sinks.delete(id);
      await sink.close().catch(() => undefined);
    }
  }
}

const sinkTimeoutMs = (r: SinkRecord): number => (typeof r.config['timeout-ms'] === 'number' ? r.config['timeout-ms'] : 10_000);

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
