/**
 * A Lance table's policies follow Lance's own field ids (catalog/lance/native-fields.ts), in process on a file
 * warehouse, the table changed by LanceDB through the catalog's Lance namespace: a mask of `email`, after `email` is
 * dropped and a new `email` column added, fails the restricted read closed (before: the new column was taken as the
 * policy's, by name); after `email` is renamed `mail`, the restricted read follows it and masks `mail` (before: a 400,
 * the column taken as gone). An update of the policy records the columns of the version it is checked against. GET and
 * list show a followed mask's current field id (its column's position), and a policy stored before the ids whose column
 * was added again as another type as unusable, as its restricted read is refused (before: the stored id; enforced).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let db: lancedb.Connection;

const policies = (name: string) => `/management/v1/warehouses/default/namespaces/fid/tables/${name}/policies`;
const describe = (send: Send, name: string) => send('POST', `${L}/table/fid%24${name}/describe`, {});
const MASK = { action: 'mask-to-fixed-value', value: '***' };

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/fid/create`, {})).status).toBe(200);
  analyst = await signedInPrincipal(cat, 'fid-analyst');
  await grant(admin, 'fid-analysts', ['table:read-data', 'table:read-metadata'], { type: 'namespace', warehouse: 'default', namespace: ['fid'] });
  await addMember(admin, 'fid-analysts', { kind: 'principal', name: analyst.id });
  const a = cat.admin();
  const token = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
});
afterAll(async () => {
  db?.close();
  await cat?.close();
});

/** A table of `id` and `email`, with a policy masking `email` for the analysts; its id. */
async function withMaskedEmail(name: string): Promise<string> {
  const a = cat.admin();
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/fid%24${name}/create`,
    payload: Buffer.from(
      tableToIPC(new Table({ id: makeVector(Int32Array.from([1, 2])), email: vectorFromArray(['ann@example.org', 'bob@example.com'], new Utf8()) }), 'stream'),
    ),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
  const p = await admin('POST', policies(name), { kind: 'column-mask', roles: ['fid-analysts'], masks: [{ column: 'email', ...MASK }] });
  expect(p.status, stringifyJson(p.body)).toBe(201);
  const before = await describe(analyst.send, name);
  expect(before.status, stringifyJson(before.body)).toBe(200);
  expect(await rows(before.body.location)).toEqual([
    { id: 1, email: '***' },
    { id: 2, email: '***' },
  ]);
  return p.body.id as string;
}

/** The rows of the derived dataset at `location` (a file: URI), read with LanceDB directly, by id. */
async function rows(location: string): Promise<Array<Record<string, unknown>>> {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  const local = await lancedb.connect(path.dirname(dir));
  const table = await local.openTable(path.basename(dir).replace(/\.lance$/, ''));
  try {
    const found = (await table.query().toArray()) as Array<Record<string, unknown>>;
    const key = 'id' in (found[0] ?? {}) ? 'id' : 'key';
    return found.map((r) => ({ ...r, [key]: Number(r[key]) })).sort((x, y) => (x[key] as number) - (y[key] as number));
  } finally {
    table.close();
    local.close();
  }
}

it('a masked column dropped and added again under its name: the restricted read fails closed (400), and an update of the policy masks the new column', async () => {
  const id = await withMaskedEmail('readded');
  const table = await db.openTable('readded', ['fid']);
  await table.dropColumns(['email']);
  await table.addColumns([{ name: 'email', valueSql: "'new@example.net'" }]);
  table.close();
  const res = await describe(analyst.send, 'readded');
  // Not the new column masked as if it were the policy's (the old binding by name): no data at all.
  expect(res.status, stringifyJson(res.body)).toBe(400);
  expect(res.body.error).toMatch(
    /cannot be applied to its current schema: its masked column email \(Lance field id \d+; dropped, or dropped and added again\)/,
  );
  expect(res.body.error).not.toMatch(/new@example/);
  // GET says so, with the refusal's words (before: the policy as stored, no status).
  const shown = await admin('GET', `${policies('readded')}/${id}`);
  expect(shown.status, stringifyJson(shown.body)).toBe(200);
  expect(shown.body.status).toBe('unusable');
  expect(shown.body.reason).toMatch(/its masked column email \(Lance field id \d+; dropped, or dropped and added again\)/);
  expect(shown.body.masks[0].column).toBe('email');
  // Updated, the policy names the column that is there now.
  const updated = await admin('PUT', `${policies('readded')}/${id}`, { roles: ['fid-analysts'], masks: [{ column: 'email', ...MASK }] });
  expect(updated.status, stringifyJson(updated.body)).toBe(200);
  expect((await admin('GET', `${policies('readded')}/${id}`)).body.status).toBe('enforced');
  const after = await describe(analyst.send, 'readded');
  expect(after.status, stringifyJson(after.body)).toBe(200);
  expect(await rows(after.body.location)).toEqual([
    { id: 1, email: '***' },
    { id: 2, email: '***' },
  ]);
});

it('a masked column renamed: the restricted read follows it and masks it under its new name', async () => {
  const id = await withMaskedEmail('renamed');
  const table = await db.openTable('renamed', ['fid']);
  await table.alterColumns([{ path: 'email', rename: 'mail' }]);
  table.close();
  const res = await describe(analyst.send, 'renamed');
  expect(res.status, stringifyJson(res.body)).toBe(200);
  expect(await rows(res.body.location)).toEqual([
    { id: 1, mail: '***' },
    { id: 2, mail: '***' },
  ]);
  // A row filter follows the same way: its term takes the new name.
  const filter = await admin('POST', policies('renamed'), { kind: 'row-filter', roles: ['fid-analysts'], filter: { type: 'eq', term: 'id', value: 2 } });
  expect(filter.status, stringifyJson(filter.body)).toBe(201);
  const t = await db.openTable('renamed', ['fid']);
  await t.alterColumns([{ path: 'id', rename: 'key' }]);
  t.close();
  const filtered = await describe(analyst.send, 'renamed');
  expect(filtered.status, stringifyJson(filtered.body)).toBe(200);
  expect(await rows(filtered.body.location)).toEqual([{ key: 2, mail: '***' }]);
  // GET and list show both under the columns' current names, enforced, reading the latest manifest once at most.
  const shown = await admin('GET', `${policies('renamed')}/${id}`);
  expect(shown.status, stringifyJson(shown.body)).toBe(200);
  expect(shown.body).toMatchObject({ status: 'enforced', masks: [{ column: 'mail', action: 'mask-to-fixed-value' }] });
  expect(shown.body.reason).toBeUndefined();
  const fields = cat.lakegate.services.lance.tables.policyReads.versionFields;
  const before = fields.reads;
  const list = await admin('GET', policies('renamed'));
  expect(list.status, stringifyJson(list.body)).toBe(200);
  expect(fields.reads - before).toBeLessThanOrEqual(1);
  const byKind = Object.fromEntries((list.body.policies as Array<Record<string, unknown>>).map((p) => [p.kind, p]));
  expect(byKind['column-mask']).toMatchObject({ status: 'enforced', masks: [{ column: 'mail' }] });
  expect(byKind['row-filter']).toMatchObject({ status: 'enforced', filter: { type: 'eq', term: 'key', value: 2 } });
});

it('a policy stored before Lance field ids (by name): GET says enforced while its column is there, unusable once it is gone', async () => {
  const id = await withMaskedEmail('legacy');
  // As a policy stored before 2026-11-29 is: no lanceFields.
  const store = cat.lakegate.store.policies;
  const stored = (await store.get('default', id))!;
  const { lanceFields: _dropped, ...legacy } = stored;
  expect(await store.update({ ...legacy, version: stored.version + 1 }, stored.version, [])).toBe(true);
  expect((await admin('GET', `${policies('legacy')}/${id}`)).body.status).toBe('enforced');
  const table = await db.openTable('legacy', ['fid']);
  await table.alterColumns([{ path: 'email', rename: 'mail' }]);
  table.close();
  const gone = await admin('GET', `${policies('legacy')}/${id}`);
  expect(gone.body).toMatchObject({ status: 'unusable', masks: [{ column: 'email' }] });
  expect(gone.body.reason).toMatch(/its masked column email does not match a column/);
});

it("GET shows a followed mask's current field id: the column's position now, beside its current name", async () => {
  const id = await withMaskedEmail('moved');
  expect((await admin('GET', `${policies('moved')}/${id}`)).body.masks[0]).toMatchObject({ column: 'email', 'field-id': 2 });
  const table = await db.openTable('moved', ['fid']);
  await table.alterColumns([{ path: 'email', rename: 'mail' }]);
  await table.dropColumns(['id']);
  table.close();
  // The restricted read binds the mask to the column now first (field id 1, as a Lance column's id is its position).
  const res = await describe(analyst.send, 'moved');
  expect(res.status, stringifyJson(res.body)).toBe(200);
  const shown = await admin('GET', `${policies('moved')}/${id}`);
  expect(shown.status, stringifyJson(shown.body)).toBe(200);
  // Before: the field id stored when the policy was written (2) beside the column's current name.
  expect(shown.body).toMatchObject({ status: 'enforced', masks: [{ column: 'mail', 'field-id': 1 }] });
  const list = await admin('GET', policies('moved'));
  expect(list.body.policies[0]).toMatchObject({ status: 'enforced', masks: [{ column: 'mail', 'field-id': 1 }] });
});

it('a policy stored before Lance field ids whose column kept its name but changed type: GET says unusable, as the restricted read refuses it', async () => {
  const id = await withMaskedEmail('retyped');
  const store = cat.lakegate.store.policies;
  const stored = (await store.get('default', id))!;
  const { lanceFields: _dropped, ...legacy } = stored;
  expect(await store.update({ ...legacy, version: stored.version + 1 }, stored.version, [])).toBe(true);
  // Written behind the management API: the restricted reads' cache of the table's policies is told, as an update would.
  cat.lakegate.services.policyGate.changed();
  // `email` again, now a number: the mask's fixed value ('***', a string) does not suit it.
  const table = await db.openTable('retyped', ['fid']);
  await table.dropColumns(['email']);
  await table.addColumns([{ name: 'email', valueSql: 'CAST(42 AS BIGINT)' }]);
  table.close();
  const res = await describe(analyst.send, 'retyped');
  expect(res.status, stringifyJson(res.body)).toBe(400);
  expect(res.body.error).toMatch(/cannot be applied to its current schema: its masked column email \(/);
  // Before: `enforced` (the column there by name), while every restricted read was refused.
  const shown = await admin('GET', `${policies('retyped')}/${id}`);
  expect(shown.status, stringifyJson(shown.body)).toBe(200);
  expect(shown.body).toMatchObject({ status: 'unusable', masks: [{ column: 'email' }] });
  expect(shown.body.reason).toMatch(/its masked column email \(/);
  expect(res.body.error).toContain(shown.body.reason);
});
