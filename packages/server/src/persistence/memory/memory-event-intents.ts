/** Event intents in memory (catalog/ports/intents.ts): the reference the contract suite holds the database adapters to. */
import type { EventIntent, EventIntentStore } from '../../catalog/ports/intents.js';
import type { OutboxEventInput } from '../../catalog/ports/outbox.js';
import type { MemoryOutbox } from './memory-outbox.js';

export class MemoryEventIntents implements EventIntentStore {
  private readonly intents = new Map<string, EventIntent>();

  /** @param outbox where an intent's numbers are held and its events go once published. */
  constructor(private readonly outbox: MemoryOutbox) {}

  async saveIntent(intent: EventIntent): Promise<void> {
    const streams = new Set(intent.events.map((e) => e.warehouse));
    if (streams.size !== 1) throw new TypeError(`an event intent holds the events of one stream, not ${streams.size}`);
    const known = this.intents.get(intent.id);
    // New: its numbers now, in the stream's order. Saved again: writes and events replaced, age and numbers kept.
    if (!known) this.outbox.hold(intent.id, intent.events[0]!.warehouse, intent.events.length);
    this.intents.set(intent.id, { ...structuredClone(intent), createdAtMs: known?.createdAtMs ?? intent.createdAtMs });
  }

  async publishIntent(id: string, events: readonly OutboxEventInput[]): Promise<boolean> {
    if (!this.intents.has(id)) return false;
    this.outbox.fill(id, events);
    this.intents.delete(id);
    return true;
  }

  async dropIntent(id: string): Promise<boolean> {
    if (!this.intents.delete(id)) return false;
    this.outbox.release(id);
    return true;
  }

  async countPending(): Promise<number> {
    return this.intents.size;
  }

  async pendingIntents(beforeMs: number, limit: number): Promise<EventIntent[]> {
    return [...this.intents.values()]
      .filter((i) => i.createdAtMs < beforeMs)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((i) => structuredClone(i));
  }
}
