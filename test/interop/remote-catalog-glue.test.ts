/**
 * The RemoteCatalog port's contract (test/support/remote-catalog-contract.ts) on the AWS Glue adapter
 * (federation/glue/glue-remote.ts), with moto's server as Glue and a local directory as the warehouse's storage
 * (Lakegate writes the metadata files itself; Glue keeps the pointer). Then what is Glue's own: the Iceberg
 * parameters and previous_metadata_location on the Glue table, the VersionId sent with UpdateTable, non-Iceberg
 * Glue tables not listed and a 502 to load, one namespace level, and the failure codes (down: 503, fast).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, GetTableCommand, GlueClient, UpdateTableCommand } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glueError } from '../../packages/server/src/federation/glue/glue-errors.js';
import { GlueRemote } from '../../packages/server/src/federation/glue/glue-remote.js';
import { LocalFileStorage } from '../../packages/server/src/storage/file/local-file-storage.js';
import type { FederationSettings } from '../../packages/server/src/catalog/ports/remote-catalog.js';
import { startMoto, type Moto } from '../support/moto.js';
import { remoteCatalogContract } from '../support/remote-catalog-contract.js';
import { simpleSchema } from '../support/iceberg-http.js';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

let moto: Moto;
let dir = '';
const storage = new LocalFileStorage();
const settings = (): FederationSettings => ({ kind: 'glue', uri: moto.endpoint, region: 'us-east-1', accessKeyId: 'AKIDGLUETEST', timeoutMs: 5000 });
const credential = { secretAccessKey: 'glue-secret-never-shown' };
const make = () =>
  new GlueRemote(settings(), credential, { root: `file://${dir}`, allows: (l) => l.startsWith(`file://${dir}/`), storage: async () => storage });

beforeAll(async () => {
  moto = await startMoto();
  dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-glue-'));
}, 20 * 60_000);

afterAll(async () => {
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

remoteCatalogContract('AWS Glue (moto) with Lakegate-written metadata files', make);

describe('the Glue adapter', () => {
  const glue = () => new GlueClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'AKIDGLUETEST', secretAccessKey: 'x' } });

  it('keeps the Iceberg pointer on the Glue table and swaps it with previous_metadata_location and the VersionId', async () => {
    const remote = make();
    await remote.createNamespace(['g1'], {});
    const created = await remote.createTable(['g1'], { name: 't', schema: simpleSchema });
    expect(created.metadataLocation.startsWith(`file://${dir}/g1/t/metadata/00000-`)).toBe(true);
    const before = (await glue().send(new GetTableCommand({ DatabaseName: 'g1', Name: 't' }))).Table!;
    expect(before.Parameters).toMatchObject({ table_type: 'ICEBERG', metadata_location: created.metadataLocation });
    const committed = await remote.commitTable(
      ['g1'],
      't',
      [{ type: 'assert-table-uuid', uuid: created.uuid }],
      [{ action: 'set-properties', updates: { a: 'b' } }],
    );
    expect(committed.metadataLocation).toMatch(/\/metadata\/00001-[0-9a-f-]+\.metadata\.json$/);
    const after = (await glue().send(new GetTableCommand({ DatabaseName: 'g1', Name: 't' }))).Table!;
    expect(after.Parameters).toMatchObject({
      table_type: 'ICEBERG',
      metadata_location: committed.metadataLocation,
      previous_metadata_location: created.metadataLocation,
    });
    expect(after.VersionId).not.toBe(before.VersionId);
    // The file Glue points at is the one written, with the metadata log naming the previous one.
    const meta = JSON.parse(committed.metadataJson);
    expect(meta['metadata-log'].map((e: { 'metadata-file': string }) => e['metadata-file'])).toEqual([created.metadataLocation]);
    expect((await make().loadTable(['g1'], 't')).metadataJson).toBe(committed.metadataJson);
  });

  it('federates Iceberg tables only: a Hive table is not listed, and loading it is ERR_REMOTE_INVALID', async () => {
    await glue().send(
      new CreateTableCommand({ DatabaseName: 'g1', TableInput: { Name: 'hive_t', TableType: 'EXTERNAL_TABLE', Parameters: { classification: 'parquet' } } }),
    );
    const remote = make();
    expect((await remote.listTables(['g1'])).map((t) => t.name)).toEqual(['t']);
    expect(await codeOf(remote.loadTable(['g1'], 'hive_t'))).toBe('ERR_REMOTE_INVALID');
  });

  it('has one namespace level: nested namespaces are refused, and none are listed below a database', async () => {
    const remote = make();
    expect(await codeOf(remote.createNamespace(['g1', 'sub'], {}))).toBe('ERR_VALIDATION');
    expect(await remote.listNamespaces(['g1'])).toEqual([]);
    expect(await codeOf(remote.listNamespaces(['missing']))).toBe('ERR_NAMESPACE_NOT_FOUND');
    expect(await codeOf(remote.loadTable(['missing'], 't'))).toBe('ERR_NAMESPACE_NOT_FOUND');
  });

  it('answers a metadata file that is not Iceberg with ERR_REMOTE_INVALID', async () => {
    const bad = `file://${dir}/g1/bad/metadata/00000-x.metadata.json`;
    await storage.writeNew(bad, new TextEncoder().encode('{"not":"iceberg"}'));
    await glue().send(
      new CreateTableCommand({ DatabaseName: 'g1', TableInput: { Name: 'bad', Parameters: { table_type: 'ICEBERG', metadata_location: bad } } }),
    );
    const error = await make()
      .loadTable(['g1'], 'bad')
      .then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
    expect(error?.code).toBe('ERR_REMOTE_INVALID');
    expect(error?.message).toContain('not valid Iceberg table metadata');
  });

  it('reads no metadata file outside the warehouse storage: ERR_FORBIDDEN before any read', async () => {
    await glue().send(
      new CreateTableCommand({
        DatabaseName: 'g1',
        TableInput: { Name: 'outside', Parameters: { table_type: 'ICEBERG', metadata_location: 'file:///etc/passwd' } },
      }),
    );
    const error = await make()
      .loadTable(['g1'], 'outside')
      .then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
    expect(error?.code).toBe('ERR_FORBIDDEN');
    expect(error?.message).not.toContain('root:');
  });

  it('fails fast on a closed port: ERR_UNAVAILABLE naming no secret', async () => {
    const remote = new GlueRemote({ ...settings(), uri: 'http://127.0.0.1:9', timeoutMs: 1000 }, credential, undefined);
    const started = Date.now();
    const error = await remote.check().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe('ERR_UNAVAILABLE');
    expect(error?.message).not.toContain(credential.secretAccessKey);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('moto as Glue (peers/moto/moto_glue_server.py)', () => {
  it('refuses UpdateTable at a stale VersionId with ConcurrentModificationException, as AWS Glue does; the adapter answers ERR_COMMIT_CONFLICT', async () => {
    const glue = new GlueClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'AKIDGLUETEST', secretAccessKey: 'x' } });
    const remote = make();
    await remote.createNamespace(['g2'], {});
    await remote.createTable(['g2'], { name: 'v', schema: simpleSchema });
    const stale = (await glue.send(new GetTableCommand({ DatabaseName: 'g2', Name: 'v' }))).Table!;
    await remote.commitTable(['g2'], 'v', [], [{ action: 'set-properties', updates: { n: '1' } }]);
    const refused = await glue
      .send(new UpdateTableCommand({ DatabaseName: 'g2', VersionId: stale.VersionId, TableInput: { Name: 'v', Parameters: { ...stale.Parameters } } }))
      .then(
        () => 'updated',
        (e: Error) => e.name,
      );
    expect(refused).toBe('ConcurrentModificationException');
    expect(
      glueError(Object.assign(new Error('x'), { name: 'ConcurrentModificationException', $metadata: { httpStatusCode: 400 } }), 'UpdateTable', 'table', 1000)
        .code,
    ).toBe('ERR_COMMIT_CONFLICT');
    glue.destroy();
  });
});
