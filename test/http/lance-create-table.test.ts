/**
 * Issue 58: Lance CreateTable with an Arrow IPC body (`POST /table/{id}/create`), in process: what is refused before
 * anything is stored (a malformed or absent stream 400, a body over the server's limit 413, a caller without
 * `table:create` on the namespace 403, a taken name 409, modes other than create 406, the Lance library missing 406
 * naming it, `x-lance-table-properties` that are not a JSON map of strings and a location outside the warehouse or
 * over another table 400), each in Lance's error model and leaving no table; the request's location and properties
 * reach the writer (which declares with them); and a failure while writing removes the table the write
 * declared, with its files (rows the library refuses as given, a null in a non-nullable column, are a 400). The answer's storage_options are what DescribeTable by the creator vends right after the
 * create (on an S3 warehouse whose fake STS records each session policy: scoped to the table's location, in the
 * creator's own mode, none for a creator who may not describe the table, none on a warehouse that vends nothing, no
 * secret in the logs or audit). The write itself (LanceDB through the catalog's loopback namespace) is
 * test/interop/lance-create-table.test.ts, with MinIO for the vended options.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Field, Int32, Schema, Table, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LanceTableWriter } from '../../packages/server/src/catalog/ports/lance-writer.js';
import { CatalogError } from '../../packages/server/src/errors/catalog-error.js';
import { LanceDbTableWriter } from '../../packages/server/src/lance-optimize/lancedb-table-writer.js';
import { grantPrincipal } from '../support/access.js';
import { type FakeS3, startFakeS3 } from '../support/fake-s3.js';
import { createS3Lake } from '../support/lake-warehouse.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, postJson } from '../support/inject.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';
const ARROW = 'application/vnd.apache.arrow.stream';
const LIMIT = 64 * 1024;
let cat: TestCatalog;
let admin = '';
let loopbacks = 0;

const ipc = (n = 3) => Buffer.from(tableToIPC(tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i) }), 'stream'));

const call = (url: string, payload?: unknown, token = admin) => postJson(cat.lakegate.app, url, payload, { authorization: `Bearer ${token}` });
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
  // lance-namespace 0.13's form, the JSON-encoded query parameters: checked alike; both forms at once, or write-time
  // storage_options other than {}, are refused.
  const q = (query: string, headers: Record<string, string> = {}) => create('h', ipc(), { query, headers });
  expect(await q(`?properties=${encodeURIComponent('{"owner": 1}')}`)).toMatchObject({ status: 400, body: { code: 13 } });
  const notJsonQuery = await q('?properties=owner');
  expect(notJsonQuery).toMatchObject({ status: 400, body: { code: 13 } });
  expect(notJsonQuery.body!.error).toMatch(/properties must be a JSON object/);
  const both = await q(`?properties=${encodeURIComponent('{"a":"b"}')}`, { 'x-lance-table-properties': '{"a":"b"}' });
  expect(both).toMatchObject({ status: 400, body: { code: 13 } });
  expect(both.body!.error).toMatch(/send properties once/);
  const options = await q(`?storage_options=${encodeURIComponent('{"aws_endpoint":"http://elsewhere.example"}')}`);
  expect(options).toMatchObject({ status: 400, body: { code: 13 } });
  expect(options.body!.error).toMatch(/storage_options are not accepted/);
  expect(await q('?storage_options=nope')).toMatchObject({ status: 400, body: { code: 13 } });
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
  // lance-namespace 0.13's form: the properties as one JSON-encoded query parameter (and an empty storage_options).
  const queried = await create('queried', ipc(), {
    query: `?properties=${encodeURIComponent('{"owner":"ops"}')}&storage_options=${encodeURIComponent('{}')}`,
  });
  expect(queried.status, JSON.stringify(queried.body)).toBe(200);
  expect(seen).toEqual({ location: undefined, properties: { owner: 'ops' } });
  expect((await call(`${L}/table/cr%24queried/describe`, { check_declared: true })).body).toMatchObject({ properties: { owner: 'ops' } });
  // Without the headers: the catalog's location, no properties.
  const plain = await create('unplaced', ipc());
  expect(plain.status).toBe(200);
  expect(seen).toEqual({ location: undefined, properties: {} });
  // A file warehouse vends nothing: no storage options, as DescribeTable answers.
  expect(res.body!.storage_options).toEqual({});
  expect(plain.body!.storage_options).toEqual({});
  expect((await call(`${L}/table/cr%24unplaced/describe`)).body!.storage_options).toEqual({});
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

it('rows the library refuses as given (a null in a column the stream declares non-nullable) are a 400 naming it; nothing is kept', async () => {
  cat.lakegate.services.lance.create.useWriter(realWriter);
  const rows = new Table(new Schema([new Field('id', new Int32(), false)]), { id: vectorFromArray([1, null, 3], new Int32()) });
  const res = await create('nullable', Buffer.from(tableToIPC(rows, 'stream')));
  expect(res, JSON.stringify(res.body)).toMatchObject({ status: 400, body: { code: 13 } });
  expect(res.body!.error).toMatch(/Column 'id' is declared as non-nullable but contains null values/);
  expect(res.body!.error).not.toMatch(/Caused by|\.rs:\d/);
  expect(await exists('nullable')).toBe(false);
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

describe('storage_options on a warehouse that vends (S3, a fake STS recording each session policy)', () => {
  const W = '/lance/lake/v1';
  let s3: FakeS3;
  let adminSend: ReturnType<typeof bearerSender>;
  /** Each vended secret is long and its own, so that a search of the logs and the audit trail means something. */
  const secretOf = (n: number) => `fake-sts-secret-${n}-${'q'.repeat(24)}`;
  /** As the LanceDB writer does (without the data): DeclareTable through the catalog as the caller, then version 1. */
  const declaringWriter = (): LanceTableWriter => ({
    unavailable: async () => undefined,
    check: (b) => new LanceDbTableWriter(async () => Promise.reject(new Error('unused'))).check(b),
    create: async (target) => {
      await cat.lakegate.services.lance.tables.declare({ caller: target.committer, warehouse: target.warehouse }, [...target.namespace, target.name], {
        location: target.declare.location,
        properties: target.declare.properties,
      });
      return { version: 1 };
    },
  });
  const createIn = async (table: string, token: string) => {
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url: `${W}/table/vend%24${table}/create`,
      payload: ipc(),
      headers: { 'content-type': ARROW, authorization: `Bearer ${token}` },
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
  };
  const describeIn = (table: string, token: string) => call(`${W}/table/vend%24${table}/describe`, {}, token);
  /** A principal holding `privileges` on namespace `vend` of the lake warehouse, signed in. */
  const principal = async (name: string, privileges: string[]) => {
    const p = await cat.lakegate.principals.create(name);
    await grantPrincipal(adminSend, p.clientId, privileges, { type: 'namespace', warehouse: 'lake', namespace: ['vend'] });
    return { id: p.clientId, token: await signIn(cat.lakegate.app, p.clientId, p.clientSecret) };
  };
  /** The session policies AssumeRole was sent since `from`: their object ARNs and actions. */
  const vendedSince = (from: number) => {
    const statements = s3.policies.slice(from).flatMap((p) => p.Statement);
    return {
      count: s3.policies.length - from,
      objects: statements.flatMap((st) => st.Resource.filter((r) => r.includes('/'))),
      actions: statements.flatMap((st) => st.Action),
    };
  };
  const prefixOf = (location: string) => `arn:aws:s3:::${location.replace(/^s3:\/\//, '').replace(/\/+$/, '')}/`;

  beforeAll(async () => {
    s3 = await startFakeS3({ secretKey: secretOf });
    adminSend = bearerSender(cat.lakegate.app, admin);
    await createS3Lake(adminSend, s3.endpoint);
    // A refresh offset of the warehouse's own: the answer states it as DescribeTable does.
    expect((await adminSend('POST', '/management/v1/warehouses/lake/properties', { updates: { 'lance.refresh-offset-millis': '123000' } })).status).toBe(200);
    expect((await call(`${W}/namespace/vend/create`)).status).toBe(200);
  });
  afterAll(async () => s3?.close());

  it("answers what DescribeTable vends the creator right after the create: the table's prefix only, read-write, with the refresh keys; no secret in the logs or audit", async () => {
    cat.lakegate.services.lance.create.useWriter(declaringWriter());
    const creator = await principal('vend-creator', ['table:create']);
    const before = s3.policies.length;
    const res = await createIn('events', creator.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const options = res.body!.storage_options as Record<string, string>;
    expect(res.body!.location).toMatch(/^s3:\/\/bucket\/wh\/vend\/events-/);
    for (const key of ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_endpoint', 'aws_region', 'expires_at_millis'])
      expect(options[key], key).toBeTruthy();
    expect(options.aws_endpoint).toBe(s3.endpoint);
    expect(options.aws_access_key_id).not.toBe('root');
    expect(Number(options.expires_at_millis)).toBeGreaterThan(Date.now());
    expect(options.refresh_offset_millis).toBe('123000');
    // Exactly what the creator's DescribeTable answers now (the same vending cache, the same scoping and mode).
    const described = await describeIn('events', creator.token);
    expect(described.status).toBe(200);
    expect(described.body!.storage_options).toEqual(options);
    // Vended under session policies reaching the table's own prefix only, and writes (the creator owns the table).
    const vended = vendedSince(before);
    expect(vended.count).toBeGreaterThan(0);
    expect(vended.objects.length).toBeGreaterThan(0);
    expect(vended.objects.filter((arn) => !arn.startsWith(prefixOf(res.body!.location as string)))).toEqual([]);
    expect(vended.actions).toContain('s3:PutObject');
    // A table of catalog-managed versions: the same policies deny writing its published manifests (docs/security.md).
    const denied = s3.policies.slice(before).flatMap((p) => p.Statement.filter((st) => st.Effect === 'Deny'));
    expect(denied.map((st) => st.Resource)).toContainEqual([`${prefixOf(res.body!.location as string)}*.manifest`]);
    // Audited as a vend to the creator, naming the prefix; the secret is in no log line and no audit record.
    const audit = await adminSend('GET', `/management/v1/audit?type=credentials.vended&actor=${creator.id}&limit=100`);
    const events = audit.body.events as Array<{ object?: string; detail?: { prefix?: string; mode?: string } }>;
    expect(events.some((e) => e.object === 'lake/vend.events' && e.detail?.prefix === res.body!.location && e.detail?.mode === 'read-write')).toBe(true);
    const all = JSON.stringify((await adminSend('GET', '/management/v1/audit?limit=1000')).body);
    expect(all).not.toContain(options.aws_secret_access_key);
    expect(all).not.toContain(options.aws_session_token);
    expect(cat.logs()).not.toContain(options.aws_secret_access_key);
    expect(cat.logs()).not.toContain(options.aws_session_token);
  });

  it("vends the creator's own access: read-only to one who may only read data, nothing to one who may not describe the table", async () => {
    cat.lakegate.services.lance.create.useWriter(declaringWriter());
    // Without creator ownership the new table's privileges are the namespace's grants, nothing more.
    expect((await adminSend('POST', '/management/v1/warehouses/lake/properties', { updates: { 'access.creator-owns': 'false' } })).status).toBe(200);
    try {
      const reader = await principal('vend-reader', ['table:create', 'table:read-data']);
      const before = s3.policies.length;
      const res = await createIn('read-only', reader.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const options = res.body!.storage_options as Record<string, string>;
      expect(options.aws_access_key_id).toBeTruthy();
      expect((await describeIn('read-only', reader.token)).body!.storage_options).toEqual(options);
      const vended = vendedSince(before);
      expect(vended.objects.filter((arn) => !arn.startsWith(prefixOf(res.body!.location as string)))).toEqual([]);
      expect(vended.actions.filter((a) => /Put|Delete|Multipart/.test(a))).toEqual([]);

      // One who may create but not read the table it made: DescribeTable refuses it, so CreateTable vends it nothing.
      const maker = await principal('vend-maker', ['table:create']);
      const made = await createIn('blind', maker.token);
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      expect(made.body!.storage_options).toEqual({});
      expect((await describeIn('blind', maker.token)).status).toBe(403);
    } finally {
      await adminSend('POST', '/management/v1/warehouses/lake/properties', { removals: ['access.creator-owns'] });
    }
  });
});
