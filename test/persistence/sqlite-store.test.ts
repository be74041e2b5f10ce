import path from 'node:path';
import { afterAll } from 'vitest';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { storeContract } from './store-contract.js';

const temp = tempDir();
let n = 0;
afterAll(() => temp.cleanup());
storeContract('SQLite', async () => new SqliteCatalogStore(path.join(temp.dir, `db-${n++}.sqlite`)));
