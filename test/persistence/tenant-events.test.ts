/** The tenant events contract on the in-memory reference and on SQLite (PostgreSQL: test/interop/tenant-events-postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { tenantEventsContract } from './tenant-events-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

tenantEventsContract(
  'memory',
  async () => {
    const outbox = new MemoryOutbox();
    return { control: new MemoryAccessControl(outbox), outbox, close: async () => undefined };
  },
  { principals: false },
);

tenantEventsContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `tenant-events-${n++}.sqlite`));
  await store.migrate();
  return { control: store.access, outbox: store.outbox, identity: store.identity, close: () => store.close() };
});
