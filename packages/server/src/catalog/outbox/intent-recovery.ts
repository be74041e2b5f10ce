/**
 * Resolves event intents (ports/intents.ts) whose change was interrupted: the process died, or the database failed,
 * between the external write and the publish. An intent is published when at least one of its recorded writes holds
 * in the external store now (a grant's tuple present, a revoke's absent: that change happened, so it has its event),
 * and dropped otherwise (nothing it names took effect: the change failed, so it has no event).
 *
 * The sweep runs on startup and every round of the housekeeping sweep, under a lease so one replica does it, and
 * looks only at intents older than `olderThanMs`: younger ones may still be in the hands of the request that wrote
 * them. The bound must exceed the longest an external write can take (OpenFGA: its timeout with retries), or the
 * sweep could read the tuple before a slow write lands and drop an intent whose change then happens.
 */
import type { LeaseStore } from '../ports/delivery.js';
import type { EventIntent, EventIntentStore, IntentResolver } from '../ports/intents.js';

/** Publishes or drops one intent after reading the external store; what happened ('gone': resolved by someone else). */
export async function resolveIntent(intent: EventIntent, store: EventIntentStore, resolver: IntentResolver): Promise<'published' | 'dropped' | 'gone'> {
  if (intent.writes.length > 0 && (await resolver.anyInEffect(intent.writes)))
    return (await store.publishIntent(intent.id, intent.events)) ? 'published' : 'gone';
  return (await store.dropIntent(intent.id)) ? 'dropped' : 'gone';
}

export interface IntentRecoveryDeps {
  intents: EventIntentStore;
  resolver: IntentResolver;
  leases: LeaseStore;
  /** This replica's lease holder id. */
  holder: string;
  now: () => number;
  /** Age from which a pending intent is taken as interrupted. */
  olderThanMs: number;
  leaseTtlMs: number;
  /** Intents read per page. */
  batchSize?: number;
}

export const INTENT_LEASE = 'event-intent-recovery';

export class IntentRecovery {
  constructor(private readonly deps: IntentRecoveryDeps) {}

  /** One pass over the interrupted intents, when this replica holds the lease; how many were published and dropped. */
  async sweep(): Promise<{ published: number; dropped: number }> {
    const d = this.deps;
    const out = { published: 0, dropped: 0 };
    if (!(await d.leases.acquireLease(INTENT_LEASE, d.holder, d.now(), d.leaseTtlMs))) return out;
    try {
      const before = d.now() - d.olderThanMs;
      for (;;) {
        const page = await d.intents.pendingIntents(before, d.batchSize ?? 100);
        // In recording order: when two intents name the same tuple, the later one's event is appended last.
        for (const intent of page) {
          const r = await resolveIntent(intent, d.intents, d.resolver);
          if (r === 'published') out.published += 1;
          else if (r === 'dropped') out.dropped += 1;
        }
        if (page.length < (d.batchSize ?? 100)) return out;
      }
    } finally {
      await d.leases.releaseLease(INTENT_LEASE, d.holder);
    }
  }
}
