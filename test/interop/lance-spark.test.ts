/**
 * lance-spark 0.0.14 (com.lancedb:lance-spark-bundle-3.5_2.12, the newest Maven Central serves; no Spark 4 build is
 * published there) on PySpark 3.5 with `impl=rest` against a real Lakegate process on MinIO: Spark SQL creates a Lance
 * table through the namespace, inserts, reads back, appends again and lists tables, holding only the storage options the
 * namespace answers (no storage keys configured). The catalog then lists the table and its versions, and a principal
 * without grants is refused listing and reading through the same Spark catalog. The peer: scripts/peers/lance-spark.sh.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { clientToken, createGrantedPrincipal, createPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const SCRIPT = path.join(REPO_ROOT, 'peers', 'lance-spark', 'lance_spark_rest.py');
const BUCKET = 'lakegate-lance-spark';
const NS = 'lsp';
const WAREHOUSE = 'sparklake';
const MANAGED = 'sparkmanaged';

let server: ServerProcess;
let send: Send;
let minio: Minio;
let python = '';
let jar = '';
let writer = '';
let stranger = '';

beforeAll(async () => {
  const install = await runAsync('bash', [peerScript('lance-spark.sh')], { timeoutMs: 20 * 60_000 });
  expect(install.status, install.stderr).toBe(0);
  [python, jar] = install.stdout.trim().split('\n').slice(-2) as [string, string];
  [server, minio] = await Promise.all([startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } }), startMinio()]);
  await minio.createBucket(BUCKET);
  send = httpSender(server.url, await server.token());
  const warehouse = { ...minioWarehouse(minio, WAREHOUSE, BUCKET), properties: { 'lance.managed-versioning': 'false' } };
  const created = await send('POST', '/management/v1/warehouses', warehouse);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const w = await createGrantedPrincipal(server, 'spark-writer', [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], {
    type: 'warehouse',
    warehouse: WAREHOUSE,
  });
  writer = await clientToken(server.url, w.credential);
  // A warehouse of catalog-managed versions (the default), where lance-spark's own manifest commit must fail at the store.
  const managed = await send('POST', '/management/v1/warehouses', { ...minioWarehouse(minio, MANAGED, BUCKET), 'storage-root': `s3://${BUCKET}/managed` });
  expect(managed.status, JSON.stringify(managed.body)).toBe(201);
  await grantTo(server, w.id, [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], { type: 'warehouse', warehouse: MANAGED });
  expect((await send('POST', `/lance/${MANAGED}/v1/namespace/${NS}/create`, {})).status).toBe(200);
  stranger = await clientToken(server.url, (await createPrincipal(server, 'spark-stranger')).credential);
  expect((await send('POST', `/lance/${WAREHOUSE}/v1/namespace/${NS}/create`, {})).status).toBe(200);
}, 20 * 60_000);
const manifests = async (location: string): Promise<string[]> => {
  const prefix = location.replace(`s3://${BUCKET}/`, '');
  const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/_versions/` }));
  return (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.manifest'));
};

afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

describe('lance-spark 0.0.14 (Spark 3.5, impl=rest) through the Lance namespace on MinIO', () => {
  it('creates, inserts, reads, appends and lists through Spark SQL; a principal without grants is refused', async () => {
    // No AWS_* variables: the only storage credentials lance-spark can use are the ones the namespace answers.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    env.JAVA_HOME = process.env.LAKEGATE_SPARK_JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64';
    const uri = (warehouse: string): string => `${server.url}/lance/${warehouse}`;
    const res = await runAsync(python, [SCRIPT, jar, uri(WAREHOUSE), writer, stranger, NS, 'points', uri(MANAGED)], { env, timeoutMs: 5 * 60_000 });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(result.failed_step, `${result.error}\n${res.stderr.slice(-4000)}`).toBeUndefined();
    expect(result.first).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(result.second.map((r: [number, string]) => r[0])).toEqual([1, 2, 3, 4, 5]);
    expect(result.tables).toEqual(['points']);
    // A principal without grants: Lakegate refuses its ListTables and its DescribeTable (403), so Spark lists and reads nothing.
    expect(result.stranger_list_refused, JSON.stringify(result.stranger_list)).toBe(true);
    expect(result.stranger_read_refused, JSON.stringify(result.stranger_read)).toBe(true);
    expect(result.stranger_list_error).toMatch(/Not allowed: table:list on sparklake\/lsp is not granted[\s\S]*code=403/);
    expect(result.stranger_read_error).toMatch(/Not allowed: table:read-metadata on sparklake\/lsp\.points is not granted/);

    // The catalog lists the table; its three versions (CREATE TABLE's empty dataset, INSERT, INSERT) are in the bucket
    // under the location the namespace chose.
    const tables = await send('GET', `/lance/${WAREHOUSE}/v1/namespace/${NS}/table/list`);
    expect(tables.body.tables).toEqual(['points']);
    const described = await send('POST', `/lance/${WAREHOUSE}/v1/table/${NS}%24points/describe`, {});
    expect(described.status).toBe(200);
    expect(described.body.managed_versioning).toBe(false);
    expect(await manifests(described.body.location as string)).toHaveLength(3);

    // Catalog-managed versions: lance-spark 0.0.14 writes the first manifest into `_versions/` itself, which the vended
    // credentials may not do, so the store refuses it (403) and nothing is published; the table stays declared, versionless.
    expect(result.managed_refused, result.managed_error).toBe(true);
    expect(result.managed_error).toMatch(/_versions\/1\.manifest[\s\S]*403 Forbidden|403 Forbidden[\s\S]*_versions\/1\.manifest/);
    const managedTable = await send('POST', `/lance/${MANAGED}/v1/table/${NS}%24points/describe`, {});
    expect(managedTable.body.managed_versioning).toBe(true);
    expect(await manifests(managedTable.body.location as string)).toEqual([]);
    const managedVersions = await send('POST', `/lance/${MANAGED}/v1/table/${NS}%24points/version/list`, {});
    expect(managedVersions.body.versions).toEqual([]);
  });
});
