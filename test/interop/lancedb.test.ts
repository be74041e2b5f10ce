/**
 * LanceDB (npm @lancedb/lancedb, its own Rust REST namespace client) against
 * a real Lakegate process through the Lance REST Namespace API at
 * /lance/{warehouse}, authenticated with a bearer token from Lakegate's
 * issuer: namespaces, a table created with rows, listed, reopened, appended
 * to and dropped; a namespace dropped with cascade is soft (issue 39): its undrop restores it with its child namespace
 * and tables, read again.
 * Then the same on MinIO, where LanceDB holds no storage
 * keys at all and writes and reads with the vended storage_options only. LanceDB Node 0.39 honours
 * managed_versioning: each commit goes through CreateTableVersion (lance-versions.test.ts).
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, startMinio, minioWarehouse } from '../support/minio.js';
import { READ_WRITE_ALL } from '../support/access.js';
import { clientToken, type CreatedPrincipal, createGrantedPrincipal, grantTo, type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
/** LanceDB's token: a non-admin principal holding what the tests do (the admin only sets up and inspects, through `send`). */
let token: string;
let lance: CreatedPrincipal;
let send: Send;

beforeAll(async () => {
  server = await startServer();
  send = httpSender(server.url, await server.token());
  // A Lance drop deletes the data: at once only with table:purge-immediately since soft deletion (issue 39), which this file asserts.
  lance = await createGrantedPrincipal(server, 'lancedb', [...READ_WRITE_ALL, 'table:purge-immediately'], { type: 'warehouse', warehouse: 'default' });
  token = await clientToken(server.url, lance.credential);
});
afterAll(async () => server?.stop());

const connect = (warehouse: string, headers: Record<string, string> = { Authorization: `Bearer ${token}` }) =>
  lancedb.connectNamespace('rest', { uri: `${server.url}/lance/${warehouse}`, headers });

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `item-${from + i}`, vector: [from + i, 0.5, -1] }));

async function readBack(table: lancedb.Table): Promise<Array<{ id: number; name: string }>> {
  const all = (await table.query().select(['id', 'name']).toArray()) as Array<{ id: number | bigint; name: string }>;
  return all.map((r) => ({ id: Number(r.id), name: r.name })).sort((a, b) => a.id - b.id);
}

describe('LanceDB over the Lance REST Namespace API (local warehouse)', () => {
  it('creates a table with rows in a namespace, lists, reopens, appends to and drops it', async () => {
    const db = await connect('default');
    await db.createNamespace(['lance_it'], { properties: { owner: 'interop' } });
    expect((await db.listNamespaces()).namespaces).toContain('lance_it');
    expect((await db.describeNamespace(['lance_it'])).properties).toEqual({ owner: 'interop' });

    const created = await db.createTable('items', rows(1, 3), ['lance_it']);
    expect(await created.countRows()).toBe(3);
    expect(await db.tableNames(['lance_it'])).toEqual(['items']);

    // A fresh connection reopens the table through describe and reads the rows back.
    const reopened = await (await connect('default')).openTable('items', ['lance_it']);
    expect(await readBack(reopened)).toEqual(rows(1, 3).map(({ id, name }) => ({ id, name })));
    await reopened.add(rows(4, 2));
    expect(await reopened.countRows()).toBe(5);
    const nearest = (await reopened.vectorSearch([5, 0.5, -1]).limit(1).toArray()) as Array<{ id: number | bigint }>;
    expect(Number(nearest[0]!.id)).toBe(5);

    // The dataset lives where the catalog says, under the warehouse; Iceberg does not see it.
    const described = await send('POST', '/lance/default/v1/table/lance_it%24items/describe', { id: ['lance_it', 'items'] });
    const location = described.body.location as string;
    expect(location.startsWith(`file://${server.warehouseRoot}/lance_it/items-`)).toBe(true);
    expect(existsSync(fileURLToPath(`${location}/_versions`))).toBe(true);
    expect((await send('GET', '/v1/default/namespaces/lance_it/tables')).body.identifiers).toEqual([]);
    // LanceDB Node 0.39 honours managed_versioning: the create and the append were committed through CreateTableVersion.
    expect(described.body.managed_versioning).toBe(true);
    const versions = await send('POST', '/lance/default/v1/table/lance_it%24items/version/list', {});
    expect((versions.body.versions as { version: number }[]).map((v) => v.version)).toEqual([1, 2]);

    await expect(db.createTable('items', rows(1, 1), ['lance_it'])).rejects.toThrow(/exist/i);
    await expect(db.openTable('missing', ['lance_it'])).rejects.toThrow(/not found/i);

    await db.dropTable('items', ['lance_it']);
    expect(await db.tableNames(['lance_it'])).toEqual([]);
    expect(existsSync(fileURLToPath(location))).toBe(false);
    await db.dropNamespace(['lance_it']);
    expect((await db.listNamespaces()).namespaces).not.toContain('lance_it');
  });

  it('takes names with a space and a plus as LanceDB encodes them in the path (a space as "+", a plus as %2B)', async () => {
    const db = await connect('default');
    await db.createNamespace(['sig ns'], { properties: { a: '1' } });
    await db.createNamespace(['sig ns', 'a+b']);
    expect((await db.listNamespaces()).namespaces).toContain('sig ns');
    expect((await db.listNamespaces(['sig ns'])).namespaces).toEqual(['a+b']);
    expect((await db.describeNamespace(['sig ns'])).properties).toEqual({ a: '1' });
    const table = await db.createTable('my table', rows(1, 2), ['sig ns']);
    expect(await table.countRows()).toBe(2);
    expect(await db.tableNames(['sig ns'])).toEqual(['my table']);
    expect(await (await (await connect('default')).openTable('my table', ['sig ns'])).countRows()).toBe(2);
    await db.dropTable('my table', ['sig ns']);
    await db.dropNamespace(['sig ns', 'a+b']);
    await db.dropNamespace(['sig ns']);
  });

  it("drops a namespace with cascade softly: the namespace's undrop brings it back with its child and tables, and LanceDB reads their rows again", async () => {
    // A principal without table:purge-immediately: the cascade keeps the data for the warehouse's retention.
    const keeper = await createGrantedPrincipal(server, 'lancedb-keeper', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
    const db = await lancedb.connectNamespace('rest', {
      uri: `${server.url}/lance/default`,
      headers: { Authorization: `Bearer ${await clientToken(server.url, keeper.credential)}` },
    });
    await db.createNamespace(['soft_ns']);
    await db.createNamespace(['soft_ns', 'inner']);
    await db.createTable('kept', rows(1, 3), ['soft_ns']);
    await db.createTable('deep', rows(10, 2), ['soft_ns', 'inner']);
    const location = (await send('POST', '/lance/default/v1/table/soft_ns%24kept/describe', { id: ['soft_ns', 'kept'] })).body.location as string;
    await db.dropNamespace(['soft_ns'], { behavior: 'cascade' });
    expect((await db.listNamespaces()).namespaces).not.toContain('soft_ns');
    expect(existsSync(fileURLToPath(`${location}/_versions`))).toBe(true);
    const dropped = (await send('GET', '/management/v1/warehouses/default/dropped')).body.dropped as Array<{
      id: string;
      namespace: string[];
      name: string;
      kind: string;
      'dropped-with'?: string;
    }>;
    const top = dropped.find((d) => d.kind === 'namespace' && d.name === 'soft_ns' && d.namespace.length === 0)!;
    const mine = dropped.filter((d) => d['dropped-with'] === top.id);
    expect(mine.map((d) => `${d.kind}:${[...d.namespace, d.name].join('.')}`).sort()).toEqual([
      'lance-table:soft_ns.inner.deep',
      'lance-table:soft_ns.kept',
      'namespace:soft_ns.inner',
    ]);
    // The namespace's undrop brings back it, its child namespace and both tables where they were.
    const restored = await send('POST', `/management/v1/warehouses/default/dropped/${top.id}/undrop`, {});
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect((await db.listNamespaces()).namespaces).toContain('soft_ns');
    expect((await db.listNamespaces(['soft_ns'])).namespaces).toEqual(['inner']);
    const reopened = await (await connect('default')).openTable('kept', ['soft_ns']);
    expect(await readBack(reopened)).toEqual(rows(1, 3).map(({ id, name }) => ({ id, name })));
    expect(await (await db.openTable('deep', ['soft_ns', 'inner'])).countRows()).toBe(2);
    await db.dropNamespace(['soft_ns'], { behavior: 'cascade' });
  });

  it('is refused without a valid token', async () => {
    const anonymous = await connect('default', {});
    await expect(anonymous.listNamespaces()).rejects.toThrow(/401|auth/i);
    const forged = await connect('default', { Authorization: 'Bearer forged' });
    await expect(forged.tableNames(['x'])).rejects.toThrow(/401|auth/i);
  });
});

describe('LanceDB with vended S3 credentials (MinIO)', () => {
  const BUCKET = 'lakegate-lance';
  let minio: Minio;
  beforeAll(async () => {
    minio = await startMinio();
    await minio.createBucket(BUCKET);
    const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lancelake', BUCKET));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await grantTo(server, lance.id, [...READ_WRITE_ALL, 'table:purge-immediately'], { type: 'warehouse', warehouse: 'lancelake' });
  });
  afterAll(async () => minio?.stop());

  it('writes and reads a dataset with the prefix-scoped credentials from declare and describe', async () => {
    const db = await connect('lancelake');
    await db.createNamespace(['vended']);
    await (await db.createTable('events', rows(1, 4), ['vended'])).countRows();

    const described = await send('POST', '/lance/lancelake/v1/table/vended%24events/describe', { id: ['vended', 'events'] });
    const options = described.body.storage_options as Record<string, string>;
    expect(described.body.location).toMatch(new RegExp(`^s3://${BUCKET}/wh/vended/events-`));
    for (const key of ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_endpoint', 'aws_region', 'expires_at_millis'])
      expect(options[key], key).toBeTruthy();
    expect(options.aws_access_key_id).not.toBe(MINIO_ROOT.accessKeyId);
    expect(Number(options.expires_at_millis)).toBeGreaterThan(Date.now());
    expect(options.refresh_offset_millis).toBe('60000');

    // The vended keys reach only this dataset's prefix.
    const scoped = new S3Client({
      endpoint: options.aws_endpoint,
      region: options.aws_region,
      forcePathStyle: true,
      credentials: { accessKeyId: options.aws_access_key_id!, secretAccessKey: options.aws_secret_access_key!, sessionToken: options.aws_session_token! },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await expect(scoped.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/vended/elsewhere/x', Body: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    scoped.destroy();

    const reopened = await (await connect('lancelake')).openTable('events', ['vended']);
    await reopened.add(rows(5, 1));
    expect(await readBack(reopened)).toEqual(rows(1, 5).map(({ id, name }) => ({ id, name })));

    const prefix = (described.body.location as string).replace(`s3://${BUCKET}/`, '');
    const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    expect((listed.Contents ?? []).some((o) => o.Key!.includes('/_versions/'))).toBe(true);
    // Both commits went through the catalog, which moved the staged manifests to their final names on MinIO.
    const versions = await send('POST', '/lance/lancelake/v1/table/vended%24events/version/list', {});
    expect((versions.body.versions as { version: number }[]).map((v) => v.version)).toEqual([1, 2]);
    const manifests = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.includes('/_versions/') && k.endsWith('.manifest'));
    expect(manifests.map((k) => k.split('/').at(-1))).toEqual(['18446744073709551613.manifest', '18446744073709551614.manifest']);

    await db.dropTable('events', ['vended']);
    const after = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
    expect(after.KeyCount ?? 0).toBe(0);
    const logged = await server.settledOutput();
    expect(logged).not.toContain(options.aws_secret_access_key!);
    expect(logged).not.toContain(token);
  });
});
