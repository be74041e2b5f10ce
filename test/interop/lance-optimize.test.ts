/**
 * Issue 59, Lance: the catalog optimizes a Lance table whose versions it manages (maintenance action `optimize`,
 * lance-optimize/lancedb-optimizer.ts). LanceDB Node 0.39 (its own Rust REST namespace client) writes 500 small
 * fragments through Lakegate's Lance namespace against a real server process; the catalog's optimize, run through the
 * management API, leaves far fewer fragments, the same rows, and a vector index that covers every row and answers;
 * each version it made is a managed version (CreateTableVersion), and LanceDB writers appending back to back during
 * a job (run from the CLI, `lakegate maintain --optimize`) neither starve it nor lose anything; a writer deleting rows during a job wins (the job plans
 * again, and gives up with 409 after three preempted attempts). The same on MinIO, where the job reads and writes with
 * the credentials the catalog vends through its private namespace.
 */
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { READ_WRITE_ALL } from '../support/access.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { clientToken, type CreatedPrincipal, createGrantedPrincipal, grantTo, type ServerProcess, startServer } from '../support/server-process.js';

const DIM = 8;
const MAINTENANCE = (ns: string, table: string) => `/management/v1/warehouses/default/namespaces/${ns}/tables/${table}/maintenance`;

let server: ServerProcess;
/** The admin: runs the jobs and inspects. */
let send: Send;
/** LanceDB's token: a principal that reads and writes (and owns the tables it creates). */
let writerToken: string;
let writer: CreatedPrincipal;
/** Another principal that reads and writes: it may not run maintenance on tables it does not own. */
let otherToken: string;
/** The CLI's config dir, logged in as the admin. */
let cliConfig: { dir: string; cleanup: () => void };

beforeAll(async () => {
  server = await startServer();
  send = httpSender(server.url, await server.token());
  writer = await createGrantedPrincipal(server, 'lance-writer', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
  writerToken = await clientToken(server.url, writer.credential);
  const other = await createGrantedPrincipal(server, 'lance-other', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
  otherToken = await clientToken(server.url, other.credential);
  cliConfig = tempDir('lakegate-cli-optimize-');
  const login = await runCli(cliConfig.dir, [
    'login',
    '--uri',
    server.url,
    '--warehouse',
    'default',
    '--credential',
    `@${path.join(server.dataDir, 'admin-credentials.json')}`,
  ]);
  expect(login.code, login.stderr).toBe(0);
  // Each test of the first describe makes its tables here (so one runs alone, e.g. with -t).
  await (await connect()).createNamespace(['opt']);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  cliConfig?.cleanup();
});

const connect = (warehouse = 'default') =>
  lancedb.connectNamespace('rest', { uri: `${server.url}/lance/${warehouse}`, headers: { Authorization: `Bearer ${writerToken}` } });
const vector = (i: number) => Array.from({ length: DIM }, (_, k) => Math.sin(i * 0.37 + k * 1.3) * (1 + (i % 7)));
const row = (i: number) => ({ id: i, vector: vector(i) });

async function ids(table: lancedb.Table): Promise<number[]> {
  const all = (await table.query().select(['id']).toArray()) as Array<{ id: number | bigint }>;
  return all.map((r) => Number(r.id)).sort((a, b) => a - b);
}

type AuditEvent = { type: string; actor: string; object?: string; detail?: Record<string, unknown> };

/** The audit records of a table's created versions, by version: who created each. */
async function versionCreators(table: string): Promise<Map<number, string>> {
  // Newest first: the versions of interest are the latest ones.
  const events = (await send('GET', '/management/v1/audit?type=lance.version.created&limit=1000')).body.events as AuditEvent[];
  const out = new Map<number, string>();
  for (const e of events) if (e.type === 'lance.version.created' && e.object?.endsWith(`.${table}`)) out.set(Number(e.detail!.version), e.actor);
  return out;
}

async function versions(ns: string, table: string): Promise<number[]> {
  const listed = await send('POST', `/lance/default/v1/table/${ns}%24${table}/version/list`, {});
  expect(listed.status).toBe(200);
  return (listed.body.versions as { version: number }[]).map((v) => v.version).sort((a, b) => a - b);
}

describe('optimize of a Lance table by the catalog (LanceDB Node 0.39)', () => {
  it('compacts 500 small fragments LanceDB appended through the namespace: fewer fragments, the same rows, a working vector index', async () => {
    const db = await connect();
    const table = await db.createTable('small', [row(0)], ['opt']);
    for (let i = 1; i < 450; i++) await table.add([row(i)]);
    await table.createIndex('vector', { config: lancedb.Index.ivfPq({ numPartitions: 2, numSubVectors: 4 }) });
    for (let i = 450; i < 500; i++) await table.add([row(i)]);
    const before = await table.stats();
    expect(before.fragmentStats.numFragments).toBe(500);
    expect((await table.indexStats('vector_idx'))!.numUnindexedRows).toBe(50);
    const versionsBefore = await versions('opt', 'small');

    const res = await send('POST', MAINTENANCE('opt', 'small'), { actions: ['optimize'] });
    expect(res.status).toBe(200);
    const optimize = res.body.optimize as Record<string, number>;
    expect(optimize['fragments-removed']).toBe(500);
    expect(optimize['fragments-added']).toBeLessThan(10);
    expect(optimize['version-before']).toBe(versionsBefore.at(-1));
    expect(optimize['version-after']).toBeGreaterThan(optimize['version-before']!);

    // A fresh LanceDB connection reads the new layout from the catalog's latest version.
    const after = await (await connect()).openTable('small', ['opt']);
    expect((await after.stats()).fragmentStats.numFragments).toBe(optimize['fragments-added']);
    expect(await after.countRows()).toBe(500);
    expect(await ids(after)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    // The index was brought up to date over the appended rows, and vector search answers through it.
    const index = (await after.indexStats('vector_idx'))!;
    expect(index.numIndexedRows).toBe(500);
    expect(index.numUnindexedRows).toBe(0);
    for (const probe of [3, 251, 477]) {
      const nearest = (await after.vectorSearch(vector(probe)).nprobes(2).refineFactor(50).limit(1).toArray()) as Array<{ id: number | bigint }>;
      expect(Number(nearest[0]!.id)).toBe(probe);
    }
    // Every version optimize made is a managed version, in sequence after the writer's.
    const versionsAfter = await versions('opt', 'small');
    expect(versionsAfter.slice(0, versionsBefore.length)).toEqual(versionsBefore);
    expect(versionsAfter.at(-1)).toBe(optimize['version-after']);
    expect(versionsAfter.length).toBe(versionsBefore.length + (optimize['version-after']! - optimize['version-before']!));
    // Each was created, and audited, as the catalog on behalf of the admin who ran the job; the job itself is audited.
    const creators = await versionCreators('small');
    for (let v = optimize['version-before']! + 1; v <= optimize['version-after']!; v++) expect(creators.get(v)).toMatch(/^system:maintenance for /);
    const audit = (await send('GET', '/management/v1/audit?type=maintenance.completed')).body.events as AuditEvent[];
    expect(audit.map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ trigger: 'on-demand', optimize: expect.objectContaining({ 'fragments-removed': 500 }) }),
    );
    // The job ended, and its lease with it.
    const job = await send('GET', MAINTENANCE('opt', 'small'));
    expect(job.body.state).toBe('done');
    expect((job.body.progress as { phase: string }).phase).toBe('done');
  }, 240_000);

  it('is not starved by LanceDB writers appending back to back while the job runs, and loses nothing they append', async () => {
    const db = await connect();
    const table = await db.createTable('busy', [row(0)], ['opt']);
    for (let i = 1; i < 200; i++) await table.add([row(i)]);
    let done = false;
    // 3 min for the CLI: on a loaded machine each append takes longer and optimize rebases more often.
    const job = runCli(cliConfig.dir, ['maintain', 'opt.busy', '--optimize', '--json'], { timeoutMs: 180_000 }).finally(() => (done = true));
    let next = 200;
    // Three writers (connections) append back to back, with no pause, until the job ends (15 appends at least): each
    // through CreateTableVersion, racing optimize's commits. Before the fence (catalog/lance-commit-queue.ts) they
    // starved optimize (each of its rebased commits lost to the next append): the job outlived all 400 appends in 3 of
    // 5 runs (one writer alone did in 6 of 15 runs elsewhere, none of 5 here). Now, once a commit of the job loses,
    // the writers' next commits wait for the job's rebased one, which lands, and the job ends within a few dozen.
    // At most 400 appends while the job runs (the writers then stop: the test ends even on the old code).
    const writers = [table, ...(await Promise.all([1, 2].map(async () => (await connect()).openTable('busy', ['opt']))))];
    await Promise.all(
      writers.map(async (w) => {
        while ((!done && next < 600) || next < 215) await w.add([row(next++)]);
      }),
    );
    const run = await job;
    expect(run.code, run.stderr).toBe(0);
    // Not starved: the job ended while the writers were still appending (not only once they stopped at their cap).
    expect(next).toBeLessThan(600);
    const res = { body: JSON.parse(run.stdout) as Record<string, unknown> };
    expect((res.body.optimize as Record<string, number>)['fragments-removed']).toBeGreaterThan(100);
    // The race was real: a writer's version landed between the job's first and last (Lance rebased the job's commit on it).
    const optimize = res.body.optimize as Record<string, number>;
    const creators = await versionCreators('busy');
    const since = [...creators].filter(([v]) => v > optimize['version-before']!).sort(([a], [b]) => a - b);
    const last = Math.max(...since.filter(([, who]) => who.startsWith('system:maintenance')).map(([v]) => v));
    expect(since.some(([v, who]) => v < last && who.startsWith('service:lance-writer'))).toBe(true);
    const reread = await (await connect()).openTable('busy', ['opt']);
    expect(await ids(reread)).toEqual(Array.from({ length: next }, (_, i) => i));
    expect((await reread.stats()).fragmentStats.numFragments).toBeLessThan(next - 100);
  }, 240_000);

  it('lets a concurrent delete of rewritten fragments win: the job plans again, or gives up with 409, and every delete is kept', async () => {
    const db = await connect();
    const table = await db.createTable('deleted', [row(0)], ['opt']);
    for (let i = 1; i < 150; i++) await table.add([row(i)]);
    let done = false;
    const job = send('POST', MAINTENANCE('opt', 'deleted'), { actions: ['optimize'] }).finally(() => (done = true));
    // Deletes a row (a whole one-row fragment) at a time until the job ends: Lance refuses a compaction whose fragments
    // a concurrent delete changed ("Retryable commit conflict … preempted by concurrent transaction Delete").
    let deleted = 0;
    while (!done) await table.delete(`id = ${deleted++}`);
    const res = await job;
    const left = Array.from({ length: 150 - deleted }, (_, i) => deleted + i);
    const reread = await (await connect()).openTable('deleted', ['opt']);
    expect(await ids(reread)).toEqual(left);
    if (res.status === 409) {
      // Every attempt was preempted (what a writer deleting throughout usually causes): nothing of the job committed.
      expect(res.body.error.message).toMatch(
        /optimize gave up after 3 attempt\(s\), each preempted by a concurrent change \(preempted by concurrent transaction Delete/,
      );
      expect((await reread.stats()).fragmentStats.numFragments).toBe(left.length);
      expect((await send('GET', MAINTENANCE('opt', 'deleted'))).body.state).toBe('failed');
    } else {
      expect(res.status).toBe(200);
      expect((await reread.stats()).fragmentStats.numFragments).toBeLessThan(left.length);
    }
  }, 240_000);

  it('refuses what it cannot do: optimize beside other actions (400), on an Iceberg table (404), by a writer who neither owns the table nor holds table:maintain (403)', async () => {
    const mixed = await send('POST', MAINTENANCE('opt', 'small'), { actions: ['optimize', 'expire-snapshots'] });
    expect(mixed.status).toBe(400);
    await send('POST', '/v1/default/namespaces/opt/tables', {
      name: 'berg',
      schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: false }] },
    });
    const iceberg = await send('POST', MAINTENANCE('opt', 'berg'), { actions: ['optimize'] });
    expect(iceberg.status).toBe(404);
    const asOther = httpSender(server.url, otherToken);
    const forbidden = await asOther('POST', MAINTENANCE('opt', 'small'), { actions: ['optimize'] });
    expect(forbidden.status).toBe(403);
  }, 60_000);
});

describe('optimize on object storage (MinIO): the job reads and writes with the credentials the catalog vends to itself', () => {
  const BUCKET = 'lakegate-lance-optimize';
  let minio: Minio;
  beforeAll(async () => {
    minio = await startMinio();
    await minio.createBucket(BUCKET);
    const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lanceopt', BUCKET));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await grantTo(server, writer.id, READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lanceopt' });
  }, 120_000);
  afterAll(async () => minio?.stop());

  it('compacts 60 fragments LanceDB appended with vended keys into one, the same rows', async () => {
    const db = await connect('lanceopt');
    await db.createNamespace(['s3']);
    const table = await db.createTable('frag', [row(0)], ['s3']);
    for (let i = 1; i < 60; i++) await table.add([row(i)]);
    expect((await table.stats()).fragmentStats.numFragments).toBe(60);
    const res = await send('POST', '/management/v1/warehouses/lanceopt/namespaces/s3/tables/frag/maintenance', { actions: ['optimize'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.optimize).toMatchObject({ 'fragments-removed': 60, 'fragments-added': 1 });
    const after = await (await connect('lanceopt')).openTable('frag', ['s3']);
    expect((await after.stats()).fragmentStats.numFragments).toBe(1);
    expect(await ids(after)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const listed = await send('POST', '/lance/lanceopt/v1/table/s3%24frag/version/list', {});
    expect((listed.body.versions as { version: number }[]).map((v) => v.version)).toContain(res.body.optimize['version-after']);
  }, 240_000);
});
