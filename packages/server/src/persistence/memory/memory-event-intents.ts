/** Event intents in memory (catalog/outbox/intent-ports.ts): the reference the contract suite holds the database adapters to. */
import type { EventIntent, EventIntentStore } from '../../catalog/outbox/intent-ports.js';
import type { OutboxEventInput, OutboxWriter } from '../../catalog/outbox/ports.js';

export class MemoryEventIntents implements EventIntentStore {
  private readonly intents = new Map<string, EventIntent>();

  /** @param outbox where a published intent's events go (a MemoryOutbox). */
  constructor(private readonly outbox: OutboxWriter) {}

  async saveIntent(intent: EventIntent): Promise<void> {
    // Saved again: its writes and events are replaced, its age is kept (as the database adapters do).
    const createdAtMs = this.intents.get(intent.id)?.createdAtMs ?? intent.createdAtMs;
    this.intents.set(intent.id, { ...structuredClone(intent), createdAtMs });
  }

  async publishIntent(id: string, events: readonly OutboxEventInput[]): Promise<boolean> {
    if (!this.intents.has(id)) return false;
    // Appended first: when the append fails, the intent stays pending (as a rolled-back transaction leaves it).
    await this.outbox.appendEvents(events);
    this.intents.delete(id);
    return true;
  }

  async dropIntent(id: string): Promise<boolean> {
    return this.intents.delete(id);
  }

  async pendingIntents(beforeMs: number, limit: number): Promise<EventIntent[]> {
    return [...this.intents.values()]
      .filter((i) => i.createdAtMs < beforeMs)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((i) => structuredClone(i));
  }
}
