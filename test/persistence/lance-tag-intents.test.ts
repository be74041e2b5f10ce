/** The Lance tag intent store contract on the in-memory reference and on SQLite (PostgreSQL: test/interop/lance-tag-intents-postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryLanceTagIntents } from '../../packages/server/src/persistence/memory/memory-lance-tag-intents.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { lanceTagIntentContract } from './lance-tag-intents-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

lanceTagIntentContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { intents: new MemoryLanceTagIntents(outbox), outbox, close: async () => undefined };
});

lanceTagIntentContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `tag-intents-${n++}.sqlite`));
  await store.migrate();
  return { intents: store.lanceTagIntents, outbox: store.outbox, close: () => store.close() };
});
