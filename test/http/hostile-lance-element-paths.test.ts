/**
 * Lance per-element masks on names built to collide with the paths that name elements and values, in process on a
 * file warehouse with the real Lance library: a struct `s` holding a string field named `x.element` beside a list
 * `x` of strings (both answer to `s.x.element`). A Lance table's masks are applied by path, so a mask of either is
 * refused when posted (400 naming the path), by name or by field id. Before, the mask by field id was taken (201) and
 * then every read of the restricted reader failed closed ("its masked column s.x.element does not match a column"):
 * the field-id rows fail on the old code.
 */
import * as lancedb from '@lancedb/lancedb';
import { Field, Int32, List, Struct, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

const L = '/lance/default/v1';
const POLICIES = '/management/v1/warehouses/default/namespaces/ep/tables/paths/policies';
let cat: TestCatalog;
let admin: Send;
let aliceToken = '';
let url = '';

const rows = [
  { id: 1, s: { 'x.element': 'Scalar-1', x: ['Elem-a', 'Elem-b'] } },
  { id: 2, s: { 'x.element': 'Scalar-2', x: [] } },
];

async function readAs(token: string): Promise<unknown[]> {
  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
  const table = await db.openTable('paths', ['ep']);
  try {
    return ((await table.query().toArray()) as Array<Record<string, any>>)
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ id: r.id, s: { 'x.element': r.s['x.element'], x: Array.from(r.s.x ?? []) } }));
  } finally {
    table.close();
    db.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as { port: number }).port}`;
  expect((await admin('POST', `${L}/namespace/ep/create`, {})).status).toBe(200);
  const s = new Struct([new Field('x.element', new Utf8(), true), new Field('x', new List(new Field('item', new Utf8(), true)), true)]);
  const ipc = tableToIPC(
    new Table({
      id: makeVector(Int32Array.from(rows.map((r) => r.id))),
      s: vectorFromArray(
        rows.map((r) => r.s),
        s,
      ),
    }),
    'stream',
  );
  const a = cat.admin();
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/ep%24paths/create`,
    payload: Buffer.from(ipc),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
  const alice = await cat.lakegate.principals.create('ep-alice');
  aliceToken = await tokenOf(cat.lakegate.app, alice.clientId, alice.clientSecret);
  await grant(admin, 'ep-analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['ep'], name: 'paths' });
  await addMember(admin, 'ep-analysts', { kind: 'principal', name: alice.clientId });
}, 120_000);
afterAll(async () => cat?.close());

// Field ids: id 1, s 2, then s's fields: `x.element` 3, x 4, x's element 5.
it.each([
  ['by name', { column: 's.x.element' }],
  ['by the field id of the scalar named x.element', { 'field-id': 3 }],
  ["by the field id of the list's elements", { 'field-id': 5 }],
])('refuses a mask of a field whose path another field has, %s, with a 400 asking to rename, and stores nothing', async (_label, field) => {
  const res = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['ep-analysts'], masks: [{ ...field, action: 'show-first-4' }] });
  expect(res.status, stringifyJson(res.body)).toBe(400);
  expect(res.body.error.message).toMatch(/s\.x\.element/);
  expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  // The reader (no policy binds her yet) reads the table as stored.
  expect(await readAs(aliceToken)).toEqual(rows);
});
