/**
 * The Lance tag intent store contract (test/persistence/lance-tag-intents-contract.ts) on PostgreSQL (Debian's
 * package, scripts/peers/postgres.sh), and what only a database with concurrent transactions can show: replicas
 * racing to claim one intent (one wins), and publishes racing a drop of it (the request and the recovery): it is
 * resolved once, and its event is in the outbox at most once.
 */
import { describe, expect, it } from 'vitest';
import { lanceTagIntentContract, tagIntent } from '../persistence/lance-tag-intents-contract.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';

const cluster = usePostgresCluster('lakegate-pg-tag-intents-');
const openStore = () => cluster.migratedStore('tag_intents');

lanceTagIntentContract('PostgreSQL', async () => {
  const store = await openStore();
  return { intents: store.lanceTagIntents, outbox: store.outbox, close: () => store.close() };
});

describe('Lance tag intents on PostgreSQL', () => {
  it('lets one of racing replicas claim an intent, and resolves it once when publishes and a drop race', async () => {
    const store = await openStore();
    try {
      for (let round = 0; round < 20; round++) {
        const intent = tagIntent(round);
        await store.lanceTagIntents.add(intent);
        const claims = await Promise.all(Array.from({ length: 4 }, () => store.lanceTagIntents.claim(intent.id, 1_000, 2_000)));
        expect(claims.filter(Boolean)).toHaveLength(1);
        const outcomes = await Promise.all([
          store.lanceTagIntents.publish(intent.id),
          store.lanceTagIntents.publish(intent.id),
          store.lanceTagIntents.drop(intent.id),
        ]);
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        const published = (await store.outbox.list('w', 0, 1000)).filter((e) => e.id === intent.id);
        expect(published.length).toBe(outcomes[0] || outcomes[1] ? 1 : 0);
      }
      expect(await store.lanceTagIntents.pending(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
