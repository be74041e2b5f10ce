/** The Lance version store contract on the in-memory reference and on SQLite (PostgreSQL: test/interop/postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryLanceVersionStore } from '../../packages/server/src/persistence/memory/memory-lance-versions.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { lanceVersionContract } from './lance-version-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

lanceVersionContract('memory', async () => ({ store: new MemoryLanceVersionStore(), close: async () => undefined }));
lanceVersionContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `versions-${n++}.sqlite`));
  await store.migrate();
  return { store: store.lanceVersions, close: () => store.close() };
});
