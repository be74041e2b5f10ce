/**
 * Where a table's files lie (issue 52), with Spark 4.1 + Iceberg 1.11 as the writer and reader
 * (peers/spark/locations.py, one Spark session for the file, driven step by step), on a `file:` warehouse (Iceberg's
 * HadoopFileIO) and on MinIO (S3FileIO with vended credentials). The namespace levels and the table name hold spaces,
 * non-ASCII letters, ":", "?", "#", "%" and "/" (backtick-quoted identifiers in Spark SQL), and so do the partition
 * values. Iceberg Java writes a partition value into a directory name with `URLEncoder` (`region=%C3%A9`,
 * `region=a%3Ab`, `region=q%3Fr%23s`, `region=100%25`, `region=x%2Fy`, and a space as `+`: `region=a+b`), and both
 * FileIOs take that name literally. The mirror of test/interop/locations-pyiceberg.test.ts, checked by listing the
 * storage itself:
 * - the location the catalog chose has no escape, every file of the table lies in its one directory tree, and the
 *   metadata location the catalog advertises exists;
 * - snapshot expiry (after a copy-on-write DELETE that rewrote the files of the `é`, `a:b` and `q?r#s` partitions)
 *   and orphan removal (strays planted in Spark's literal partition directories) delete exactly the files they
 *   report (nothing reported missing or failed), a second run reports nothing, and Spark reads every kept snapshot
 *   as before;
 * - the catalog's purge (DELETE …?purgeRequested=true by an admin, as PyIceberg's purge_table sends) leaves nothing
 *   under the location. Spark's own DROP TABLE … PURGE is a plain drop to the catalog after which Spark deletes the
 *   files itself (test/interop/maintenance-spark.test.ts), so it would prove nothing about the catalog here.
 * Spark could do all of it; two catalog defects it found are fixed as classes: Iceberg Java writes a space in a path
 * name as `+` (URLEncoder), which the catalog read as a plus (http/plugins/path-params.ts; test/http/
 * form-encoded-names.test.ts), and on `file:` Hadoop's `.name.crc` checksum sidecars of live files were taken for
 * orphans and deleted (storage/file/local-file-storage.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { ESCAPED_NAMES as NAMES, expectOneTree, fileStore as makeFileStore, s3Store as makeS3Store } from '../support/location-stores.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { SparkSession } from '../support/spark-session.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-locations-spark';
/** For failure messages: catalog answers carry 63-bit ids as BigInt. */
const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
let server: ServerProcess;
let send: Send;
let minio: Minio;
let spark: SparkSession;

beforeAll(async () => {
  const install = await runAsync('bash', [peerScript('spark.sh')]);
  expect(install.status, install.stderr).toBe(0);
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  send = httpSender(server.url, await server.token());
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 's3wh', BUCKET));
  expect(created.status, show(created.body)).toBe(201);
  // Spark catalog `file` on the server's default (file:) warehouse, `s3` on MinIO with vended credentials only.
  spark = await SparkSession.shared('locations', {
    CATALOG_URI: server.url,
    CATALOG_CREDENTIAL: server.credential,
    CATALOG_FILE: 'default',
    CATALOG_S3: 's3wh vended-credentials',
  });
}, 25 * 60_000);
afterAll(async () => {
  await spark?.stop();
  await server?.stop();
  await minio?.stop();
});

/** Spark's catalog `file` on the server's default (file:) warehouse, `s3` on MinIO (see beforeAll). */
const fileStore = () => ({ catalog: 'file', ...makeFileStore(server.warehouseRoot) });
const s3Store = () => ({ catalog: 's3', ...makeS3Store(minio.root, BUCKET) });

/**
 * HadoopFileIO records the paths it writes on a `file:` warehouse in Hadoop's one-slash form (`file:/tmp/…`), and
 * maintenance reports them so; the table's location, the catalog's files and a listing are `file:///…`. Both name the
 * same file: compare them in one form.
 */
const canon = (uri: string) => uri.replace(/^file:\/(?!\/)/, 'file:///');
/**
 * HadoopFileIO writes a `file:` location through Hadoop's LocalFileSystem, which puts a checksum `.name.crc` next to
 * every file `name`, hides it from listings and deletes it with its file; the catalog's file storage does the same.
 */
const isSidecar = (uri: string) => /\/\.[^/]+\.crc$/.test(uri);
const fileOf = (sidecar: string) => sidecar.replace(/\/\.([^/]+)\.crc$/, '/$1');

describe.each([
  ['a file: warehouse (HadoopFileIO)', fileStore],
  ['MinIO (S3FileIO, vended credentials)', s3Store],
])('Spark on %s, names and partition values with spaces, é, ":", "?", "#", "%" and "/"', (_, makeStore) => {
  it(
    'keeps every file in the table location, expiry and orphan removal delete exactly what they report, a purge leaves nothing',
    async () => {
      const store = makeStore();
      const command = { catalog: store.catalog, namespace: NAMES.namespace, table: NAMES.table };
      const written = await spark.run({ cmd: 'write', ...command });
      const snapshots = (written.snapshots as Array<{ id: string; operation: string }>).map((s) => s.id);
      // Seven appends, the copy-on-write DELETE (an overwrite), two appends.
      expect((written.snapshots as Array<{ operation: string }>).map((s) => s.operation)).toEqual([
        ...Array(7).fill('append'),
        'overwrite',
        'append',
        'append',
      ]);
      expect((written.partitions as string[]).sort()).toEqual(['100%', 'a b', 'a:b', 'plain', 'q?r#s', 'x/y', 'é'].sort());

      const nsPath = encodeURIComponent(NAMES.namespace.join('\u001f'));
      const tablePath = `namespaces/${nsPath}/tables/${encodeURIComponent(NAMES.table)}`;
      const loaded = await send('GET', `/v1/${store.warehouse}/${tablePath}`);
      expect(loaded.status, show(loaded.body)).toBe(200);
      // The location needs no escaping and holds every object of the warehouse, the metadata location among them.
      const all = await expectOneTree(store, loaded.body.metadata.location as string, loaded.body['metadata-location']);
      expect(all.some(isSidecar), 'checksum sidecars').toBe(store.catalog === 'file');
      // Spark (Iceberg Java's URLEncoder) wrote the partition values percent-encoded, a space as "+", into literal
      // directory names: the very files Spark names are the files on storage.
      const dataFiles = (written.data_files as string[]).map(canon);
      for (const f of dataFiles) expect(all, f).toContain(f);
      for (const dir of ['region=%C3%A9', 'region=a%3Ab', 'region=q%3Fr%23s', 'region=100%25', 'region=x%2Fy', 'region=a+b', 'region=plain'])
        expect(
          dataFiles.some((u) => u.includes(`/data/${dir}/`)),
          dir,
        ).toBe(true);

      const url = `/management/v1/warehouses/${store.warehouse}/${tablePath}/maintenance`;
      const kept = snapshots.slice(-2);
      const expiry = await send('POST', url, { actions: ['expire-snapshots'], 'min-snapshots-to-keep': 2, 'max-snapshot-age-ms': 0 });
      expect(expiry.status, show(expiry.body)).toBe(200);
      expect([...expiry.body['expired-snapshots']].map(String).sort()).toEqual(snapshots.slice(0, -2).sort());
      expect(expiry.body['failed-files']).toEqual([]);
      expect(expiry.body['missing-files']).toEqual([]);
      const afterExpiry = await store.list();
      const gone = all.filter((u) => !afterExpiry.includes(u));
      const reported = (expiry.body.files as Array<{ path: string }>).map((f) => canon(f.path)).sort();
      expect(expiry.body['deleted-files']).toBe(reported.length);
      expect(reported.length).toBeGreaterThan(0);
      expect(gone.filter((u) => !isSidecar(u))).toEqual(reported);
      // Each deleted file's checksum sidecar (file: only) went with it, and no sidecar is left without its file.
      for (const u of gone.filter(isSidecar)) expect(reported).toContain(fileOf(u));
      for (const u of afterExpiry.filter(isSidecar)) expect(afterExpiry).toContain(fileOf(u));
      // Among them the data files the DELETE replaced, in Spark's percent-encoded partition directories.
      for (const dir of ['region=%C3%A9', 'region=a%3Ab', 'region=q%3Fr%23s'])
        expect(
          gone.some((u) => u.includes(`/data/${dir}/`) && u.endsWith('.parquet')),
          dir,
        ).toBe(true);

      const verified = await spark.run({ cmd: 'verify', ...command, kept });
      expect(verified.rows).toEqual(written.rows);
      expect([...verified.snapshots].sort()).toEqual([...kept].sort());
      expect(verified.per_snapshot[kept[1]!]).toEqual(written.rows);
      for (const f of verified.reachable as string[]) expect(afterExpiry, f).toContain(canon(f));
      const reloaded = await send('GET', `/v1/${store.warehouse}/${tablePath}`);
      expect(afterExpiry).toContain(reloaded.body['metadata-location']);

      // Strays where a failed write would leave them: in Spark's literal partition directories.
      const dirs = [...new Set(afterExpiry.filter((u) => /\/data\/region=(%C3%A9|a%3Ab|q%3Fr%23s)\//.test(u)).map((u) => u.slice(0, u.lastIndexOf('/'))))];
      expect(dirs.length).toBe(3);
      const strays = dirs.map((d, i) => `${d}/stray-${i}.parquet`).sort();
      for (const s of strays) await store.put(s, 'PAR1 half a file');
      const orphans = await send('POST', url, { actions: ['remove-orphan-files'], 'orphan-older-than-ms': 0 });
      expect(orphans.status, show(orphans.body)).toBe(200);
      expect(orphans.body['deleted-files'], show(orphans.body)).toBe(3);
      expect(orphans.body).toMatchObject({ 'deleted-files': 3, 'failed-files': [], 'missing-files': [] });
      expect((orphans.body.files as Array<{ path: string }>).map((f) => canon(f.path)).sort()).toEqual(strays);
      expect(await store.list()).toEqual(afterExpiry);
      const again = await send('POST', url, { actions: ['remove-orphan-files'], 'orphan-older-than-ms': 0 });
      expect(again.body).toMatchObject({ 'deleted-files': 0, files: [], 'missing-files': [] });
      const expiredAgain = await send('POST', url, { actions: ['expire-snapshots'], 'min-snapshots-to-keep': 2, 'max-snapshot-age-ms': 0 });
      expect(expiredAgain.body).toMatchObject({ 'expired-snapshots': [], 'deleted-files': 0, files: [], 'missing-files': [] });
      expect((await spark.run({ cmd: 'verify', ...command, kept })).rows).toEqual(written.rows);

      const purged = await send('DELETE', `/v1/${store.warehouse}/${tablePath}?purgeRequested=true`);
      expect(purged.status, show(purged.body)).toBe(204);
      expect((await send('GET', `/v1/${store.warehouse}/${tablePath}`)).status).toBe(404);
      expect(await store.list()).toEqual([]);
    },
    30 * 60_000,
  );
});
