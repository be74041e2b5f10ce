/**
 * The contract every dropped-object store (catalog/ports/maintenance.ts) passes: the in-memory reference, SQLite
 * (dropped-objects.test.ts) and PostgreSQL (test/interop/postgres.test.ts). An object is always exactly one of
 * live or dropped: a soft drop and a restore move it whole, a restore to a taken name moves nothing, two restores
 * of one object restore it once; listing pages by drop time, and the sweep sees only what is due.
 */
import { describe, expect, it } from 'vitest';
import type { DroppedObjectRecord, DroppedObjectStore, MaintenanceLeases, MaintenanceProgress } from '../../packages/server/src/catalog/ports/maintenance.js';
import type { CatalogObjectRecord } from '../../packages/server/src/catalog/ports/index.js';
import { storeOpener } from './contract-harness.js';

export interface DroppedStoreHandle {
  store: DroppedObjectStore;
  /** The live objects (catalog_objects) the store moves rows from and to. */
  live: {
    insert(record: CatalogObjectRecord): Promise<boolean>;
    get(warehouse: string, namespace: string[], name: string): Promise<CatalogObjectRecord | undefined>;
  };
  close(): Promise<void>;
}

let n = 0;
const object = (name: string, extra: Partial<CatalogObjectRecord> = {}): CatalogObjectRecord => {
  n += 1;
  return {
    id: `id-${String(n).padStart(4, '0')}-${name}`,
    warehouse: 'wh',
    namespace: ['db', 'eu'],
    name,
    kind: 'table',
    uuid: `uuid-${n}`,
    location: `s3://b/wh/db/eu/${name}-${n}`,
    metadataLocation: `s3://b/wh/db/eu/${name}-${n}/metadata/00001.metadata.json`,
    metadataJson: `{"format-version":2,"n":${n}}`,
    createdAtMs: 1_000,
    updatedAtMs: 2_000,
    locationOwned: true,
    ...extra,
  };
};
const dropOf = (o: CatalogObjectRecord, droppedAtMs = 10_000, extra: Partial<DroppedObjectRecord> = {}): DroppedObjectRecord => ({
  object: o,
  droppedAtMs,
  expiresAtMs: droppedAtMs + 1_000,
  purge: true,
  droppedBy: 'principal:eng',
  ...extra,
});

export function droppedObjectContract(name: string, open: () => Promise<DroppedStoreHandle>): void {
  describe(`dropped object store contract: ${name}`, () => {
    const withStore = storeOpener(open);

    it(
      'moves a live object to the dropped ones whole, once, and only the one with that id',
      withStore(async ({ store, live }) => {
        const o = object('t', { kind: 'lance-table', locationOwned: false });
        expect(await live.insert(o)).toBe(true);
        expect(await store.softDrop(dropOf({ ...o, id: 'another-id' }))).toBe(false);
        expect(await live.get('wh', o.namespace, 't')).toBeDefined();
        expect(await store.softDrop(dropOf(o))).toBe(true);
        expect(await live.get('wh', o.namespace, 't')).toBeUndefined();
        expect(await store.softDrop(dropOf(o))).toBe(false);
        expect(await store.get('wh', o.id)).toEqual(dropOf(o));
        expect(await store.get('other', o.id)).toBeUndefined();
        // The name is free.
        expect(await live.insert(object('t'))).toBe(true);
      }),
    );

    it(
      'restores under its name or a new one; a taken name moves nothing',
      withStore(async ({ store, live }) => {
        const o = object('r');
        await live.insert(o);
        await store.softDrop(dropOf(o));
        const taker = object('r');
        await live.insert(taker);
        expect(await store.restore('wh', o.id, { namespace: o.namespace, name: 'r' }, 5_000)).toBe('exists');
        expect((await live.get('wh', o.namespace, 'r'))!.id).toBe(taker.id);
        expect(await store.get('wh', o.id)).toBeDefined();
        expect(await store.restore('other', o.id, { namespace: o.namespace, name: 'r2' }, 5_000)).toBe('missing');
        expect(await store.restore('wh', o.id, { namespace: ['db'], name: 'r2' }, 5_000)).toBe('restored');
        expect(await live.get('wh', ['db'], 'r2')).toEqual({ ...o, namespace: ['db'], name: 'r2', updatedAtMs: 5_000 });
        expect(await store.get('wh', o.id)).toBeUndefined();
        expect(await store.restore('wh', o.id, { namespace: ['db'], name: 'r3' }, 5_000)).toBe('missing');
      }),
    );

    it(
      'restores an object once when two restore it at the same time',
      withStore(async ({ store, live }) => {
        const o = object('twice');
        await live.insert(o);
        await store.softDrop(dropOf(o));
        const outcomes = await Promise.all([
          store.restore('wh', o.id, { namespace: o.namespace, name: 'twice' }, 5_000),
          store.restore('wh', o.id, { namespace: o.namespace, name: 'twice' }, 5_000),
        ]);
        expect(outcomes.filter((x) => x === 'restored')).toHaveLength(1);
        expect(await store.get('wh', o.id)).toBeUndefined();
        expect((await live.get('wh', o.namespace, 'twice'))!.id).toBe(o.id);
      }),
    );

    it(
      "lists a warehouse's dropped objects by drop time, then id, in pages",
      withStore(async ({ store, live }) => {
        const objects = ['a', 'b', 'c', 'd'].map((x) => object(x));
        const times = [30, 10, 20, 20];
        for (const [i, o] of objects.entries()) {
          await live.insert(o);
          await store.softDrop(dropOf(o, times[i]));
        }
        const elsewhere = object('e', { warehouse: 'other' });
        await live.insert(elsewhere);
        await store.softDrop(dropOf(elsewhere, 5));
        const first = await store.list('wh', { limit: 2 });
        expect(first.map((r) => r.object.name)).toEqual(['b', 'c']);
        const last = first.at(-1)!;
        const rest = await store.list('wh', { after: { droppedAtMs: last.droppedAtMs, id: last.object.id }, limit: 10 });
        expect(rest.map((r) => r.object.name)).toEqual(['d', 'a']);
      }),
    );

    it(
      'gives the sweep what is due, oldest first, and forgets each once',
      withStore(async ({ store, live }) => {
        const early = object('early');
        const late = object('late', { warehouse: 'wh2' });
        for (const [o, at] of [
          [early, 100],
          [late, 200],
        ] as const) {
          await live.insert(o);
          await store.softDrop(dropOf(o, at, { expiresAtMs: at + 1_000 }));
        }
        expect(await store.due(1_099, 10)).toEqual([]);
        expect((await store.due(1_100, 10)).map((r) => r.object.name)).toEqual(['early']);
        expect((await store.due(5_000, 10)).map((r) => r.object.name)).toEqual(['early', 'late']);
        expect((await store.due(5_000, 1)).map((r) => r.object.name)).toEqual(['early']);
        expect(await store.forget('wh2', early.id)).toBe(false);
        expect(await store.forget('wh', early.id)).toBe(true);
        expect(await store.forget('wh', early.id)).toBe(false);
        expect((await store.due(5_000, 10)).map((r) => r.object.name)).toEqual(['late']);
      }),
    );
  });
}

export interface LeaseHandle {
  leases: MaintenanceLeases;
  close(): Promise<void>;
}

/** The maintenance lease contract: one taker of concurrent ones, none while held or not due, again after expiry. */
export function maintenanceLeaseContract(name: string, open: () => Promise<LeaseHandle>): void {
  it(`maintenance leases (${name}): one of concurrent takers wins; a held or recently run job is not taken; an expired lease is`, async () => {
    const { leases, close } = await open();
    try {
      const takes = await Promise.all(['r1', 'r2', 'r3'].map((holder) => leases.take('t1', 'wh', holder, 1_000, 100, 1_000)));
      expect(takes.filter(Boolean)).toHaveLength(1);
      expect(await leases.take('t1', 'wh', 'r4', 1_050, 100, 1_050)).toBe(false);
      // Expired and never completed (its replica died): taken again.
      expect(await leases.take('t1', 'wh', 'r4', 1_100, 100, 1_100)).toBe(true);
      await leases.complete('t1', 'someone-else', 1_150);
      expect(await leases.take('t1', 'wh', 'r5', 1_150, 100, 1_150)).toBe(false);
      await leases.complete('t1', 'r4', 1_200);
      // Completed at 1200: not due again while the due line is at or before that.
      expect(await leases.take('t1', 'wh', 'r5', 1_300, 100, 1_200)).toBe(false);
      expect(await leases.take('t1', 'wh', 'r5', 1_300, 100, 1_201)).toBe(true);
    } finally {
      await close();
    }
  });

  it(`maintenance leases (${name}): the holder's progress is kept and read back; another's is ignored; a failed job's backoff yields only to overFailed; a dry run keeps the last run`, async () => {
    const { leases, close } = await open();
    const p = (phase: MaintenanceProgress['phase'], deleted: number, error?: string): MaintenanceProgress => ({
      phase,
      'manifests-scanned': 2,
      'files-scanned': 7,
      'files-deleted': deleted,
      'bytes-deleted': deleted * 10,
      'updated-at-ms': 1_000 + deleted,
      ...(error ? { error } : {}),
    });
    try {
      expect(await leases.get('t2')).toBeUndefined();
      expect(await leases.take('t2', 'wh', 'r1', 1_000, 500, 1_000)).toBe(true);
      expect(await leases.get('t2')).toEqual({
        tableId: 't2',
        warehouse: 'wh',
        holder: 'r1',
        state: 'running',
        startedAtMs: 1_000,
        expiresAtMs: 1_500,
        lastRunMs: 0,
        progress: undefined,
      });
      await leases.report('t2', 'r1', p('deleting-orphans', 3));
      await leases.report('t2', 'stranger', p('deleting-orphans', 99));
      expect((await leases.get('t2'))?.progress).toEqual(p('deleting-orphans', 3));
      await leases.complete('t2', 'r1', 1_100, p('done', 4));
      expect(await leases.get('t2')).toMatchObject({ state: 'done', expiresAtMs: 0, lastRunMs: 1_100, progress: p('done', 4) });
      // A report after the end (a late write of the finished job) changes nothing.
      await leases.report('t2', 'r1', p('deleting-orphans', 3));
      expect((await leases.get('t2'))?.progress).toEqual(p('done', 4));
      // A failed scheduled job keeps its lease as a backoff: the scheduler waits, an on-demand run (overFailed) does not.
      expect(await leases.take('t2', 'wh', 'r2', 1_200, 500, 1_200)).toBe(true);
      await leases.fail('t2', 'r2', p('failed', 0, 'unreadable manifest'), false);
      expect(await leases.get('t2')).toMatchObject({ state: 'failed', expiresAtMs: 1_700, progress: { error: 'unreadable manifest' } });
      expect(await leases.take('t2', 'wh', 'r3', 1_300, 500, 1_300)).toBe(false);
      expect(await leases.take('t2', 'wh', 'r3', 1_300, 500, Number.MAX_SAFE_INTEGER, { overFailed: true })).toBe(true);
      expect(await leases.get('t2')).toMatchObject({ holder: 'r3', state: 'running', startedAtMs: 1_300, lastRunMs: 1_100, progress: undefined });
      // A running job is not taken over, overFailed or not.
      expect(await leases.take('t2', 'wh', 'r4', 1_350, 500, Number.MAX_SAFE_INTEGER, { overFailed: true })).toBe(false);
      await leases.complete('t2', 'r3', null, p('done', 0));
      expect(await leases.get('t2')).toMatchObject({ state: 'done', expiresAtMs: 0, lastRunMs: 1_100 });
      // A released failure frees the lease at once.
      expect(await leases.take('t2', 'wh', 'r5', 1_400, 500, Number.MAX_SAFE_INTEGER)).toBe(true);
      await leases.fail('t2', 'r5', p('failed', 0, 'x'), true);
      expect(await leases.take('t2', 'wh', 'r6', 1_401, 500, Number.MAX_SAFE_INTEGER)).toBe(true);
    } finally {
      await close();
    }
  });

  it(`maintenance leases (${name}): the holder renews its running lease; a lease taken over or ended is not renewed`, async () => {
    const { leases, close } = await open();
    try {
      expect(await leases.renew('t3', 'r1', 1_000, 100)).toBe(false);
      expect(await leases.take('t3', 'wh', 'r1', 1_000, 100, 1_000)).toBe(true);
      expect(await leases.renew('t3', 'r1', 1_080, 100)).toBe(true);
      // Renewed to 1180: not taken at 1150, where the first lease would have let another replica in.
      expect(await leases.take('t3', 'wh', 'r2', 1_150, 100, 1_150)).toBe(false);
      expect(await leases.get('t3')).toMatchObject({ holder: 'r1', expiresAtMs: 1_180, state: 'running' });
      expect(await leases.renew('t3', 'stranger', 1_160, 100)).toBe(false);
      // Expired and taken by another replica: the first holder's renewal fails, and the new holder's lease stands.
      expect(await leases.take('t3', 'wh', 'r2', 1_200, 100, 1_200)).toBe(true);
      expect(await leases.renew('t3', 'r1', 1_210, 100)).toBe(false);
      expect(await leases.get('t3')).toMatchObject({ holder: 'r2', expiresAtMs: 1_300 });
      await leases.complete('t3', 'r2', 1_250);
      expect(await leases.renew('t3', 'r2', 1_260, 100)).toBe(false);
    } finally {
      await close();
    }
  });
}
