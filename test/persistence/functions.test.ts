/** The functions contract (functions-contract.ts) on memory and SQLite; PostgreSQL in test/interop/functions-postgres.test.ts. */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryFunctions } from '../../packages/server/src/catalog/ports/functions.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { functionContract } from './functions-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

functionContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { functions: new MemoryFunctions(outbox), eventTypes: async (w) => (await outbox.list(w, 0, 100)).map((e) => e.type), close: async () => undefined };
});
functionContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `functions-${n++}.sqlite`));
  await store.migrate();
  return { functions: store.functions, eventTypes: async (w) => (await store.outbox.list(w, 0, 100)).map((e) => e.type), close: () => store.close() };
});
