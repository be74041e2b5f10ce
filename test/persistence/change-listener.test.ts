/** The change listener contract (change-listener-contract.ts) on SQLite; PostgreSQL runs it in test/interop/postgres.test.ts. */
import path from 'node:path';
import { afterAll } from 'vitest';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { changeListenerContract } from './change-listener-contract.js';

const temp = tempDir();
let n = 0;
afterAll(() => temp.cleanup());

changeListenerContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `changes-${n++}.sqlite`));
  await store.migrate();
  return store;
});
