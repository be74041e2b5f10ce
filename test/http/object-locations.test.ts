/**
 * Every object's location is its own (catalog/location-policy.ts), however it came about:
 * - views follow the rule tables follow: a view's location may not be a table's location, lie inside one or around
 *   one, and the write.metadata.path its files go to lies inside its own location. Otherwise a view creator could
 *   put the catalog's files into a table it may not touch, where that table's vended credentials reach them, and
 *   keep the table's purge from ever running;
 * - a default location is checked too: a namespace's `location` property decides it, and may not lie inside
 *   a table (refused when set; a table created under one set before is refused at create);
 * - a refusal does not name the other object, which the caller may not be allowed to see.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Send, simpleSchema } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let send: Send;
const NS = '/v1/default/namespaces/vloc';
const version = (id: number) => ({
  'version-id': id,
  'timestamp-ms': Date.now(),
  'schema-id': 0,
  summary: { 'engine-name': 'test' },
  'default-namespace': ['vloc'],
  representations: [{ type: 'sql', sql: `select ${id}`, dialect: 'spark' }],
});
const createView = (name: string, extra: Record<string, unknown> = {}) =>
  send('POST', `${NS}/views`, { name, schema: simpleSchema, 'view-version': version(1), ...extra });
const createViewIn = (ns: string, name: string) =>
  send('POST', `/v1/default/namespaces/${ns}/views`, { name, schema: simpleSchema, 'view-version': version(1) });
const replace = (name: string, updates: unknown[]) => send('POST', `${NS}/views/${name}`, { requirements: [], updates });

let tableLocation: string;
let tableMetadataLocation: string;

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['vloc'] })).status).toBe(200);
  const t = await send('POST', `${NS}/tables`, { name: 't', schema: simpleSchema });
  expect(t.status).toBe(200);
  tableLocation = t.body.metadata.location;
  tableMetadataLocation = t.body['metadata-location'];
});
afterAll(async () => cat?.close());

describe('view locations', () => {
  it("may not be a table's location, inside it or around it, at create", async () => {
    const around = tableLocation.slice(0, tableLocation.lastIndexOf('/'));
    for (const location of [tableLocation, `${tableLocation}/`, `${tableLocation}/views/v`, around]) {
      const res = await createView('v_bad', { location });
      expect(res.status, location).toBe(400);
      expect(res.body.error.message, location).toMatch(/overlaps the location of another table or view/);
    }
    expect((await send('HEAD', `${NS}/views/v_bad`)).status).toBe(404);
    // A view with a location of its own, next to the table, is fine.
    expect((await createView('v_next', { location: `${around}/v_next-own` })).status).toBe(200);
  });

  it('may not be moved into a table by a replace, nor write its metadata files there', async () => {
    const created = await createView('v_move');
    expect(created.status).toBe(200);
    const own: string = created.body.metadata.location;
    const moved = await replace('v_move', [{ action: 'set-location', location: `${tableLocation}/v` }]);
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toMatch(/overlaps the location of another table or view/);
    const pathed = await replace('v_move', [{ action: 'set-properties', updates: { 'write.metadata.path': `${tableLocation}/metadata` } }]);
    expect(pathed.status).toBe(400);
    expect(pathed.body.error.message).toMatch(/is outside the location of the view/);
    // Nothing changed: the view is where it was, and no file was written into the table.
    const loaded = await send('GET', `${NS}/views/v_move`);
    expect(loaded.body.metadata.location).toBe(own);
    expect(loaded.body['metadata-location']).toBe(created.body['metadata-location']);
    // Its own location may be set again, and a metadata path under it is its own.
    expect((await replace('v_move', [{ action: 'set-location', location: own }])).status).toBe(200);
    const ok = await replace('v_move', [{ action: 'set-properties', updates: { 'write.metadata.path': `${own}/meta` } }]);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body['metadata-location'].startsWith(`${own}/meta/`)).toBe(true);
    expect(existsSync(fileURLToPath(ok.body['metadata-location']))).toBe(true);
  });

  it("keeps the table's purge working", async () => {
    const t = await send('POST', `${NS}/tables`, { name: 'purged', schema: simpleSchema });
    const location: string = t.body.metadata.location;
    expect((await createView('v_in_purged', { location: `${location}/v` })).status).toBe(400);
    expect((await send('DELETE', `${NS}/tables/purged?purgeRequested=true`)).status).toBe(204);
    expect(existsSync(fileURLToPath(location))).toBe(false);
  });

  it('register-view refuses a view file whose location overlaps a table', async () => {
    const created = await createView('v_src', { location: `${tableLocation.slice(0, tableLocation.lastIndexOf('/'))}/v_src-own` });
    expect(created.status).toBe(200);
    // A view metadata file under the warehouse whose location is the table's: registering it would place the view there.
    const dir = fileURLToPath(`${tableLocation.slice(0, tableLocation.lastIndexOf('/'))}/forged`);
    mkdirSync(dir, { recursive: true });
    const forged = `${dir}/00000-forged.metadata.json`;
    writeFileSync(forged, JSON.stringify({ ...created.body.metadata, 'view-uuid': '7f1c3a52-2f5e-4c55-9b77-3a1d6c0e9b10', location: tableLocation }));
    const res = await send('POST', `${NS}/register-view`, { name: 'v_forged', 'metadata-location': `file://${forged}` });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/overlaps the location of another table or view/);
    expect((await send('HEAD', `${NS}/views/v_forged`)).status).toBe(404);
    // Registering a view's own file again under its taken name is AlreadyExists (409), as clients expect, not an overlap.
    const again = await send('POST', `${NS}/register-view`, { name: 'v_src', 'metadata-location': created.body['metadata-location'] });
    expect(again.status).toBe(409);
    expect(again.body.error.type).toBe('AlreadyExistsException');
    // The table's own metadata is no view file either way.
    expect((await send('POST', `${NS}/register-view`, { name: 'v_table', 'metadata-location': tableMetadataLocation })).status).toBe(400);
  });
});

describe('default locations', () => {
  it("may not lie inside a table through the namespace's location property, on Iceberg and Lance", async () => {
    for (const location of [tableLocation, `${tableLocation}/sub`]) {
      const ns = await send('POST', '/v1/default/namespaces', { namespace: ['vloc_in'], properties: { location } });
      expect(ns.status, location).toBe(400);
      expect(ns.body.error.message).toMatch(/lies inside the location of a table or view/);
    }
    const lance = await send('POST', '/lance/default/v1/namespace/vloc_lance/create', { id: ['vloc_lance'], properties: { location: `${tableLocation}/l` } });
    expect(lance.status).toBe(400);
    // Set later, through an update: refused the same way.
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['vloc_upd'] })).status).toBe(200);
    const upd = await send('POST', '/v1/default/namespaces/vloc_upd/properties', { removals: [], updates: { location: `${tableLocation}/u` } });
    expect(upd.status).toBe(400);
    // Around tables is what a namespace is for.
    const around = tableLocation.slice(0, tableLocation.lastIndexOf('/'));
    expect((await send('POST', '/v1/default/namespaces/vloc_upd/properties', { removals: [], updates: { location: `${around}/vloc_upd` } })).status).toBe(200);
  });

  it('are checked when a namespace is created: its directory may not be taken by a table (Iceberg and Lance)', async () => {
    const root = tableLocation.split('/').slice(0, -2).join('/');
    expect((await send('POST', `${NS}/tables`, { name: 'squat', schema: simpleSchema, location: `${root}/vloc_taken` })).status).toBe(200);
    const ns = await send('POST', '/v1/default/namespaces', { namespace: ['vloc_taken'] });
    expect(ns.status).toBe(400);
    expect(ns.body.error.message).toMatch(/lies inside the location of a table or view/);
    expect((await send('POST', '/lance/default/v1/namespace/vloc_taken/create', { id: ['vloc_taken'] })).status).toBe(400);
    // With a location of its own elsewhere it is fine, and once the table is gone the directory is free again.
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['vloc_taken'], properties: { location: `${root}/elsewhere` } })).status).toBe(200);
    expect((await send('DELETE', '/v1/default/namespaces/vloc_taken')).status).toBe(204);
    expect((await send('DELETE', `${NS}/tables/squat`)).status).toBe(204);
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['vloc_taken'] })).status).toBe(200);
  });

  it('are checked at create, so a namespace location set before the rule cannot place a table inside another', async () => {
    // What a namespace property stored before this rule looks like: written around the service.
    const before = await send('POST', '/v1/default/namespaces', { namespace: ['vloc_old'] });
    expect(before.status).toBe(200);
    const repo = cat.lakegate.store.repository;
    const record = await repo.getNamespace('default', ['vloc_old']);
    await cat.lakegate.store.transaction((r) => r.setNamespaceProperties('default', ['vloc_old'], { ...record!.properties, location: `${tableLocation}/old` }));
    const t = await send('POST', '/v1/default/namespaces/vloc_old/tables', { name: 'inside', schema: simpleSchema });
    expect(t.status).toBe(400);
    expect(t.body.error.message).toMatch(/overlaps the location of another table or view/);
    const staged = await send('POST', '/v1/default/namespaces/vloc_old/tables', { name: 'inside', schema: simpleSchema, 'stage-create': true });
    expect(staged.status).toBe(400);
    const v = await createViewIn('vloc_old', 'inside_view');
    expect(v.status).toBe(400);
    const declared = await send('POST', '/lance/default/v1/table/vloc_old$inside_lance/declare', { id: ['vloc_old', 'inside_lance'] });
    expect(declared.status).toBe(400);
    expect(existsSync(fileURLToPath(`${tableLocation}/old`))).toBe(false);
  });

  it('never names the other object: a caller may not see it', async () => {
    const res = await send('POST', `${NS}/tables`, { name: 'probe', schema: simpleSchema, location: tableLocation.slice(0, tableLocation.lastIndexOf('/')) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).not.toMatch(/vloc\.t\b/);
  });
});
