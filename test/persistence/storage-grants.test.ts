import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryStorageGrants } from '../../packages/server/src/catalog/ports/storage-grants.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { storageGrantContract } from './storage-grants-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

storageGrantContract('memory', async () => ({ grants: new MemoryStorageGrants(), close: async () => undefined }));
storageGrantContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `grants-${n++}.sqlite`));
  await store.migrate();
  return { grants: store.storageGrants, close: () => store.close() };
});
