/**
 * Federation (issue 57) to an AWS Glue Data Catalog with real clients: moto's server (5.2.5, PyPI) is Glue, MinIO is
 * the warehouse's storage with STS vending. PyIceberg 0.12 (peers/python/pyiceberg_federation.py) creates, appends,
 * reads and drops through Lakegate with nothing but Lakegate's vended credentials, while PyIceberg's own GlueCatalog
 * appends straight to moto (and MinIO) at the same time. Proves: the management API's glue kind (connection test,
 * sealed secret never echoed), every commit from both sides survives, a principal without grants sees nothing, and
 * Glue down answers 503 with Retry-After.
 * moto ignores UpdateTable's VersionId, which AWS Glue checks and both writers rely on: test/support/moto.ts runs it
 * with that one check added (peers/moto/moto_glue_server.py); without it this test loses commits, as it should.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, GetTableCommand, GlueClient, UpdateTableCommand } from '@aws-sdk/client-glue';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../packages/server/src/catalog/json.js';
import { appendUpdates, createTransactionCommit, expectReplaced, httpSender, replaceCommit, simpleSchema, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { type Moto, startMoto } from '../support/moto.js';
import { REPO_ROOT, type ServerProcess, createPrincipal, startServer } from '../support/server-process.js';
import { pythonVenv } from '../support/peers.js';
import { runAsync } from '../support/temp.js';

const GLUE_KEY = { accessKeyId: 'AKIDLAKEGATEGLUE', secretAccessKey: 'glue-secret-access-key-never-echoed' };

let server: ServerProcess;
let send: Send;
let python: string;
let moto: Moto;
let minio: Minio;
let glue: GlueClient;

beforeAll(async () => {
  python = await pythonVenv('pyiceberg-sigv4', 'peers/python/requirements-sigv4.txt', 'import pyiceberg, pyarrow, boto3, botocore.auth');
  moto = await startMoto();
  minio = await startMinio();
  await minio.createBucket('glue-fed');
  glue = new GlueClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: GLUE_KEY });
  server = await startServer();
  send = httpSender(server.url, await server.token());
}, 20 * 60_000);

afterAll(async () => {
  glue?.destroy();
  await server?.stop();
  await moto?.stop();
  await minio?.stop();
});

const federation = () => ({ kind: 'glue', region: 'us-east-1', uri: moto.endpoint, 'access-key-id': GLUE_KEY.accessKeyId, 'timeout-ms': 5000 });

/** PyIceberg through Lakegate (no storage keys: only what Lakegate vends), or its own GlueCatalog straight to moto. */
async function py(phase: string, env: Record<string, string> = {}, direct = false): Promise<any> {
  const base = direct
    ? {
        CATALOG_TYPE: 'glue',
        GLUE_ENDPOINT: moto.endpoint,
        GLUE_KEY_ID: GLUE_KEY.accessKeyId,
        GLUE_SECRET: GLUE_KEY.secretAccessKey,
        S3_ENDPOINT: minio.endpoint,
        S3_KEY_ID: MINIO_ROOT.accessKeyId,
        S3_SECRET: MINIO_ROOT.secretAccessKey,
      }
    : { CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'glue', CATALOG_CREDENTIAL: server.credential };
  const full: NodeJS.ProcessEnv = { ...process.env, ...base, ...env };
  for (const k of Object.keys(full)) if (k.startsWith('AWS_')) delete full[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_federation.py'), phase], { env: full, timeoutMs: 5 * 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

/** A table created through Lakegate with one snapshot: its load through Lakegate (the base a replace starts from). */
async function tableWithSnapshot(name: string): Promise<any> {
  const created = await send('POST', '/v1/glue/namespaces/fed/tables', { name, schema: simpleSchema });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const append = appendUpdates(created.body.metadata);
  const committed = await send('POST', `/v1/glue/namespaces/fed/tables/${name}`, { requirements: append.requirements, updates: append.updates });
  expect(committed.status, stringifyJson(committed.body)).toBe(200);
  return (await send('GET', `/v1/glue/namespaces/fed/tables/${name}`)).body;
}

/** The table as Glue holds it (its parameters) and the metadata file its pointer names, read from MinIO. */
async function glueMetadata(name: string): Promise<{ parameters: Record<string, string>; metadata: any }> {
  const parameters = (await glue.send(new GetTableCommand({ DatabaseName: 'fed', Name: name }))).Table!.Parameters!;
  const url = new URL(parameters.metadata_location!);
  const object = await minio.root.send(new GetObjectCommand({ Bucket: url.host, Key: url.pathname.slice(1) }));
  return { parameters, metadata: parseJson(await object.Body!.transformToString()) };
}

/**
 * A writer straight to Glue, as Iceberg's GlueCatalog commits: reads the table (its VersionId and metadata file), writes
 * the next metadata file with one appended snapshot, then UpdateTable with that VersionId; Glue refusing a stale one
 * (ConcurrentModificationException) means another writer won: reload and try again. Answers the snapshot id committed.
 */
async function directAppend(name: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const table = (await glue.send(new GetTableCommand({ DatabaseName: 'fed', Name: name }))).Table!;
    const { metadata } = await glueMetadata(name);
    const pointer = table.Parameters!.metadata_location!;
    const append = appendUpdates(metadata);
    const snapshot = append.updates[0]!.snapshot as Record<string, any>;
    const next = {
      ...metadata,
      'last-updated-ms': Date.now(),
      'current-snapshot-id': append.snapshotId,
      snapshots: [...metadata.snapshots, snapshot],
      refs: { ...metadata.refs, main: { 'snapshot-id': append.snapshotId, type: 'branch' } },
      'snapshot-log': [...(metadata['snapshot-log'] ?? []), { 'timestamp-ms': snapshot['timestamp-ms'], 'snapshot-id': append.snapshotId }],
      'metadata-log': [...(metadata['metadata-log'] ?? []), { 'timestamp-ms': metadata['last-updated-ms'], 'metadata-file': pointer }],
      ...(snapshot['sequence-number'] === undefined ? {} : { 'last-sequence-number': snapshot['sequence-number'] }),
      ...(snapshot['first-row-id'] === undefined ? {} : { 'next-row-id': snapshot['first-row-id'] + snapshot['added-rows'] }),
    };
    const location = `${metadata.location}/metadata/direct-${randomUUID()}.metadata.json`;
    const url = new URL(location);
    await minio.root.send(new PutObjectCommand({ Bucket: url.host, Key: url.pathname.slice(1), Body: stringifyJson(next) }));
    try {
      await glue.send(
        new UpdateTableCommand({
          DatabaseName: 'fed',
          VersionId: table.VersionId,
          TableInput: {
            Name: name,
            TableType: table.TableType,
            Parameters: { ...table.Parameters, metadata_location: location, previous_metadata_location: pointer },
            ...(table.StorageDescriptor ? { StorageDescriptor: table.StorageDescriptor } : {}),
          },
        }),
      );
      return String(append.snapshotId);
    } catch (e) {
      if ((e as Error).name !== 'ConcurrentModificationException') throw e;
    }
  }
  throw new Error('the direct writer lost 100 races in a row');
}

const objectCount = async () => {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await minio.root.send(new ListObjectsV2Command({ Bucket: 'glue-fed', ContinuationToken: token }));
    count += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return count;
};

describe('a federated warehouse on AWS Glue (moto), MinIO as its storage', () => {
  it('is created after a connection test, its secret access key sealed and never answered', async () => {
    const refused = await send('POST', '/management/v1/warehouses', {
      ...minioWarehouse(minio, 'glue-down', 'glue-fed'),
      federation: { ...federation(), uri: 'http://127.0.0.1:9', 'timeout-ms': 1000 },
      'federation-secret': { 'secret-access-key': GLUE_KEY.secretAccessKey },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('connection test');
    expect(JSON.stringify(refused.body)).not.toContain(GLUE_KEY.secretAccessKey);
    const created = await send('POST', '/management/v1/warehouses', {
      ...minioWarehouse(minio, 'glue', 'glue-fed'),
      federation: federation(),
      'federation-secret': { 'secret-access-key': GLUE_KEY.secretAccessKey },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.federation).toMatchObject({
      kind: 'glue',
      region: 'us-east-1',
      uri: moto.endpoint,
      'access-key-id': GLUE_KEY.accessKeyId,
      'has-secret': true,
    });
    const listed = await send('GET', '/management/v1/warehouses');
    expect(JSON.stringify(listed.body)).not.toContain(GLUE_KEY.secretAccessKey);
  });

  it('creates through Lakegate a table that lands in Glue as an Iceberg table inside the warehouse storage', async () => {
    const created = await py('create');
    expect(created.location).toMatch(/^s3:\/\/glue-fed\/wh\//);
    const table = (await glue.send(new GetTableCommand({ DatabaseName: 'fed', Name: 'events' }))).Table!;
    expect(table.Parameters).toMatchObject({ table_type: 'ICEBERG', metadata_location: created.metadata_location });
  });

  it("appends concurrently with PyIceberg's own GlueCatalog writing straight to Glue: every commit survives", async () => {
    const [viaLakegate, direct] = await Promise.all([
      py('append', { FED_WRITER: 'lakegate', FED_COUNT: '5' }),
      py('append', { FED_WRITER: 'direct', FED_COUNT: '5' }, true),
    ]);
    expect(viaLakegate.appended).toBe(5);
    expect(direct.appended).toBe(5);
    expect((await py('read')).counts).toEqual({ lakegate: 5, direct: 5 });
    expect((await py('read', {}, true)).counts).toEqual({ lakegate: 5, direct: 5 });
    const table = (await glue.send(new GetTableCommand({ DatabaseName: 'fed', Name: 'events' }))).Table!;
    expect(table.Parameters?.previous_metadata_location).toMatch(/\.metadata\.json$/);
  });

  it('shows a principal without grants nothing', async () => {
    const nobody = await createPrincipal(server, 'glue-nobody');
    const seen = await py('list', { CATALOG_CREDENTIAL: nobody.credential });
    expect(seen.namespaces ?? []).not.toContainEqual(['fed']);
    expect(seen.tables ?? []).toEqual([]);
    expect(seen.load).not.toBe('ok');
  });

  it('creates by a stage-create (CTAS) and its create transaction commit through Lakegate; a table created in Glue meanwhile is a 409', async () => {
    const glueTable = (name: string) =>
      glue.send(new GetTableCommand({ DatabaseName: 'fed', Name: name })).then(
        (r) => r.Table!,
        (e: Error) => e.name,
      );
    const staged = await send('POST', '/v1/glue/namespaces/fed/tables', { name: 'ctas', schema: simpleSchema, 'stage-create': true });
    expect(staged.status, JSON.stringify(staged.body)).toBe(200);
    expect(staged.body.metadata.location).toMatch(/^s3:\/\/glue-fed\/wh\//);
    expect(await glueTable('ctas')).toBe('EntityNotFoundException');
    const committed = await send('POST', '/v1/glue/namespaces/fed/tables/ctas', createTransactionCommit(staged.body.metadata));
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    const created = await glueTable('ctas');
    expect(created).toMatchObject({ Parameters: { table_type: 'ICEBERG', metadata_location: committed.body['metadata-location'] } });
    const loaded = await send('GET', '/v1/glue/namespaces/fed/tables/ctas');
    expect(loaded.status).toBe(200);
    expect(loaded.body.metadata['table-uuid']).toBe(staged.body.metadata['table-uuid']);

    const race = await send('POST', '/v1/glue/namespaces/fed/tables', { name: 'race', schema: simpleSchema, 'stage-create': true });
    expect(race.status, JSON.stringify(race.body)).toBe(200);
    // Another writer registers `race` straight in Glue (pointing at a valid metadata file in the warehouse's storage).
    const theirs: string = committed.body['metadata-location'];
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'fed',
        TableInput: { Name: 'race', TableType: 'EXTERNAL_TABLE', Parameters: { table_type: 'ICEBERG', metadata_location: theirs } },
      }),
    );
    const lost = await send('POST', '/v1/glue/namespaces/fed/tables/race', createTransactionCommit(race.body.metadata));
    expect(lost.status, JSON.stringify(lost.body)).toBe(409);
    expect(lost.body.error.type).toBe('CommitFailedException');
    expect(await glueTable('race')).toMatchObject({ Parameters: { metadata_location: theirs } });
    const prefix = new URL(race.body.metadata.location).pathname.slice(1);
    const left = await minio.root.send(new ListObjectsV2Command({ Bucket: 'glue-fed', Prefix: `${prefix}/` }));
    expect(left.Contents ?? []).toEqual([]);
    await glue.send(new DeleteTableCommand({ DatabaseName: 'fed', Name: 'race' }));
  });

  it('replaces a table (RTAS) through Lakegate: Glue points at the new schema and snapshot, the old metadata in its log; a replace racing a re-create in Glue is a 409, nothing lost', async () => {
    const base = await tableWithSnapshot('replaced');
    const replace = replaceCommit(base.metadata);
    const replaced = await send('POST', '/v1/glue/namespaces/fed/tables/replaced', replace);
    expect(replaced.status, stringifyJson(replaced.body)).toBe(200);
    const loaded = await send('GET', '/v1/glue/namespaces/fed/tables/replaced');
    expect(loaded.body['metadata-location']).toBe(replaced.body['metadata-location']);
    expectReplaced(loaded.body.metadata, base, replace);
    // Straight from Glue and the storage, as any other Glue client sees it.
    const inGlue = await glueMetadata('replaced');
    expect(inGlue.parameters).toMatchObject({ metadata_location: replaced.body['metadata-location'], previous_metadata_location: base['metadata-location'] });
    expectReplaced(inGlue.metadata, base, replace);

    // Dropped and re-created straight in Glue between the replace's load and its commit: its uuid is no longer the table's.
    const other = await tableWithSnapshot('replaced-other');
    await glue.send(new DeleteTableCommand({ DatabaseName: 'fed', Name: 'replaced' }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'fed',
        TableInput: { Name: 'replaced', TableType: 'EXTERNAL_TABLE', Parameters: { table_type: 'ICEBERG', metadata_location: other['metadata-location'] } },
      }),
    );
    const files = await objectCount();
    const lost = await send('POST', '/v1/glue/namespaces/fed/tables/replaced', replaceCommit(loaded.body.metadata));
    expect(lost.status, stringifyJson(lost.body)).toBe(409);
    expect(lost.body.error.type).toBe('CommitFailedException');
    expect((await glueMetadata('replaced')).parameters.metadata_location).toBe(other['metadata-location']);
    expect(await objectCount()).toBe(files);

    // Replaces racing each other (and Glue's VersionId check): each one a 200 or a 409, every 200 kept in the table.
    const current = (await send('GET', '/v1/glue/namespaces/fed/tables/replaced')).body;
    const commits = Array.from({ length: 4 }, () => replaceCommit(current.metadata));
    const answers = await Promise.all(commits.map((c) => send('POST', '/v1/glue/namespaces/fed/tables/replaced', c)));
    for (const a of answers) expect([200, 409], stringifyJson(a.body)).toContain(a.status);
    const final = (await glueMetadata('replaced')).metadata;
    const snapshots = final.snapshots.map((s: any) => String(s['snapshot-id']));
    const log = [...final['metadata-log'].map((e: any) => e['metadata-file']), (await glueMetadata('replaced')).parameters.metadata_location];
    answers.forEach((a, i) => {
      if (a.status !== 200) return;
      expect(snapshots).toContain(String(commits[i]!.snapshotId));
      expect(log).toContain(a.body['metadata-location']);
    });
    expect(answers.some((a) => a.status === 200)).toBe(true);
  });

  it('loses no commit while another writer commits straight to Glue (its own metadata file, UpdateTable with VersionId) and Lakegate replaces the table', async () => {
    const base = await tableWithSnapshot('raced');
    // A replace prepared, then two commits straight to Glue before it is sent: its snapshot is numbered on a base two
    // commits old (Iceberg's replace-and-append race). A 409, so the writer reloads; nothing written, theirs kept.
    const prepared = replaceCommit(base.metadata);
    const theirs = [await directAppend('raced'), await directAppend('raced')];
    const pointer = (await glueMetadata('raced')).parameters.metadata_location;
    const files = await objectCount();
    const stale = await send('POST', '/v1/glue/namespaces/fed/tables/raced', prepared);
    expect(stale.status, stringifyJson(stale.body)).toBe(409);
    expect(stale.body.error.type).toBe('CommitFailedException');
    expect((await glueMetadata('raced')).parameters.metadata_location).toBe(pointer);
    expect(await objectCount()).toBe(files);
    const before = (await glueMetadata('raced')).metadata.snapshots.length;
    expect((await glueMetadata('raced')).metadata.snapshots.map((s: any) => String(s['snapshot-id']))).toEqual(expect.arrayContaining(theirs));
    // Each replace as Iceberg's replace transaction runs it: on a 409 (another writer committed first), load and commit again.
    const replaces = async () => {
      const committed: bigint[] = [];
      for (let i = 0; i < 4; i++) {
        for (let attempt = 0; ; attempt++) {
          const current = (await send('GET', '/v1/glue/namespaces/fed/tables/raced')).body;
          const replace = replaceCommit(current.metadata);
          const res = await send('POST', '/v1/glue/namespaces/fed/tables/raced', replace);
          if (res.status === 200) {
            committed.push(replace.snapshotId);
            break;
          }
          expect(res.status, stringifyJson(res.body)).toBe(409);
          expect(res.body.error.type).toBe('CommitFailedException');
          expect(attempt).toBeLessThan(50);
        }
      }
      return committed;
    };
    const direct = async () => {
      const acks: string[] = [];
      for (let i = 0; i < 6; i++) acks.push(await directAppend('raced'));
      return acks;
    };
    const [acks, replaced] = await Promise.all([direct(), replaces()]);
    expect(replaced).toHaveLength(4);
    // Every commit adds one snapshot and none removes any: each acknowledged append and replace is in the table.
    const final = await glueMetadata('raced');
    expect(final.metadata['table-uuid']).toBe(base.metadata['table-uuid']);
    expect(final.metadata.snapshots).toHaveLength(before + acks.length + replaced.length);
    const snapshots = final.metadata.snapshots.map((s: any) => String(s['snapshot-id']));
    for (const id of [...acks, ...replaced.map(String)]) expect(snapshots).toContain(id);
    expect((await send('GET', '/v1/glue/namespaces/fed/tables/raced')).body['metadata-location']).toBe(final.parameters.metadata_location);
  });

  it('drops through Lakegate in Glue', async () => {
    expect((await py('drop')).exists).toBe(false);
    const gone = await glue.send(new GetTableCommand({ DatabaseName: 'fed', Name: 'events' })).then(
      () => 'found',
      (e: Error) => e.name,
    );
    expect(gone).toBe('EntityNotFoundException');
  });

  it('answers 503 with Retry-After while Glue is down', async () => {
    await moto.stop();
    const res = await send('GET', '/v1/glue/namespaces/fed/tables/events');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
  });
});
