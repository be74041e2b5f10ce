import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryLabels } from '../../packages/server/src/catalog/ports/labels.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { labelContract } from './labels-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

labelContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { labels: new MemoryLabels(outbox), eventTypes: async (w) => (await outbox.list(w, 0, 100)).map((e) => e.type), close: async () => undefined };
});
labelContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `labels-${n++}.sqlite`));
  await store.migrate();
  return {
    labels: store.labels,
    eventTypes: async (w) => (await store.outbox.list(w, 0, 100)).map((e) => e.type),
    live: { insert: (r) => store.repository.insertObject(r), get: (w, ns, name) => store.repository.getObject(w, ns, name) },
    close: () => store.close(),
  };
});
