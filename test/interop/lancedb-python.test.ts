/**
 * LanceDB Python (lancedb 0.40 with pylance 14.0.2, pinned in peers/lance/requirements.txt) against a real Lakegate
 * process with catalog-managed versions (`managed_versioning: true`), through `lancedb.connect_namespace("rest", …)`
 * and a bearer token of a non-admin principal, on the local file warehouse. The client commits every version through
 * CreateTableVersion and reads them through ListTableVersions/DescribeTableVersion: create, append, open an older
 * version, rename; the catalog's version list equals the dataset's `_versions/` directory; a reader's append is
 * refused; eight concurrent appenders lose no rows and leave no gaps; the catalog's `optimize` (issue 59) compacts the
 * one-row fragments LanceDB Python appended, and LanceDB Python reads and appends after it. Then the lifecycle on
 * MinIO, where LanceDB holds only the storage_options vended by declare/describe.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL, revoke } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { clientToken, createGrantedPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const SCRIPT = path.join(REPO_ROOT, 'peers', 'lance', 'managed_versions.py');
const NS = 'pyv';

let server: ServerProcess;
let send: Send;
let python: string;
let writer = '';
let writerId = '';
let reader = '';

beforeAll(async () => {
  python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
  server = await startServer();
  send = httpSender(server.url, await server.token());
  const w = await createGrantedPrincipal(server, 'lance-py-writer', [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], {
    type: 'warehouse',
    warehouse: 'default',
  });
  const r = await createGrantedPrincipal(server, 'lance-py-reader', ['namespace:list', 'table:list', 'table:read-metadata', 'table:read-data'], {
    type: 'warehouse',
    warehouse: 'default',
  });
  writer = await clientToken(server.url, w.credential);
  writerId = w.id;
  reader = await clientToken(server.url, r.credential);
  expect((await send('POST', `/lance/default/v1/namespace/${NS}/create`, {})).status).toBe(200);
}, 15 * 60_000);
afterAll(async () => server?.stop());

async function scenario(token: string, ...args: string[]): Promise<Record<string, any>> {
  return inWarehouse('default', token, ...args);
}

async function inWarehouse(warehouse: string, token: string, ...args: string[]): Promise<Record<string, any>> {
  const [name, ...rest] = args;
  const res = await runAsync(python, [SCRIPT, name!, `${server.url}/lance/${warehouse}`, token, ...rest], { timeoutMs: 5 * 60_000 });
  expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

const catalogVersions = async (table: string): Promise<number[]> => {
  const res = await send('POST', `/lance/default/v1/table/${NS}%24${table}/version/list?limit=1000`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.versions as { version: number }[]).map((v) => v.version);
};

/** The versions whose manifests are in the dataset's _versions/ directory (V2 names: u64::MAX - version). */
const directoryVersions = async (table: string): Promise<number[]> => {
  const described = await send('POST', `/lance/default/v1/table/${NS}%24${table}/describe`, {});
  const dir = path.join(fileURLToPath(described.body.location as string), '_versions');
  return readdirSync(dir)
    .filter((n) => /^\d+\.manifest$/.test(n))
    .map((n) => BigInt(n.slice(0, -'.manifest'.length)))
    .map((n) => Number(n > 2n ** 63n ? 2n ** 64n - 1n - n : n))
    .sort((a, b) => a - b);
};

describe('LanceDB Python 0.40 with catalog-managed versions (local warehouse)', () => {
  it('creates, appends, opens an older version and renames, committing every version through the catalog', async () => {
    const result = await scenario(writer, 'lifecycle', NS);
    expect(result.counts).toEqual([5, 7, 9, 11]);
    expect(result.versions).toEqual([1, 2, 3, 4]);
    expect(result.latest).toBe(4);
    expect(result.reopened_count).toBe(11);
    expect(result.first_version_rows).toBe(5);
    expect(result.second_version_rows).toBe(7);
    expect(result.tables).toEqual(['events_renamed']);
    expect(result.renamed_count).toBe(12);
    expect(result.renamed_version).toBe(5);

    expect(await catalogVersions('events_renamed')).toEqual([1, 2, 3, 4, 5]);
    expect(await directoryVersions('events_renamed')).toEqual([1, 2, 3, 4, 5]);
    const log = await server.settledOutput();
    expect(log).toContain('/version/create');
    expect(log).toMatch(/version\/list\?[^"]*descending=true/);
  });

  it('appends twice in a row on one opened table handle in one process (each a CreateTableVersion), as a new writer does', async () => {
    await scenario(writer, 'create', NS, 'twice', '3');
    const result = await scenario(writer, 'append_twice', NS, 'twice');
    expect(result.versions).toEqual([2, 3]);
    expect(result.rows).toBe(7);
    expect(result.reopened).toEqual({ version: 3, rows: 7 });
    expect(await catalogVersions('twice')).toEqual([1, 2, 3]);
    expect(await directoryVersions('twice')).toEqual([1, 2, 3]);
  });

  it("refuses a reader's append (CreateTableVersion needs table:write-data) and records nothing", async () => {
    await scenario(writer, 'create', NS, 'guarded', '3');
    const before = await catalogVersions('guarded');
    const refused = await scenario(reader, 'refused', NS, 'guarded');
    expect(refused.refused).toBe(true);
    // The catalog answered 403 (code 15) to the reader's CreateTableVersion; lance 14 reports that as an unknown commit result.
    const refusals = (await server.settledOutput())
      .split('\n')
      .filter((line) => line.includes(`${NS}%24guarded/version/create`) && line.includes('lance-py-reader'));
    expect(refusals.length, refusals.join('\n')).toBeGreaterThan(0);
    expect(
      refusals.filter((line) => !line.includes(`"statusCode":403`)),
      refusals.join('\n'),
    ).toEqual([]);
    expect(await catalogVersions('guarded')).toEqual(before);
    expect((await scenario(reader, 'count', NS, 'guarded')).rows).toBe(3);
  });

  it("restores version 2 of four with LanceDB's table.restore(2): the rows equal version 2's, and appends continue the chain", async () => {
    const result = await scenario(writer, 'restore', NS);
    // LanceDB restores client-side: it reads version 2 (DescribeTableVersion) and commits its state as version 5 through CreateTableVersion.
    expect(result.after_restore).toEqual({ version: 5, ids: result.second });
    expect(result.second).toEqual([0, 1, 2, 3, 4, 100, 101]);
    expect(result.after_append).toEqual({ version: 6, ids: [...result.second, 900] });
    expect(result.versions).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await catalogVersions('restored')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await directoryVersions('restored')).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("RestoreTable through lance-namespace's REST client: the catalog writes version 5 with version 2's state, and LanceDB reads it and appends", async () => {
    const result = await scenario(writer, 'restore_call', NS, 'served', '2');
    expect(result.transaction_id).toMatch(/^[0-9a-f-]{36}$/);
    // Version 2 held the 5 created rows and the first appended 2 (ids 0 and 1 again).
    expect(result.version).toBe(5);
    expect(result.ids).toEqual([0, 0, 1, 1, 2, 3, 4]);
    expect(result.after_append).toEqual({ version: 6, ids: [0, 0, 1, 1, 2, 3, 4, 700] });
    expect(await catalogVersions('served')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await directoryVersions('served')).toEqual([1, 2, 3, 4, 5, 6]);
    const restored = await send('POST', `/lance/default/v1/table/${NS}%24served/version/describe`, { version: 5 });
    expect(restored.body.version.metadata).toMatchObject({ 'lakegate.restored-from': '2' });
  });

  it("UpdateFieldMetadata through lance-namespace 0.13's generated REST client: each call a version the catalog commits through LanceDB, which LanceDB Python reads and appends on", async () => {
    const result = await scenario(writer, 'field_metadata_call', NS, 'described');
    expect(result.created).toBe(1);
    expect(result.responses).toEqual([
      { version: 2, fields: { name: { 'lancedb:description': 'the name', owner: 'dev' } } },
      { version: 3, fields: { name: { 'lancedb:description': 'the name' } } },
    ]);
    expect(result.read).toEqual({ version: 3, metadata: { 'lancedb:description': 'the name' } });
    expect(result.after_append).toEqual({ version: 4, ids: [0, 1, 2, 100] });
    expect(await catalogVersions('described')).toEqual([1, 2, 3, 4]);
    expect(await directoryVersions('described')).toEqual([1, 2, 3, 4]);
  });

  it("CreateTable through lance-namespace 0.13's generated REST client: its JSON-encoded properties query parameter is honoured, and LanceDB Python reads the rows", async () => {
    const result = await scenario(writer, 'create_table_call', NS, 'queried');
    expect(result).toEqual({ version: 1, properties: { owner: 'ops' }, rows: 4, ids: [0, 1, 2, 3] });
    const described = await send('POST', `/lance/default/v1/table/${NS}%24queried/describe`, {});
    expect(described.body.properties).toEqual({ owner: 'ops' });
  });

  it("CreateTableBranch and DeleteTableBranch through lance-namespace 0.13's generated REST client: LanceDB Python reads and writes the branches the catalog created", async () => {
    const result = await scenario(writer, 'branch_call', NS, 'branched_call');
    expect(result).toEqual({
      main: [0, 1, 2, 10],
      exp: [0, 1, 2, 500],
      latest: [0, 1, 2, 10],
      listed: ['exp', 'team/latest'],
      after_delete: ['exp'],
      taken: 409,
    });
  });

  it("CreateMaterializedView through lance-namespace 0.13's generated REST client stores the definition, which its REST namespace client describes and lists; refresh and backfill are the spec's Unsupported", async () => {
    const result = await scenario(writer, 'materialized_view_call', NS, 'mv_call');
    expect(result).toEqual({
      version: 0,
      job_id: null,
      kind: 'query',
      source_query: `SELECT id FROM ${NS}.mv_call_src WHERE id > 0`,
      schema_round_trip: true,
      is_only_declared: true,
      listed: expect.arrayContaining(['mv_call', 'mv_call_src']),
      taken: { status: 409, code: 5 },
      refresh: { status: 406, code: 0 },
      backfill: { status: 406, code: 0 },
      source_rows: 3,
    });
  });

  it('every table operation of LanceDB 0.40 works through the namespace, each write a version the catalog records; no call answered 404 or 406', async () => {
    const mark = (await server.settledOutput()).length;
    const result = await scenario(writer, 'operations', NS);
    expect(Object.entries(result.results).filter(([, outcome]) => outcome !== 'ok')).toEqual([]);
    expect(result.rows).toBe(310);
    const calls = (await server.settledOutput())
      .slice(mark)
      .split('\n')
      .filter((line) => line.includes('"url":"/lance/'));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((line) => !/"statusCode":20\d/.test(line))).toEqual([]);
    // Data changes, indexes, schema changes and optimize are Lance commits: each went through CreateTableVersion.
    // Cleanup in pylance 14.0.2 deletes old manifests on storage without BatchDeleteTableVersions: LanceDB lists what
    // is left in _versions/ (the newest version only), the catalog still lists the cleaned versions (docs/compatibility.md).
    const [newest] = result.listed_versions as number[];
    expect(result.listed_versions).toEqual([newest]);
    expect(newest).toBeGreaterThanOrEqual(result.latest);
    expect(await directoryVersions('every_op')).toEqual([newest]);
    expect(await catalogVersions('every_op')).toEqual(Array.from({ length: newest! }, (_, i) => i + 1));
  });

  it('a branch: LanceDB creates "dev" from version 1 and appends there; the catalog keeps its own chain and main is untouched', async () => {
    const result = await scenario(writer, 'branch', NS, 'forked');
    expect(result.main).toEqual({ version: 2, ids: [0, 1, 2, 3, 4, 10] });
    expect(result.dev).toEqual({ version: 3, ids: [0, 1, 2, 3, 4, 100, 101, 200, 201] });
    expect(result.dev_reopened).toEqual(result.dev);
    expect(result.branches).toEqual(['dev']);
    expect(await catalogVersions('forked')).toEqual([1, 2]);
    const dev = await send('POST', `/lance/default/v1/table/${NS}%24forked/version/list?branch=dev`, {});
    expect((dev.body.versions as { version: number; manifest_path: string }[]).map((v) => v.version)).toEqual([1, 2, 3]);
    expect((dev.body.versions as { manifest_path: string }[]).every((v) => v.manifest_path.includes('/tree/dev/_versions/'))).toBe(true);
  });

  it('eight concurrent appenders on one table: no lost rows, no version gaps, every version recorded once', async () => {
    await scenario(writer, 'create', NS, 'busy', '1');
    const results = await Promise.all(Array.from({ length: 8 }, () => scenario(writer, 'append', NS, 'busy', '10')));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const counted = await scenario(writer, 'count', NS, 'busy');
    expect(counted.rows).toBe(81);
    expect(counted.version).toBe(9);
    expect(await catalogVersions('busy')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await directoryVersions('busy')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it("the catalog's optimize (maintenance API) compacts 50 one-row fragments LanceDB Python appended: a fresh LanceDB Python connection reads the same rows from 1-2 fragments at a later version, and appends", async () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const written = await scenario(writer, 'small_appends', NS, 'compact', '50');
    expect(written).toEqual({ version: 50, fragments: 50, ids: range(50) });
    const res = await send('POST', `/management/v1/warehouses/default/namespaces/${NS}/tables/compact/maintenance`, { actions: ['optimize'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const optimize = res.body.optimize as Record<string, number>;
    expect(optimize).toMatchObject({ 'fragments-removed': 50, 'version-before': 50 });
    const version = optimize['version-after']!;
    expect(version).toBeGreaterThan(50);

    const read = await scenario(writer, 'compacted', NS, 'compact');
    expect(read.fragments).toBe(optimize['fragments-added']);
    expect(read.fragments).toBeGreaterThanOrEqual(1);
    expect(read.fragments).toBeLessThanOrEqual(2);
    expect(read.version).toBe(version);
    expect(read.ids).toEqual(range(50));
    expect(read.after_append).toEqual({ version: version + 1, fragments: read.fragments + 1, ids: [...range(50), 10_000] });
    // Every version, LanceDB's and optimize's, is the catalog's, and optimize pruned none of them.
    const all = Array.from({ length: version + 1 }, (_, i) => i + 1);
    expect(await catalogVersions('compact')).toEqual(all);
    expect(await directoryVersions('compact')).toEqual(all);
  });
});

describe('LanceDB Python 0.40 with catalog-managed versions on MinIO (vended credentials only)', () => {
  const BUCKET = 'lakegate-lance-py';
  let minio: Minio;
  beforeAll(async () => {
    minio = await startMinio();
    await minio.createBucket(BUCKET);
    const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'pylake', BUCKET));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await grantTo(server, writerId, [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], { type: 'warehouse', warehouse: 'pylake' });
    expect((await send('POST', `/lance/pylake/v1/namespace/${NS}/create`, {})).status).toBe(200);
  }, 10 * 60_000);
  afterAll(async () => minio?.stop());

  it('creates, appends, opens an older version and renames; the bucket holds exactly the versions the catalog lists', async () => {
    const result = await inWarehouse('pylake', writer, 'lifecycle', NS);
    expect(result.counts).toEqual([5, 7, 9, 11]);
    expect(result.first_version_rows).toBe(5);
    expect(result.renamed_count).toBe(12);
    const listed = await send('POST', `/lance/pylake/v1/table/${NS}%24events_renamed/version/list`, {});
    expect((listed.body.versions as { version: number }[]).map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    const described = await send('POST', `/lance/pylake/v1/table/${NS}%24events_renamed/describe`, {});
    const prefix = (described.body.location as string).replace(`s3://${BUCKET}/`, '');
    const objects = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/_versions/` }));
    const names = (objects.Contents ?? []).map((o) => o.Key!.split('/').at(-1)!);
    // Only final names: every staged manifest was removed after its copy.
    expect(
      names
        .filter((n) => n.endsWith('.manifest'))
        .map((n) => Number(2n ** 64n - 1n - BigInt(n.slice(0, -'.manifest'.length))))
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5]);
    expect(names.filter((n) => n.includes('.manifest-'))).toEqual([]);
  });

  it("LanceDB's own refresh timer: with refresh_offset_millis close to the credentials' life, a long-running writer calls DescribeTable again and keeps working", async () => {
    // MinIO's STS vends at least 900 s; the warehouse states an offset of 885 s, so Lance counts the credentials due
    // for refresh 15 s after each vending and must call DescribeTable again while the writer runs.
    const created = await send('POST', '/management/v1/warehouses', {
      ...minioWarehouse(minio, 'pyrefresh', BUCKET),
      'storage-root': `s3://${BUCKET}/refresh`,
      properties: { 'lance.refresh-offset-millis': '885000' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await grantTo(server, writerId, [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], { type: 'warehouse', warehouse: 'pyrefresh' });
    expect((await send('POST', `/lance/pyrefresh/v1/namespace/${NS}/create`, {})).status).toBe(200);
    await inWarehouse('pyrefresh', writer, 'create', NS, 'drift', '2');
    const described = await send('POST', `/lance/pyrefresh/v1/table/${NS}%24drift/describe`, {});
    expect(described.body.storage_options.refresh_offset_millis).toBe('885000');
    /** The writer's DescribeTable calls of a table while it keeps reading and appending for 25 s from one open. */
    const describesWhileRunning = async (warehouse: string, table: string): Promise<string[]> => {
      const before = (await server.settledOutput()).length;
      const result = await inWarehouse(warehouse, writer, 'keep_going', NS, table, '25');
      const counts = result.counts as number[];
      expect(counts.length).toBeGreaterThan(3);
      expect(counts).toEqual(counts.map((_, i) => counts[0]! + i));
      return (await server.settledOutput())
        .slice(before)
        .split('\n')
        .filter((line) => line.includes(`/lance/${warehouse}/v1/table/${NS}%24${table}/describe`) && line.includes('lance-py-writer'));
    };
    // The control: with Lance's default offset (60 s before a 900 s expiry) the writer describes the table once, to open it.
    // With the warehouse's offset the client's timer fires 15 s in: the open, then at least one refresh, each answered 200.
    // Both writers run at once (each counts the calls naming its own table): the 25 s of each are waits, not work.
    await inWarehouse('pylake', writer, 'create', NS, 'steady', '2');
    const [control, describes] = await Promise.all([describesWhileRunning('pylake', 'steady'), describesWhileRunning('pyrefresh', 'drift')]);
    expect(control, control.join('\n')).toHaveLength(1);
    expect(describes.length, describes.join('\n')).toBeGreaterThanOrEqual(2);
    expect(describes.filter((line) => !line.includes('"statusCode":200'))).toEqual([]);
  });

  it('refreshes credentials by DescribeTable from the vending cache (refresh_offset_millis stated), and a revoked grant stops the next refresh', async () => {
    const reader = await createGrantedPrincipal(server, 'lance-py-refresher', ['table:read-metadata', 'table:read-data'], {
      type: 'warehouse',
      warehouse: 'pylake',
    });
    const token = await clientToken(server.url, reader.credential);
    const describe = () =>
      fetch(`${server.url}/lance/pylake/v1/table/${NS}%24events_renamed/describe`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    const first = (await (await describe()).json()) as { storage_options: Record<string, string> };
    const again = (await (await describe()).json()) as { storage_options: Record<string, string> };
    expect(first.storage_options.refresh_offset_millis).toBe('60000');
    expect(Number(first.storage_options.expires_at_millis)).toBeGreaterThan(Date.now() + 60_000);
    // A refresh within the credential's life is answered from the vending cache: the same session, no new STS call.
    expect(again.storage_options.aws_access_key_id).toBe(first.storage_options.aws_access_key_id);
    await revoke(send, `${reader.id}-role`, ['table:read-metadata', 'table:read-data'], { type: 'warehouse', warehouse: 'pylake' });
    const refused = await describe();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: number }).code).toBe(15);
  });
});
