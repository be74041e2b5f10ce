/** The labels contract (test/persistence/labels-contract.ts) on PostgreSQL (Debian's package, scripts/peers/postgres.sh). */
import { labelContract } from '../persistence/labels-contract.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';

const cluster = usePostgresCluster('lakegate-pg-labels-');

labelContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('labels');
  return {
    labels: store.labels,
    eventTypes: async (w) => (await store.outbox.list(w, 0, 100)).map((e) => e.type),
    live: { insert: (r) => store.repository.insertObject(r), get: (w, ns, name) => store.repository.getObject(w, ns, name) },
    close: () => store.close(),
  };
});
