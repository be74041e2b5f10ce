/** Console session storage: the in-memory reference and the SQLite adapter pass one contract (PostgreSQL: test/interop/postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemorySessionRepository } from '../../packages/server/src/persistence/memory/memory-session-repository.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { sessionContract } from './session-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

sessionContract('memory', async () => ({ sessions: new MemorySessionRepository(), close: async () => undefined }));
sessionContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `sessions-${n++}.sqlite`));
  await store.migrate();
  return { sessions: store.sessions, close: () => store.close() };
});
