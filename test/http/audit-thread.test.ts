/**
 * The audit trail written by its own thread on SQLite (compose/audit-thread.ts), through a real server built
 * in-process: the thread runs the package's built module (dist/), so build the server package before this file.
 *
 * The first test fails on the code before: a batch waiting for SQLite's write lock (held here by another connection
 * of this very thread) used to wait on the request thread, inside better-sqlite3's busy handler, so the holder could
 * not let go before busy_timeout (5 s) ran out and the batch was lost.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditThread } from '../../packages/server/src/compose/audit-thread.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { simpleSchema, type Send } from '../support/iceberg-http.js';
import { type Caller, signedInPrincipal, signInAdmin } from '../support/principals.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tempDir } from '../support/temp.js';

const temp = tempDir('lakegate-audit-thread-');
let cat: TestCatalog;
let admin: Send;
let mallory: Caller;

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true, dataDir: temp.dir });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['sales'] })).status).toBe(200);
  expect((await admin('POST', '/v1/default/namespaces/sales/tables', { name: 'orders', schema: simpleSchema })).status).toBe(200);
  mallory = await signedInPrincipal(cat, 'mallory');
});
afterAll(async () => {
  await cat?.lakegate.close();
  temp.cleanup();
});

const file = () => path.join(temp.dir, 'catalog.sqlite');
/** A refused drop: audited (access.denied), and nothing written on the request thread. */
const refusedDrop = async (send: Send) => expect((await send('DELETE', '/v1/default/namespaces/sales/tables/orders')).status).toBe(403);
const deniedIds = async (actor: string): Promise<string[]> => {
  const res = await admin('GET', `/management/v1/audit?actor=${actor}&type=access.denied&limit=1000`);
  expect(res.status).toBe(200);
  return (res.body.events as Array<{ id: string }>).map((e) => e.id);
};

it('writes off the request thread: a batch waiting for the write lock leaves the event loop to the requests', async () => {
  const thread = cat.lakegate.auditThread;
  expect(thread).toBeInstanceOf(AuditThread);
  const before = (await deniedIds(mallory.id)).length;
  // Another connection takes SQLite's write lock: every write of the trail waits for it.
  const holder = new Database(file());
  holder.exec('BEGIN IMMEDIATE');
  let released = false;
  try {
    for (let i = 0; i < 5; i++) await refusedDrop(mallory.send);
    // The reader writes the pending batch first: it waits for the lock, in the thread.
    const listing = deniedIds(mallory.id);
    // This thread goes on: requests are answered while the batch waits.
    for (let i = 0; i < 3; i++) await refusedDrop(mallory.send);
    holder.exec('COMMIT');
    released = true;
    const ids = await listing;
    expect(ids.length).toBeGreaterThanOrEqual(before + 5);
  } finally {
    if (!released) holder.exec('ROLLBACK');
    holder.close();
  }
  expect(await deniedIds(mallory.id)).toHaveLength(before + 8);
  // Committed with every commit synced (FULL), as the request thread's connection does.
  expect(thread!.durability).toEqual({ journalMode: 'wal', synchronous: 2 });
});

it('keeps every record of concurrent requests, newest first by time and id', async () => {
  const thread = cat.lakegate.auditThread!;
  const caller = await signedInPrincipal(cat, 'many');
  const start = { ...thread.counts };
  // 64 refusals at once, then the listing (its flush): all stored, each once.
  await Promise.all(Array.from({ length: 64 }, () => refusedDrop(caller.send)));
  const ids = await deniedIds(caller.id);
  expect(ids).toHaveLength(64);
  expect(new Set(ids).size).toBe(64);
  // The trail lists by (time, id) descending, and ids sort like the events of this process happened.
  expect([...ids].sort().reverse()).toEqual(ids);
  expect(thread.counts.events - start.events).toBeGreaterThanOrEqual(64);
  expect(thread.counts.transactions).toBeLessThanOrEqual(thread.counts.batches);
});

it('reports a failed write as before: logged, the request answered, the other batches stored', async () => {
  const holder = new Database(file());
  // A real failure of the database: a trigger refuses the rows of one actor.
  holder.exec(`CREATE TRIGGER refuse_eve BEFORE INSERT ON audit_events WHEN NEW.actor LIKE '%${'eve-'}%' BEGIN SELECT RAISE(ABORT, 'audit row refused'); END`);
  try {
    const eve = await signedInPrincipal(cat, 'eve-refused');
    // The request is answered as ever; its batch fails when the timer writes it, and that is logged.
    await refusedDrop(eve.send);
    const failed = () =>
      cat
        .logs()
        .split('\n')
        .filter((l) => l.includes('writing the audit trail failed') && l.includes('audit row refused'));
    await expect.poll(failed).not.toEqual([]);
    expect(failed()[0]).toContain('"level":50');
    expect(await deniedIds(eve.id)).toEqual([]);
    // Later batches are stored.
    const before = (await deniedIds(mallory.id)).length;
    await refusedDrop(mallory.send);
    expect(await deniedIds(mallory.id)).toHaveLength(before + 1);
  } finally {
    holder.exec('DROP TRIGGER refuse_eve');
    holder.close();
  }
});

it('flushes on close and ends the thread', async () => {
  const { dir, cleanup } = tempDir('lakegate-audit-close-');
  try {
    const other = await startInProcess({}, { auth: true, dataDir: dir });
    const send = await signInAdmin(other);
    const trudy = await signedInPrincipal(other, 'trudy');
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['sales'] })).status).toBe(200);
    expect((await send('POST', '/v1/default/namespaces/sales/tables', { name: 'orders', schema: simpleSchema })).status).toBe(200);
    for (let i = 0; i < 7; i++) await refusedDrop(trudy.send);
    const thread = other.lakegate.auditThread!;
    await other.lakegate.close();
    expect(thread.threadId).toBeUndefined();
    const store = new SqliteCatalogStore(path.join(dir, 'catalog.sqlite'));
    try {
      const rows = await store.identity.listAudit({ limit: 1000, actor: trudy.id, type: 'access.denied' });
      expect(rows).toHaveLength(7);
    } finally {
      await store.close();
    }
  } finally {
    cleanup();
  }
});
