/**
 * What every store promises its ChangeListener (catalog/ports/change-listener.ts, issue 56: log lines derive from the
 * recorded change): the outbox events of a committed transaction are handed over once, after COMMIT, whichever port
 * wrote them; a transaction that rolled back after its outbox write hands nothing; a listener that throws leaves the
 * committed change done. Run against real SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { RecordedChanges } from '../../packages/server/src/catalog/ports/change-listener.js';
import type { CatalogObjectRecord } from '../../packages/server/src/catalog/ports/index.js';
import type { OutboxEventInput } from '../../packages/server/src/catalog/ports/outbox.js';
import type { LakegateStore } from '../../packages/server/src/store.js';

let n = 0;
const event = (warehouse = 'w'): OutboxEventInput => ({
  id: `e-${++n}`,
  warehouse,
  type: 'io.lakegate.namespace.created',
  subject: 'ns',
  partitionKey: warehouse,
  timeMs: 1,
  data: { warehouse, namespace: ['ns'] },
});
const object = (name: string): CatalogObjectRecord => ({
  id: `id-${name}`,
  warehouse: 'w',
  namespace: ['ns'],
  name,
  kind: 'table',
  uuid: `uuid-${name}`,
  location: `file:///w/ns/${name}`,
  metadataLocation: `file:///w/ns/${name}/m.json`,
  metadataJson: '{}',
  createdAtMs: 1,
  updatedAtMs: 1,
  locationOwned: true,
});

/** @param open a migrated store on a new, empty database */
export function changeListenerContract(name: string, open: () => Promise<LakegateStore>): void {
  describe(`change listener contract: ${name}`, () => {
    const withStore = (fn: (store: LakegateStore, listener: RecordedChanges) => Promise<void>) => async () => {
      const store = await open();
      const listener = new RecordedChanges();
      store.listen(listener);
      try {
        await fn(store, listener);
      } finally {
        await store.close();
      }
    };
    const ids = async (store: LakegateStore, warehouse = 'w') => (await store.outbox.list(warehouse, 0, 100)).map((e) => e.id);

    it(
      'hands a committed transaction its events once, in their order, after COMMIT',
      withStore(async (store, listener) => {
        const [a, b, c] = [event(), event('v'), event()];
        let seenInside = -1;
        await store.transaction(async (repo) => {
          await repo.appendEvents([a!, b!]);
          await repo.appendEvents([c!]);
          seenInside = listener.changes.length;
        });
        expect(seenInside).toBe(0);
        expect(listener.changes).toEqual([[a, b, c]]);
        expect(await ids(store)).toEqual([a!.id, c!.id]);
      }),
    );

    it(
      'hands nothing for a transaction that rolled back after its outbox write, nor for one that wrote no event',
      withStore(async (store, listener) => {
        await expect(
          store.transaction(async (repo) => {
            await repo.appendEvents([event()]);
            throw new Error('injected failure before COMMIT');
          }),
        ).rejects.toThrow('injected failure');
        await store.transaction(async (repo) => void (await repo.getWarehouse('w')));
        expect(listener.changes).toEqual([]);
        expect(await ids(store)).toEqual([]);
      }),
    );

    it(
      'covers the ports that write events in transactions of their own: the outbox alone, withEvents, soft drops',
      withStore(async (store, listener) => {
        const own = event();
        await store.repository.appendEvents([own]);
        const granted = event();
        await store.access.withEvents(async (_, outbox) => outbox.appendEvents([granted]));
        await expect(
          store.access.withEvents(async (_, outbox) => {
            await outbox.appendEvents([event()]);
            throw new Error('injected');
          }),
        ).rejects.toThrow('injected');
        expect(await store.repository.insertObject(object('t'))).toBe(true);
        const dropped = event();
        expect(await store.dropped.softDrop({ object: object('t'), droppedAtMs: 5, expiresAtMs: 10, purge: false, droppedBy: 'principal:p' }, [dropped])).toBe(
          true,
        );
        expect(listener.changes).toEqual([[own], [granted], [dropped]]);
      }),
    );

    it(
      'keeps a committed change done when the listener throws',
      withStore(async (store) => {
        store.listen({
          committed: () => {
            throw new Error('listener bug');
          },
          report: () => undefined,
        });
        const e = event();
        await expect(store.transaction((repo) => repo.appendEvents([e]))).resolves.toBeUndefined();
        expect(await ids(store)).toEqual([e.id]);
      }),
    );
  });
}
