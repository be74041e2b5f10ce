/** The AccessControl contract against the built-in adapter on SQLite (roles, members and grants in the catalog database). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { accessControlContract } from '../access/access-control-contract.js';
import { tempDir } from '../support/temp.js';

const temp = tempDir();
let n = 0;
afterAll(() => temp.cleanup());

accessControlContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `access-${n++}.sqlite`));
  await store.migrate();
  return { control: store.access, close: () => store.close() };
});
