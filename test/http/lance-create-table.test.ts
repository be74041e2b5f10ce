/**
 * Issue 58: Lance CreateTable with an Arrow IPC body (`POST /table/{id}/create`), in process: what is refused before
 * anything is stored (a malformed or absent stream 400, a body over the server's limit 413, a caller without
 * `table:create` on the namespace 403, a taken name 409, modes other than create 406, the Lance library missing 406
 * naming it, `x-lance-table-properties` that are not a JSON map of strings and a location outside the warehouse or
 * over another table 400), each in Lance's error model and leaving no table; the request's location and properties
 * reach the writer (which declares with them); and a failure while writing removes the table the write
 * declared, with its files. The write itself (LanceDB through the catalog's loopback namespace) is
 * test/interop/lance-create-table.test.ts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LanceTableWriter } from '../../packages/server/src/catalog/ports/lance-writer.js';
import { CatalogError } from '../../packages/server/src/errors/catalog-error.js';
import { LanceDbTableWriter } from '../../packages/server/src/lance-optimize/lancedb-table-writer.js';
import { grantPrincipal } from '../support/access.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';
const ARROW = 'application/vnd.apache.arrow.stream';
const LIMIT = 64 * 1024;
let cat: TestCatalog;
let admin = '';
let loopbacks = 0;

const ipc = (n = 3) => Buffer.from(tableToIPC(tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i) }), 'stream'));

const call = async (url: string, payload?: unknown, token = admin) => {
  const res = await cat.lakegate.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(payload ?? {}),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
};
const create = async (
  table: string,
  body: Buffer | string,
  { token = admin, type = ARROW, query = '', headers = {} }: { token?: string; type?: string; query?: string; headers?: Record<string, string> } = {},
) => {
  const res = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/cr%24${table}/create${query}`,
    payload: body,
    headers: { 'content-type': type, authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
};
const exists = async (table: string) => (await call(`${L}/table/cr%24${table}/exists`)).status === 200;
/** A writer whose library loads and whose loopback is never started: every refusal must come before the write. */
const refusingWriter = (): LanceTableWriter => {
  const real = new LanceDbTableWriter(async () => {
    loopbacks += 1;
    throw new Error('no loopback namespace is started before the checks pass');
  });
  return { unavailable: async () => undefined, check: (b) => real.check(b), create: (t, b) => real.create(t, b) };
};

/** The server's own writer (LanceDB through the private loopback namespace), as composed, before a test replaces it. */
let realWriter: LanceTableWriter;

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_BODY_LIMIT_BYTES: String(LIMIT) }, { auth: true });
  // Read once from the service (it has no getter: the server never hands its writer out).
  realWriter = (cat.lakegate.services.lance.create as unknown as { writer: LanceTableWriter }).writer;
  const a = cat.admin();
  admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await call(`${L}/namespace/cr/create`)).status).toBe(200);
  expect((await call(`${L}/table/cr%24taken/declare`, { properties: { keep: 'me' } })).status).toBe(200);
});
afterAll(async () => cat?.close());

it('refuses a malformed, absent or oversized stream, other modes and a taken name before anything is stored', async () => {
  cat.lakegate.services.lance.create.useWriter(refusingWriter());
  expect(await create('t', Buffer.from('not an arrow stream at all'))).toMatchObject({ status: 400, body: { code: 13 } });
  expect(await create('t', Buffer.alloc(0))).toMatchObject({ status: 400, body: { code: 13 } });
  const json = await create('t', JSON.stringify({ id: ['cr', 't'] }), { type: 'application/json' });
  expect(json).toMatchObject({ status: 400, body: { code: 13 } });
  expect(json.body!.error).toMatch(/Arrow IPC stream/);
  const big = await create('t', ipc(LIMIT));
  expect(big.status).toBe(413);
  expect(big.body).toMatchObject({ code: 13 });
  expect(await create('t', ipc(), { query: '?mode=overwrite' })).toMatchObject({ status: 406, body: { code: 0 } });
  expect(await create('t', ipc(), { query: '?mode=sideways' })).toMatchObject({ status: 400, body: { code: 13 } });
  expect(await create('taken', ipc())).toMatchObject({ status: 409, body: { code: 5 } });
  // The taken table is as it was: still only declared, its properties kept.
  const taken = await call(`${L}/table/cr%24taken/describe`, { check_declared: true });
  expect(taken.body).toMatchObject({ properties: { keep: 'me' }, is_only_declared: true });
  expect(loopbacks).toBe(0);
  expect(await exists('t')).toBe(false);
});

it('refuses x-lance-table-properties that are not a JSON map of strings, or a location outside the warehouse or over another table, before anything is stored', async () => {
  cat.lakegate.services.lance.create.useWriter(refusingWriter());
  const before = loopbacks;
  const props = (value: string) => create('h', ipc(), { headers: { 'x-lance-table-properties': value } });
  const notJson = await props('{owner: dev}');
  expect(notJson).toMatchObject({ status: 400, body: { code: 13 } });
  expect(notJson.body!.error).toMatch(/x-lance-table-properties must be a JSON object of string values/);
  expect(await props('{"owner": 1}')).toMatchObject({ status: 400, body: { code: 13 } });
  expect(await props('["owner"]')).toMatchObject({ status: 400, body: { code: 13 } });
  expect(await props('{"compaction.lance.min-fragments": "0"}')).toMatchObject({ status: 400, body: { code: 13 } });
  const outside = await create('h', ipc(), { headers: { 'x-lance-table-location': 'file:///tmp/not-this-warehouse/h' } });
  expect(outside).toMatchObject({ status: 400, body: { code: 13 } });
  // Inside the declared table `taken`: another table's location.
  const taken = (await call(`${L}/table/cr%24taken/describe`, { check_declared: true })).body!.location as string;
  const over = await create('h', ipc(), { headers: { 'x-lance-table-location': `${taken.replace(/\/+$/, '')}/inner` } });
  expect(over.status, JSON.stringify(over.body)).toBe(400);
  expect(loopbacks).toBe(before);
  expect(await exists('h')).toBe(false);
});

it("hands the request's location and properties to the writer, which declares the table with them", async () => {
  let seen: unknown;
  cat.lakegate.services.lance.create.useWriter({
    unavailable: async () => undefined,
    check: (b) => new LanceDbTableWriter(async () => Promise.reject(new Error('unused'))).check(b),
    // As the LanceDB writer's DeclareTable does (it carries target.declare), without the data.
    create: async (target) => {
      seen = target.declare;
      await cat.lakegate.services.lance.tables.declare({ caller: target.committer, warehouse: target.warehouse }, [...target.namespace, target.name], {
        location: target.declare.location,
        properties: target.declare.properties,
      });
      return { version: 1 };
    },
  });
  const root = (await call(`${L}/table/cr%24taken/describe`, { check_declared: true })).body!.location as string;
  const location = `${root.replace(/\/[^/]+\/?$/, '')}/chosen-here`;
  const res = await create('placed', ipc(), { headers: { 'x-lance-table-location': location, 'x-lance-table-properties': '{"owner":"dev","tier":"gold"}' } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(seen).toEqual({ location, properties: { owner: 'dev', tier: 'gold' } });
  expect(res.body).toMatchObject({ location, properties: { owner: 'dev', tier: 'gold' } });
  expect((await call(`${L}/table/cr%24placed/describe`, { check_declared: true })).body).toMatchObject({
    location,
    properties: { owner: 'dev', tier: 'gold' },
  });
  // Without the headers: the catalog's location, no properties.
  const plain = await create('unplaced', ipc());
  expect(plain.status).toBe(200);
  expect(seen).toEqual({ location: undefined, properties: {} });
});

it('needs table:create on the namespace, as DeclareTable: a reader is refused and nothing is created', async () => {
  cat.lakegate.services.lance.create.useWriter(refusingWriter());
  const before = loopbacks;
  const reader = await cat.lakegate.principals.create('create-reader');
  await grantPrincipal(bearerSender(cat.lakegate.app, admin), reader.clientId, ['table:list', 'table:read-metadata', 'table:read-data'], {
    type: 'namespace',
    warehouse: 'default',
    namespace: ['cr'],
  });
  const token = await signIn(cat.lakegate.app, reader.clientId, reader.clientSecret);
  expect(await create('r', ipc(), { token })).toMatchObject({ status: 403, body: { code: 15 } });
  expect(await create('r', ipc(), { token: 'not-a-token' })).toMatchObject({ status: 401 });
  expect(loopbacks).toBe(before);
  expect(await exists('r')).toBe(false);
});

it('answers 406 naming the Lance library when it does not load, and starts nothing', async () => {
  const missing = Object.assign(new Error("Cannot find package '@lancedb/lancedb' imported from lancedb-table-writer.js"), { code: 'ERR_MODULE_NOT_FOUND' });
  const before = loopbacks;
  cat.lakegate.services.lance.create.useWriter(
    new LanceDbTableWriter(
      async () => {
        loopbacks += 1;
        throw new Error('no loopback namespace is started without the library');
      },
      () => Promise.reject(missing),
    ),
  );
  const res = await create('nolib', ipc());
  expect(res).toMatchObject({ status: 406, body: { code: 0 } });
  expect(res.body!.error).toMatch(/Lance library \(the optional dependency @lancedb\/lancedb\).*Cannot find package/);
  expect(loopbacks).toBe(before);
  expect(await exists('nolib')).toBe(false);
  // Without any writer attached (a server composed without one), the same 406.
  cat.lakegate.services.lance.create.useWriter(undefined);
  expect(await create('nolib', ipc())).toMatchObject({ status: 406, body: { code: 0 } });
});

it('a failure while writing removes the table the write declared and its files, and answers in the error model', async () => {
  let location = '';
  cat.lakegate.services.lance.create.useWriter({
    unavailable: async () => undefined,
    check: (b) => new LanceDbTableWriter(async () => Promise.reject(new Error('unused'))).check(b),
    // As LanceDB does: declare through the catalog as the caller, write a data file, then fail before the commit.
    create: async (target) => {
      const declared = await cat.lakegate.services.lance.tables.declare(
        { caller: target.committer, warehouse: target.warehouse },
        [...target.namespace, target.name],
        {},
      );
      location = declared.location;
      const data = path.join(fileURLToPath(location), 'data');
      mkdirSync(data, { recursive: true });
      writeFileSync(path.join(data, 'half.lance'), 'partial');
      throw new Error('the object store went away');
    },
  });
  const res = await create('half', ipc());
  expect(res).toMatchObject({ status: 503, body: { code: 17 } });
  expect(location).not.toBe('');
  expect(await exists('half')).toBe(false);
  expect(existsSync(fileURLToPath(location))).toBe(false);
  // The taken table of the first case is untouched by any of this.
  expect(await exists('taken')).toBe(true);
});

it('a name another client declared while the write started is left to that client: 409, its table kept', async () => {
  cat.lakegate.services.lance.create.useWriter({
    unavailable: async () => undefined,
    check: (b) => new LanceDbTableWriter(async () => Promise.reject(new Error('unused'))).check(b),
    // The other client's declare lands first; LanceDB's own declare is then refused, as the adapter reports it.
    create: async (target) => {
      await cat.lakegate.services.lance.tables.declare({ caller: target.committer, warehouse: target.warehouse }, [...target.namespace, target.name], {
        properties: { other: 'client' },
      });
      throw new CatalogError('ERR_TABLE_EXISTS', 'Table already exists: cr.raced (created concurrently)');
    },
  });
  expect(await create('raced', ipc())).toMatchObject({ status: 409, body: { code: 5 } });
  expect((await call(`${L}/table/cr%24raced/describe`)).body).toMatchObject({ properties: { other: 'client' } });
});

it("a name another client declared while LanceDB wrote is told by the catalog's own 409 to LanceDB's DeclareTable: 409, that table kept", async () => {
  expect(realWriter).toBeInstanceOf(LanceDbTableWriter);
  cat.lakegate.services.lance.create.useWriter({
    unavailable: () => realWriter.unavailable(),
    check: (b) => realWriter.check(b),
    // The other client declares the name after the service's own check; then the real LanceDB writer runs, and its
    // DeclareTable (through the private namespace) is answered 409.
    create: async (target, b) => {
      await cat.lakegate.services.lance.tables.declare({ caller: target.committer, warehouse: target.warehouse }, [...target.namespace, target.name], {
        properties: { other: 'client-before-lancedb' },
      });
      return realWriter.create(target, b);
    },
  });
  const res = await create('raced-lancedb', ipc());
  expect(res, JSON.stringify(res.body)).toMatchObject({ status: 409, body: { code: 5 } });
  expect(res.body!.error).toMatch(/created concurrently/);
  const kept = await call(`${L}/table/cr%24raced-lancedb/describe`, { check_declared: true });
  expect(kept.body).toMatchObject({ properties: { other: 'client-before-lancedb' }, is_only_declared: true });
});
