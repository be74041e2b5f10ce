/** The dropped-object store and maintenance lease contracts on the in-memory reference and on SQLite (PostgreSQL: test/interop/postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryDroppedObjectStore, liveKey, type LiveObjects } from '../../packages/server/src/persistence/memory/memory-dropped.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { droppedObjectContract, maintenanceLeaseContract } from './dropped-contract.js';
import { MemoryMaintenanceLeases } from '../../packages/server/src/persistence/memory/memory-maintenance-leases.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

droppedObjectContract('memory', async () => {
  const live: LiveObjects = new Map();
  return {
    store: new MemoryDroppedObjectStore(live),
    live: {
      insert: async (r) => {
        const key = liveKey(r.warehouse, r.namespace, r.name);
        if (live.has(key)) return false;
        live.set(key, structuredClone(r));
        return true;
      },
      get: async (w, ns, name) => structuredClone(live.get(liveKey(w, ns, name))),
    },
    close: async () => undefined,
  };
});
droppedObjectContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `dropped-${n++}.sqlite`));
  await store.migrate();
  return {
    store: store.dropped,
    live: { insert: (r) => store.repository.insertObject(r), get: (w, ns, name) => store.repository.getObject(w, ns, name) },
    close: () => store.close(),
  };
});
maintenanceLeaseContract('memory', async () => ({ leases: new MemoryMaintenanceLeases(), close: async () => undefined }));
maintenanceLeaseContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `leases-${n++}.sqlite`));
  await store.migrate();
  return { leases: store.maintenanceLeases, close: () => store.close() };
});
