/** The PendingOwnerGrantStore contract against the in-memory reference and SQLite (PostgreSQL: test/interop/postgres.test.ts's store contract). */
import path from 'node:path';
import { afterAll, describe } from 'vitest';
import { MemoryPendingOwnerGrants } from '../../packages/server/src/persistence/memory/memory-pending-owner-grants.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { pendingOwnerGrantsContract } from './pending-owner-grants-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

describe('memory pending owner grants', () =>
  pendingOwnerGrantsContract(async () => ({ grants: new MemoryPendingOwnerGrants(), close: async () => undefined })));

describe('SQLite pending owner grants', () =>
  pendingOwnerGrantsContract(async () => {
    const store = new SqliteCatalogStore(path.join(temp.dir, `grants-${n++}.sqlite`));
    await store.migrate();
    return { grants: store.pendingOwnerGrants, close: () => store.close() };
  }));
