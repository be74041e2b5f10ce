/**
 * The persistence contract: every CatalogStore adapter (SQLite, PostgreSQL)
 * runs this same suite against a real database.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogObjectRecord, Warehouse } from '../../packages/server/src/catalog/ports/index.js';
import type { LakegateStore as CatalogStore } from '../../packages/server/src/store.js';
import { atDispatch } from '../../packages/server/src/runtime/end-of-turn.js';

/** Runs `fn` as a request handed over in the next dispatch of requests runs (runtime/end-of-turn.ts). */
const inDispatch = <T>(fn: () => Promise<T>): Promise<T> => new Promise((resolve, reject) => atDispatch(() => void fn().then(resolve, reject)));
/** Leaves the dispatch whose microtasks the caller may be running in (a timer is I/O). */
const afterIo = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * @param makeStore a store on a new, empty database
 * @param openAgain another store (as another process would open it) on the database of one made by makeStore
 */
export function storeContract(name: string, makeStore: () => Promise<CatalogStore>, openAgain: (store: CatalogStore) => Promise<CatalogStore>): void {
  describe(`${name} store contract`, () => {
    const wh = 'w1';
    const obj = (nameArg: string, over: Partial<CatalogObjectRecord> = {}): CatalogObjectRecord => ({
      id: `id-${over.kind ?? 'table'}-${nameArg}`,
      warehouse: wh,
      namespace: ['ns'],
      name: nameArg,
      kind: 'table',
      uuid: `uuid-${nameArg}`,
      location: `file:///w/ns/${nameArg}`,
      metadataLocation: `file:///w/ns/${nameArg}/metadata/00000-a.metadata.json`,
      metadataJson: '{}',
      createdAtMs: 1,
      updatedAtMs: 1,
      locationOwned: false,
      ...over,
    });

    async function fresh(): Promise<CatalogStore> {
      const store = await makeStore();
      await store.migrate();
      await store.migrate(); // idempotent
      // Without a tenant and a storage profile, as rows from before migrations 0002 and 0005 are: the columns' defaults
      // ('default', a file profile) fill them (tested below).
      await store.repository.insertWarehouse({ name: wh, storageRoot: 'file:///w', properties: {}, createdAtMs: 1 } as Warehouse);
      await store.repository.insertNamespace({ id: 'ns-ns', warehouse: wh, levels: ['ns'], properties: { a: '1' } });
      return store;
    }

    it("reads the ids and kinds of a namespace's named objects in one batch: those that exist, of every kind, any number of names", async () => {
      const s = await fresh();
      try {
        await s.repository.insertNamespace({ id: 'ns-other', warehouse: wh, levels: ['other'], properties: {} });
        for (let i = 0; i < 1_030; i++) await s.repository.insertObject(obj(`t${i}`));
        await s.repository.insertObject(obj('v', { kind: 'view' }));
        await s.repository.insertObject(obj('l', { kind: 'lance-table' }));
        await s.repository.insertObject(obj('elsewhere', { namespace: ['other'] }));
        expect(await s.repository.getObjectIds(wh, ['ns'], [])).toEqual(new Map());
        const few = await s.repository.getObjectIds(wh, ['ns'], ['v', 'l', 't7', 't7', 'nope', 'elsewhere']);
        expect(few).toEqual(
          new Map([
            ['v', { id: obj('v', { kind: 'view' }).id, kind: 'view' }],
            ['l', { id: obj('l', { kind: 'lance-table' }).id, kind: 'lance-table' }],
            ['t7', { id: obj('t7').id, kind: 'table' }],
          ]),
        );
        expect(await s.repository.getObjectIds('w2', ['ns'], ['t7'])).toEqual(new Map());
        // Beyond one query's names (chunked by the store).
        const many = await s.repository.getObjectIds(
          wh,
          ['ns'],
          Array.from({ length: 2_500 }, (_, i) => `t${i}`),
        );
        expect(many.size).toBe(1_030);
        expect(many.get('t1029')).toEqual({ id: obj('t1029').id, kind: 'table' });
      } finally {
        await s.close();
      }
    });

    it("replaces a warehouse's storage profile and secret id, and deletes a secret", async () => {
      const s = await fresh();
      try {
        await s.repository.putSecret('sec-1', 'sealed-1', 1);
        await s.transaction(async (repo) => {
          await repo.setWarehouseStorage(wh, { type: 's3', bucket: 'b', region: 'eu-west-1' }, 'sec-1');
        });
        expect(await s.repository.getWarehouse(wh)).toMatchObject({
          storageRoot: 'file:///w',
          storageProfile: { type: 's3', bucket: 'b', region: 'eu-west-1' },
          secretId: 'sec-1',
        });
        await s.repository.setWarehouseStorage(wh, { type: 'file' }, undefined);
        await s.repository.deleteSecret('sec-1');
        const after = await s.repository.getWarehouse(wh);
        expect(after?.storageProfile).toEqual({ type: 'file' });
        expect(after?.secretId).toBeUndefined();
        expect(await s.repository.getSecret('sec-1')).toBeUndefined();
      } finally {
        await s.close();
      }
    });

    it('stores warehouses and namespaces, refusing duplicates', async () => {
      const s = await fresh();
      try {
        expect(
          await s.repository.insertWarehouse({
            name: wh,
            tenant: 'default',
            storageRoot: 'file:///x',
            properties: {},
            createdAtMs: 2,
            storageProfile: { type: 'file' },
          }),
        ).toBe(false);
        expect((await s.repository.getWarehouse(wh))?.storageRoot).toBe('file:///w');
        expect(await s.repository.insertNamespace({ id: 'ns-ns', warehouse: wh, levels: ['ns'], properties: {} })).toBe(false);
        expect(await s.repository.insertNamespace({ id: 'ns-ns.child', warehouse: wh, levels: ['ns', 'child'], properties: {} })).toBe(true);
        expect((await s.repository.listNamespaces(wh, [], { limit: 10 })).map((n) => n.levels)).toEqual([['ns']]);
        expect((await s.repository.listNamespaces(wh, ['ns'], { limit: 10 })).map((n) => n.levels)).toEqual([['ns', 'child']]);
        expect(await s.repository.namespaceHasChildren(wh, ['ns'])).toBe(true);
        expect(await s.repository.namespaceHasChildren(wh, ['ns', 'child'])).toBe(false);
        expect((await s.repository.getNamespace(wh, ['ns']))?.properties).toEqual({ a: '1' });
      } finally {
        await s.close();
      }
    });

    it('compare-and-swaps metadata pointers: exactly one of two swaps from the same base wins', async () => {
      const s = await fresh();
      try {
        expect(await s.repository.insertObject(obj('t'))).toBe(true);
        expect(await s.repository.insertObject(obj('t', { kind: 'view' }))).toBe(false);
        const base = obj('t').metadataLocation;
        const swap = (loc: string) =>
          s.repository.swapMetadata(
            {
              warehouse: wh,
              namespace: ['ns'],
              name: 't',
              kind: 'table',
              expectedMetadataLocation: base,
              metadataLocation: loc,
              metadataJson: `{"l":"${loc}"}`,
              location: 'file:///w/ns/t',
            },
            5,
          );
        const results = await Promise.all([swap('file:///m1'), swap('file:///m2')]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const now = await s.repository.getObject(wh, ['ns'], 't');
        expect(now?.metadataLocation).toBe(results[0] ? 'file:///m1' : 'file:///m2');
        expect(now?.metadataJson).toContain(now!.metadataLocation);
      } finally {
        await s.close();
      }
    });

    it('holds locked rows against another process until the transaction ends (row locks), or has none to hold', async () => {
      const s = await fresh();
      const other = await openAgain(s);
      try {
        for (const n of ['a', 'b']) await s.repository.insertObject(obj(n));
        const swapA = (store: CatalogStore | Parameters<Parameters<CatalogStore['transaction']>[0]>[0], expected: string, loc: string) =>
          ('repository' in store ? store.repository : store).swapMetadata(
            {
              warehouse: wh,
              namespace: ['ns'],
              name: 'a',
              kind: 'table',
              expectedMetadataLocation: expected,
              metadataLocation: loc,
              metadataJson: '{}',
              location: 'file:///w/ns/a',
            },
            7,
          );
        if (!s.rowLocks) {
          // Nothing to hold (SQLite: one writer at a time): locking is harmless, in and out of a transaction.
          await s.repository.lockObjects(wh, [{ namespace: ['ns'], name: 'a' }]);
          await s.transaction(async (repo) =>
            repo.lockObjects(wh, [
              { namespace: ['ns'], name: 'b' },
              { namespace: ['ns'], name: 'a' },
            ]),
          );
          expect(await swapA(other, obj('a').metadataLocation, 'file:///w/ns/a/m1')).toBe(true);
          return;
        }
        let otherDone = false;
        let otherSwapped: Promise<boolean> | undefined;
        await s.transaction(async (repo) => {
          // Any order given: the rows are taken in one fixed order.
          await repo.lockObjects(wh, [
            { namespace: ['ns'], name: 'b' },
            { namespace: ['ns'], name: 'a' },
            { namespace: ['ns'], name: 'missing' },
          ]);
          otherSwapped = swapA(other, obj('a').metadataLocation, 'file:///w/ns/a/other').finally(() => (otherDone = true));
          await new Promise((r) => setTimeout(r, 300));
          // The other process's swap waits for this transaction...
          expect(otherDone).toBe(false);
          expect(await swapA(repo, obj('a').metadataLocation, 'file:///w/ns/a/mine')).toBe(true);
        });
        // ...and then finds the pointer moved: it loses, and the holder's swap stands.
        expect(await otherSwapped).toBe(false);
        expect((await other.repository.getObject(wh, ['ns'], 'a'))?.metadataLocation).toBe('file:///w/ns/a/mine');
        // Unlocked rows are not held.
        await s.transaction(async (repo) => {
          await repo.lockObjects(wh, [{ namespace: ['ns'], name: 'b' }]);
          expect(await swapA(other, 'file:///w/ns/a/mine', 'file:///w/ns/a/m2')).toBe(true);
        });
      } finally {
        await other.close();
        await s.close();
      }
    });

    it('rolls back every write of a failed transaction', async () => {
      const s = await fresh();
      try {
        await s.repository.insertObject(obj('a'));
        await expect(
          s.transaction(async (repo) => {
            await repo.swapMetadata(
              {
                warehouse: wh,
                namespace: ['ns'],
                name: 'a',
                kind: 'table',
                expectedMetadataLocation: obj('a').metadataLocation,
                metadataLocation: 'file:///new',
                metadataJson: '{}',
                location: 'file:///w/ns/a',
              },
              9,
            );
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect((await s.repository.getObject(wh, ['ns'], 'a'))?.metadataLocation).toBe(obj('a').metadataLocation);
      } finally {
        await s.close();
      }
    });

    it("writes roles, members, grants and pending owner grants through a transaction's ports with the transaction: all roll back, or all land with it", async () => {
      const s = await fresh();
      const other = await openAgain(s);
      try {
        const member = { kind: 'principal' as const, issuer: '', name: 'p1' };
        const write = async (
          repo: Parameters<Parameters<CatalogStore['transaction']>[0]>[0],
          ports: Parameters<Parameters<CatalogStore['transaction']>[0]>[1],
          name: string,
        ) => {
          await repo.insertObject(obj(name));
          await ports.access.createRole({ tenant: 'default', name: `owner-${name}`, description: '', createdAtMs: 1 });
          await ports.access.addMember({ tenant: 'default', role: `owner-${name}`, member, createdAtMs: 1 });
          await ports.access.grant({
            tenant: 'default',
            role: `owner-${name}`,
            privilege: 'table:read-data',
            securable: { kind: 'table', id: obj(name).id, warehouse: wh },
            createdAtMs: 1,
          });
          await ports.ownerGrants.add({
            id: `pending-${name}`,
            tenant: 'default',
            warehouse: wh,
            member,
            securable: { kind: 'table', id: obj(name).id },
            object: `${wh}/ns.${name}`,
            createdAtMs: 1,
          });
        };
        await expect(
          s.transaction(async (repo, ports) => {
            await write(repo, ports, 'gone');
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        for (const store of [s, other]) {
          expect(await store.repository.getObject(wh, ['ns'], 'gone')).toBeUndefined();
          expect(await store.access.getRole('default', 'owner-gone')).toBeUndefined();
          expect(await store.access.rolesOf('default', [member])).toEqual([]);
          expect(await store.access.listGrants({ tenant: 'default', role: 'owner-gone' })).toEqual([]);
        }
        expect(await s.pendingOwnerGrants.pending(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
        await s.transaction((repo, ports) => write(repo, ports, 'kept'));
        expect((await other.pendingOwnerGrants.pending(Number.MAX_SAFE_INTEGER, 10)).map((g) => g.id)).toEqual(['pending-kept']);
        for (const store of [s, other]) {
          expect((await store.repository.getObject(wh, ['ns'], 'kept'))?.id).toBe(obj('kept').id);
          expect(await store.access.rolesOf('default', [member])).toEqual(['owner-kept']);
          expect((await store.access.grantsOn('default', ['owner-kept'], [{ kind: 'table', id: obj('kept').id }])).map((g) => g.privilege)).toEqual([
            'table:read-data',
          ]);
        }
      } finally {
        await other.close();
        await s.close();
      }
    });

    it('lists objects by kind in name order with paging, renames and deletes', async () => {
      const s = await fresh();
      try {
        for (const n of ['c', 'a', 'b']) await s.repository.insertObject(obj(n));
        await s.repository.insertObject(obj('v', { kind: 'view' }));
        expect((await s.repository.listObjects(wh, ['ns'], 'table', { limit: 2 })).map((o) => o.name)).toEqual(['a', 'b']);
        expect((await s.repository.listObjects(wh, ['ns'], 'table', { after: 'b', limit: 2 })).map((o) => o.name)).toEqual(['c']);
        expect((await s.repository.listObjects(wh, ['ns'], 'view', { limit: 5 })).map((o) => o.name)).toEqual(['v']);
        expect(await s.repository.renameObject(wh, 'table', { namespace: ['ns'], name: 'a' }, { namespace: ['ns'], name: 'b' }, 3)).toBe('exists');
        expect(await s.repository.renameObject(wh, 'table', { namespace: ['ns'], name: 'v' }, { namespace: ['ns'], name: 'z' }, 3)).toBe('missing');
        expect(await s.repository.renameObject(wh, 'table', { namespace: ['ns'], name: 'a' }, { namespace: ['ns'], name: 'z' }, 3)).toBe('renamed');
        expect(await s.repository.getObject(wh, ['ns'], 'a')).toBeUndefined();
        expect((await s.repository.getObject(wh, ['ns'], 'z'))?.uuid).toBe('uuid-a');
        expect(await s.repository.deleteObject(wh, ['ns'], 'z', 'view')).toBe(false);
        expect(await s.repository.deleteObject(wh, ['ns'], 'z', 'table')).toBe(true);
      } finally {
        await s.close();
      }
    });

    it('answers listings as fresh as the database, for every store on it (creates, renames, drops, rollbacks)', async () => {
      const s = await fresh();
      const other = await openAgain(s);
      const names = async (store: CatalogStore, page: { after?: string; limit: number } = { limit: 10 }, ns = ['ns']) =>
        (await store.repository.listObjects(wh, ns, 'table', page)).map((o) => o.name);
      try {
        await s.repository.insertNamespace({ id: 'ns-ns2', warehouse: wh, levels: ['ns2'], properties: {} });
        for (const n of ['a', 'b']) await s.repository.insertObject(obj(n));
        // Read twice on each store: the second answer may come from what the store kept.
        for (const store of [other, s, other, s]) expect(await names(store)).toEqual(['a', 'b']);
        await s.repository.insertObject(obj('c'));
        expect(await names(other)).toEqual(['a', 'b', 'c']);
        expect(await other.repository.renameObject(wh, 'table', { namespace: ['ns'], name: 'b' }, { namespace: ['ns'], name: 'z' }, 2)).toBe('renamed');
        expect(await names(s)).toEqual(['a', 'c', 'z']);
        expect(await names(s, { after: 'c', limit: 1 })).toEqual(['z']);
        expect(await other.repository.renameObject(wh, 'table', { namespace: ['ns'], name: 'z' }, { namespace: ['ns2'], name: 'z' }, 3)).toBe('renamed');
        expect(await names(s, { after: 'c', limit: 1 })).toEqual([]);
        expect(await names(s, { limit: 10 }, ['ns2'])).toEqual(['z']);
        expect(await other.repository.deleteObject(wh, ['ns'], 'a', 'table')).toBe(true);
        expect(await names(s)).toEqual(['c']);
        await expect(
          s.transaction(async (tx) => {
            await tx.insertObject(obj('d'));
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect(await names(other)).toEqual(['c']);
        await s.transaction(async (tx) => {
          await tx.insertObject(obj('e'));
          await tx.deleteObject(wh, ['ns2'], 'z', 'table');
        });
        for (const store of [other, s]) {
          expect(await names(store)).toEqual(['c', 'e']);
          expect(await names(store, { limit: 10 }, ['ns2'])).toEqual([]);
        }
        // A commit (a new metadata pointer) leaves the listing as it is.
        expect(
          await s.repository.swapMetadata(
            {
              warehouse: wh,
              namespace: ['ns'],
              name: 'c',
              kind: 'table',
              expectedMetadataLocation: obj('c').metadataLocation,
              metadataLocation: 'file:///w/ns/c/metadata/1.json',
              metadataJson: '{}',
              location: obj('c').location,
            },
            4,
          ),
        ).toBe(true);
        expect(await names(other)).toEqual(['c', 'e']);
        // What a caller does to an answer does not change the next one.
        const listed = await other.repository.listObjects(wh, ['ns'], 'table', { limit: 10 });
        listed.pop();
        expect(await names(other)).toEqual(['c', 'e']);
      } finally {
        await other.close();
        await s.close();
      }
    });

    it('answers objects as fresh as the database, for every store on it (commits, drops, re-creates)', async () => {
      const s = await fresh();
      const other = await openAgain(s);
      const read = async (store: CatalogStore) => {
        const o = await store.repository.getObject(wh, ['ns'], 't');
        return o && { id: o.id, metadataLocation: o.metadataLocation, metadataJson: o.metadataJson, location: o.location };
      };
      try {
        const first = obj('t', { metadataJson: '{"v":1}' });
        await s.repository.insertObject(first);
        for (const store of [other, s, other])
          expect(await read(store)).toEqual({ id: first.id, metadataLocation: first.metadataLocation, metadataJson: '{"v":1}', location: first.location });
        const swap = {
          warehouse: wh,
          namespace: ['ns'],
          name: 't',
          kind: 'table' as const,
          expectedMetadataLocation: first.metadataLocation,
          metadataLocation: 'file:///w/ns/t/metadata/2.json',
          metadataJson: '{"v":2}',
          location: 'file:///w/ns/t2',
        };
        expect(await s.repository.swapMetadata(swap, 2)).toBe(true);
        expect(await read(other)).toEqual({ id: first.id, metadataLocation: swap.metadataLocation, metadataJson: '{"v":2}', location: 'file:///w/ns/t2' });
        // Dropped and created again at the very same metadata location with other contents: a new object.
        expect(await other.repository.deleteObject(wh, ['ns'], 't', 'table')).toBe(true);
        expect(await read(s)).toBeUndefined();
        await other.repository.insertObject(obj('t', { id: 'id-t-again', metadataLocation: swap.metadataLocation, metadataJson: '{"v":3}' }));
        for (const store of [s, other]) expect((await read(store))?.metadataJson).toBe('{"v":3}');
        expect((await s.repository.getObject(wh, ['ns'], 't'))?.id).toBe('id-t-again');
      } finally {
        await other.close();
        await s.close();
      }
    });

    it("answers reads inside one dispatch of requests with this store's own writes of that dispatch, and another store's in the next", async () => {
      const s = await fresh();
      const other = await openAgain(s);
      const read = async (store: CatalogStore) => (await store.repository.getObject(wh, ['ns'], 't'))?.metadataJson;
      const swap = (store: CatalogStore, from: number, to: number) =>
        store.repository.swapMetadata(
          {
            warehouse: wh,
            namespace: ['ns'],
            name: 't',
            kind: 'table',
            expectedMetadataLocation: `file:///w/ns/t/metadata/${from}.json`,
            metadataLocation: `file:///w/ns/t/metadata/${to}.json`,
            metadataJson: `{"v":${to}}`,
            location: 'file:///w/ns/t',
          },
          to,
        );
      try {
        await s.repository.insertObject(obj('t', { metadataLocation: 'file:///w/ns/t/metadata/1.json', metadataJson: '{"v":1}' }));
        // Read repeatedly first, so that a store which keeps answers (SQLite's read memo) keeps this one.
        const seen = await inDispatch(async () => {
          const before = [await read(s), await read(s), await read(s)];
          expect(await swap(s, 1, 2)).toBe(true);
          return [...before, await read(s), await read(s)];
        });
        expect(seen).toEqual(['{"v":1}', '{"v":1}', '{"v":1}', '{"v":2}', '{"v":2}']);
        await afterIo();
        // Committed through another store (another process) after a dispatch: every later dispatch sees it.
        expect(await inDispatch(async () => [await read(s), await read(s)])).toEqual(['{"v":2}', '{"v":2}']);
        await afterIo();
        expect(await swap(other, 2, 3)).toBe(true);
        await afterIo();
        expect(await inDispatch(async () => [await read(s), await read(s)])).toEqual(['{"v":3}', '{"v":3}']);
      } finally {
        await other.close();
        await s.close();
      }
    });

    it('answers many reads at once each with its own object, and every read after a commit with the commit (PostgreSQL batches them)', async () => {
      const s = await fresh();
      try {
        const names = Array.from({ length: 40 }, (_, i) => `t${i}`);
        for (const n of names) await s.repository.insertObject(obj(n, { metadataJson: `{"name":"${n}","v":1}` }));
        const readAll = () =>
          Promise.all(
            [...names, 'missing-1', ...names, 'missing-2'].map(async (n) => {
              const o = await s.repository.getObject(wh, ['ns'], n);
              return o && `${o.name}:${o.id}:${o.metadataJson}`;
            }),
          );
        const expected = (v: (n: string) => number) => [...names.map((n) => `${n}:id-table-${n}:{"name":"${n}","v":${v(n)}}`), undefined];
        // Three rounds: the second and third find the metadata kept for names read before (one query either way).
        for (let round = 0; round < 3; round++) expect(await readAll()).toEqual([...expected(() => 1), ...expected(() => 1)]);
        // Commit every other table, then read all at once again: each read sees what was committed before it was made.
        const odd = (n: string) => Number(n.slice(1)) % 2 === 1;
        for (const n of names.filter(odd)) {
          const swap = {
            warehouse: wh,
            namespace: ['ns'],
            name: n,
            kind: 'table' as const,
            expectedMetadataLocation: obj(n).metadataLocation,
            metadataLocation: `file:///w/ns/${n}/metadata/2.json`,
            metadataJson: `{"name":"${n}","v":2}`,
            location: obj(n).location,
          };
          expect(await s.repository.swapMetadata(swap, 2)).toBe(true);
        }
        const v = (n: string) => (odd(n) ? 2 : 1);
        expect(await readAll()).toEqual([...expected(v), ...expected(v)]);
        const [versions, listed] = await Promise.all([
          Promise.all(names.map((n) => s.repository.getObject(wh, ['ns'], n))),
          s.repository.listObjects(wh, ['ns'], 'table', { limit: 100 }),
        ]);
        expect(versions.map((o) => o?.metadataLocation.endsWith('/2.json'))).toEqual(names.map(odd));
        expect(listed.map((o) => o.name)).toEqual([...names].sort());
      } finally {
        await s.close();
      }
    });

    it('keeps whether the catalog created a table at its location (migration 0015), through renames', async () => {
      const s = await fresh();
      try {
        await s.repository.insertObject(obj('made', { locationOwned: true }));
        await s.repository.insertObject(obj('registered'));
        expect((await s.repository.getObject(wh, ['ns'], 'made'))?.locationOwned).toBe(true);
        expect((await s.repository.getObject(wh, ['ns'], 'registered'))?.locationOwned).toBe(false);
        expect((await s.repository.findObjectsByLocationPrefix(wh, 'file:///w/ns/made')).map((o) => o.locationOwned)).toEqual([true]);
        expect(await s.repository.renameObject(wh, 'table', { namespace: ['ns'], name: 'made' }, { namespace: ['ns'], name: 'moved' }, 3)).toBe('renamed');
        expect((await s.repository.getObject(wh, ['ns'], 'moved'))?.locationOwned).toBe(true);
      } finally {
        await s.close();
      }
    });

    it('keeps Lance tables as their own kind in the shared identifier space', async () => {
      const s = await fresh();
      try {
        const lance = obj('ds', { kind: 'lance-table', metadataLocation: 'file:///w/ns/ds', metadataJson: '{"format":"lance","properties":{"k":"v"}}' });
        expect(await s.repository.insertObject(lance)).toBe(true);
        await s.repository.insertObject(obj('ice'));
        expect(await s.repository.insertObject(obj('ds'))).toBe(false);
        expect(await s.repository.insertObject(obj('ice', { kind: 'lance-table' }))).toBe(false);
        expect((await s.repository.listObjects(wh, ['ns'], 'lance-table', { limit: 10 })).map((o) => o.name)).toEqual(['ds']);
        expect((await s.repository.listObjects(wh, ['ns'], 'table', { limit: 10 })).map((o) => o.name)).toEqual(['ice']);
        expect(await s.repository.getObject(wh, ['ns'], 'ds')).toEqual(lance);
        expect(await s.repository.namespaceHasChildren(wh, ['ns'])).toBe(true);
        expect(await s.repository.deleteObject(wh, ['ns'], 'ds', 'table')).toBe(false);
        expect(await s.repository.deleteObject(wh, ['ns'], 'ds', 'lance-table')).toBe(true);
        expect(await s.repository.getObject(wh, ['ns'], 'ds')).toBeUndefined();
      } finally {
        await s.close();
      }
    });

    it('keeps catalog ids: looked up by name and by id, kept by a rename, fresh for a new object', async () => {
      const s = await fresh();
      try {
        expect(await s.repository.insertNamespace({ id: 'ns-ns.child', warehouse: wh, levels: ['ns', 'child'], properties: {} })).toBe(true);
        const ids = await s.repository.getNamespaceIds(wh, [['ns'], ['ns', 'child'], ['ns', 'missing']]);
        expect(Object.fromEntries(ids)).toEqual({ ns: 'ns-ns', 'ns\u001fchild': 'ns-ns.child' });
        // Any number of names at once (lookups renew other ids along with their own): the existing ones found.
        const many = await s.repository.getNamespaceIds(wh, [...Array.from({ length: 37 }, (_, i) => [`absent${i}`]), ['ns', 'child'], ['ns']]);
        expect(Object.fromEntries(many)).toEqual({ ns: 'ns-ns', 'ns\u001fchild': 'ns-ns.child' });
        expect((await s.repository.getNamespace(wh, ['ns']))?.id).toBe('ns-ns');
        expect((await s.repository.listNamespaces(wh, ['ns'], { limit: 10 })).map((n) => n.id)).toEqual(['ns-ns.child']);
        await s.repository.insertObject(obj('t'));
        expect((await s.repository.listObjects(wh, ['ns'], 'table', { limit: 10 })).map((o) => o.id)).toEqual(['id-table-t']);
        expect(await s.repository.renameObject(wh, 'table', { namespace: ['ns'], name: 't' }, { namespace: ['ns', 'child'], name: 't2' }, 2)).toBe('renamed');
        expect((await s.repository.getObject(wh, ['ns', 'child'], 't2'))?.id).toBe('id-table-t');
        const found = await s.repository.findByIds(['ns-ns', 'id-table-t', 'nope']);
        expect(found.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          { id: 'id-table-t', warehouse: wh, namespace: ['ns', 'child'], name: 't2', kind: 'table' },
          { id: 'ns-ns', warehouse: wh, namespace: ['ns'], kind: 'namespace' },
        ]);
        // Two rows can never share an id.
        expect(await s.repository.insertObject(obj('other', { id: 'id-table-t' }))).toBe(false);
      } finally {
        await s.close();
      }
    });

    it('finds objects at exact locations, and staged tables by uuid', async () => {
      const s = await fresh();
      try {
        await s.repository.insertObject(obj('a', { location: 'file:///w/ns/a' }));
        expect((await s.repository.findObjectsAtLocations(wh, ['file:///w/ns', 'file:///w/ns/a'])).map((o) => o.name)).toEqual(['a']);
        expect(await s.repository.findObjectsAtLocations(wh, ['file:///w/ns/a/b'])).toEqual([]);
        await s.repository.putStagedTable({
          warehouse: wh,
          namespace: ['ns'],
          name: 's',
          uuid: 'u1',
          location: 'file:///w/ns/s1',
          metadataJson: '{}',
          expiresAtMs: 1000,
          owner: 'alice',
        });
        await s.repository.putStagedTable({
          warehouse: wh,
          namespace: ['ns'],
          name: 's',
          uuid: 'u2',
          location: 'file:///w/ns/s2',
          metadataJson: '{}',
          expiresAtMs: 2000,
          owner: 'bob',
        });
        expect((await s.repository.getStagedTable(wh, ['ns'], 's', 0))?.uuid).toBe('u2');
        expect(await s.repository.getStagedTable(wh, ['ns'], 's', 0, 'u1')).toMatchObject({ uuid: 'u1', location: 'file:///w/ns/s1', owner: 'alice' });
        expect(await s.repository.getStagedTable(wh, ['ns'], 's', 0, 'u3')).toBeUndefined();
        // Every live staged table's location, for the overlap check; expired ones and other warehouses' are not.
        expect((await s.repository.listStagedTableLocations(wh, 0)).map((t) => [t.namespace, t.name, t.uuid, t.location]).sort()).toEqual([
          [['ns'], 's', 'u1', 'file:///w/ns/s1'],
          [['ns'], 's', 'u2', 'file:///w/ns/s2'],
        ]);
        expect((await s.repository.listStagedTableLocations(wh, 1500)).map((t) => t.uuid)).toEqual(['u2']);
        expect(await s.repository.listStagedTableLocations(`${wh}-other`, 0)).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('finds objects by location prefix literally (no wildcard, case-sensitive)', async () => {
      const s = await fresh();
      try {
        await s.repository.insertObject(obj('x_1', { location: 'file:///w/ns/x_1' }));
        await s.repository.insertObject(obj('X', { location: 'file:///w/ns/X/inner' }));
        expect((await s.repository.findObjectsByLocationPrefix(wh, 'file:///w/ns/x%1')).length).toBe(0);
        expect((await s.repository.findObjectsByLocationPrefix(wh, 'file:///w/ns/x')).length).toBe(0);
        expect((await s.repository.findObjectsByLocationPrefix(wh, 'file:///w/ns/X')).map((o) => o.name)).toEqual(['X']);
        expect((await s.repository.findObjectsByLocationPrefix(wh, 'file:///w/ns')).length).toBe(2);
        // The location itself and what lies under it, never a sibling that merely starts with the same characters
        // (those sort next to it in the location index: "-", "." and " " sort before "/", "0" right after it).
        for (const [name, location] of [
          ['a', 'file:///w/p/a'],
          ['a_in', 'file:///w/p/a/in'],
          ['a_deep', 'file:///w/p/a/x/y'],
          ['a-b', 'file:///w/p/a-b'],
          ['a.b', 'file:///w/p/a.b'],
          ['a b', 'file:///w/p/a b'],
          ['a0', 'file:///w/p/a0'],
          ['a%2F', 'file:///w/p/a%2Fx'],
          ['aé', 'file:///w/p/aé/x'],
          ['A', 'file:///w/p/A/x'],
          ['a_', 'file:///w/p/a_/x'],
        ]) {
          await s.repository.insertObject(obj(name!, { location: location! }));
        }
        const under = async (prefix: string) => (await s.repository.findObjectsByLocationPrefix(wh, prefix)).map((o) => o.name).sort();
        expect(await under('file:///w/p/a')).toEqual(['a', 'a_deep', 'a_in']);
        expect(await under('file:///w/p/a/')).toEqual(['a_deep', 'a_in']);
        expect(await under('file:///w/p/a/x')).toEqual(['a_deep']);
        expect(await under('file:///w/p/aé')).toEqual(['aé']);
        expect(await under('file:///w/p/a-b')).toEqual(['a-b']);
        expect(await under('file:///w/p')).toHaveLength(11);
        expect(await under('file:///w/p/b')).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('keeps staged tables until they expire, and idempotency records within their lifetime', async () => {
      const s = await fresh();
      try {
        await s.repository.putStagedTable({
          warehouse: wh,
          namespace: ['ns'],
          name: 's',
          uuid: 'u1',
          location: 'file:///w/ns/s',
          metadataJson: '{}',
          expiresAtMs: 1000,
          owner: 'someone',
        });
        expect((await s.repository.getStagedTable(wh, ['ns'], 's', 999))?.uuid).toBe('u1');
        expect(await s.repository.getStagedTable(wh, ['ns'], 's', 1001)).toBeUndefined();
        await s.repository.putIdempotency({ key: 'k', fingerprint: 'POST /x', status: 200, body: '{"a":1}', createdAtMs: 500 });
        expect((await s.repository.getIdempotency('k', 400))?.body).toBe('{"a":1}');
        expect(await s.repository.getIdempotency('k', 600)).toBeUndefined();
        await s.repository.deleteExpired(2000, 100);
        expect(await s.repository.getIdempotency('k', 0)).toBeUndefined();
        expect(await s.repository.getStagedTable(wh, ['ns'], 's', 0)).toBeUndefined();
      } finally {
        await s.close();
      }
    });

    it('keeps the claims of requests in progress fresh, never a finalized key', async () => {
      const s = await fresh();
      try {
        expect(await s.repository.reserveIdempotency('a', 'POST /c', 10)).toBe(true);
        expect(await s.repository.reserveIdempotency('b', 'POST /c', 10)).toBe(true);
        await s.repository.putIdempotency({ key: 'done', fingerprint: 'POST /c', status: 200, body: '{}', createdAtMs: 10 });
        await s.repository.touchIdempotency(['a', 'done', 'unknown'], 500);
        expect((await s.repository.getIdempotency('a', 0))?.createdAtMs).toBe(500);
        expect((await s.repository.getIdempotency('b', 0))?.createdAtMs).toBe(10);
        expect((await s.repository.getIdempotency('done', 0))?.createdAtMs).toBe(10);
        await s.repository.touchIdempotency([], 900);
      } finally {
        await s.close();
      }
    });

    it('lets exactly one caller take over an abandoned claim, only while it is in progress and as it was read', async () => {
      const s = await fresh();
      try {
        expect(await s.repository.reserveIdempotency('gone', 'POST /c', 10)).toBe(true);
        expect(await s.repository.takeOverIdempotency('gone', 10, 'POST /d', 900)).toBe(true);
        expect(await s.repository.takeOverIdempotency('gone', 10, 'POST /e', 901)).toBe(false); // the second taker lost
        expect(await s.repository.getIdempotency('gone', 0)).toMatchObject({ createdAtMs: 900, fingerprint: 'POST /d', status: 0 });
        await s.repository.putIdempotency({ key: 'done', fingerprint: 'POST /c', status: 200, body: '{}', createdAtMs: 10 });
        expect(await s.repository.takeOverIdempotency('done', 10, 'POST /c', 900)).toBe(false);
        expect(await s.repository.takeOverIdempotency('unknown', 10, 'POST /c', 900)).toBe(false);
      } finally {
        await s.close();
      }
    });

    it("notes a commit's outcome on an idempotency claim inside the commit's transaction, never on a finalized key", async () => {
      const s = await fresh();
      try {
        expect(await s.repository.reserveIdempotency('claimed', 'POST /c', 10)).toBe(true);
        await s.transaction(async (repo) => repo.noteIdempotentOutcome('claimed', 'applied:1'));
        expect(await s.repository.getIdempotency('claimed', 0)).toMatchObject({ status: 0, body: 'applied:1', fingerprint: 'POST /c' });
        // A transaction that rolls back leaves no note.
        expect(await s.repository.reserveIdempotency('rolled', 'POST /c', 10)).toBe(true);
        await expect(
          s.transaction(async (repo) => {
            await repo.noteIdempotentOutcome('rolled', 'applied:2');
            throw new Error('lost');
          }),
        ).rejects.toThrow('lost');
        expect((await s.repository.getIdempotency('rolled', 0))?.body).toBe('');
        await s.repository.putIdempotency({ key: 'done', fingerprint: 'POST /c', status: 200, body: '{"a":1}', createdAtMs: 10 });
        await s.repository.noteIdempotentOutcome('done', 'applied:3');
        expect((await s.repository.getIdempotency('done', 0))?.body).toBe('{"a":1}');
      } finally {
        await s.close();
      }
    });

    it("stores and lists metrics reports newest first, a live table's by its id and a name's only of tables that no longer exist", async () => {
      const s = await fresh();
      const report = (id: string, table: string, tableId: string, tableUuid: string, createdAtMs: number) =>
        s.repository.insertMetricsReport({
          id,
          warehouse: wh,
          namespace: ['ns'],
          table,
          tableId,
          tableUuid,
          reportType: 'scan-report',
          report: `{"r":"${id}"}`,
          createdAtMs,
        });
      const ids = async (table: string, live?: { id: string; uuid: string }) =>
        (await s.repository.listMetricsReports(wh, ['ns'], table, 10, live)).map((r) => r.id);
      try {
        // t: a dropped table (old), then a stage-create of the table now live (staged), then the live one (new);
        // u: a table renamed from t2, reported on under its old name.
        await report('old', 't', 'id-dropped', 'uuid-dropped', 1);
        await report('staged', 't', '', 'uuid-t', 2);
        await report('new', 't', 'id-table-t', 'uuid-t', 3);
        await report('stage-of-another', 't', '', 'uuid-other', 4);
        await report('renamed', 't2', 'id-table-u', 'uuid-u', 5);
        await s.repository.insertObject(obj('t'));
        await s.repository.insertObject(obj('u'));
        expect(await ids('t', { id: 'id-table-t', uuid: 'uuid-t' })).toEqual(['new', 'staged']);
        expect(await ids('u', { id: 'id-table-u', uuid: 'uuid-u' })).toEqual(['renamed']);
        // Under a name with no live table: the dropped tables' and never-committed stage-creates', never a live table's.
        expect(await ids('t')).toEqual(['stage-of-another', 'staged', 'old']);
        expect(await ids('t2')).toEqual([]);
        expect((await s.repository.listMetricsReports(wh, ['ns'], 't', 1, { id: 'id-table-t', uuid: 'uuid-t' }))[0]).toMatchObject({
          id: 'new',
          table: 't',
          tableId: 'id-table-t',
          tableUuid: 'uuid-t',
          report: '{"r":"new"}',
          createdAtMs: 3,
        });
        // Retention: reports made before the cut-off are deleted, the others kept.
        expect(await s.repository.deleteMetricsReportsBefore(3)).toBe(2);
        expect(await ids('t', { id: 'id-table-t', uuid: 'uuid-t' })).toEqual(['new']);
        expect(await ids('t')).toEqual(['stage-of-another']);
        expect(await s.repository.deleteMetricsReportsBefore(3)).toBe(0);
      } finally {
        await s.close();
      }
    });

    it('keeps the tenant of warehouses and service principals; rows without one belong to "default"', async () => {
      const s = await fresh();
      try {
        // fresh() inserted its warehouse without a tenant, as rows from before migration 0005 are.
        expect((await s.repository.getWarehouse(wh))?.tenant).toBe('default');
        expect(
          await s.repository.insertWarehouse({
            name: 'acme-wh',
            tenant: 'acme',
            storageRoot: 's3://acme/wh',
            properties: {},
            createdAtMs: 3,
            storageProfile: { type: 's3' },
          }),
        ).toBe(true);
        expect((await s.repository.listWarehouses()).map((w) => [w.name, w.tenant])).toEqual([
          ['acme-wh', 'acme'],
          [wh, 'default'],
        ]);
        const principal = {
          clientId: 'p-acme',
          name: 'p',
          tenant: 'acme',
          secretHash: 'h',
          secretVersion: 1,
          roles: ['admin'],
          delegation: { users: [], groups: [], assertIdentity: false },
          disabled: false,
          createdAtMs: 1,
        };
        expect(await s.identity.insertPrincipal(principal)).toBe(true);
        expect(await s.identity.getPrincipal('p-acme')).toEqual(principal);
        expect((await s.identity.listPrincipals()).map((p) => p.tenant)).toEqual(['acme']);
      } finally {
        await s.close();
      }
    });

    it('keeps token sessions: rotation by compare-and-swap, revocation, sweeping ended sessions (migration 0007)', async () => {
      const s = await fresh();
      try {
        const key = { sid: 'sid-1', clientId: 'c1', tenant: 'default', expiresAtMs: 1_000 };
        expect(await s.identity.getTokenSession('sid-1')).toBeUndefined();
        expect(await s.identity.advanceRefreshGeneration(key, 0, 10)).toBe(true);
        // Generation 0 again (a reuse, or a concurrent first use) fails; so does a generation that is not the current one.
        expect(await s.identity.advanceRefreshGeneration(key, 0, 11)).toBe(false);
        expect(await s.identity.advanceRefreshGeneration(key, 2, 11)).toBe(false);
        expect(await s.identity.advanceRefreshGeneration(key, 1, 12)).toBe(true);
        expect(await s.identity.getTokenSession('sid-1')).toMatchObject({ sid: 'sid-1', clientId: 'c1', refreshGeneration: 2, expiresAtMs: 1_000 });
        await s.identity.revokeTokenSession(key, 20, 'refresh token reused');
        await s.identity.revokeTokenSession(key, 30, 'later');
        expect(await s.identity.getTokenSession('sid-1')).toMatchObject({ revokedAtMs: 20, revokedReason: 'refresh token reused' });
        expect(await s.identity.advanceRefreshGeneration(key, 2, 40)).toBe(false);
        // A session revoked before any rotation gets its row then.
        await s.identity.revokeTokenSession({ ...key, sid: 'sid-2', expiresAtMs: 5_000 }, 50, 'revoked (RFC 7009)');
        expect(await s.identity.getTokenSession('sid-2')).toMatchObject({ refreshGeneration: 0, revokedAtMs: 50 });
        expect(await s.identity.deleteEndedTokenSessions(2_000)).toBe(1);
        expect(await s.identity.getTokenSession('sid-1')).toBeUndefined();
        expect(await s.identity.getTokenSession('sid-2')).toBeDefined();
      } finally {
        await s.close();
      }
    });

    it('disables principals, revokes their tokens, lists and revokes keys (migration 0007)', async () => {
      const s = await fresh();
      try {
        const principal = {
          clientId: 'p1',
          name: 'p',
          tenant: 'default',
          secretHash: 'h',
          secretVersion: 1,
          roles: [],
          delegation: { users: [], groups: [], assertIdentity: false },
          disabled: false,
          createdAtMs: 1,
        };
        await s.identity.insertPrincipal(principal);
        await s.identity.setPrincipalDisabled('p1', true, 5_000);
        expect(await s.identity.getPrincipal('p1')).toMatchObject({ disabled: true, tokensValidAfterMs: 5_000 });
        await s.identity.setPrincipalDisabled('p1', false);
        expect(await s.identity.getPrincipal('p1')).toMatchObject({ disabled: false, tokensValidAfterMs: 5_000 });
        await s.identity.setTokensValidAfter('p1', 9_000);
        expect((await s.identity.getPrincipal('p1'))?.tokensValidAfterMs).toBe(9_000);
        // A policy stored as releases before issuers did (bare strings) reads as entries without an issuer.
        await s.identity.setDelegation('p1', { users: [{ issuer: 'https://idp', name: 'alice' }, { name: 'bob' }], groups: [], assertIdentity: true });
        expect((await s.identity.getPrincipal('p1'))?.delegation).toEqual({
          users: [{ issuer: 'https://idp', name: 'alice' }, { name: 'bob' }],
          groups: [],
          assertIdentity: true,
        });

        for (const id of ['AK2', 'AK1']) await s.identity.insertAccessKey({ accessKeyId: id, clientId: 'p1', ciphertext: 'sealed', createdAtMs: 1 });
        expect((await s.identity.listAccessKeys('p1')).map((k) => k.accessKeyId)).toEqual(['AK1', 'AK2']);
        expect(await s.identity.revokeAccessKey('AK1', 7)).toBe(true);
        expect(await s.identity.revokeAccessKey('AK1', 8)).toBe(false);
        expect((await s.identity.getAccessKey('AK1'))?.revokedAtMs).toBe(7);
        await s.identity.insertApiKey({ keyId: 'k1', clientId: 'p1', name: 'ci', hash: 'h', createdAtMs: 2 });
        expect((await s.identity.listApiKeys('p1')).map((k) => k.name)).toEqual(['ci']);
        expect(await s.identity.listApiKeys('nobody')).toEqual([]);
      } finally {
        await s.close();
      }
    });
  });
}
