/**
 * DescribeTable with `load_detailed_metadata` (lance-namespace 0.13; the 2026 spec's response), in process on a file
 * warehouse (listening on 127.0.0.1, so LanceDB deletes rows through the namespace): the catalog opens the dataset
 * through its own LanceDB (the private loopback namespace, as the caller) and answers the table's name, namespace, the
 * version opened, its schema as a JSON Arrow schema, its `stats` (TableBasicStats, the counts LanceDB's own version
 * listing gives) and `metadata` (the dataset's table metadata: none set here; pylance setting it on a registered
 * dataset: test/interop/lance-registered-tags.test.ts), at the latest version, the one asked for or
 * the one a tag names; a caller a row/column policy restricts is answered from its policy-derived dataset (that
 * dataset's own version, schema and stats), never the table's; a malformed flag is a 400, a caller without
 * `table:read-metadata` a 403, a missing tag a 404, a table only declared a 400, and without the Lance library a 406,
 * none reaching the describer. A registered dataset (its versions its own) is answered from its own `_versions/`.
 * Without the flag the answer is as before. DuckDB's lance extension asking it: test/interop/lance-duckdb.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LanceDatasetDescriber } from '../../packages/server/src/catalog/ports/lance-describer.js';
import { LanceDbDescriber } from '../../packages/server/src/lance-optimize/lancedb-describer.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const people = { type: 'table' as const, warehouse: 'default', namespace: ['dd'], name: 'people' };
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let nobody: Caller;
let realDescriber: LanceDatasetDescriber;
let calls = 0;
let url = '';
let adminToken = '';

const describe = (send: Send, body: Record<string, unknown> = {}, query = '') => send('POST', `${L}/table/dd%24people/describe${query}`, body);
const fieldsOf = (schema: { fields: Array<{ name: string; nullable: boolean; type: { type: string } }> }) => schema.fields.map((f) => [f.name, f.type.type]);
const countingDescriber = (): LanceDatasetDescriber => ({
  unavailable: async () => undefined,
  describe: async () => {
    calls += 1;
    throw new Error('no call reaches the describer before the checks pass');
  },
});

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  realDescriber = (cat.lakegate.services.lance.tables.detailedMetadata as unknown as { describer: LanceDatasetDescriber }).describer;
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/dd/create`, {})).status).toBe(200);
  const a = cat.admin();
  adminToken = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  const ipc = tableToIPC(new Table({ id: makeVector(Int32Array.from([1, 2, 3])), region: vectorFromArray(['eu', 'us', 'eu'], new Utf8()) }), 'stream');
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/dd%24people/create`,
    payload: Buffer.from(ipc),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
  expect((await admin('POST', `${L}/table/dd%24people/add_columns`, { new_columns: [{ name: 'twice', expression: 'id * 2' }] })).body).toEqual({ version: 2 });
  expect((await admin('POST', `${L}/table/dd%24people/add_columns`, { new_columns: [{ name: 'thrice', expression: 'id * 3' }] })).body).toEqual({ version: 3 });
  analyst = await signedInPrincipal(cat, 'dd-analyst');
  nobody = await signedInPrincipal(cat, 'dd-nobody');
  await grant(admin, 'dd-analysts', ['table:read-data'], people);
  await addMember(admin, 'dd-analysts', { kind: 'principal', name: analyst.id });
});
afterAll(async () => cat?.close());

it('answers name, namespace, the version opened and its JSON Arrow schema, at the latest version or the one asked for', async () => {
  const latest = await describe(admin, { load_detailed_metadata: true });
  expect(latest.status, JSON.stringify(latest.body)).toBe(200);
  expect(latest.body).toMatchObject({ table: 'people', namespace: ['dd'], version: 3, managed_versioning: true });
  expect(fieldsOf(latest.body.schema)).toEqual([
    ['id', 'int32'],
    ['region', 'utf8'],
    ['twice', 'int32'],
    ['thrice', 'int32'],
  ]);
  expect(latest.body.stats).toEqual({ num_deleted_rows: 0, num_fragments: 1 });
  // The dataset's table metadata: none was set (Lance's version summary is not there: stats has its counts).
  expect(latest.body.metadata).toEqual({});
  const first = await describe(admin, { load_detailed_metadata: true, version: 1 });
  expect(first.body).toMatchObject({ version: 1 });
  expect(fieldsOf(first.body.schema)).toEqual([
    ['id', 'int32'],
    ['region', 'utf8'],
  ]);
  // The query parameter asks the same; without it the answer is as before.
  expect((await describe(admin, {}, '?load_detailed_metadata=true')).body.schema.fields).toHaveLength(4);
  const plain = await describe(admin);
  expect(plain.status).toBe(200);
  for (const key of ['schema', 'table', 'namespace', 'version', 'stats', 'metadata']) expect(plain.body).not.toHaveProperty(key);
});

it("answers a restricted caller its policy-derived dataset's version and schema, never the table's", async () => {
  const policies = '/management/v1/warehouses/default/namespaces/dd/tables/people/policies';
  const filter = await admin('POST', policies, { kind: 'row-filter', roles: ['dd-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } });
  expect(filter.status, JSON.stringify(filter.body)).toBe(201);
  const derived = await describe(analyst.send, { load_detailed_metadata: true });
  expect(derived.status, JSON.stringify(derived.body)).toBe(200);
  expect(derived.body.location).toMatch(/_lakegate\/policy\/.*\.lance\/?$/);
  expect(derived.body).not.toHaveProperty('managed_versioning');
  // The derived dataset, opened directly: its own version (not the table's 3) and schema are the answer.
  const dir = fileURLToPath((derived.body.location as string).replace(/\/+$/, ''));
  const db = await lancedb.connect(path.dirname(dir));
  const table = await db.openTable(path.basename(dir).replace(/\.lance$/, ''));
  const own = { version: await table.version(), names: (await table.schema()).fields.map((f) => f.name), rows: await table.countRows() };
  table.close();
  db.close();
  expect(own).toMatchObject({ names: ['id', 'region', 'twice', 'thrice'], rows: 2 });
  expect(own.version).not.toBe(3);
  expect(derived.body).toMatchObject({ table: 'people', namespace: ['dd'], version: own.version });
  expect(fieldsOf(derived.body.schema).map(([name]) => name)).toEqual(own.names);
  // Its own stats: two rows in its own fragment, where the table has three.
  expect(derived.body.stats).toEqual({ num_deleted_rows: 0, num_fragments: 1 });
  expect(derived.body.metadata).toEqual({});
  expect((await admin('DELETE', `${policies}/${filter.body.id}`)).status).toBe(204);
});

it('refuses a malformed flag (400), a caller without read-metadata (403), a missing tag (404), a table only declared (400) or no library (406), none reaching the describer', async () => {
  const detailed = cat.lakegate.services.lance.tables.detailedMetadata;
  detailed.useDescriber(countingDescriber());
  try {
    for (const bad of ['yes', 1, null]) expect((await describe(admin, { load_detailed_metadata: bad })).status, String(bad)).toBe(400);
    expect((await describe(nobody.send, { load_detailed_metadata: true })).status).toBe(403);
    const tagged = await describe(admin, { load_detailed_metadata: true, tag: 'absent' });
    expect(tagged).toMatchObject({ status: 404, body: { code: 8 } });
    expect((await admin('POST', `${L}/table/dd%24declared/declare`, {})).status).toBe(200);
    const declared = await admin('POST', `${L}/table/dd%24declared/describe`, { load_detailed_metadata: true });
    expect(declared).toMatchObject({ status: 400, body: { code: 13 } });
    expect(declared.body.error).toMatch(/only declared/);
    expect(calls).toBe(0);

    const missing = Object.assign(new Error("Cannot find package '@lancedb/lancedb'"), { code: 'ERR_MODULE_NOT_FOUND' });
    detailed.useDescriber(
      new LanceDbDescriber(
        async () => {
          calls += 1;
          throw new Error('no loopback namespace is started without the library');
        },
        () => Promise.reject(missing),
      ),
    );
    const noLibrary = await describe(admin, { load_detailed_metadata: true });
    expect(noLibrary).toMatchObject({ status: 406, body: { code: 0 } });
    expect(noLibrary.body.error).toMatch(/load_detailed_metadata needs the Lance library \(the optional dependency @lancedb\/lancedb\).*Cannot find package/);
    detailed.useDescriber(undefined);
    expect((await describe(admin, { load_detailed_metadata: true })).status).toBe(406);
    expect(calls).toBe(0);
    // Without the flag nothing needs the library.
    expect((await describe(admin)).status).toBe(200);
  } finally {
    detailed.useDescriber(realDescriber);
  }
});

it("answers the stats of the version a deletion made, and of the version a tag names, as Lance's own listing of the versions says", async () => {
  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${adminToken}` } });
  const table = await db.openTable('people', ['dd']);
  await table.delete('id = 2');
  const lance = Object.fromEntries((await table.listVersions()).map((v) => [v.version, v.metadata]));
  table.close();
  db.close();

  const latest = await describe(admin, { load_detailed_metadata: true });
  expect(latest.status, JSON.stringify(latest.body)).toBe(200);
  expect(latest.body).toMatchObject({ version: 4, stats: { num_deleted_rows: 1, num_fragments: 1 } });
  const counts = (m: Record<string, string> | undefined) => ({
    num_deleted_rows: Number(m?.total_deletion_file_rows),
    num_fragments: Number(m?.total_fragments),
  });
  expect(latest.body.stats).toEqual(counts(lance[4]));
  expect(latest.body.metadata).toEqual({});

  // A tag as Lance writes it in the dataset: the version it names is opened, with that version's schema and stats.
  const location = fileURLToPath((latest.body.location as string).replace(/\/+$/, ''));
  mkdirSync(path.join(location, '_refs', 'tags'), { recursive: true });
  writeFileSync(path.join(location, '_refs', 'tags', 'first.json'), JSON.stringify({ branch: null, version: 1, manifestSize: 1, metadata: {} }));
  const tagged = await describe(admin, { load_detailed_metadata: true, tag: 'first' });
  expect(tagged.status, JSON.stringify(tagged.body)).toBe(200);
  expect(tagged.body).toMatchObject({ version: 1, stats: { num_deleted_rows: 0, num_fragments: 1 } });
  expect(fieldsOf(tagged.body.schema).map(([name]) => name)).toEqual(['id', 'region']);
  expect(tagged.body.stats).toEqual(counts(lance[1]));
  expect((await describe(admin, { load_detailed_metadata: true, version: 3 })).body.stats).toEqual(counts(lance[3]));
});

it('answers a registered dataset (its versions its own) from the version file Lance wrote under _versions/', async () => {
  const table = fileURLToPath(((await describe(admin)).body.location as string).replace(/\/+$/, ''));
  const db = await lancedb.connect(path.dirname(table));
  const own = await db.createTable(
    'own',
    [1, 2, 3, 4].map((id) => ({ id })),
  );
  await own.delete('id < 3');
  const lance = (await own.listVersions()).at(-1)!;
  own.close();
  db.close();
  const location = `${path.dirname(((await describe(admin)).body.location as string).replace(/\/+$/, ''))}/own.lance`;
  expect((await admin('POST', `${L}/table/dd%24own/register`, { location })).status).toBe(200);
  const detailed = await admin('POST', `${L}/table/dd%24own/describe`, { load_detailed_metadata: true });
  expect(detailed.status, JSON.stringify(detailed.body)).toBe(200);
  expect(detailed.body).toMatchObject({ version: lance.version, stats: { num_deleted_rows: 2, num_fragments: 1 } });
  expect(detailed.body.stats).toEqual({
    num_deleted_rows: Number(lance.metadata.total_deletion_file_rows),
    num_fragments: Number(lance.metadata.total_fragments),
  });
  expect(detailed.body.metadata).toEqual({});
  expect(detailed.body).not.toHaveProperty('managed_versioning', true);
});
