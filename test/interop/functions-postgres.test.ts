/** The functions contract (test/persistence/functions-contract.ts) on PostgreSQL (Debian's package, scripts/peers/postgres.sh). */
import { functionContract } from '../persistence/functions-contract.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';

const cluster = usePostgresCluster('lakegate-pg-functions-');

functionContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('functions');
  return { functions: store.functions, eventTypes: async (w) => (await store.outbox.list(w, 0, 100)).map((e) => e.type), close: () => store.close() };
});
