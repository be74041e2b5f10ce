/**
 * UpdateFieldMetadata (lance-namespace 0.13, `POST /table/{id}/update_field_metadata`), in process: what is refused
 * before anything is written, in Lance's error model (a malformed body or path 400 whoever asks, a missing table 404,
 * a caller without `table:write-data` 403, a table whose dataset manages its versions or that has none yet 400, an
 * unknown branch 404 code 22, the Lance library missing 406 naming it), none reaching the writer; and the catalog's
 * own writer (LanceDB through the private loopback namespace) committing the change as one managed version, a path
 * naming no field refused (400, listing the fields) with nothing committed. LanceDB reading the result, a branch, and
 * lance-namespace's own REST client: test/interop/lance-field-metadata.test.ts and lancedb-python.test.ts.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LanceFieldMetadataWriter } from '../../packages/server/src/catalog/ports/lance-writer.js';
import { LanceDbFieldMetadataWriter } from '../../packages/server/src/lance-optimize/lancedb-field-metadata.js';
import { grantPrincipal } from '../support/access.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, postJson } from '../support/inject.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin = '';
let realWriter: LanceFieldMetadataWriter;
let calls = 0;

const call = (url: string, payload?: unknown, token = admin) => postJson(cat.lakegate.app, url, payload, { authorization: `Bearer ${token}` });
const update = (table: string, body: unknown, token = admin) => call(`${L}/table/fm%24${table}/update_field_metadata`, body, token);
const versions = async (table: string) => ((await call(`${L}/table/fm%24${table}/version/list`)).body!.versions as { version: number }[]).map((v) => v.version);
const one = { updates: [{ path: 'name', metadata: { k: 'v' } }] };
/** A writer that only counts: every refusal must come before it. */
const countingWriter = (): LanceFieldMetadataWriter => ({
  unavailable: async () => undefined,
  update: async () => {
    calls += 1;
    throw new Error('no update reaches the writer before the checks pass');
  },
});

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  realWriter = (cat.lakegate.services.lance.fieldMetadata as unknown as { writer: LanceFieldMetadataWriter }).writer;
  const a = cat.admin();
  admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await call(`${L}/namespace/fm/create`)).status).toBe(200);
  // A table with version 1, written by the catalog's own CreateTable with data.
  const ipc = Buffer.from(tableToIPC(tableFromArrays({ id: Int32Array.from([1, 2]), name: ['ada', 'grace'] }), 'stream'));
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/fm%24people/create`,
    payload: ipc,
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${admin}` },
  });
  expect(created.statusCode, created.body).toBe(200);
  expect((await call(`${L}/table/fm%24declared/declare`)).status).toBe(200);
  const location = (await call(`${L}/table/fm%24people/describe`)).body!.location as string;
  expect((await call(`${L}/table/fm%24registered/register`, { location: `${location.replace(/\/[^/]+\/?$/, '')}/elsewhere` })).status).toBe(200);
});
afterAll(async () => cat?.close());

it('refuses a malformed body or path with 400 before authorization, and never reaches the writer', async () => {
  cat.lakegate.services.lance.fieldMetadata.useWriter(countingWriter());
  const nobody = await cat.lakegate.principals.create('fm-nobody');
  const token = await signIn(cat.lakegate.app, nobody.clientId, nobody.clientSecret);
  const bad: unknown[] = [
    {},
    { updates: [] },
    { updates: [{ metadata: { k: 'v' } }] },
    { updates: [{ path: '', metadata: { k: 'v' } }] },
    { updates: [{ path: 'a..b', metadata: { k: 'v' } }] },
    { updates: [{ path: 'a.', metadata: { k: 'v' } }] },
    { updates: [{ path: '`open', metadata: { k: 'v' } }] },
    { updates: [{ path: '`a`b', metadata: { k: 'v' } }] },
    { updates: [{ path: 'a`b', metadata: { k: 'v' } }] },
    { updates: [{ path: 'name', metadata: 'k=v' }] },
    { updates: [{ path: 'name', metadata: { k: 1 } }] },
    { updates: [{ path: 'name', metadata: { k: 'v' }, replace: 'yes' }] },
    { updates: [{ path: 'name', metadata: { k: 'v' } }], branch: '../up' },
  ];
  for (const body of bad) expect(await update('people', body, token), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 13 } });
  expect(calls).toBe(0);
  expect(await versions('people')).toEqual([1]);
});

it('answers 404, 403, 400 for a table it cannot change, 404 code 22 for an unknown branch, 406 without the library; nothing written', async () => {
  cat.lakegate.services.lance.fieldMetadata.useWriter(countingWriter());
  expect(await update('absent', one)).toMatchObject({ status: 404, body: { code: 4 } });
  const reader = await cat.lakegate.principals.create('fm-reader');
  await grantPrincipal(bearerSender(cat.lakegate.app, admin), reader.clientId, ['table:list', 'table:read-data'], {
    type: 'namespace',
    warehouse: 'default',
    namespace: ['fm'],
  });
  expect(await update('people', one, await signIn(cat.lakegate.app, reader.clientId, reader.clientSecret))).toMatchObject({ status: 403, body: { code: 15 } });
  const unmanaged = await update('registered', one);
  expect(unmanaged).toMatchObject({ status: 400, body: { code: 13 } });
  expect(unmanaged.body!.error).toMatch(/managed_versioning is false/);
  const declared = await update('declared', one);
  expect(declared).toMatchObject({ status: 400, body: { code: 13 } });
  expect(declared.body!.error).toMatch(/no version yet/);
  expect(await update('people', { ...one, branch: 'dev' })).toMatchObject({ status: 404, body: { code: 22 } });
  expect(calls).toBe(0);

  const missing = Object.assign(new Error("Cannot find package '@lancedb/lancedb' imported from lancedb-field-metadata.js"), { code: 'ERR_MODULE_NOT_FOUND' });
  cat.lakegate.services.lance.fieldMetadata.useWriter(
    new LanceDbFieldMetadataWriter(
      async () => {
        calls += 1;
        throw new Error('no loopback namespace is started without the library');
      },
      () => Promise.reject(missing),
    ),
  );
  const noLibrary = await update('people', one);
  expect(noLibrary).toMatchObject({ status: 406, body: { code: 0 } });
  expect(noLibrary.body!.error).toMatch(/UpdateFieldMetadata needs the Lance library \(the optional dependency @lancedb\/lancedb\).*Cannot find package/);
  cat.lakegate.services.lance.fieldMetadata.useWriter(undefined);
  expect(await update('people', one)).toMatchObject({ status: 406, body: { code: 0 } });
  expect(calls).toBe(0);
  expect(await versions('people')).toEqual([1]);
});

it("commits the change as the table's next managed version through the catalog's own writer; a path naming no field commits nothing", async () => {
  expect(realWriter).toBeInstanceOf(LanceDbFieldMetadataWriter);
  cat.lakegate.services.lance.fieldMetadata.useWriter(realWriter);
  const unknown = await update('people', {
    updates: [
      { path: 'name', metadata: { k: 'v' } },
      { path: 'nope', metadata: { k: 'v' } },
    ],
  });
  expect(unknown).toMatchObject({ status: 400, body: { code: 13 } });
  expect(unknown.body!.error).toMatch(/no field "nope"; its fields: id, name/);
  expect(await versions('people')).toEqual([1]);

  const res = await update('people', {
    updates: [
      { path: '`name`', metadata: { 'lancedb:description': 'who', owner: 'dev' } },
      { path: 'id', metadata: { k: 'v' } },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toEqual({ version: 2, fields: { name: { 'lancedb:description': 'who', owner: 'dev' }, id: { k: 'v' } } });
  const replaced = await update('people', { updates: [{ path: 'name', metadata: { only: 'this', gone: null }, replace: true }] });
  expect(replaced.body).toEqual({ version: 3, fields: { name: { only: 'this' } } });
  expect(await versions('people')).toEqual([1, 2, 3]);
  // Committed by the catalog's CreateTableVersion, audited as the caller.
  const audit = await bearerSender(cat.lakegate.app, admin)('GET', '/management/v1/audit?type=lance.version.created&limit=100');
  const events = (audit.body.events as Array<{ actor: string; object?: string; detail?: { version?: unknown } }>).filter((e) =>
    e.object?.endsWith('fm.people'),
  );
  expect(events.map((e) => Number(e.detail!.version)).sort()).toEqual([1, 2, 3]);
  expect(new Set(events.map((e) => e.actor)).size).toBe(1);
});
