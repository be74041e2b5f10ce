/** The outbox store contract on the in-memory reference and on SQLite (PostgreSQL: test/interop/outbox-postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { outboxContract, storeHandle } from './outbox-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

outboxContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { outbox, append: (events) => outbox.appendEvents(events), transactional: false, close: async () => undefined };
});

outboxContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `outbox-${n++}.sqlite`));
  await store.migrate();
  return storeHandle(store);
});
