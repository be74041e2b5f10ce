/** The decision suite against the built-in authorizer, over memory and over SQLite (no decision cache: every answer is fresh). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { RbacAuthorizer } from '../../packages/server/src/auth/authz/rbac/rbac-authorizer.js';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { authorizerDecisions } from './authorizer-decisions.js';

const temp = tempDir();
const stores: SqliteCatalogStore[] = [];
let n = 0;
afterAll(async () => {
  for (const s of stores) await s.close();
  temp.cleanup();
});

authorizerDecisions('built-in, memory', async () => {
  const control = new MemoryAccessControl();
  return { control, authorizer: new RbacAuthorizer(control, 0, Date.now) };
});

authorizerDecisions('built-in, SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `decisions-${n++}.sqlite`));
  await store.migrate();
  stores.push(store);
  return { control: store.access, authorizer: new RbacAuthorizer(store.access, 0, Date.now) };
});

// Roles holding more grants than the authorizer keeps in memory: it looks up the grants on each decision's path.
authorizerDecisions('built-in, SQLite, grants looked up per path', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `decisions-${n++}.sqlite`));
  await store.migrate();
  stores.push(store);
  return { control: store.access, authorizer: new RbacAuthorizer(store.access, 0, Date.now, { allGrantsLimit: 0 }) };
});
