/** The DerivationIntentStore contract against the in-memory reference and SQLite (PostgreSQL: test/interop/postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryDerivationIntents } from '../../packages/server/src/catalog/ports/derivation-intents.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { derivationIntentContract } from './derivation-intents-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

derivationIntentContract('memory', async () => ({ intents: new MemoryDerivationIntents(), close: async () => undefined }));
derivationIntentContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `derivation-intents-${n++}.sqlite`));
  await store.migrate();
  return { intents: store.derivationIntents, close: () => store.close() };
});
