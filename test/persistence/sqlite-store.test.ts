import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateTo } from '../../packages/server/src/persistence/migrations.js';
import { SqliteCatalogStore, withoutFsync } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { storeContract } from './store-contract.js';

const temp = tempDir();
let n = 0;
afterAll(() => temp.cleanup());
const files = new WeakMap<object, string>();
storeContract(
  'SQLite',
  async () => {
    const file = path.join(temp.dir, `db-${n++}.sqlite`);
    const store = new SqliteCatalogStore(file);
    files.set(store, file);
    return store;
  },
  async (store) => new SqliteCatalogStore(files.get(store)!),
);

/** An old database: file `upgrade-NAME.sqlite` migrated up to `migration` only, and a connection to write its rows. */
async function databaseAt(name: string, migration: string) {
  const file = path.join(temp.dir, `upgrade-${name}.sqlite`);
  const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(file) }) });
  await migrateTo(old, migration);
  return { file, old };
}

/** Table t (id-t, uuid-t) of namespace ns in warehouse w, created at 20, as a row of the old schema. */
async function insertOldTable(old: Kysely<any>) {
  const object = {
    warehouse: 'w',
    namespace: 'ns',
    kind: 'table',
    location: 'file:///w/ns/t',
    metadata_location: 'file:///w/ns/t/m.json',
    metadata: '{}',
    updated_at: 20,
  };
  await old
    .insertInto('catalog_objects')
    .values({ ...object, id: 'id-t', name: 't', uuid: 'uuid-t', created_at: 20 })
    .execute();
}

/** Closes the old connection, then opens the file as a store, migrates it to the end and runs `check` on it. */
async function upgraded(database: { file: string; old: Kysely<any> }, check: (store: SqliteCatalogStore) => Promise<void>) {
  await database.old.destroy();
  const store = new SqliteCatalogStore(database.file);
  try {
    await store.migrate();
    await check(store);
  } finally {
    await store.close();
  }
}

describe('migration 0013 (metrics reports belong to tables)', () => {
  it('gives the reports stored before to the table holding their name if it existed when they were made, and keeps every report', async () => {
    const database = await databaseAt('0013', '0012_location_byte_order');
    const { old } = database;
    await insertOldTable(old);
    const report = (id: string, table: string, at: number) => ({
      id,
      warehouse: 'w',
      namespace: 'ns',
      table_name: table,
      report_type: 'scan-report',
      report: `{"r":"${id}"}`,
      created_at: at,
    });
    // 'before' was made before t existed (a dropped table's), 'after' on t, 'gone' on a table that is no more.
    await old
      .insertInto('metrics_reports')
      .values([report('before', 't', 10), report('after', 't', 30), report('gone', 'x', 5)])
      .execute();
    await upgraded(database, async (store) => {
      const reports = await store.repository.listMetricsReports('w', ['ns'], 't', 10, { id: 'id-t', uuid: 'uuid-t' });
      expect(reports.map((r) => [r.id, r.tableId, r.tableUuid])).toEqual([['after', 'id-t', 'uuid-t']]);
      expect((await store.repository.listMetricsReports('w', ['ns'], 't', 10)).map((r) => r.id)).toEqual(['before']);
      expect((await store.repository.listMetricsReports('w', ['ns'], 'x', 10)).map((r) => r.id)).toEqual(['gone']);
    });
  });
});

describe('migration 0015 (whether the catalog created a table at its location)', () => {
  it('answers "not created by the catalog" for every table stored before, so their purge keeps the files', async () => {
    const database = await databaseAt('0015', '0014_tenant_storage_grants');
    await insertOldTable(database.old);
    await upgraded(database, async (store) => {
      expect((await store.repository.getObject('w', ['ns'], 't'))?.locationOwned).toBe(false);
    });
  });
});

describe('migration 0022 (whether a sink may reach any destination)', () => {
  it('holds every sink stored before to the destination rule (the safe side), and keeps the rest of its row', async () => {
    const database = await databaseAt('0022', '0021_dropped_namespaces');
    const { old } = database;
    await old
      .insertInto('event_sinks')
      .values({
        id: 's1',
        warehouse: 'w',
        kind: 'webhook',
        config: '{"url":"http://10.0.0.5/h"}',
        secret_id: 'sec',
        cursor: 7,
        state: 'active',
        failures: 0,
        last_error: null,
        next_attempt_at: 0,
        delivered: 7,
        created_at: 1,
        updated_at: 2,
      })
      .execute();
    await upgraded(database, async (store) => {
      const sink = await store.outbox.getSink('s1');
      expect(sink).toMatchObject({ id: 's1', config: { url: 'http://10.0.0.5/h' }, secretId: 'sec', cursor: 7, delivered: 7 });
      expect(sink?.anyDestination ?? false).toBe(false);
    });
  });
});

describe('the delivery bookkeeping writes without an fsync', () => {
  it('runs them with synchronous = NORMAL and gives every other write FULL back, also when one fails', async () => {
    const database = new Database(path.join(temp.dir, `fsync-${n++}.sqlite`));
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    const db = new Kysely<never>({ dialect: new SqliteDialect({ database }) });
    const level = () => database.pragma('synchronous', { simple: true });
    try {
      await sql`create table t (v integer)`.execute(db);
      const unsynced = withoutFsync(db as never);
      const inside = await unsynced(async (conn) => {
        await sql`insert into t values (1)`.execute(conn);
        return level();
      });
      expect(inside).toBe(1); // NORMAL
      expect(level()).toBe(2); // FULL
      await expect(
        unsynced(async (conn) => {
          await sql`insert into nowhere values (1)`.execute(conn);
        }),
      ).rejects.toThrow(/nowhere/);
      expect(level()).toBe(2);
      expect((await sql<{ c: number }>`select count(*) as c from t`.execute(db)).rows[0]!.c).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});

/** A migrated store holding warehouse w, namespace ns and table t (file:///w/ns/t, metadata m1.json). */
async function withTable(store: SqliteCatalogStore) {
  await store.migrate();
  const repo = store.repository;
  await repo.insertWarehouse({ name: 'w', tenant: 'default', storageRoot: 'file:///w', properties: {}, createdAtMs: 1, storageProfile: { type: 'file' } });
  await repo.insertNamespace({ id: 'ns-id', warehouse: 'w', levels: ['ns'], properties: {} });
  const t = {
    id: 'id-t',
    warehouse: 'w',
    namespace: ['ns'],
    name: 't',
    kind: 'table' as const,
    uuid: 'uuid-t',
    location: 'file:///w/ns/t',
    metadataLocation: 'file:///w/ns/t/m1.json',
    metadataJson: '{"v":1}',
    createdAtMs: 2,
    updatedAtMs: 2,
    locationOwned: true,
  };
  expect(await repo.insertObject(t)).toBe(true);
  return { repo, t };
}

describe('getObjectSync (the sign path reads its table on every storage request)', () => {
  it('answers repeated reads with one frozen record while the row is unchanged, and the new row after a commit', async () => {
    const store = new SqliteCatalogStore(path.join(temp.dir, 'object-sync.sqlite'));
    try {
      const { repo, t } = await withTable(store);
      // The read memo keeps an answer from its second sighting on, the metadata JSON likewise: read until both are kept.
      const reads = Array.from({ length: 6 }, () => repo.getObjectSync!('w', ['ns'], 't'));
      for (const r of reads) expect(r).toEqual(t);
      const [last, before] = [reads.at(-1)!, reads.at(-2)!];
      expect(last).toBe(before);
      expect(Object.isFrozen(last) && Object.isFrozen(last.namespace)).toBe(true);
      // What getObject answers is its own (unfrozen) record, equal to it.
      const loaded = await repo.getObject('w', ['ns'], 't');
      expect(loaded).toEqual(t);
      expect(Object.isFrozen(loaded)).toBe(false);
      expect(
        await repo.swapMetadata(
          {
            warehouse: 'w',
            namespace: ['ns'],
            name: 't',
            kind: 'table',
            expectedMetadataLocation: t.metadataLocation,
            metadataLocation: 'file:///w/ns/t/m2.json',
            metadataJson: '{"v":2}',
            location: 'file:///w/ns/t2',
          },
          3,
        ),
      ).toBe(true);
      const after = repo.getObjectSync!('w', ['ns'], 't');
      expect(after).toMatchObject({ metadataLocation: 'file:///w/ns/t/m2.json', metadataJson: '{"v":2}', location: 'file:///w/ns/t2' });
      for (let i = 0; i < 4; i++) expect(repo.getObjectSync!('w', ['ns'], 't')).toEqual(after);
      expect(await repo.deleteObject('w', ['ns'], 't', 'table')).toBe(true);
      expect(repo.getObjectSync!('w', ['ns'], 't')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  // Outside any dispatch of requests (a timer is I/O: what a test ran before may have left one in progress), the store's
  // version is asked at every call (runtime/per-dispatch.ts); inside one, another process's commit is seen from the next.
  const afterIo = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('sees a commit of another connection to the same file at its next call, and a drop there', async () => {
    const file = path.join(temp.dir, 'object-sync-two.sqlite');
    const store = new SqliteCatalogStore(file);
    const other = new SqliteCatalogStore(file);
    try {
      const { repo, t } = await withTable(store);
      await afterIo();
      const kept = Array.from({ length: 6 }, () => repo.getObjectSync!('w', ['ns'], 't')).at(-1)!;
      expect(repo.getObjectSync!('w', ['ns'], 't')).toBe(kept);
      // The other connection moves the table; this one's kept record must not outlive the commit.
      expect(
        await other.repository.swapMetadata(
          {
            warehouse: 'w',
            namespace: ['ns'],
            name: 't',
            kind: 'table',
            expectedMetadataLocation: t.metadataLocation,
            metadataLocation: 'file:///w/ns/t/m2.json',
            metadataJson: '{"v":2}',
            location: 'file:///w/ns/moved',
          },
          3,
        ),
      ).toBe(true);
      expect(repo.getObjectSync!('w', ['ns'], 't')).toMatchObject({ location: 'file:///w/ns/moved', metadataLocation: 'file:///w/ns/t/m2.json' });
      for (let i = 0; i < 4; i++) expect(repo.getObjectSync!('w', ['ns'], 't')?.location).toBe('file:///w/ns/moved');
      expect(await other.repository.deleteObject('w', ['ns'], 't', 'table')).toBe(true);
      expect(repo.getObjectSync!('w', ['ns'], 't')).toBeUndefined();
    } finally {
      await other.close();
      await store.close();
    }
  });
});
