/** The outbox store contract on the in-memory reference and on SQLite (PostgreSQL: test/interop/outbox-postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import type { CatalogStore } from '../../packages/server/src/catalog/ports.js';
import { tempDir } from '../support/temp.js';
import { type OutboxHandle, outboxContract } from './outbox-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

outboxContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { outbox, append: (events) => outbox.appendEvents(events), transactional: false, close: async () => undefined };
});

/** A catalog store's outbox, appended to through a transaction's repository as the services do. */
export function storeHandle(store: CatalogStore): OutboxHandle {
  return {
    outbox: store.outbox,
    append: (events, fail) =>
      store.transaction(async (repo) => {
        await repo.appendEvents(events);
        if (fail) throw new Error('injected failure after the outbox write');
      }),
    transactional: true,
    close: () => store.close(),
  };
}

outboxContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `outbox-${n++}.sqlite`));
  await store.migrate();
  return storeHandle(store);
});
