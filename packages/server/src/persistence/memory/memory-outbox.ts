/** The outbox, its sinks and the lease in memory: the reference implementation the contract suite holds the SQL one to. */
import type { OutboxEvent, OutboxEventInput, OutboxStore, OutboxWriter } from '../../catalog/ports/outbox.js';
import type { LeaseStore, SinkRecord, SinkState, SinkStore } from '../../catalog/ports/delivery.js';

export class MemoryOutbox implements OutboxStore, OutboxWriter, SinkStore, LeaseStore {
  private readonly events: OutboxEvent[] = [];
  private readonly counters = new Map<string, number>();
  /** Per stream, the highest sequence retention deleted. */
  private readonly deleted = new Map<string, number>();
  private readonly sinks = new Map<string, SinkRecord>();
  private readonly leases = new Map<string, { holder: string; expiresAtMs: number }>();
  /** Numbers held by pending event intents (memory-event-intents.ts), by intent id: the stream is listed only below the lowest. */
  private readonly held = new Map<string, { warehouse: string; first: number; count: number }>();

  /** Takes `count` numbers of the stream for the intent `key`, held until fill or release. */
  hold(key: string, warehouse: string, count: number): void {
    const first = (this.counters.get(warehouse) ?? 0) + 1;
    this.counters.set(warehouse, first + count - 1);
    this.held.set(key, { warehouse, first, count });
  }

  /** Stores the events with the numbers held for `key` and lets the stream go on; false when nothing is held for it. */
  fill(key: string, events: readonly OutboxEventInput[]): boolean {
    const h = this.held.get(key);
    if (!h) return false;
    if (events.length > h.count || events.some((e) => e.warehouse !== h.warehouse))
      throw new TypeError('an intent publishes at most the events it was recorded with, in its stream');
    if (events.some((e) => this.events.some((x) => x.id === e.id))) throw new Error('duplicate event id');
    events.forEach((e, i) => {
      const { subject, ...rest } = e;
      this.events.push(structuredClone({ ...rest, ...(subject !== undefined ? { subject } : {}), sequence: h.first + i }));
    });
    this.held.delete(key);
    return true;
  }

  /** Gives up the numbers held for `key` (they stay unused: a gap). */
  release(key: string): boolean {
    return this.held.delete(key);
  }

  private heldFrom(warehouse: string): number {
    let min = Number.POSITIVE_INFINITY;
    for (const h of this.held.values()) if (h.warehouse === warehouse && h.first < min) min = h.first;
    return min;
  }

  async appendEvents(events: readonly OutboxEventInput[]): Promise<void> {
    if (events.some((e) => this.events.some((x) => x.id === e.id))) throw new Error('duplicate event id');
    for (const e of events) {
      const sequence = (this.counters.get(e.warehouse) ?? 0) + 1;
      this.counters.set(e.warehouse, sequence);
      const { subject, ...rest } = e;
      this.events.push(structuredClone({ ...rest, ...(subject !== undefined ? { subject } : {}), sequence }));
    }
  }

  async list(warehouse: string, after: number, limit: number): Promise<OutboxEvent[]> {
    const below = this.heldFrom(warehouse);
    return this.events
      .filter((e) => e.warehouse === warehouse && e.sequence > after && e.sequence < below)
      .sort((a, b) => a.sequence - b.sequence)
      .slice(0, limit)
      .map((e) => structuredClone(e));
  }

  async head(warehouse: string): Promise<number> {
    return Math.min(this.counters.get(warehouse) ?? 0, this.heldFrom(warehouse) - 1);
  }

  async deleteBefore(beforeMs: number, keepAfter: ReadonlyMap<string, number> = new Map()): Promise<number> {
    let n = 0;
    for (let i = this.events.length - 1; i >= 0; i -= 1) {
      const e = this.events[i]!;
      const floor = keepAfter.get(e.warehouse);
      if (e.timeMs < beforeMs && (floor === undefined || e.sequence <= floor)) {
        this.events.splice(i, 1);
        this.deleted.set(e.warehouse, Math.max(this.deleted.get(e.warehouse) ?? 0, e.sequence));
        n += 1;
      }
    }
    return n;
  }

  async deletedThrough(warehouse: string): Promise<number> {
    return this.deleted.get(warehouse) ?? 0;
  }

  async insertSink(record: SinkRecord): Promise<void> {
    if (this.sinks.has(record.id)) throw new Error('duplicate sink id');
    // As the database adapters read it back: `anyDestination` only when true (absent: the destination rule applies).
    const { anyDestination, ...rest } = structuredClone(record);
    this.sinks.set(record.id, anyDestination === true ? { ...rest, anyDestination: true } : rest);
  }

  async getSink(id: string): Promise<SinkRecord | undefined> {
    const s = this.sinks.get(id);
    return s && structuredClone(s);
  }

  async listSinks(warehouse?: string): Promise<SinkRecord[]> {
    return [...this.sinks.values()]
      .filter((s) => warehouse === undefined || s.warehouse === warehouse)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id))
      .map((s) => structuredClone(s));
  }

  async updateSinkConfig(id: string, config: Record<string, unknown>, secretId: string | undefined, nowMs: number): Promise<boolean> {
    const s = this.sinks.get(id);
    if (!s) return false;
    const { secretId: _old, ...rest } = s;
    this.sinks.set(id, { ...rest, config: structuredClone(config), ...(secretId !== undefined ? { secretId } : {}), updatedAtMs: nowMs });
    return true;
  }

  async deleteSink(id: string): Promise<boolean> {
    return this.sinks.delete(id);
  }

  async advanceSink(id: string, from: number, to: number, count: number, nowMs: number): Promise<boolean> {
    const s = this.sinks.get(id);
    if (!s || s.cursor !== from) return false;
    const { lastError: _cleared, ...rest } = s;
    this.sinks.set(id, { ...rest, cursor: to, delivered: s.delivered + count, failures: 0, state: 'active', nextAttemptAtMs: 0, updatedAtMs: nowMs });
    return true;
  }

  async recordFailure(id: string, f: { failures: number; state: SinkState; lastError: string; nextAttemptAtMs: number }, nowMs: number): Promise<void> {
    const s = this.sinks.get(id);
    if (s) this.sinks.set(id, { ...s, ...f, updatedAtMs: nowMs });
  }

  async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(name);
    if (lease && lease.holder !== holder && lease.expiresAtMs >= nowMs) return false;
    this.leases.set(name, { holder, expiresAtMs: nowMs + ttlMs });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }
}
