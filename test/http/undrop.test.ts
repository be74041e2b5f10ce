/**
 * Soft deletion and undrop (issue 39), in-process on a file warehouse with an injected clock: a drop of an Iceberg
 * table, a view or a Lance table makes it invisible and frees its name; the dropped object is listed (with
 * warehouse:list-dropped) and restored (with warehouse:undrop) under its name, or a new one when the name was taken
 * (409 without one), with its grants; a purge by a caller without table:purge-immediately waits for the retention,
 * whose end (the sweep) deletes the files of purged drops only; drop.retention-ms=0 is the old immediate drop.
 */
import { type Dirent, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DROPPED as M, LANCE as L, lanceTableWithFile, listDropped, writeDataFile } from '../support/dropped-objects.js';
import { type Send, simpleSchema, sqlView } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { type CatalogWithCallers, startWithCallers } from '../support/principals.js';

const DAY = 86_400_000;
let offset = 0;
const clock = { now: () => Date.now() + offset };
let cat: TestCatalog;
let admin: Send;
let callers: CatalogWithCallers;
/** Creates, writes and drops everything in the warehouse, without table:purge-immediately or the dropped-object privileges. */
let engineer: Send;
/** Lists and restores dropped objects (warehouse:undrop implies warehouse:list-dropped), nothing else. */
let restorer: Send;
/** May purge at once. */
let purger: Send;

const T = '/v1/default/namespaces/db/tables';
const ENGINEER = [
  'namespace:create',
  'namespace:list',
  'table:create',
  'table:list',
  'table:write-data',
  'table:drop',
  'view:create',
  'view:list',
  'view:replace',
  'view:drop',
];

const principal = async (name: string, privileges: string[], on?: Parameters<CatalogWithCallers['principal']>[2]): Promise<Send> =>
  (await callers.principal(name, privileges, on)).send;

/** A table with a data file of its own under its location; answers the location and the file. */
async function tableWithFile(name: string): Promise<{ location: string; file: string; uuid: string }> {
  const res = await engineer('POST', T, { name, schema: simpleSchema });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const location = res.body.metadata.location as string;
  return { location, file: writeDataFile(location, 'part-0.parquet'), uuid: res.body.metadata['table-uuid'] as string };
}
const dropped = (send: Send = restorer) => listDropped(send);
const droppedId = async (name: string, kind = 'table') => (await dropped()).find((d) => d.name === name && d.kind === kind)!.id;
/** Runs the retention sweep as if `days` had passed. */
async function sweepAfter(days: number) {
  offset = days * DAY;
  try {
    return await cat.lakegate.services.dropped.sweep();
  } finally {
    offset = 0;
  }
}

beforeAll(async () => {
  callers = await startWithCallers({ clock });
  ({ cat, admin } = callers);
  engineer = await principal('engineer', ENGINEER);
  restorer = await principal('restorer', ['warehouse:undrop']);
  purger = await principal('purger', [...ENGINEER, 'table:purge-immediately']);
  expect((await engineer('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
});
afterAll(async () => cat?.close());

describe('an Iceberg table dropped', () => {
  it('is invisible, its name free, and comes back under a new name with its metadata, files and grants', async () => {
    const t = await tableWithFile('orders');
    const reader = await principal('orders-reader', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['db'], name: 'orders' });
    expect((await reader('GET', `${T}/orders`)).status).toBe(200);

    expect((await engineer('DELETE', `${T}/orders`)).status).toBe(204);
    expect((await engineer('GET', `${T}/orders`)).status).toBe(404);
    expect((await engineer('GET', T)).body.identifiers).not.toContainEqual({ namespace: ['db'], name: 'orders' });
    expect(existsSync(t.file)).toBe(true);
    // The name is free: a new table takes it.
    const again = await engineer('POST', T, { name: 'orders', schema: simpleSchema });
    expect(again.status).toBe(200);
    expect(again.body.metadata['table-uuid']).not.toBe(t.uuid);

    const [entry] = (await dropped()).filter((d) => d.name === 'orders');
    expect(entry).toMatchObject({ kind: 'table', namespace: ['db'], purge: false });
    expect(entry!['dropped-by']).toContain('engineer');
    expect(entry!['expires-at-ms'] - Date.now()).toBeGreaterThan(7 * DAY - 60_000);

    // Taken name and no new one: 409, nothing moves.
    const taken = await restorer('POST', `${M}/${entry!.id}/undrop`, {});
    expect(taken.status).toBe(409);
    expect(taken.body.error.type).toBe('AlreadyExistsException');
    const restored = await restorer('POST', `${M}/${entry!.id}/undrop`, { name: 'orders_restored' });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ id: entry!.id, name: 'orders_restored', namespace: ['db'] });
    const loaded = await engineer('GET', `${T}/orders_restored`);
    expect(loaded.body.metadata['table-uuid']).toBe(t.uuid);
    expect(existsSync(t.file)).toBe(true);
    // Its grants came back with it (the same catalog id): the reader reads it under its new name.
    expect((await reader('GET', `${T}/orders_restored`)).status).toBe(200);
    expect((await dropped()).some((d) => d.id === entry!.id)).toBe(false);
    // A second undrop of the same id: 404.
    expect((await restorer('POST', `${M}/${entry!.id}/undrop`, {})).status).toBe(404);
  });

  it('with purgeRequested keeps its files for the retention, then the sweep deletes them and it cannot be restored', async () => {
    const t = await tableWithFile('events');
    expect((await engineer('DELETE', `${T}/events?purgeRequested=true`)).status).toBe(204);
    expect(existsSync(t.file)).toBe(true);
    const id = await droppedId('events');
    expect((await dropped()).find((d) => d.id === id)!.purge).toBe(true);

    // Six days later it is still there; past seven, gone with its files.
    expect((await sweepAfter(6)).expired).toBe(0);
    expect(existsSync(t.file)).toBe(true);
    const swept = await sweepAfter(8);
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    expect(swept.objectsDeleted).toBeGreaterThanOrEqual(2);
    expect(existsSync(fileURLToPath(t.location))).toBe(false);
    expect((await restorer('POST', `${M}/${id}/undrop`, {})).status).toBe(404);
    expect((await dropped()).some((d) => d.id === id)).toBe(false);
  });

  it("with a live table created inside its location since, the sweep deletes its own files and keeps the live table's (issue 52)", async () => {
    const outer = await tableWithFile('outer');
    expect((await engineer('DELETE', `${T}/outer?purgeRequested=true`)).status).toBe(204);
    const inner = await engineer('POST', T, { name: 'inner', schema: simpleSchema, location: `${outer.location}/nested/inner` });
    expect(inner.status, JSON.stringify(inner.body)).toBe(200);
    const innerFile = writeDataFile(inner.body.metadata.location, 'part-0.parquet');
    const swept = await sweepAfter(8);
    expect(swept.purged).toBeGreaterThanOrEqual(1);
    expect(existsSync(outer.file)).toBe(false);
    // Every file left under the purged location is the live table's.
    const left = (readdirSync(fileURLToPath(outer.location), { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
    expect(left.length).toBeGreaterThanOrEqual(2);
    for (const f of left) expect(f.startsWith(`${fileURLToPath(inner.body.metadata.location)}/`), f).toBe(true);
    expect(existsSync(innerFile)).toBe(true);
    expect((await engineer('GET', `${T}/inner`)).status).toBe(200);
    expect((await engineer('DELETE', `${T}/inner`)).status).toBe(204);
  });

  it('without purge keeps its files past the retention (only forgotten)', async () => {
    const t = await tableWithFile('kept');
    expect((await engineer('DELETE', `${T}/kept`)).status).toBe(204);
    const id = await droppedId('kept');
    await sweepAfter(8);
    expect((await dropped()).some((d) => d.id === id)).toBe(false);
    expect(existsSync(t.file)).toBe(true);
  });

  it('restored under its own name once the name is free again, and dropped again', async () => {
    const t = await tableWithFile('cycle');
    expect((await engineer('DELETE', `${T}/cycle`)).status).toBe(204);
    const id = await droppedId('cycle');
    expect((await restorer('POST', `${M}/${id}/undrop`, {})).status).toBe(200);
    expect((await engineer('GET', `${T}/cycle`)).body.metadata['table-uuid']).toBe(t.uuid);
    expect((await engineer('DELETE', `${T}/cycle`)).status).toBe(204);
    expect(await droppedId('cycle')).toBe(id);
  });

  it('is purged at once by a caller holding table:purge-immediately', async () => {
    const t = await tableWithFile('hot');
    expect((await purger('DELETE', `${T}/hot?purgeRequested=true`)).status).toBe(204);
    expect(existsSync(fileURLToPath(t.location))).toBe(false);
    expect((await dropped()).some((d) => d.name === 'hot')).toBe(false);
    // A plain drop by the same caller is still soft.
    await tableWithFile('cold');
    expect((await purger('DELETE', `${T}/cold`)).status).toBe(204);
    expect((await dropped()).some((d) => d.name === 'cold')).toBe(true);
  });
});

describe('a view and a Lance table dropped', () => {
  it('a view comes back with its versions', async () => {
    const view = sqlView('v1', ['db'], 'select 1', { timestampMs: Date.now(), properties: {} });
    const created = await engineer('POST', '/v1/default/namespaces/db/views', view);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect((await engineer('DELETE', '/v1/default/namespaces/db/views/v1')).status).toBe(204);
    expect((await engineer('GET', '/v1/default/namespaces/db/views/v1')).status).toBe(404);
    const id = await droppedId('v1', 'view');
    expect((await restorer('POST', `${M}/${id}/undrop`, {})).status).toBe(200);
    const loaded = await engineer('GET', '/v1/default/namespaces/db/views/v1');
    expect(loaded.body.metadata['view-uuid']).toBe(created.body.metadata['view-uuid']);
  });

  it('a Lance table keeps its data until its retention ends, and comes back with it', async () => {
    const declared = await lanceTableWithFile(engineer, ['db'], 'ds');
    expect((await engineer('POST', `${L}/table/db%24ds/drop`, { id: ['db', 'ds'] })).status).toBe(200);
    expect((await engineer('POST', `${L}/table/db%24ds/describe`, { id: ['db', 'ds'] })).status).toBe(404);
    expect(existsSync(declared.file)).toBe(true);
    const entry = (await dropped()).find((d) => d.name === 'ds')!;
    expect(entry).toMatchObject({ kind: 'lance-table', purge: true });
    expect((await restorer('POST', `${M}/${entry.id}/undrop`, {})).status).toBe(200);
    expect((await engineer('POST', `${L}/table/db%24ds/describe`, { id: ['db', 'ds'] })).body.location).toBe(declared.location);

    expect((await engineer('POST', `${L}/table/db%24ds/drop`, { id: ['db', 'ds'] })).status).toBe(200);
    await sweepAfter(8);
    expect(existsSync(fileURLToPath(declared.location))).toBe(false);
  });
});

describe('who may see and restore dropped objects', () => {
  it('needs warehouse:list-dropped to list and warehouse:undrop to restore', async () => {
    await tableWithFile('secret');
    expect((await engineer('DELETE', `${T}/secret`)).status).toBe(204);
    const id = await droppedId('secret');
    expect((await engineer('GET', M)).status).toBe(403);
    expect((await engineer('POST', `${M}/${id}/undrop`, {})).status).toBe(403);
    const lister = await principal('lister', ['warehouse:list-dropped']);
    expect((await dropped(lister)).some((d) => d.id === id)).toBe(true);
    expect((await lister('POST', `${M}/${id}/undrop`, {})).status).toBe(403);
    expect((await admin('POST', `${M}/${id}/undrop`, {})).status).toBe(200);
  });

  it('refuses bad input with a 4xx in the Iceberg envelope', async () => {
    expect((await restorer('POST', `${M}/no-such-id/undrop`, {})).status).toBe(404);
    expect((await restorer('POST', `${M}/x/undrop`, { name: 'a\u200bb' })).status).toBe(400); // a new name: the display rules apply ('/' is a valid name since issue 42)
    expect((await restorer('POST', `${M}/x/undrop`, { name: '' })).status).toBe(400);
    expect((await restorer('POST', `${M}/x/undrop`, { colour: 'red' })).status).toBe(400);
    expect((await restorer('POST', `${M}/x/undrop`, { namespace: 'db' })).status).toBe(400);
    expect((await restorer('GET', `${M}?pageToken=garbage`)).status).toBe(400);
    expect((await restorer('GET', `${M}?pageSize=0`)).status).toBe(400);
    expect((await restorer('GET', '/management/v1/warehouses/nowhere/dropped')).status).toBe(404);
  });

  it('pages through the dropped objects', async () => {
    for (const n of ['p1', 'p2', 'p3']) {
      await tableWithFile(n);
      expect((await engineer('DELETE', `${T}/${n}`)).status).toBe(204);
    }
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await restorer('GET', `${M}?pageSize=2${pageToken ? `&pageToken=${pageToken}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.dropped.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.dropped.map((d: { name: string }) => d.name));
      pageToken = res.body['next-page-token'];
    } while (pageToken);
    expect(seen).toEqual(expect.arrayContaining(['p1', 'p2', 'p3']));
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('a warehouse with drop.retention-ms=0', () => {
  it('drops at once, as before soft deletion; a bad retention is refused', async () => {
    const root = `file://${cat.dataDir}/now`;
    const bad = await admin('POST', '/management/v1/warehouses', {
      name: 'badret',
      'storage-root': root,
      'storage-profile': { type: 'file' },
      properties: { 'drop.retention-ms': '-1' },
    });
    expect(bad.status).toBe(400);
    const created = await admin('POST', '/management/v1/warehouses', {
      name: 'now',
      'storage-root': root,
      'storage-profile': { type: 'file' },
      properties: { 'drop.retention-ms': '0' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await admin('POST', '/v1/now/namespaces', { namespace: ['db'] })).status).toBe(200);
    const t = await admin('POST', '/v1/now/namespaces/db/tables', { name: 't', schema: simpleSchema });
    expect((await admin('DELETE', '/v1/now/namespaces/db/tables/t')).status).toBe(204);
    expect((await admin('GET', '/management/v1/warehouses/now/dropped')).body.dropped).toEqual([]);
    expect(existsSync(fileURLToPath(t.body['metadata-location']))).toBe(true);
  });
});
