import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryRemoteFailures } from '../../packages/server/src/catalog/ports/remote-failures.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { remoteFailureContract } from './remote-failures-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

remoteFailureContract('memory', async () => ({ failures: new MemoryRemoteFailures(), close: async () => undefined }));
remoteFailureContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `remote-failures-${n++}.sqlite`));
  await store.migrate();
  return { failures: store.remoteFailures, close: () => store.close() };
});
