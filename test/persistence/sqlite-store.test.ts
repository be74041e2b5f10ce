import path from 'node:path';
import { afterAll } from 'vitest';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { storeContract } from './store-contract.js';

const temp = tempDir();
let n = 0;
afterAll(() => temp.cleanup());
const files = new WeakMap<object, string>();
storeContract(
  'SQLite',
  async () => {
    const file = path.join(temp.dir, `db-${n++}.sqlite`);
    const store = new SqliteCatalogStore(file);
    files.set(store, file);
    return store;
  },
  async (store) => new SqliteCatalogStore(files.get(store)!),
);
