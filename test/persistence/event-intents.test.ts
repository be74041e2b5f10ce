/** The event-intent store contract on the in-memory reference and on SQLite (PostgreSQL: test/interop/event-intents-postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryEventIntents } from '../../packages/server/src/persistence/memory/memory-event-intents.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { eventIntentContract } from './event-intents-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

eventIntentContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { intents: new MemoryEventIntents(outbox), outbox, append: (events) => outbox.appendEvents(events), close: async () => undefined };
});

eventIntentContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `intents-${n++}.sqlite`));
  await store.migrate();
  return {
    intents: store.eventIntents,
    outbox: store.outbox,
    append: (events) => store.transaction((repo) => repo.appendEvents(events)),
    close: () => store.close(),
  };
});
