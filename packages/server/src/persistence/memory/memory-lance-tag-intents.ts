/** Lance tag intents in memory (catalog/ports/lance-tag-intents.ts): the reference the contract suite holds the database adapters to. */
import type { LanceTagIntent, LanceTagIntentStore, LanceTagIntentSummary } from '../../catalog/ports/lance-tag-intents.js';
import type { OutboxWriter } from '../../catalog/ports/outbox.js';

export class MemoryLanceTagIntents implements LanceTagIntentStore {
  private readonly rows = new Map<string, { intent: LanceTagIntent; claimedUntilMs: number | undefined }>();

  /** @param outbox where a published intent's event goes. */
  constructor(private readonly outbox: OutboxWriter) {}

  async add(intent: LanceTagIntent): Promise<void> {
    if (this.rows.has(intent.id)) throw new Error(`a Lance tag intent ${intent.id} is recorded already`);
    this.rows.set(intent.id, { intent: structuredClone(intent), claimedUntilMs: undefined });
  }

  async publish(id: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (row === undefined) return false;
    // Removed before the append, as the database's one transaction: a concurrent publish finds nothing.
    this.rows.delete(id);
    try {
      await this.outbox.appendEvents([row.intent.event]);
    } catch (e) {
      this.rows.set(id, row);
      throw e;
    }
    return true;
  }

  async drop(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  async pending(beforeMs: number, limit: number): Promise<LanceTagIntent[]> {
    return [...this.rows.values()]
      .filter((r) => r.intent.createdAtMs < beforeMs)
      .sort(
        (a, b) =>
          (a.claimedUntilMs ?? -Infinity) - (b.claimedUntilMs ?? -Infinity) ||
          a.intent.createdAtMs - b.intent.createdAtMs ||
          (a.intent.id < b.intent.id ? -1 : a.intent.id > b.intent.id ? 1 : 0),
      )
      .slice(0, limit)
      .map((r) => structuredClone(r.intent));
  }

  async claim(id: string, nowMs: number, untilMs: number): Promise<boolean> {
    const row = this.rows.get(id);
    if (row === undefined || (row.claimedUntilMs !== undefined && row.claimedUntilMs >= nowMs)) return false;
    row.claimedUntilMs = untilMs;
    return true;
  }

  async summary(): Promise<LanceTagIntentSummary> {
    let oldest: number | undefined;
    for (const { intent } of this.rows.values()) if (oldest === undefined || intent.createdAtMs < oldest) oldest = intent.createdAtMs;
    return { pending: this.rows.size, oldestCreatedAtMs: oldest };
  }
}
