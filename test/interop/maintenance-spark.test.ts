/**
 * Table maintenance run by the catalog (issue 39) on MinIO, with Spark 4.1 + Iceberg 1.11 as the writer and reader
 * (peers/spark/maintenance.py, one Spark session for the file, driven step by step; vended credentials only).
 *
 * Spark writes a table through Lakegate with 15 one-batch INSERTs, a copy-on-write MERGE (an overwrite snapshot that
 * deletes data files) and a merge-on-read MERGE (position delete files). Twice it writes through a gateway in front of
 * the catalog that answers the commit with a 500 without passing it on: Spark's tasks wrote their data files and
 * Iceberg its manifest and manifest list, the commit's outcome is unknown to Iceberg, so it keeps them (deleting them
 * could corrupt a commit that did land): the orphans a cut-off writer leaves. The first failed write is old, the
 * second young. Then, through POST …/maintenance as an operator would: snapshot expiry with min-snapshots-to-keep=3
 * (a dry run first, which changes nothing), orphan removal dry run (lists exactly both failed writes' files, deletes
 * nothing), then orphan removal with a safety age between the two failed writes (the old orphans go, the young
 * survive). Afterwards Spark reads every kept snapshot with the rows it read before, time travel to every expired
 * snapshot fails, and the bucket (listed with the S3 API) holds exactly the files the kept snapshots reach (as Spark's
 * own metadata tables name them, read at each kept snapshot), the metadata.json files of the table's metadata log, and
 * the young orphans.
 *
 * Then, with the server's sweep every second (LAKEGATE_SWEEP_INTERVAL_MS) and a warehouse whose drop.retention-ms is
 * 30 s: a purge (DELETE …?purgeRequested=true by the engine, which lacks table:purge-immediately) keeps the files
 * until the retention ends, then they are gone from MinIO; Spark's DROP TABLE without purge keeps them after the
 * retention; a registered table's purge keeps them (the catalog does not own its location); a purged drop undropped
 * within the retention comes back to Spark with its data and its files. Spark 4.1 + Iceberg 1.11's own DROP TABLE …
 * PURGE is shown for what it is: a plain drop to the catalog, after which Spark deletes the files itself, at once.
 */
import http from 'node:http';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { clientToken, type CreatedPrincipal, createGrantedPrincipal, grantTo, type ServerProcess, startServer } from '../support/server-process.js';
import { SparkSession } from '../support/spark-session.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-maint-spark';
const M = '/management/v1/warehouses';
const TABLE = 'lake.maint.events';
const MAINTENANCE = `${M}/lake/namespaces/maint/tables/events/maintenance`;
const RETENTION_MS = 30_000;
const SWEEP_MS = 1_000;
/** For failure messages: catalog answers carry 63-bit ids as BigInt. */
const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let minio: Minio;
let server: ServerProcess;
let send: Send;
let engine: CreatedPrincipal;
let gateway: Gateway;
let spark: SparkSession;

/**
 * A gateway in front of the catalog that passes every request on, except a table commit (POST …/tables/{t}), which it
 * answers with a 500 without passing it on: the client cannot know whether the commit landed.
 */
interface Gateway {
  url: string;
  refused: string[];
  close(): Promise<void>;
}

async function startGateway(target: string): Promise<Gateway> {
  const to = new URL(target);
  const refused: string[] = [];
  const srv = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'POST' && /^\/v1\/[^/]+\/namespaces\/[^/]+\/tables\/[^/]+$/.test(pathname)) {
      refused.push(pathname);
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'upstream connection reset', type: 'ServiceFailureException', code: 500 } }));
      return;
    }
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, refused, close: () => new Promise((resolve) => srv.close(() => resolve())) };
}

beforeAll(async () => {
  const install = await runAsync('bash', [peerScript('spark.sh')]);
  expect(install.status, install.stderr).toBe(0);
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_SWEEP_INTERVAL_MS: String(SWEEP_MS) } });
  send = httpSender(server.url, await server.token());
  const lake = await send('POST', M, minioWarehouse(minio, 'lake', BUCKET));
  expect(lake.status, show(lake.body)).toBe(201);
  // Same bucket, its own root (warehouse roots never overlap), dropped objects kept for 30 s.
  const short = await send('POST', M, {
    ...minioWarehouse(minio, 'short', BUCKET),
    'storage-root': `s3://${BUCKET}/short`,
    properties: { 'drop.retention-ms': String(RETENTION_MS) },
  });
  expect(short.status, show(short.body)).toBe(201);
  // Spark is an engine, not an admin: no table:purge-immediately, so its purges wait for the retention.
  engine = await createGrantedPrincipal(server, 'spark-maint', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
  await grantTo(server, engine.id, READ_WRITE_ALL, { type: 'warehouse', warehouse: 'short' });
  gateway = await startGateway(server.url);
  spark = await SparkSession.shared('maintenance', {
    CATALOG_URI: server.url,
    CATALOG_CREDENTIAL: engine.credential,
    CATALOG_LAKE: ' lake',
    CATALOG_FLAKY: `${gateway.url} lake`,
    CATALOG_SHORT: ' short',
  });
}, 25 * 60_000);
afterAll(async () => {
  await spark?.stop();
  await gateway?.close();
  await server?.stop();
  await minio?.stop();
});

async function objectsUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await minio.root.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix.replace(`s3://${BUCKET}/`, '')}/`, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => `s3://${BUCKET}/${o.Key!}`));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

interface Reach {
  files: string[];
  manifests: string[];
  manifest_lists: string[];
  all_files: string[];
  all_manifests: string[];
  content_counts: Record<string, number>;
}
const locationOf = async (warehouse: string, ns: string, name: string) =>
  (await send('GET', `/v1/${warehouse}/namespaces/${ns}/tables/${name}`)).body.metadata.location as string;
const reachable = (r: Reach) => [...new Set([...r.files, ...r.manifests, ...r.manifest_lists])].sort();
const isMetadataJson = (k: string) => k.endsWith('.metadata.json');
const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));

it(
  'Spark: expiry keeps the last 3 snapshots readable and identical, expired ones fail, orphans older than the safety age go, the bucket holds exactly what is reachable',
  async () => {
    const written = await spark.run({ cmd: 'write', table: TABLE, inserts: 15, fail_after: 4, flaky: 'flaky' });
    const snapshots = (written.snapshots as Array<{ id: string; operation: string }>).map((s) => s.id);
    // 12 appends, a copy-on-write MERGE, 2 appends, a merge-on-read MERGE, 1 append.
    expect(snapshots.length).toBe(17);
    expect((written.snapshots as Array<{ operation: string }>).map((s) => s.operation)).toEqual([
      ...Array(12).fill('append'),
      'overwrite',
      'append',
      'append',
      'overwrite',
      'append',
    ]);
    const reachAll = written.reach as Reach;
    // The merge-on-read MERGE wrote position delete files (content 1) that the last snapshots still carry.
    expect(reachAll.content_counts['1']).toBeGreaterThan(0);
    // The first failed write: Iceberg reports the commit's state unknown (and keeps the files it wrote).
    expect(written.failed).toMatch(/CommitStateUnknown/);
    expect(gateway.refused.length).toBe(1);
    const location = await locationOf('lake', 'maint', 'events');
    expect(location.startsWith(`s3://${BUCKET}/wh/`)).toBe(true);

    // Old orphans: what the bucket holds that no snapshot reaches and that is no metadata.json.
    const afterWrite = await objectsUnder(location);
    const oldOrphans = minus(
      afterWrite.filter((k) => !isMetadataJson(k)),
      reachable(reachAll),
    );
    expect(reachable(reachAll).every((k) => afterWrite.includes(k))).toBe(true);
    expect(oldOrphans.filter((k) => k.endsWith('.parquet')).length).toBeGreaterThanOrEqual(1);
    expect(oldOrphans.filter((k) => /\/metadata\/snap-[^/]+\.avro$/.test(k)).length).toBe(1);
    expect(oldOrphans.filter((k) => /\/metadata\/[^/]+-m\d+\.avro$/.test(k)).length).toBe(1);

    // The young failed write, well after the old one's files (MinIO's clock is this machine's).
    const between = Date.now();
    await sleep(2000);
    const young = await spark.run({ cmd: 'fail', table: TABLE, flaky: 'flaky' });
    expect(young.failed).toMatch(/CommitStateUnknown/);
    expect(gateway.refused.length).toBe(2);
    expect(young.reach.all_files).toEqual(reachAll.all_files);
    const afterFail = await objectsUnder(location);
    const youngOrphans = minus(afterFail, afterWrite);
    expect(youngOrphans.filter((k) => k.endsWith('.parquet')).length).toBeGreaterThanOrEqual(1);
    expect(youngOrphans.filter((k) => isMetadataJson(k))).toEqual([]);

    // Snapshot expiry, min-snapshots-to-keep 3 and every older snapshot old enough: a dry run lists, changes nothing.
    const expiry = { actions: ['expire-snapshots'], 'min-snapshots-to-keep': 3, 'max-snapshot-age-ms': 0 };
    const kept = snapshots.slice(-3);
    const expired = snapshots.slice(0, -3);
    const dry = await send('POST', MAINTENANCE, { ...expiry, 'dry-run': true });
    expect(dry.status, show(dry.body)).toBe(200);
    expect([...dry.body['expired-snapshots']].sort()).toEqual([...expired].sort());
    expect(await objectsUnder(location)).toEqual(afterFail);
    const done = await send('POST', MAINTENANCE, expiry);
    expect(done.status, show(done.body)).toBe(200);
    expect([...done.body['expired-snapshots']].sort()).toEqual([...expired].sort());
    expect(done.body['deleted-files']).toBe(dry.body.files.length);
    const afterExpiry = await objectsUnder(location);

    // Orphans: the default safety age (3 days) keeps both failed writes' files; a dry run with age 0 lists exactly
    // them and deletes nothing; an age between the two failed writes deletes the old ones only.
    const orphans = { actions: ['remove-orphan-files'] };
    expect((await send('POST', MAINTENANCE, orphans)).body).toMatchObject({ 'deleted-files': 0, files: [] });
    const dryOrphans = await send('POST', MAINTENANCE, { ...orphans, 'orphan-older-than-ms': 0, 'dry-run': true });
    expect(dryOrphans.status, show(dryOrphans.body)).toBe(200);
    expect((dryOrphans.body.files as Array<{ path: string }>).map((f) => f.path).sort()).toEqual([...oldOrphans, ...youngOrphans].sort());
    expect(await objectsUnder(location)).toEqual(afterExpiry);
    const aged = await send('POST', MAINTENANCE, { ...orphans, 'orphan-older-than-ms': Date.now() - between });
    expect(aged.status, show(aged.body)).toBe(200);
    expect((aged.body.files as Array<{ path: string }>).map((f) => f.path).sort()).toEqual([...oldOrphans].sort());
    expect(aged.body['deleted-files']).toBe(oldOrphans.length);

    // Spark, afterwards: the kept snapshots read as before, the expired ones fail.
    const verified = await spark.run({ cmd: 'verify', table: TABLE, kept, expired });
    expect([...verified.snapshots].sort()).toEqual([...kept].sort());
    for (const id of kept) expect(verified.kept_rows[id], id).toEqual(written.rows[id]);
    for (const id of expired) expect(verified.expired_errors[id].error, `time travel to expired ${id}`).toMatch(/snapshot/i);
    const reachKept = verified.reach as Reach;
    // Spark's all_* tables (over what the table has left) agree with the per-snapshot reading.
    expect(reachKept.all_files).toEqual(reachKept.files);
    expect(reachKept.all_manifests).toEqual(reachKept.manifests);
    expect(reachKept.content_counts['1']).toBeGreaterThan(0);

    // The bucket: exactly what the kept snapshots reach, the metadata log's files, and the young orphans.
    const table = (await send('GET', '/v1/lake/namespaces/maint/tables/events')).body;
    const logged = [table['metadata-location'], ...table.metadata['metadata-log'].map((e: { 'metadata-file': string }) => e['metadata-file'])];
    const final = await objectsUnder(location);
    expect(final).toEqual([...new Set([...reachable(reachKept), ...logged, ...youngOrphans])].sort());
    // Expiry deleted what only expired snapshots reached (and nothing kept); before orphan removal the bucket also
    // held the old orphans.
    expect(afterExpiry).toEqual([...final, ...oldOrphans].sort());
    for (const f of done.body.files as Array<{ path: string }>) expect(reachable(reachKept)).not.toContain(f.path);
    expect(done.body['deleted-files']).toBeGreaterThan(0);
  },
  20 * 60_000,
);

const short = (name: string) => `short.d.${name}`;
const dropped = async () =>
  (await send('GET', `${M}/short/dropped`)).body.dropped as Array<{ id: string; name: string; purge: boolean; 'expires-at-ms': number }>;

it(
  'a real server ends drop retention: a purged table’s files are gone after it, an unpurged or registered table’s stay, an undropped one comes back to Spark',
  async () => {
    const tables: Record<string, { rows: unknown; location: string }> = {};
    for (const [name, ids] of Object.entries({ purged: [1, 2, 3], kept: [4, 5], back: [6, 7, 8, 9], sparkpurge: [10, 11] })) {
      const created = await spark.run({ cmd: 'create', table: short(name), rows: ids });
      tables[name] = { rows: created.rows, location: await locationOf('short', 'd', name) };
      expect((await objectsUnder(tables[name]!.location)).length, name).toBeGreaterThan(0);
    }
    const files = Object.fromEntries(await Promise.all(Object.entries(tables).map(async ([name, t]) => [name, await objectsUnder(t.location)] as const)));
    // The engine (no table:purge-immediately) drops through the Iceberg REST API: a purge waits for the retention.
    const asEngine = httpSender(server.url, await clientToken(server.url, engine.credential));
    const purge = async (name: string) =>
      expect((await asEngine('DELETE', `/v1/short/namespaces/d/tables/${name}?purgeRequested=true`)).status, name).toBe(204);
    // Spark 4.1 + Iceberg 1.11's DROP TABLE … PURGE is a plain drop to the catalog (no purgeRequested), after which
    // Spark deletes every file the table reaches itself, at once, with the table's vended credentials: the catalog's
    // retention cannot keep those files (docs/compatibility.md).
    await spark.run({ cmd: 'drop', table: short('sparkpurge'), purge: true });
    expect(await objectsUnder(tables.sparkpurge!.location)).toEqual([]);
    const keptMetadata = (await send('GET', '/v1/short/namespaces/d/tables/kept')).body['metadata-location'] as string;
    await spark.run({ cmd: 'drop', table: short('kept'), purge: false });
    // A registered table (kept's files, adopted under a new name): the catalog does not own its location, so no purge
    // deletes its files.
    const registered = await send('POST', '/v1/short/namespaces/d/register', { name: 'adopted', 'metadata-location': keptMetadata });
    expect(registered.status, show(registered.body)).toBe(200);
    await purge('adopted');
    await purge('purged');
    await purge('back');
    const listed = await dropped();
    expect(Object.fromEntries(listed.map((d) => [d.name, d.purge]))).toEqual({ sparkpurge: false, kept: false, adopted: true, purged: true, back: true });

    // Within the retention: the undrop brings the table back to Spark with its rows; nothing was deleted yet.
    const undrop = await send('POST', `${M}/short/dropped/${listed.find((d) => d.name === 'back')!.id}/undrop`, {});
    expect(undrop.status, show(undrop.body)).toBe(200);
    expect(Date.now()).toBeLessThan(listed.find((d) => d.name === 'purged')!['expires-at-ms']);
    expect(await objectsUnder(tables.purged!.location)).toEqual(files.purged);
    expect((await spark.run({ cmd: 'read', table: short('back') })).rows).toEqual(tables.back!.rows);
    expect((await spark.run({ cmd: 'read', table: short('purged') })).error).toMatch(/TABLE_OR_VIEW_NOT_FOUND|NoSuchTable/);

    // Past the retention (plus some sweeps): the purged table's files are gone; nothing else is.
    const until = Math.max(...listed.map((d) => d['expires-at-ms'])) + 30 * SWEEP_MS + 30_000;
    let gone = false;
    while (!gone && Date.now() < until) {
      await sleep(SWEEP_MS);
      gone = (await objectsUnder(tables.purged!.location)).length === 0 && (await dropped()).length === 0;
    }
    expect(gone, 'the purged table’s files and every dropped entry are gone after the retention').toBe(true);
    expect(await objectsUnder(tables.kept!.location)).toEqual(files.kept);
    expect(await objectsUnder(tables.back!.location)).toEqual(files.back);
    expect((await spark.run({ cmd: 'read', table: short('back') })).rows).toEqual(tables.back!.rows);
    // Past its retention a dropped table cannot be undropped: its entry is gone (404).
    const late = await send('POST', `${M}/short/dropped/${listed.find((d) => d.name === 'kept')!.id}/undrop`, {});
    expect(late.status).toBe(404);
  },
  10 * 60_000,
);
