import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryPolicies } from '../../packages/server/src/catalog/ports/policies.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { policyContract } from './policies-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

policyContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { policies: new MemoryPolicies(outbox), eventTypes: async (w) => (await outbox.list(w, 0, 100)).map((e) => e.type), close: async () => undefined };
});
policyContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `policies-${n++}.sqlite`));
  await store.migrate();
  return { policies: store.policies, eventTypes: async (w) => (await store.outbox.list(w, 0, 100)).map((e) => e.type), close: () => store.close() };
});
