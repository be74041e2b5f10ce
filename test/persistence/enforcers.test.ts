/** EnforcerStore contract on memory and SQLite (PostgreSQL: test/interop/postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryEnforcers } from '../../packages/server/src/catalog/ports/enforcers.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { enforcerContract } from './enforcers-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

enforcerContract('memory', async () => ({ store: new MemoryEnforcers(), close: async () => undefined }));
enforcerContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `enforcers-${n++}.sqlite`));
  await store.migrate();
  return { store: store.enforcers, close: () => store.close() };
});
