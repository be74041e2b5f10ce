/**
 * The contract every Lance version store (catalog/ports/lance-versions.ts) passes: the in-memory reference, SQLite
 * (lance-versions.test.ts) and PostgreSQL (test/interop/postgres.test.ts). The head moves by one, atomically: of
 * concurrent appenders of one version exactly one wins, a version that skips is refused, a failed write records
 * nothing, deleted rows never free their number.
 */
import { describe, expect, it } from 'vitest';
import type { LanceVersionRecord, LanceVersionStore } from '../../packages/server/src/catalog/ports/lance-versions.js';
import { storeOpener } from './contract-harness.js';

export interface VersionStoreHandle {
  store: LanceVersionStore;
  close(): Promise<void>;
}

const rec = (tableId: string, version: number, extra: Partial<LanceVersionRecord> = {}): LanceVersionRecord => ({
  tableId,
  branch: '',
  version,
  manifestUri: `s3://b/t/_versions/${version}.manifest`,
  manifestSize: 100 + version,
  timestampMs: 1_000 + version,
  createdBy: 'user:ana',
  metadata: { k: `v${version}` },
  ...extra,
});

const noWrite = async () => undefined;

export function lanceVersionContract(name: string, open: () => Promise<VersionStoreHandle>): void {
  describe(`Lance version store contract: ${name}`, () => {
    const opened = storeOpener(open);
    const withStore = (fn: (store: LanceVersionStore) => Promise<void>) => opened((h) => fn(h.store));

    it(
      'appends versions one by one, reads them back in either order with paging, and keeps each field',
      withStore(async (store) => {
        for (const v of [1, 2, 3]) expect(await store.append(rec('t1', v), noWrite)).toBeUndefined();
        expect(await store.head('t1', '')).toBe(3);
        expect(await store.get('t1', '', 2)).toEqual(rec('t1', 2));
        expect((await store.list('t1', '', { descending: true, limit: 2 })).map((r) => r.version)).toEqual([3, 2]);
        expect((await store.list('t1', '', { descending: true, after: 2, limit: 2 })).map((r) => r.version)).toEqual([1]);
        expect((await store.list('t1', '', { descending: false, after: 1, limit: 5 })).map((r) => r.version)).toEqual([2, 3]);
        expect(await store.list('t2', '', { descending: true, limit: 5 })).toEqual([]);
        expect(await store.get('t1', 'dev', 2)).toBeUndefined();
      }),
    );

    it(
      'refuses a taken version and one that skips, without calling write',
      withStore(async (store) => {
        await store.append(rec('t', 1), noWrite);
        let writes = 0;
        const write = async () => void writes++;
        expect(await store.append(rec('t', 1), write)).toEqual({ kind: 'taken' });
        expect(await store.append(rec('t', 3), write)).toEqual({ kind: 'skips', latest: 1 });
        expect(writes).toBe(0);
        expect((await store.list('t', '', { descending: false, limit: 10 })).map((r) => r.version)).toEqual([1]);
      }),
    );

    it(
      'records nothing when write fails, and the version stays free',
      withStore(async (store) => {
        await store.append(rec('t', 1), noWrite);
        await expect(store.append(rec('t', 2), async () => Promise.reject(new Error('copy failed')))).rejects.toThrow('copy failed');
        expect(await store.head('t', '')).toBe(1);
        expect(await store.get('t', '', 2)).toBeUndefined();
        expect(await store.append(rec('t', 2), noWrite)).toBeUndefined();
      }),
    );

    it(
      'lets exactly one of concurrent appenders of the same version win, the first version included',
      withStore(async (store) => {
        const first = await Promise.all(Array.from({ length: 8 }, () => store.append(rec('c', 1), noWrite)));
        expect(first.filter((r) => r === undefined)).toHaveLength(1);
        const second = await Promise.all(Array.from({ length: 8 }, (_, i) => store.append(rec('c', 2, { createdBy: `w${i}` }), noWrite)));
        expect(second.filter((r) => r === undefined)).toHaveLength(1);
        expect(second.filter((r) => r?.kind === 'taken')).toHaveLength(7);
        expect((await store.list('c', '', { descending: false, limit: 10 })).map((r) => r.version)).toEqual([1, 2]);
      }),
    );

    it(
      'deletes ranges (end exclusive, open end) without freeing their numbers; a dropped table forgets everything',
      withStore(async (store) => {
        for (const v of [1, 2, 3, 4, 5]) await store.append(rec('d', v), noWrite);
        expect(
          await store.deleteRanges('d', '', [
            { start: 1, end: 3 },
            { start: 5, end: undefined },
          ]),
        ).toBe(3);
        expect((await store.list('d', '', { descending: false, limit: 10 })).map((r) => r.version)).toEqual([3, 4]);
        expect(await store.append(rec('d', 5), noWrite)).toEqual({ kind: 'taken' });
        expect(await store.append(rec('d', 6), noWrite)).toBeUndefined();
        await store.deleteTable('d');
        expect(await store.head('d', '')).toBeUndefined();
        expect(await store.list('d', '', { descending: false, limit: 10 })).toEqual([]);
      }),
    );

    it(
      'appends versions of several chains all or none: one taken or skipping version records nothing and writes nothing',
      withStore(async (store) => {
        await store.append(rec('m1', 1), noWrite);
        let writes = 0;
        const write = async () => void writes++;
        expect(await store.appendMany([rec('m1', 2), rec('m2', 1), rec('m1', 1, { branch: 'dev' })], write)).toBeUndefined();
        expect(writes).toBe(1);
        expect([await store.head('m1', ''), await store.head('m2', ''), await store.head('m1', 'dev')]).toEqual([2, 1, 1]);
        expect(await store.get('m2', '', 1)).toEqual(rec('m2', 1));
        expect(await store.appendMany([rec('m2', 2), rec('m1', 2)], write)).toEqual({ index: 1, refusal: { kind: 'taken' } });
        expect(await store.appendMany([rec('m2', 2), rec('m1', 5)], write)).toEqual({ index: 1, refusal: { kind: 'skips', latest: 2 } });
        expect(writes).toBe(1);
        expect(await store.head('m2', '')).toBe(1);
        await expect(
          store.appendMany([rec('m2', 2), rec('m1', 3)], async () => {
            throw new Error('storage down');
          }),
        ).rejects.toThrow('storage down');
        expect([await store.head('m1', ''), await store.head('m2', '')]).toEqual([2, 1]);
        expect(await store.get('m2', '', 2)).toBeUndefined();
        const raced = await Promise.all(Array.from({ length: 6 }, () => store.appendMany([rec('m1', 3), rec('m2', 2)], noWrite)));
        expect(raced.filter((r) => r === undefined)).toHaveLength(1);
      }),
    );

    it(
      'lists the branches other than main by name with their heads, and forgets one branch without touching the others',
      withStore(async (store) => {
        await store.append(rec('b', 1), noWrite);
        for (const v of [2, 3]) await store.append(rec('b', v, { branch: 'dev' }), noWrite);
        await store.append(rec('b', 2, { branch: 'a/feature' }), noWrite);
        await store.append(rec('other', 5, { branch: 'dev' }), noWrite);
        expect(await store.branches('b')).toEqual([
          { branch: 'a/feature', head: 2 },
          { branch: 'dev', head: 3 },
        ]);
        expect(await store.deleteBranch('b', 'dev')).toBe(true);
        expect(await store.deleteBranch('b', 'dev')).toBe(false);
        expect(await store.branches('b')).toEqual([{ branch: 'a/feature', head: 2 }]);
        expect(await store.list('b', 'dev', { descending: false, limit: 10 })).toEqual([]);
        expect(await store.head('b', '')).toBe(1);
        expect(await store.branches('other')).toEqual([{ branch: 'dev', head: 5 }]);
        // A branch created again under a deleted name starts a new chain.
        expect(await store.append(rec('b', 2, { branch: 'dev' }), noWrite)).toBeUndefined();
      }),
    );
  });
}
