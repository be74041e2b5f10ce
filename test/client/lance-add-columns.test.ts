/**
 * The SDK's LanceNamespace.addColumns (AlterTableAddColumns, lance-namespace 0.13) against a real in-process Lakegate
 * listening on 127.0.0.1 (authentication on, the catalog's own LanceDB adding the columns): a computed column and a
 * string expression column each commit the next managed version, which LanceDB then reads through the namespace; a taken
 * name is a typed 400 and a virtual column a typed 406, neither committing anything.
 */
import * as lancedb from '@lancedb/lancedb';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearerAuth, CatalogError, LanceErrorCode, LanceNamespace } from '@lakegate/client';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

let cat: TestCatalog;
let url = '';
let token = '';
let lance: LanceNamespace;

const versions = async (id: string[]) => (await lance.listTableVersions(id)).items.map((v) => Number(v.version));

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  const a = cat.admin();
  token = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  lance = new LanceNamespace({ uri: `${url}/lance/default`, auth: bearerAuth(() => token) });
  await lance.createNamespace(['sdk']);
  const ipc = tableToIPC(tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['ada', 'grace', 'edsger'] }), 'stream');
  const created = await fetch(`${url}/lance/default/v1/table/sdk%24people/create`, {
    method: 'POST',
    body: ipc,
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${token}` },
  });
  expect(created.status, await created.text()).toBe(200);
});
afterAll(async () => cat?.close());

it('adds a computed column, then an expression column, each as the next managed version LanceDB reads', async () => {
  expect(await versions(['sdk', 'people'])).toEqual([1]);
  expect(await lance.addColumns(['sdk', 'people'], [{ name: 'twice', computed: 'id * 2' }])).toEqual({ version: 2 });
  // A string expression: DataFusion answers it as a view type (Utf8View), which the server's check decodes nothing of.
  expect(await lance.addColumns(['sdk', 'people'], [{ name: 'label', expression: "concat(upper(name), '!')" }])).toEqual({ version: 3 });
  expect(await versions(['sdk', 'people'])).toEqual([1, 2, 3]);
  const detailed = await lance.describeTable(['sdk', 'people'], { loadDetailedMetadata: true });
  expect(detailed).toMatchObject({ table: 'people', namespace: ['sdk'], version: 3 });
  expect((detailed.schema as { fields: { name: string }[] }).fields.map((f) => f.name)).toEqual(['id', 'name', 'twice', 'label']);

  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
  const table = await db.openTable('people', ['sdk']);
  const rows = (await table.query().select(['id', 'twice', 'label']).toArray()) as Record<string, unknown>[];
  table.close();
  expect(rows.map((r) => [Number(r.id), r.twice, r.label]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([
    [1, null, 'ADA!'],
    [2, null, 'GRACE!'],
    [3, null, 'EDSGER!'],
  ]);
});

it('throws typed errors for a taken name (400) and a virtual column (406), committing nothing', async () => {
  const taken = await lance.addColumns(['sdk', 'people'], [{ name: 'twice', expression: 'id' }]).catch((e: unknown) => e);
  expect(taken).toBeInstanceOf(CatalogError);
  expect(taken).toMatchObject({ status: 400, code: LanceErrorCode.InvalidInput, protocol: 'lance' });
  expect((taken as CatalogError).message).toMatch(/already has a column "twice"/);

  const virtual = await lance.addColumns(['sdk', 'people'], [{ name: 'v', virtual_column: { udf: 'f' } }]).catch((e: unknown) => e);
  expect(virtual).toMatchObject({ status: 406, protocol: 'lance' });
  expect(await versions(['sdk', 'people'])).toEqual([1, 2, 3]);
});
