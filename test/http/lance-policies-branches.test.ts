/**
 * A restricted reader's DescribeTable of a Lance table's **branch** (catalog/lance/policy-reads.ts), in process on a
 * file warehouse with the real LanceDB adapters: answered a policy-derived dataset of the branch's version (its own
 * side file and dataset, `lance-b<branch name in hex>-v<N>`, apart from main's of the same version number), holding
 * the branch's admitted rows only; the table's optimize removes a branch's superseded dataset (a newer version of the
 * branch, or the branch deleted) by the rules main's follow. Before, such a read was refused (403).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { datasetIds, filesUnder, rowFilteredReader } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const TABLE = '/management/v1/warehouses/default/namespaces/pb/tables/people';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let url = '';
let token = '';

const describeAs = (send: Send, body: Record<string, unknown> = {}) => send('POST', `${L}/table/pb%24people/describe`, body);
const connect = () => lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });

/** Appends rows to a branch through the namespace, as LanceDB writes on a branch. */
async function addOn(branch: string, rows: Array<{ id: number; region: string }>): Promise<void> {
  const db = await connect();
  const table = await db.openTable('people', ['pb']);
  const on = await (await table.branches()).checkout(branch);
  try {
    await on.add(rows);
  } finally {
    on.close();
    table.close();
    db.close();
  }
}

const ids = datasetIds;
const present = (location: string) => {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  // Files only: a file warehouse keeps the emptied directories.
  return filesUnder(dir).length > 0;
};
const optimize = async () => {
  const res = await admin('POST', `${TABLE}/maintenance`, { actions: ['optimize'], 'orphan-older-than-ms': 0 });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
  return res;
};

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as { port: number }).port}`;
  const a = cat.admin();
  token = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await admin('POST', `${L}/namespace/pb/create`, {})).status).toBe(200);
  const db = await connect();
  const t = await db.createTable(
    'people',
    [
      { id: 1, region: 'eu' },
      { id: 2, region: 'us' },
    ],
    ['pb'],
  );
  t.close();
  db.close();
  analyst = await signedInPrincipal(cat, 'branch-analyst');
  await rowFilteredReader(admin, { namespace: 'pb', name: 'people' }, 'branch-analysts', analyst.id);
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
});
afterAll(async () => cat?.close());

let dev = '';

it("answers a restricted reader a derived dataset of the branch's version, apart from main's, with the branch's admitted rows", async () => {
  for (const name of ['dev', 'team/x']) {
    const created = await admin('POST', `${L}/table/pb%24people/branches/create`, { name });
    expect(created.status, stringifyJson(created.body)).toBe(200);
  }
  await addOn('dev', [
    { id: 3, region: 'eu' },
    { id: 4, region: 'us' },
  ]);
  const main = await describeAs(analyst.send);
  expect(main.status, stringifyJson(main.body)).toBe(200);
  expect(await ids(main.body.location as string)).toEqual([1]);
  const onDev = await describeAs(analyst.send, { branch: 'dev' });
  expect(onDev.status, stringifyJson(onDev.body)).toBe(200);
  dev = onDev.body.location as string;
  const hex = Buffer.from('dev').toString('hex');
  expect(dev).toMatch(new RegExp(`_lakegate/policy/[A-Za-z0-9_-]+/lance-b${hex}-v\\d+-[0-9a-f-]+\\.lance`));
  expect(onDev.body.managed_versioning).toBeUndefined();
  expect(await ids(dev)).toEqual([1, 3]);
  expect(existsSync(path.join(path.dirname(fileURLToPath(dev)), `lance-b${hex}-v${/-v(\d+)-/.exec(dev)![1]}.json`))).toBe(true);
  // A nested branch's name, in hex: its own dataset, main's rows it started from.
  const nested = await describeAs(analyst.send, { branch: 'team/x' });
  expect(nested.status, stringifyJson(nested.body)).toBe(200);
  expect(nested.body.location).toMatch(new RegExp(`/lance-b${Buffer.from('team/x').toString('hex')}-v`));
  expect(await ids(nested.body.location as string)).toEqual([1]);
  // Read again: the same dataset.
  expect((await describeAs(analyst.send, { branch: 'dev' })).body.location).toBe(dev);
  // An unknown branch is a 404 (as for anyone), never a dataset.
  expect((await describeAs(analyst.send, { branch: 'nowhere' })).status).toBe(404);
});

it("removes a branch's superseded dataset (a newer version of the branch, then the branch deleted); main's stays", async () => {
  const main = (await describeAs(analyst.send)).body.location as string;
  await addOn('dev', [{ id: 5, region: 'eu' }]);
  const newer = (await describeAs(analyst.send, { branch: 'dev' })).body.location as string;
  expect(newer).not.toBe(dev);
  expect(await ids(newer)).toEqual([1, 3, 5]);
  await optimize();
  expect(present(dev)).toBe(false);
  expect(present(newer)).toBe(true);
  expect(present(main)).toBe(true);
  expect((await admin('POST', `${L}/table/pb%24people/branches/delete`, { name: 'dev' })).status).toBe(200);
  await optimize();
  expect(present(newer)).toBe(false);
  expect(present(main)).toBe(true);
  expect(await ids(main)).toEqual([1]);
});
