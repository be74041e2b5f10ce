/** The scan plan store contract on the in-memory reference and on SQLite (PostgreSQL: test/interop/plan-store-postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryPlanStore } from '../../packages/server/src/catalog/planning/memory-plan-store.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { planStoreContract } from './plan-store-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

planStoreContract('memory', async () => ({ plans: new MemoryPlanStore(), close: async () => undefined }));

planStoreContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `plans-${n++}.sqlite`));
  await store.migrate();
  return { plans: store.plans, close: () => store.close() };
});
