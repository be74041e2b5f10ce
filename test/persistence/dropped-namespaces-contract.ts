/**
 * The contract every dropped-namespace store (catalog/ports/maintenance.ts DroppedNamespaceStore, migration 0021)
 * passes: the in-memory reference and SQLite (dropped-namespaces.test.ts), PostgreSQL (test/interop/postgres.test.ts).
 * A cascade's namespaces and objects are each exactly one of live or dropped: the soft drop moves them (with their
 * ids and properties), an undrop of a namespace moves it and what its drop took under it back, renamed alike when
 * it gets a new name, all or nothing; a taken name or a missing parent moves nothing.
 */
import { describe, expect, it } from 'vitest';
import type {
  DroppedNamespaceRecord,
  DroppedNamespaceStore,
  DroppedObjectRecord,
  DroppedObjectStore,
} from '../../packages/server/src/catalog/ports/maintenance.js';
import type { CatalogObjectRecord, CatalogStore, NamespaceRecord } from '../../packages/server/src/catalog/ports/index.js';

export interface DroppedNamespaceHandle {
  store: DroppedNamespaceStore;
  objects: DroppedObjectStore;
  live: {
    insertNamespace(record: NamespaceRecord): Promise<boolean>;
    getNamespace(warehouse: string, levels: string[]): Promise<NamespaceRecord | undefined>;
    insertObject(record: CatalogObjectRecord): Promise<boolean>;
    getObject(warehouse: string, namespace: string[], name: string): Promise<CatalogObjectRecord | undefined>;
  };
  /** Soft-drops the objects, then the namespaces (deepest first), in one transaction, as a cascade does; whether each namespace moved. */
  softDrop(namespaces: DroppedNamespaceRecord[], objects: DroppedObjectRecord[]): Promise<boolean[]>;
  close(): Promise<void>;
}

let n = 0;
const W = 'wh';
const ns = (levels: string[], properties: Record<string, string> = {}): NamespaceRecord => ({
  id: `ns-${String(++n).padStart(4, '0')}-${levels.join('.')}`,
  warehouse: W,
  levels,
  properties,
});
const table = (namespace: string[], name: string, kind: CatalogObjectRecord['kind'] = 'table'): CatalogObjectRecord => {
  n += 1;
  return {
    id: `obj-${String(n).padStart(4, '0')}-${name}`,
    warehouse: W,
    namespace,
    name,
    kind,
    uuid: `uuid-${n}`,
    location: `s3://b/wh/${namespace.join('/')}/${name}-${n}`,
    metadataLocation: `s3://b/wh/${namespace.join('/')}/${name}-${n}/metadata/1.json`,
    metadataJson: `{"n":${n}}`,
    createdAtMs: 1_000,
    updatedAtMs: 2_000,
    locationOwned: true,
  };
};
const nsDrop = (r: NamespaceRecord, droppedWith: string, droppedAtMs = 10_000): DroppedNamespaceRecord => ({
  namespace: r,
  droppedAtMs,
  expiresAtMs: droppedAtMs + 1_000,
  droppedBy: 'principal:eng',
  droppedWith,
});
const objDrop = (o: CatalogObjectRecord, droppedWith: string | undefined, droppedAtMs = 10_000): DroppedObjectRecord => ({
  object: o,
  droppedAtMs,
  expiresAtMs: droppedAtMs + 1_000,
  purge: o.kind === 'lance-table',
  droppedBy: 'principal:eng',
  droppedWith,
});

/** A live tree: top (with properties), top.child, top.childish (a sibling whose name starts like child's), a table in each and a Lance table in child. */
async function tree(h: DroppedNamespaceHandle, top: string) {
  const root = ns([top], { owner: 'ana', location: `s3://b/custom/${top}` });
  const child = ns([top, 'child'], { tier: 'gold' });
  const childish = ns([top, 'childx']);
  for (const r of [root, child, childish]) expect(await h.live.insertNamespace(r)).toBe(true);
  const objects = [table([top], 't0'), table([top, 'child'], 't1'), table([top, 'child'], 'ds', 'lance-table'), table([top, 'childx'], 't2')];
  for (const o of objects) expect(await h.live.insertObject(o)).toBe(true);
  return { root, child, childish, objects };
}
async function dropTree(h: DroppedNamespaceHandle, t: Awaited<ReturnType<typeof tree>>, droppedAtMs = 10_000) {
  const moved = await h.softDrop(
    [t.child, t.childish, t.root].map((r) => nsDrop(r, t.root.id, droppedAtMs)),
    t.objects.map((o) => objDrop(o, t.root.id, droppedAtMs)),
  );
  expect(moved).toEqual([true, true, true]);
}

export function droppedNamespaceContract(name: string, open: () => Promise<DroppedNamespaceHandle>): void {
  describe(`dropped namespace store contract: ${name}`, () => {
    const withStore = (fn: (h: DroppedNamespaceHandle) => Promise<void>) => async () => {
      const h = await open();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    };

    it(
      'a soft drop moves the namespaces with their ids and properties; the group is the namespace and what its drop took under it',
      withStore(async (h) => {
        const t = await tree(h, 'a');
        await dropTree(h, t);
        expect(await h.live.getNamespace(W, ['a'])).toBeUndefined();
        expect(await h.live.getNamespace(W, ['a', 'child'])).toBeUndefined();
        expect(await h.live.getObject(W, ['a', 'child'], 't1')).toBeUndefined();
        const got = await h.store.get(W, t.root.id);
        expect(got).toEqual(nsDrop(t.root, t.root.id));
        expect(await h.store.get('other', t.root.id)).toBeUndefined();
        expect((await h.store.list(W, { limit: 10 })).map((r) => r.namespace.id).sort()).toEqual([t.root.id, t.child.id, t.childish.id].sort());
        expect((await h.objects.get(W, t.objects[1]!.id))?.droppedWith).toBe(t.root.id);

        const whole = (await h.store.group(W, t.root.id))!;
        expect(whole.namespaces[0]!.namespace.id).toBe(t.root.id);
        expect(whole.namespaces.map((r) => r.namespace.id).sort()).toEqual([t.root.id, t.child.id, t.childish.id].sort());
        expect(whole.objects.map((o) => o.object.id).sort()).toEqual(t.objects.map((o) => o.id).sort());
        // A child's group: itself and what lies under it, level by level (a.childx is not under a.child).
        const part = (await h.store.group(W, t.child.id))!;
        expect(part.namespaces.map((r) => r.namespace.id)).toEqual([t.child.id]);
        expect(part.objects.map((o) => o.object.name).sort()).toEqual(['ds', 't1']);
        expect(await h.store.group(W, 'nope')).toBeUndefined();
      }),
    );

    it(
      'a soft drop of a namespace that is not live (another id under the name, or none) moves nothing',
      withStore(async (h) => {
        const live = ns(['b']);
        expect(await h.live.insertNamespace(live)).toBe(true);
        expect(await h.softDrop([nsDrop({ ...live, id: 'another-id' }, 'another-id')], [])).toEqual([false]);
        expect(await h.softDrop([nsDrop(ns(['never']), 'x')], [])).toEqual([false]);
        expect((await h.live.getNamespace(W, ['b']))?.id).toBe(live.id);
        expect(await h.store.list(W, { limit: 10 })).toEqual([]);
      }),
    );

    it(
      'an undrop restores the namespace, its children and every object its drop took, with their ids, properties and events, once',
      withStore(async (h) => {
        const t = await tree(h, 'c');
        await dropTree(h, t);
        let seen: string[] = [];
        const outcome = await h.store.restore(W, t.root.id, ['c'], 50_000, (g) => {
          seen = [...g.namespaces.map((r) => r.namespace.id), ...g.objects.map((o) => o.object.id)];
          return [];
        });
        expect(outcome.outcome).toBe('restored');
        expect(seen.sort()).toEqual([t.root.id, t.child.id, t.childish.id, ...t.objects.map((o) => o.id)].sort());
        expect(await h.live.getNamespace(W, ['c'])).toEqual(t.root);
        expect(await h.live.getNamespace(W, ['c', 'child'])).toEqual(t.child);
        const ds = await h.live.getObject(W, ['c', 'child'], 'ds');
        expect(ds).toEqual({ ...t.objects[2], updatedAtMs: 50_000 });
        expect(await h.store.list(W, { limit: 10 })).toEqual([]);
        expect(await h.objects.get(W, t.objects[0]!.id)).toBeUndefined();
        expect((await h.store.restore(W, t.root.id, ['c'], 60_000)).outcome).toBe('missing');
      }),
    );

    it(
      'an undrop under a new name renames the children and the objects alike; a taken name or a missing parent moves nothing',
      withStore(async (h) => {
        const t = await tree(h, 'd');
        await dropTree(h, t);
        expect(await h.live.insertNamespace(ns(['d']))).toBe(true);
        expect((await h.store.restore(W, t.root.id, ['d'], 50_000)).outcome).toBe('exists');
        expect((await h.store.restore(W, t.root.id, ['nowhere', 'd2'], 50_000)).outcome).toBe('no-parent');
        expect(await h.live.getNamespace(W, ['d', 'child'])).toBeUndefined();
        expect((await h.store.group(W, t.root.id))!.objects).toHaveLength(4);

        expect((await h.store.restore(W, t.root.id, ['d', 'restored'], 50_000)).outcome).toBe('restored');
        expect((await h.live.getNamespace(W, ['d', 'restored']))?.properties).toEqual(t.root.properties);
        expect((await h.live.getNamespace(W, ['d', 'restored', 'child']))?.id).toBe(t.child.id);
        expect((await h.live.getObject(W, ['d', 'restored', 'child'], 't1'))?.id).toBe(t.objects[1]!.id);
        expect((await h.live.getObject(W, ['d', 'restored', 'childx'], 't2'))?.id).toBe(t.objects[3]!.id);
      }),
    );

    it(
      'an undrop of a child namespace restores only its part; an object restored alone before is not taken again',
      withStore(async (h) => {
        const t = await tree(h, 'e');
        await dropTree(h, t);
        expect(await h.live.insertNamespace(ns(['e']))).toBe(true);
        // t1 came back alone (into e), before the namespace's undrop.
        expect(await h.objects.restore(W, t.objects[1]!.id, { namespace: ['e'], name: 't1' }, 20_000)).toBe('restored');
        const outcome = await h.store.restore(W, t.child.id, ['e', 'child'], 30_000);
        expect(outcome.outcome).toBe('restored');
        if (outcome.outcome === 'restored') expect(outcome.restored.objects.map((o) => o.object.name)).toEqual(['ds']);
        expect((await h.live.getObject(W, ['e', 'child'], 'ds'))?.id).toBe(t.objects[2]!.id);
        expect(await h.live.getObject(W, ['e', 'child'], 't1')).toBeUndefined();
        expect((await h.store.list(W, { limit: 10 })).map((r) => r.namespace.id).sort()).toEqual([t.root.id, t.childish.id].sort());
        expect((await h.store.group(W, t.root.id))!.objects.map((o) => o.object.name).sort()).toEqual(['t0', 't2']);
      }),
    );

    it(
      'lists by drop time and id, pages after a key; the sweep sees only what is due, and forgets once',
      withStore(async (h) => {
        const early = ns(['f1']);
        const late = ns(['f2']);
        for (const r of [early, late]) expect(await h.live.insertNamespace(r)).toBe(true);
        expect(await h.softDrop([nsDrop(late, late.id, 20_000)], [])).toEqual([true]);
        expect(await h.softDrop([nsDrop(early, early.id, 10_000)], [])).toEqual([true]);
        expect((await h.store.list(W, { limit: 10 })).map((r) => r.namespace.id)).toEqual([early.id, late.id]);
        expect((await h.store.list(W, { after: { droppedAtMs: 10_000, id: early.id }, limit: 10 })).map((r) => r.namespace.id)).toEqual([late.id]);
        expect((await h.store.due(11_000, 10)).map((r) => r.namespace.id)).toEqual([early.id]);
        expect(await h.store.due(10_999, 10)).toEqual([]);
        expect(await h.store.forget(W, early.id)).toBe(true);
        expect(await h.store.forget(W, early.id)).toBe(false);
        expect((await h.store.due(30_000, 10)).map((r) => r.namespace.id)).toEqual([late.id]);
      }),
    );
  });
}

/** The handle over a database store (SQLite, PostgreSQL): the cascade's moves in one of its transactions. */
export function kyselyHandle(store: CatalogStore): DroppedNamespaceHandle {
  return {
    store: store.droppedNamespaces,
    objects: store.dropped,
    live: {
      insertNamespace: (r) => store.repository.insertNamespace(r),
      getNamespace: (w, levels) => store.repository.getNamespace(w, levels),
      insertObject: (r) => store.repository.insertObject(r),
      getObject: (w, ns, name) => store.repository.getObject(w, ns, name),
    },
    softDrop: (namespaces, objects) =>
      store.transaction(async (repo) => {
        for (const o of objects) await repo.softDropObject(o);
        const moved: boolean[] = [];
        for (const r of namespaces) moved.push(await repo.softDropNamespace(r));
        return moved;
      }),
    close: () => store.close(),
  };
}
