/**
 * The SDK's tag calls (LanceNamespace.listTableTags, getTableTagVersion, createTableTag, updateTableTag,
 * deleteTableTag; lance-namespace 0.13) against a real in-process Lakegate listening on 127.0.0.1 (authentication on,
 * the catalog's own LanceDB writing the tags): a tag created, moved, listed and deleted, read back by LanceDB on the
 * table; a missing tag and a taken name are typed errors with Lance's codes.
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
const id = ['sdkt', 'events'];

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  const a = cat.admin();
  token = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  lance = new LanceNamespace({ uri: `${url}/lance/default`, auth: bearerAuth(() => token) });
  await lance.createNamespace(['sdkt']);
  const ipc = tableToIPC(tableFromArrays({ id: Int32Array.from([1, 2]) }), 'stream');
  const created = await fetch(`${url}/lance/default/v1/table/sdkt%24events/create`, {
    method: 'POST',
    body: ipc,
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${token}` },
  });
  expect(created.status, await created.text()).toBe(200);
  // Version 2: a row appended by LanceDB through the namespace.
  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
  const table = await db.openTable('events', ['sdkt']);
  await table.add([{ id: 3 }]);
  table.close();
});
afterAll(async () => cat?.close());

it('creates, moves, lists and deletes a tag LanceDB reads on the table, and throws typed errors', async () => {
  await lance.createTableTag(id, 'release', 1);
  expect(await lance.getTableTagVersion(id, 'release')).toEqual({ version: 1 });
  await lance.updateTableTag(id, 'release', 2);
  const listed = await lance.listTableTags(id);
  expect(listed.tags.release).toMatchObject({ version: 2 });
  expect(listed.nextPageToken).toBeUndefined();
  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
  const table = await db.openTable('events', ['sdkt']);
  expect(await (await table.tags()).getVersion('release')).toBe(2);
  table.close();

  const taken = await lance.createTableTag(id, 'release', 1).catch((e: unknown) => e);
  expect((taken as CatalogError).code).toBe(LanceErrorCode.TableTagAlreadyExists);
  await lance.deleteTableTag(id, 'release');
  const gone = await lance.getTableTagVersion(id, 'release').catch((e: unknown) => e);
  expect((gone as CatalogError).code).toBe(LanceErrorCode.TableTagNotFound);
  expect((await lance.listTableTags(id)).tags).toEqual({});
});
