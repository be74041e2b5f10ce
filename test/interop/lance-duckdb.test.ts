/**
 * DuckDB 1.5.5 with its `lance` extension (PyPI duckdb-extension-lance 1.5.5, built on Lance 6.0; pinned in
 * peers/lance-duckdb/requirements.txt) against a real Lakegate process on MinIO through the Lance REST Namespace
 * (`ATTACH '<ns>' AS lake (TYPE LANCE, ENDPOINT …, BEARER_TOKEN …)`). LanceDB Node writes a table (catalog-managed
 * versions: a create and an append); DuckDB reads its rows through the namespace with only the vended credentials.
 * DuckDB's INSERT ignores `managed_versioning` (it writes the next manifest into `_versions/` itself), so it is proven
 * on a warehouse whose `lance.managed-versioning` is "false", where LanceDB reads the inserted row back; into a table of
 * catalog-managed versions the store refuses it (the vended credentials may not write published manifests), nothing
 * committed, where before the row landed in a version the catalog never listed.
 * The extension sends the table id as one level holding the path's text (`{"id": ["ns$t"]}` for the path `ns%24t`),
 * which Lakegate refused as a mismatched id before (400); now the path's id is used. A reader's INSERT is refused by
 * the store (read-only vended credentials) and nothing is committed. DuckDB's own CREATE TABLE sends DeclareTable with
 * the id alone (no schema: the spec's DeclareTable has none), then writes the first manifest itself, which the store
 * refuses on a managed table: the table stays declared, with no version. See docs/compatibility.md.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { connectLance } from '../support/lance-writers.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { clientToken, createGrantedPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const SCRIPT = path.join(REPO_ROOT, 'peers', 'lance-duckdb', 'lance_duckdb_namespace.py');
const BUCKET = 'lakegate-lance-duckdb';
const WAREHOUSE = 'ducklake';
/** A warehouse whose tables manage their own versions: DuckDB's lance extension 1.5.5 writes `_versions/` itself. */
const UNMANAGED = 'duckfree';
const READS = ['namespace:list', 'table:list', 'table:read-metadata', 'table:read-data'];
const NS = 'duck';

let server: ServerProcess;
let send: Send;
let minio: Minio;
let python = '';
let writer = '';
let reader = '';

beforeAll(async () => {
  python = await pythonVenv('lance-duckdb', 'peers/lance-duckdb/requirements.txt', 'import duckdb, duckdb_extension_lance');
  [server, minio] = await Promise.all([startServer(), startMinio()]);
  await minio.createBucket(BUCKET);
  send = httpSender(server.url, await server.token());
  const writes = [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'];
  for (const [name, properties] of [
    [WAREHOUSE, {}],
    [UNMANAGED, { 'lance.managed-versioning': 'false' }],
  ] as const) {
    const body = { ...minioWarehouse(minio, name, BUCKET), 'storage-root': `s3://${BUCKET}/${name}`, properties };
    const created = await send('POST', '/management/v1/warehouses', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await send('POST', `/lance/${name}/v1/namespace/${NS}/create`, {})).status).toBe(200);
  }
  const w = await createGrantedPrincipal(server, 'duck-writer', writes, { type: 'warehouse', warehouse: WAREHOUSE });
  const r = await createGrantedPrincipal(server, 'duck-reader', READS, { type: 'warehouse', warehouse: WAREHOUSE });
  await grantTo(server, w.id, writes, { type: 'warehouse', warehouse: UNMANAGED });
  await grantTo(server, r.id, READS, { type: 'warehouse', warehouse: UNMANAGED });
  writer = await clientToken(server.url, w.credential);
  reader = await clientToken(server.url, r.credential);
}, 15 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

async function duck(scenario: string, token: string, table: string, warehouse = WAREHOUSE): Promise<Record<string, any>> {
  const res = await runAsync(python, [SCRIPT, scenario, `${server.url}/lance/${warehouse}`, token, NS, table], { timeoutMs: 5 * 60_000 });
  expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

/** The published manifests (`*.manifest`) on the store under a table's `_versions/`, listed with MinIO's root keys. */
const manifests = async (prefix: string): Promise<string[]> => {
  const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/_versions/` }));
  return (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.manifest'));
};

const versions = async (table: string): Promise<number[]> => {
  const listed = await send('POST', `/lance/${WAREHOUSE}/v1/table/${NS}%24${table}/version/list`, {});
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  return (listed.body.versions as { version: number }[]).map((v) => v.version).sort((a, b) => a - b);
};

describe('DuckDB 1.5.5 lance extension through the Lance namespace on MinIO (vended credentials only)', () => {
  it('reads the rows LanceDB wrote, as a writer and as a reader; the store refuses the reader an INSERT', async () => {
    const db = await connectLance(server, writer, WAREHOUSE);
    const table = await db.createTable(
      'points',
      [1, 2, 3].map((id) => ({ id, name: `item-${id}` })),
      [NS],
    );
    await table.add([4, 5].map((id) => ({ id, name: `item-${id}` })));
    expect(await versions('points')).toEqual([1, 2]);
    const expected = [1, 2, 3, 4, 5].map((id) => [id, `item-${id}`]);

    const before = (await server.settledOutput()).length;
    expect(await duck('read', writer, 'points')).toEqual({ tables: ['points'], rows: expected });
    // DuckDB's DescribeTable with load_detailed_metadata: the catalog opened the table for it, through its private
    // loopback Lance surface (its requests logged as component lance-describe), once DuckDB asked.
    expect((await server.settledOutput()).slice(before)).toMatch(/"component":"lance-describe"/);
    expect(await duck('read', reader, 'points')).toEqual({ tables: ['points'], rows: expected });

    const refused = await duck('insert', reader, 'points');
    expect(refused.refused, refused.error).toBe(true);
    expect(refused.error).toMatch(/privileges|403|AccessDenied|denied/i);
    expect(await versions('points')).toEqual([1, 2]);
    expect(await duck('read', writer, 'points')).toEqual({ tables: ['points'], rows: expected });

    // Every describe DuckDB sent for the table carried the one-level id and was answered as the path's table; its
    // first, with load_detailed_metadata, is answered too (no 406 and fallback since the catalog opens the dataset).
    const describes = (await server.settledOutput()).split('\n').filter((l) => l.includes(`/table/${NS}%24points/describe`));
    expect(describes.length).toBeGreaterThan(0);
    expect(
      describes.filter((l) => !/"statusCode":200\b/.test(l)),
      describes.join('\n'),
    ).toEqual([]);
  });

  it('inserts through the namespace into a table that manages its own versions; LanceDB reads the rows back', async () => {
    const db = await connectLance(server, writer, UNMANAGED);
    await db.createTable(
      'points',
      [1, 2].map((id) => ({ id, name: `item-${id}` })),
      [NS],
    );
    const inserted = await duck('insert', writer, 'points', UNMANAGED);
    expect(inserted).toEqual({ refused: false });
    const expected = [
      [1, 'item-1'],
      [2, 'item-2'],
      [99, 'z'],
    ];
    expect(await duck('read', reader, 'points', UNMANAGED)).toEqual({ tables: ['points'], rows: expected });
    const rows = (await (await connectLance(server, reader, UNMANAGED).then((c) => c.openTable('points', [NS]))).query().toArray()) as {
      id: number | bigint;
    }[];
    expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([1, 2, 99]);
    const refused = await duck('insert', reader, 'points', UNMANAGED);
    expect(refused.refused, refused.error).toBe(true);
  });

  it('an INSERT into a table of catalog-managed versions is refused by the store, not committed beside the catalog', async () => {
    // DuckDB's lance extension 1.5.5 ignores managed_versioning and writes the next manifest into `_versions/` itself,
    // with the writer's vended credentials; those may not write published manifests of a managed table (before:
    // the row landed in a version the catalog never listed).
    const db = await connectLance(server, writer, WAREHOUSE);
    await db.createTable(
      'guarded',
      [1, 2].map((id) => ({ id, name: `item-${id}` })),
      [NS],
    );
    const prefix = ((await send('POST', `/lance/${WAREHOUSE}/v1/table/${NS}%24guarded/describe`, {})).body.location as string).replace(`s3://${BUCKET}/`, '');
    expect(await manifests(prefix)).toHaveLength(1);
    const refused = await duck('insert', writer, 'guarded');
    expect(refused.refused, refused.error).toBe(true);
    expect(refused.error).toMatch(/403|AccessDenied|denied/i);
    expect(await versions('guarded')).toEqual([1]);
    expect(await manifests(prefix)).toHaveLength(1);
    const expected = [
      [1, 'item-1'],
      [2, 'item-2'],
    ];
    expect(await duck('read', writer, 'guarded')).toEqual({ tables: expect.arrayContaining(['guarded']), rows: expected });
    // LanceDB, committing through the namespace with the same kind of credentials, still appends.
    await (await db.openTable('guarded', [NS])).add([{ id: 3, name: 'item-3' }]);
    expect(await versions('guarded')).toEqual([1, 2]);
    expect(await duck('read', reader, 'guarded')).toEqual({ tables: expect.arrayContaining(['guarded']), rows: [...expected, [3, 'item-3']] });
  });

  it("DuckDB's CREATE TABLE declares the table (no schema); the store refuses its own version-1 manifest", async () => {
    // The extension declares the table, then writes its first manifest into `_versions/` itself (ignoring
    // managed_versioning): the vended credentials may not (before: that manifest was written beside the catalog and
    // the INSERT that followed found the declared table with 0 columns).
    const created = await duck('create', writer, 'made');
    expect(created.refused).toBe(true);
    expect(created.error).toMatch(/_versions\/\d+\.manifest[\s\S]*(403|AccessDenied)/);
    const described = await send('POST', `/lance/${WAREHOUSE}/v1/table/${NS}%24made/describe?check_declared=true`, {});
    expect(described.status, JSON.stringify(described.body)).toBe(200);
    expect(described.body.is_only_declared).toBe(true);
    expect(await manifests((described.body.location as string).replace(`s3://${BUCKET}/`, ''))).toEqual([]);
  });
});
