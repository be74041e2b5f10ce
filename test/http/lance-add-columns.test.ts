/**
 * AlterTableAddColumns (lance-namespace 0.13, `POST /table/{id}/add_columns`), in process: what is refused before
 * anything is written, in Lance's error model (a malformed body 400 whoever asks, a virtual column 406, a missing table
 * 404, a caller without `table:write-data` 403, a table whose dataset manages its versions or that has none yet 400,
 * an unknown branch 404 code 22, the Lance library missing 406 naming it), none reaching the adder; and the catalog's
 * own adder (LanceDB through the private loopback namespace) committing a computed column as one managed version,
 * and expression columns whose values are strings or binaries (a view type in the check query), which once were
 * refused. LanceDB reading and refreshing the column: test/interop/lance-add-columns.test.ts.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Field, Int32, Schema, Table, makeVector, tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LanceColumnAdder } from '../../packages/server/src/catalog/ports/lance-writer.js';
import { LanceDbColumnAdder } from '../../packages/server/src/lance-optimize/lancedb-add-columns.js';
import { grantPrincipal } from '../support/access.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, postJson } from '../support/inject.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin = '';
let realAdder: LanceColumnAdder;
let calls = 0;

const call = (url: string, payload?: unknown, token = admin) => postJson(cat.lakegate.app, url, payload, { authorization: `Bearer ${token}` });
const add = (table: string, body: unknown, token = admin) => call(`${L}/table/ac%24${table}/add_columns`, body, token);
const versions = async (table: string) => ((await call(`${L}/table/ac%24${table}/version/list`)).body!.versions as { version: number }[]).map((v) => v.version);
const one = { new_columns: [{ name: 'twice', computed: 'id * 2' }] };
/** An adder that only counts: every refusal must come before it. */
const countingAdder = (): LanceColumnAdder => ({
  unavailable: async () => undefined,
  add: async () => {
    calls += 1;
    throw new Error('no call reaches the adder before the checks pass');
  },
});

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  realAdder = (cat.lakegate.services.lance.addColumns as unknown as { adder: LanceColumnAdder }).adder;
  const a = cat.admin();
  admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await call(`${L}/namespace/ac/create`)).status).toBe(200);
  const ipc = Buffer.from(tableToIPC(tableFromArrays({ id: Int32Array.from([1, 2]), name: ['ada', 'grace'] }), 'stream'));
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/ac%24people/create`,
    payload: ipc,
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${admin}` },
  });
  expect(created.statusCode, created.body).toBe(200);
  expect((await call(`${L}/table/ac%24declared/declare`)).status).toBe(200);
  const location = (await call(`${L}/table/ac%24people/describe`)).body!.location as string;
  expect((await call(`${L}/table/ac%24registered/register`, { location: `${location.replace(/\/[^/]+\/?$/, '')}/elsewhere` })).status).toBe(200);
});
afterAll(async () => cat?.close());

it('refuses a malformed body with 400 before authorization and a virtual column with 406, never reaching the adder', async () => {
  cat.lakegate.services.lance.addColumns.useAdder(countingAdder());
  const nobody = await cat.lakegate.principals.create('ac-nobody');
  const token = await signIn(cat.lakegate.app, nobody.clientId, nobody.clientSecret);
  const bad: unknown[] = [
    {},
    { new_columns: [] },
    { new_columns: [{ computed: 'id' }] },
    { new_columns: [{ name: '', computed: 'id' }] },
    { new_columns: [{ name: 'x' }] },
    { new_columns: [{ name: 'x', computed: 'id', expression: 'id' }] },
    { new_columns: [{ name: 'x', computed: '  ' }] },
    { new_columns: [{ name: 'x', computed: 1 }] },
    {
      new_columns: [
        { name: 'x', computed: 'a' },
        { name: 'x', computed: 'b' },
      ],
    },
    {
      new_columns: [
        { name: 'x', computed: 'a' },
        { name: 'y', expression: 'b' },
      ],
    },
    { ...one, branch: '../up' },
  ];
  for (const body of bad) expect(await add('people', body, token), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 13 } });
  const virtual = await add('people', { new_columns: [{ name: 'v', virtual_column: { udf: 'f' } }] }, token);
  expect(virtual).toMatchObject({ status: 406, body: { code: 0 } });
  expect(virtual.body!.error).toMatch(/virtual columns/);
  expect(calls).toBe(0);
  expect(await versions('people')).toEqual([1]);
});

it('answers 404, 403, 400 for a table it cannot change, 404 code 22 for an unknown branch, 406 without the library; nothing written', async () => {
  cat.lakegate.services.lance.addColumns.useAdder(countingAdder());
  expect(await add('absent', one)).toMatchObject({ status: 404, body: { code: 4 } });
  const reader = await cat.lakegate.principals.create('ac-reader');
  await grantPrincipal(bearerSender(cat.lakegate.app, admin), reader.clientId, ['table:list', 'table:read-data'], {
    type: 'namespace',
    warehouse: 'default',
    namespace: ['ac'],
  });
  expect(await add('people', one, await signIn(cat.lakegate.app, reader.clientId, reader.clientSecret))).toMatchObject({ status: 403, body: { code: 15 } });
  const unmanaged = await add('registered', one);
  expect(unmanaged).toMatchObject({ status: 400, body: { code: 13 } });
  expect(unmanaged.body!.error).toMatch(/managed_versioning is false/);
  const declared = await add('declared', one);
  expect(declared).toMatchObject({ status: 400, body: { code: 13 } });
  expect(declared.body!.error).toMatch(/no version yet/);
  expect(await add('people', { ...one, branch: 'dev' })).toMatchObject({ status: 404, body: { code: 22 } });
  expect(calls).toBe(0);

  const missing = Object.assign(new Error("Cannot find package '@lancedb/lancedb' imported from lancedb-add-columns.js"), { code: 'ERR_MODULE_NOT_FOUND' });
  cat.lakegate.services.lance.addColumns.useAdder(
    new LanceDbColumnAdder(
      async () => {
        calls += 1;
        throw new Error('no loopback namespace is started without the library');
      },
      () => Promise.reject(missing),
    ),
  );
  const noLibrary = await add('people', one);
  expect(noLibrary).toMatchObject({ status: 406, body: { code: 0 } });
  expect(noLibrary.body!.error).toMatch(/AlterTableAddColumns needs the Lance library \(the optional dependency @lancedb\/lancedb\).*Cannot find package/);
  cat.lakegate.services.lance.addColumns.useAdder(undefined);
  expect(await add('people', one)).toMatchObject({ status: 406, body: { code: 0 } });
  expect(calls).toBe(0);
  expect(await versions('people')).toEqual([1]);
});

it("commits a computed column as the next managed version through the catalog's own LanceDB", async () => {
  cat.lakegate.services.lance.addColumns.useAdder(realAdder);
  expect(await add('people', one)).toEqual(expect.objectContaining({ status: 200, body: { version: 2 } }));
  expect(await versions('people')).toEqual([1, 2]);
  const again = await add('people', one);
  expect(again).toMatchObject({ status: 400, body: { code: 13 } });
  expect(again.body!.error).toMatch(/already has a column "twice"/);
  expect(await versions('people')).toEqual([1, 2]);
});

it('commits expression columns of string, binary and literal values (view types in the check query), stored as plain utf8 and binary', async () => {
  cat.lakegate.services.lance.addColumns.useAdder(realAdder);
  const body = {
    new_columns: [
      { name: 'shout', expression: 'upper(name)' },
      { name: 'greeting', expression: "concat(name, '!')" },
      { name: 'raw', expression: "arrow_cast(name, 'BinaryView')" },
      { name: 'tags', expression: 'make_array(upper(name))' },
      // A literal names no column: still checked (the query reads the row id).
      { name: 'source', expression: "'upload'" },
    ],
  };
  const added = await add('people', body);
  expect(added, JSON.stringify(added.body)).toEqual(expect.objectContaining({ status: 200, body: { version: 3 } }));
  const detailed = await call(`${L}/table/ac%24people/describe`, { load_detailed_metadata: true });
  expect(detailed.status, JSON.stringify(detailed.body)).toBe(200);
  const types = Object.fromEntries((detailed.body!.schema as { fields: { name: string; type: { type: string } }[] }).fields.map((f) => [f.name, f.type.type]));
  expect(types).toMatchObject({ shout: 'utf8', greeting: 'utf8', raw: 'binary', tags: 'list', source: 'utf8' });
  // Still checked before anything is written: a value that does not compute over the rows is a 400, no version.
  const bad = await add('people', { new_columns: [{ name: 'n', expression: 'cast(name as int)' }] });
  expect(bad).toMatchObject({ status: 400, body: { code: 13 } });
  expect(bad.body!.error).toMatch(/cannot evaluate the expressions of new_columns.*Cast error/);
  expect(await versions('people')).toEqual([1, 2, 3]);
});

it('refuses an expression that is not one SQL expression, and a name that is not plain text, with 400 before anything is written', async () => {
  cat.lakegate.services.lance.addColumns.useAdder(realAdder);
  const before = await versions('people');
  // The library reads the first expression of the text and ignores the rest: `id); DROP TABLE people; --` closed the
  // check's `(...) IS NULL`, commented the rest out and was committed as `id`.
  for (const expression of [
    'id); DROP TABLE people; --',
    'id) IS NOT NULL OR (id',
    '1; DROP TABLE people',
    'id -- the rest',
    'id /* x */',
    '(id',
    "concat(name, 'x)",
    '"id',
  ])
    for (const kind of ['expression', 'computed']) {
      const res = await add('people', { new_columns: [{ name: 'injected', [kind]: expression }] });
      expect(res, `${kind} ${expression}: ${JSON.stringify(res.body)}`).toMatchObject({ status: 400, body: { code: 13 } });
      expect(res.body!.error).toMatch(/one SQL expression|unterminated|parenthesis/);
    }
  // Names the library stored as another (a lone surrogate as U+FFFD), with a control character, or of any length.
  for (const name of ['\ud800', 'a\u0000b', 'tab\tname', 'x'.repeat(1025)]) {
    const res = await add('people', { new_columns: [{ name, expression: 'id' }] });
    expect(res, `${JSON.stringify(name).slice(0, 20)}: ${JSON.stringify(res.body)}`).toMatchObject({ status: 400, body: { code: 13 } });
  }
  expect(await versions('people')).toEqual(before);
  // Parentheses, semicolons and dashes inside literals and quoted identifiers are the expression's own.
  const fine = await add('people', { new_columns: [{ name: '人 (note)', expression: "concat(name, ');--(/*', 'it''s')" }] });
  expect(fine, JSON.stringify(fine.body)).toMatchObject({ status: 200 });
  expect(await versions('people')).toHaveLength(before.length + 1);
});

it('answers an expression that fails on a row only while the column is computed with 400, and a storage failure with 503; no version either way', async () => {
  cat.lakegate.services.lance.addColumns.useAdder(realAdder);
  // Non-nullable columns: DataFusion folds the trial's `(id / n) IS NULL` to false without dividing, so the division
  // by zero in the second row surfaces only from addColumns itself (once a 503).
  const schema = new Schema([new Field('id', new Int32(), false), new Field('n', new Int32(), false)]);
  const rows = new Table(schema, { id: makeVector(Int32Array.from([1, 2, 3])), n: makeVector(Int32Array.from([5, 0, 7])) });
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/ac%24ratios/create`,
    payload: Buffer.from(tableToIPC(rows, 'stream')),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${admin}` },
  });
  expect(created.statusCode, created.body).toBe(200);
  const divided = await add('ratios', { new_columns: [{ name: 'ratio', expression: 'id / n' }] });
  expect(divided, JSON.stringify(divided.body)).toMatchObject({ status: 400, body: { code: 13 } });
  expect(divided.body!.error).toMatch(/Divide by zero/);
  // The library's reason without its source locations, cause chain or stack.
  expect(divided.body!.error).not.toMatch(/\.rs:\d|\/usr\/|cargo|Caused by|LanceError\(/);
  expect(await versions('ratios')).toEqual([1]);
  const described = await call(`${L}/table/ac%24ratios/describe`, { load_detailed_metadata: true });
  expect(described.body).toMatchObject({ version: 1 });
  expect((described.body!.schema as { fields: unknown[] }).fields).toHaveLength(2);

  // The table's data files gone from storage: the library cannot read the rows, which is the service's 503, not the caller's 400.
  const location = fileURLToPath(((await call(`${L}/table/ac%24ratios/describe`)).body!.location as string).replace(/\/+$/, ''));
  for (const file of await readdir(path.join(location, 'data'))) await rm(path.join(location, 'data', file));
  const unreadable = await add('ratios', { new_columns: [{ name: 'twice', expression: 'id * 2' }] });
  expect(unreadable, JSON.stringify(unreadable.body)).toMatchObject({ status: 503, body: { code: 17 } });
  expect(await versions('ratios')).toEqual([1]);
});
