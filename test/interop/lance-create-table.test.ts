/**
 * Issue 58: Lance CreateTable with data against a real server process. A plain HTTP POST of an Arrow IPC stream
 * (built by apache-arrow) to `/table/{id}/create` makes the catalog write the table's first version with LanceDB
 * through its private loopback namespace, acting for the caller: the answer carries version 1 and the location,
 * LanceDB Node 0.39 reads the same rows back through Lakegate's namespace, ListTableVersions lists version 1 (a
 * managed version, committed through CreateTableVersion and audited as the caller), and LanceDB appends version 2 on
 * top. A second create of the name is a 409 that leaves the table as it was. With `x-lance-table-location` and
 * `x-lance-table-properties` the table is declared there with them (LanceDB writes its files at that location), and a
 * location outside the warehouse is a 400 that stores nothing.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Float64, Utf8, makeVector, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { clientToken, createGrantedPrincipal, type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
let send: Send;
let writerToken: string;
let writerName: string;

beforeAll(async () => {
  server = await startServer();
  send = httpSender(server.url, await server.token());
  const writer = await createGrantedPrincipal(server, 'lance-creator', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
  writerName = writer.id;
  writerToken = await clientToken(server.url, writer.credential);
}, 60_000);
afterAll(async () => server?.stop());

const stream = () =>
  tableToIPC(
    tableFromArrays({
      id: makeVector(BigInt64Array.from([1n, 2n, 3n])),
      name: vectorFromArray(['ada', 'grace', 'edsger'], new Utf8()),
      score: vectorFromArray([0.5, 1.5, 2.5], new Float64()),
    }),
    'stream',
  );

const post = (url: string, body: Uint8Array | string, type = 'application/vnd.apache.arrow.stream') =>
  fetch(`${server.url}/lance/default/v1${url}`, { method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${writerToken}` } });

it('creates a table from an Arrow IPC stream: version 1 written by the catalog, read back by LanceDB through the namespace', async () => {
  const db = await lancedb.connectNamespace('rest', { uri: `${server.url}/lance/default`, headers: { Authorization: `Bearer ${writerToken}` } });
  await db.createNamespace(['made']);

  const res = await post('/table/made%24people/create', stream());
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body).toMatchObject({ version: 1, managed_versioning: true, storage_options: {} });
  expect(body.location).toMatch(/^file:\/\/.*people/);

  // The same rows, read by LanceDB through Lakegate's namespace.
  const table = await db.openTable('people', ['made']);
  const rows = (await table.query().toArray()) as Array<{ id: bigint | number; name: string; score: number }>;
  expect(rows.map((r) => [Number(r.id), r.name, r.score]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
    [1, 'ada', 0.5],
    [2, 'grace', 1.5],
    [3, 'edsger', 2.5],
  ]);
  expect(await table.version()).toBe(1);
  const schema = await table.schema();
  expect(schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toEqual(['id: Int64', 'name: Utf8', 'score: Float64']);

  // Version 1 is a managed version, recorded by the catalog and audited as the caller who created the table.
  const listed = await send('POST', '/lance/default/v1/table/made%24people/version/list', {});
  expect(listed.status).toBe(200);
  expect((listed.body.versions as { version: number }[]).map((v) => v.version)).toEqual([1]);
  const audit = (await send('GET', '/management/v1/audit?type=lance.version.created&limit=100')).body.events as Array<{
    actor: string;
    object?: string;
    detail?: Record<string, unknown>;
  }>;
  const created = audit.filter((e) => e.object?.endsWith('made.people'));
  expect(created.map((e) => Number(e.detail!.version))).toEqual([1]);
  expect(created[0]!.actor).toContain(writerName);

  // LanceDB goes on from there: its append is version 2, through the same namespace.
  await table.add([{ id: 4n, name: 'barbara', score: 3.5 }]);
  expect(await table.countRows()).toBe(4);
  const after = await send('POST', '/lance/default/v1/table/made%24people/version/list', {});
  expect((after.body.versions as { version: number }[]).map((v) => v.version).sort()).toEqual([1, 2]);
  table.close();

  // A second create of the name is refused and changes nothing.
  const again = await post('/table/made%24people/create', stream());
  expect(again.status).toBe(409);
  expect(await again.json()).toMatchObject({ code: 5 });
  const reopened = await db.openTable('people', ['made']);
  expect(await reopened.countRows()).toBe(4);
  reopened.close();
  db.close();
});

it('creates the table at the x-lance-table-location asked for, with the x-lance-table-properties given, in the one DeclareTable LanceDB sends', async () => {
  const listed = (await send('GET', '/management/v1/warehouses')).body.warehouses as Array<{ name: string; 'storage-root': string }>;
  const root = listed.find((w) => w.name === 'default')!['storage-root'].replace(/\/+$/, '');
  const location = `${root}/chosen/placed-by-caller`;
  const res = await fetch(`${server.url}/lance/default/v1/table/made%24placed/create`, {
    method: 'POST',
    body: stream(),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${writerToken}`,
      'x-lance-table-location': location,
      'x-lance-table-properties': JSON.stringify({ owner: 'dev', 'compaction.enabled': 'true' }),
    },
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body).toMatchObject({ version: 1, location, properties: { owner: 'dev', 'compaction.enabled': 'true' } });
  // Recorded with them, and the dataset's files are there: LanceDB wrote where the declared table lives.
  const described = await send('POST', '/lance/default/v1/table/made%24placed/describe', {});
  expect(described.body).toMatchObject({ location, properties: { owner: 'dev', 'compaction.enabled': 'true' } });
  const files = readdirSync(fileURLToPath(location), { recursive: true }).map(String);
  expect(
    files.some((f) => f.endsWith('.lance')),
    files.join(', '),
  ).toBe(true);
  // Only one table was declared for the name (the caller's create), and LanceDB reads the rows there.
  const db = await lancedb.connectNamespace('rest', { uri: `${server.url}/lance/default`, headers: { Authorization: `Bearer ${writerToken}` } });
  const table = await db.openTable('placed', ['made']);
  expect(await table.countRows()).toBe(3);
  table.close();
  db.close();
  // A location outside the warehouse is refused before anything is stored.
  const outside = await fetch(`${server.url}/lance/default/v1/table/made%24astray/create`, {
    method: 'POST',
    body: stream(),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${writerToken}`, 'x-lance-table-location': 'file:///tmp/astray' },
  });
  expect(outside.status).toBe(400);
  expect((await send('POST', '/lance/default/v1/table/made%24astray/exists', {})).status).toBe(404);
});
