/** The dropped-namespace store contract (migration 0021) on the in-memory reference and on SQLite (PostgreSQL: test/interop/postgres.test.ts). */
import path from 'node:path';
import { afterAll } from 'vitest';
import { MemoryDroppedObjectStore, liveKey, type LiveObjects } from '../../packages/server/src/persistence/memory/memory-dropped.js';
import { MemoryDroppedNamespaceStore, namespaceKey, type LiveNamespaces } from '../../packages/server/src/persistence/memory/memory-dropped-namespaces.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { droppedNamespaceContract, kyselyHandle } from './dropped-namespaces-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

droppedNamespaceContract('memory', async () => {
  const live: LiveObjects = new Map();
  const namespaces: LiveNamespaces = new Map();
  const objects = new MemoryDroppedObjectStore(live);
  const store = new MemoryDroppedNamespaceStore(namespaces, live, objects);
  return {
    store,
    objects,
    live: {
      insertNamespace: async (r) => {
        const key = namespaceKey(r.warehouse, r.levels);
        if (namespaces.has(key)) return false;
        namespaces.set(key, structuredClone(r));
        return true;
      },
      getNamespace: async (w, levels) => structuredClone(namespaces.get(namespaceKey(w, levels))),
      insertObject: async (r) => {
        const key = liveKey(r.warehouse, r.namespace, r.name);
        if (live.has(key)) return false;
        live.set(key, structuredClone(r));
        return true;
      },
      getObject: async (w, ns, name) => structuredClone(live.get(liveKey(w, ns, name))),
    },
    softDrop: async (dropped, objectDrops) => {
      for (const o of objectDrops) await objects.softDrop(o);
      return dropped.map((r) => store.softDrop(r));
    },
    close: async () => undefined,
  };
});
droppedNamespaceContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `dropped-ns-${n++}.sqlite`));
  await store.migrate();
  return kyselyHandle(store);
});
