/**
 * The event-intent store contract (test/persistence/event-intents-contract.ts) on PostgreSQL (Debian's package,
 * scripts/peers/postgres.sh), and the one property only a database with concurrent transactions can show: a
 * publish racing a drop of the same intent (the request and the recovery sweep) resolves it once, and the event is
 * in the outbox at most once.
 */
import { describe, expect, it } from 'vitest';
import { eventIntentContract } from '../persistence/event-intents-contract.js';
import { ev } from '../persistence/outbox-contract.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';

const cluster = usePostgresCluster('lakegate-pg-intents-');
const openStore = () => cluster.migratedStore('intents');

eventIntentContract('PostgreSQL', async () => {
  const store = await openStore();
  return {
    intents: store.eventIntents,
    outbox: store.outbox,
    append: (events) => store.transaction((repo) => repo.appendEvents(events)),
    close: () => store.close(),
  };
});

describe('event intents on PostgreSQL', () => {
  it('resolves an intent once when publishes and drops race (the request and the sweep)', async () => {
    const store = await openStore();
    try {
      for (let round = 0; round < 20; round++) {
        const event = ev('w');
        const id = `20000000-0000-4000-8000-${String(round).padStart(12, '0')}`;
        await store.eventIntents.saveIntent({ id, createdAtMs: 1, events: [event], writes: [{ op: 'write', user: 'u', relation: 'r', object: 'o' }] });
        const outcomes = await Promise.all([
          store.eventIntents.publishIntent(id, [event]),
          store.eventIntents.publishIntent(id, [event]),
          store.eventIntents.dropIntent(id),
        ]);
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        const published = (await store.outbox.list('w', 0, 1000)).filter((e) => e.id === event.id);
        expect(published.length).toBe(outcomes[0] || outcomes[1] ? 1 : 0);
      }
      expect(await store.eventIntents.pendingIntents(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
