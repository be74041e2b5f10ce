/**
 * Azure credential vending and object storage on Azurite, which checks
 * shared-key signatures and service SAS (signature, permissions, resource,
 * expiry). Azurite has no directory SAS (it refuses sr=d), so the warehouse
 * here uses `sas-scope: container` and the boundary it enforces is the
 * container; directory scoping is covered by the unit tests' signature
 * checks only. Locations keep their canonical
 * abfss://<container>@<account>.dfs.core.windows.net form; the profile's
 * endpoint sends requests to Azurite.
 */
import { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureObjectStorage } from '../../packages/server/src/storage/azure/azure-object-storage.js';
import { AzureSasCredentialVendor } from '../../packages/server/src/storage/azure/azure-sas-credential-vendor.js';
import type { AccessMode } from '../../packages/server/src/storage/vending.js';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { expectBoundedRead, expectBulkDelete, expectRangedRead } from '../support/object-storage-contract.js';
import { httpSender, type Send, simpleSchema } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const CONTAINER = 'lake';
let azurite: Azurite;
let host: string;
let root: ContainerClient;

beforeAll(async () => {
  azurite = await startAzurite();
  host = `${azurite.account}.dfs.core.windows.net`;
  await azurite.createContainer(CONTAINER);
  await azurite.createContainer('other');
  root = azurite.root.getContainerClient(CONTAINER);
});
afterAll(async () => {
  await azurite?.stop();
});

const location = (path: string) => `abfss://${CONTAINER}@${host}/${path}`;
const vendor = (scope: 'container' | 'directory' = 'container', now = () => Date.now()) =>
  new AzureSasCredentialVendor({
    account: azurite.account,
    accountKey: azurite.accountKey,
    container: CONTAINER,
    endpoint: azurite.endpoint,
    scope,
    maxLifetimeSeconds: 3600,
    clock: { now },
  });
const sasFor = async (path: string, mode: AccessMode, v = vendor()) =>
  (await v.vend({ location: location(path), mode, principal: 'tester', lifetimeSeconds: 600 })).config[`adls.sas-token.${host}`]!;

/** A blob client that authenticates with nothing but the SAS. */
const blob = (sas: string, name: string, container = CONTAINER) => new BlockBlobClient(`${azurite.endpoint}/${container}/${name}?${sas}`);
const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { statusCode?: number }) => e.statusCode,
  );
const upload = (sas: string, name: string, container = CONTAINER) => statusOf(blob(sas, name, container).upload('x', 1));
const download = (sas: string, name: string) =>
  blob(sas, name)
    .downloadToBuffer()
    .then(
      (b) => b.toString(),
      (e: { statusCode?: number }) => e.statusCode,
    );
const remove = (sas: string, name: string) => statusOf(blob(sas, name).delete());
async function list(sas: string, prefix: string): Promise<string[] | number | undefined> {
  try {
    const names: string[] = [];
    for await (const item of new ContainerClient(`${azurite.endpoint}/${CONTAINER}?${sas}`).listBlobsFlat({ prefix })) names.push(item.name);
    return names;
  } catch (e) {
    return (e as { statusCode?: number }).statusCode;
  }
}

describe('SAS vended for Azurite (container scope)', () => {
  it('read: read and list work, write and delete are refused', async () => {
    await root.getBlockBlobClient('wh/r/data/a.parquet').upload('a', 1);
    const sas = await sasFor('wh/r', 'read');
    expect(await download(sas, 'wh/r/data/a.parquet')).toBe('a');
    expect(await list(sas, 'wh/r/')).toEqual(['wh/r/data/a.parquet']);
    expect(await upload(sas, 'wh/r/data/b.parquet')).toBe(403);
    expect(await remove(sas, 'wh/r/data/a.parquet')).toBe(403);
    expect(await root.getBlobClient('wh/r/data/a.parquet').exists()).toBe(true);
  });

  it('read-write: write, read, list and delete work', async () => {
    const sas = await sasFor('wh/rw', 'read-write');
    expect(await upload(sas, 'wh/rw/data/a.parquet')).toBe('ok');
    expect(await download(sas, 'wh/rw/data/a.parquet')).toBe('x');
    expect(await list(sas, 'wh/rw/')).toEqual(['wh/rw/data/a.parquet']);
    expect(await remove(sas, 'wh/rw/data/a.parquet')).toBe('ok');
    expect(await root.getBlobClient('wh/rw/data/a.parquet').exists()).toBe(false);
  });

  it('is refused once expired, when tampered with, and in another container', async () => {
    await root.getBlockBlobClient('wh/e/a').upload('a', 1);
    // Signed two hours ago for the minimum lifetime (60 s): expired for an hour and more.
    const expired = await sasFor(
      'wh/e',
      'read-write',
      vendor('container', () => Date.now() - 2 * 3600_000),
    );
    expect(new Date(new URLSearchParams(expired).get('se')!).getTime()).toBeLessThan(Date.now());
    expect(await download(expired, 'wh/e/a')).toBe(403);
    expect(await upload(expired, 'wh/e/b')).toBe(403);

    // A read SAS edited to claim write permissions: the signature no longer matches.
    const read = new URLSearchParams(await sasFor('wh/e', 'read'));
    read.set('sp', 'racwdl');
    expect(await upload(read.toString(), 'wh/e/c')).toBe(403);
    expect(await root.getBlobClient('wh/e/c').exists()).toBe(false);
    const sas = await sasFor('wh/e', 'read-write');
    expect(await upload(sas, 'elsewhere/x', 'other')).toBe(403);
  });

  it('reaches the whole container: the boundary Azurite can enforce is the container', async () => {
    const sas = await sasFor('wh/t1', 'read-write');
    expect(await upload(sas, 'wh/t10/sibling')).toBe('ok');
  });

  it('directory scope signs sr=d, which Azurite does not implement and refuses', async () => {
    await root.getBlockBlobClient('wh/d/a').upload('a', 1);
    const sas = await sasFor('wh/d', 'read', vendor('directory'));
    expect(new URLSearchParams(sas).get('sr')).toBe('d');
    expect(await download(sas, 'wh/d/a')).toBe(403);
  });
});

describe('AzureObjectStorage on Azurite', () => {
  const storage = () => new AzureObjectStorage({ account: azurite.account, accountKey: azurite.accountKey, endpoint: azurite.endpoint });

  it('writes a new object once and refuses to overwrite it', async () => {
    const s = storage();
    const uri = location('wh/os/metadata/00000-a.metadata.json');
    await s.writeNew(uri, new TextEncoder().encode('{"v":1}'));
    await expect(s.writeNew(uri, new TextEncoder().encode('{"v":2}'))).rejects.toMatchObject({ code: 'ERR_STORAGE', message: `object already exists: ${uri}` });
    expect(new TextDecoder().decode(await s.read(uri, 1024))).toBe('{"v":1}');
    expect(await s.exists(uri)).toBe(true);
    await expectBoundedRead(s, uri, new TextEncoder().encode('{"v":1}'));
    // The wasbs spelling names the same blob.
    expect(await s.exists(`wasbs://${CONTAINER}@${azurite.account}.blob.core.windows.net/wh/os/metadata/00000-a.metadata.json`)).toBe(true);
  });

  it('reads a byte range alone with one ranged Get Blob, and refuses one past the end (the object-store contract)', async () => {
    const s = storage();
    const uri = location('wh/range/data/dv.puffin');
    await s.writeNew(uri, Buffer.from('PFA1 blobs PFA1'));
    await expectRangedRead(s, uri, Buffer.from('PFA1 blobs PFA1'), location('wh/range/data/none.puffin'));
  });

  it('deleteMany: a Delete Blob each, every URI answered, another account refused (the object-store contract)', async () => {
    await expectBulkDelete(storage(), location('wh/bulk/t1'), `abfss://${CONTAINER}@otheracct.dfs.core.windows.net/wh/bulk/t1/x.parquet`, 120);
  });

  it('reads, deletes and deletes a prefix without touching its siblings', async () => {
    const s = storage();
    for (const name of ['wh/p/t1/a', 'wh/p/t1/sub/b', 'wh/p/t10/c']) await s.writeNew(location(name), new Uint8Array([1]));
    await expect(s.read(location('wh/p/missing'), 1024)).rejects.toMatchObject({ code: 'ERR_STORAGE', message: `no such object: ${location('wh/p/missing')}` });
    await s.delete(location('wh/p/missing'));
    expect(await s.deletePrefix(location('wh/p/t1'))).toBe(2);
    expect(await s.exists(location('wh/p/t1/a'))).toBe(false);
    expect(await s.exists(location('wh/p/t10/c'))).toBe(true);
    await expect(s.deletePrefix(`abfss://${CONTAINER}@${host}`)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(s.read(`abfss://${CONTAINER}@otheracct.dfs.core.windows.net/x`, 1024)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  it("lists the blobs under a directory prefix in the prefix's spelling, with their size and time", async () => {
    const s = storage();
    const before = Date.now() - 2_000;
    for (const [name, bytes] of [
      ['wh/l/t1/a', 3],
      ['wh/l/t1/sub/b', 1],
      ['wh/l/t10/c', 1],
    ] as const)
      await s.writeNew(location(name), new Uint8Array(bytes));
    const listed = [];
    for await (const o of s.list(location('wh/l/t1'))) listed.push(o);
    expect(listed.map((o) => [o.uri, o.bytes])).toEqual([
      [location('wh/l/t1/a'), 3],
      [location('wh/l/t1/sub/b'), 1],
    ]);
    for (const o of listed) expect(o.lastModifiedMs).toBeGreaterThanOrEqual(before);
    const wasbs = `wasbs://${CONTAINER}@${azurite.account}.blob.core.windows.net/wh/l/t1`;
    const again = [];
    for await (const o of s.list(wasbs)) again.push(o.uri);
    expect(again).toEqual([`${wasbs}/a`, `${wasbs}/sub/b`]);
    await expect(s.list(`abfss://${CONTAINER}@${host}`).next()).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  it('fails with ERR_STORAGE, and no key, when the account key is wrong', async () => {
    const wrong = new AzureObjectStorage({ account: azurite.account, accountKey: Buffer.from('not the key').toString('base64'), endpoint: azurite.endpoint });
    const error = await wrong.writeNew(location('wh/k/x'), new Uint8Array([1])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_STORAGE' });
    expect((error as Error).message).toContain('403');
    expect(JSON.stringify({ m: (error as Error).message, c: String((error as Error).cause) })).not.toContain(azurite.accountKey);
  });
});

describe('a Lakegate warehouse on Azurite', () => {
  let server: ServerProcess;
  let send: Send;
  const delegated = { 'x-iceberg-access-delegation': 'vended-credentials' };

  beforeAll(async () => {
    server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'info' } });
    send = httpSender(server.url, await server.token());
    for (const [name, properties] of [
      ['az', {}],
      ['azread', { 'vended-access-mode': 'read' }],
    ] as const) {
      const created = await send('POST', '/management/v1/warehouses', {
        name,
        'storage-root': location(name),
        'storage-profile': {
          type: 'azure',
          account: azurite.account,
          container: CONTAINER,
          endpoint: azurite.endpoint,
          'sas-scope': 'container',
          'credential-lifetime-seconds': 900,
        },
        'storage-secret': { 'account-key': azurite.accountKey },
        properties,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(JSON.stringify(created.body)).not.toContain(azurite.accountKey);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses an azure profile without its account key, or with a root outside its container', async () => {
    const profile = { type: 'azure', account: azurite.account, container: CONTAINER, endpoint: azurite.endpoint };
    const noKey = await send('POST', '/management/v1/warehouses', { name: 'nokey', 'storage-root': location('nokey'), 'storage-profile': profile });
    expect(noKey.status).toBe(400);
    const elsewhere = await send('POST', '/management/v1/warehouses', {
      name: 'elsewhere',
      'storage-root': `abfss://other@${host}/wh`,
      'storage-profile': profile,
      'storage-secret': { 'account-key': azurite.accountKey },
    });
    expect(elsewhere.status).toBe(400);
  });

  it('writes table metadata to Azurite and vends adls.* credentials on loadTable', async () => {
    expect((await send('POST', '/v1/az/namespaces', { namespace: ['ns'] })).status).toBe(200);
    const created = await send('POST', '/v1/az/namespaces/ns/tables', { name: 't', schema: simpleSchema });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body['storage-credentials']).toBeUndefined();
    const metadataLocation: string = created.body['metadata-location'];
    expect(metadataLocation.startsWith(location('az/ns/t-'))).toBe(true);
    expect(await root.getBlobClient(metadataLocation.replace(location(''), '')).exists()).toBe(true);

    const loaded = await send('GET', '/v1/az/namespaces/ns/tables/t', undefined, delegated);
    expect(loaded.status).toBe(200);
    const creds = loaded.body['storage-credentials'];
    expect(creds).toHaveLength(1);
    const tableLocation: string = loaded.body.metadata.location;
    expect(creds[0].prefix).toBe(tableLocation);
    const config = creds[0].config as Record<string, string>;
    expect(Object.keys(config).sort()).toEqual([
      'adls.connection-string.' + host,
      'adls.refresh-credentials-endpoint',
      'adls.sas-token-expires-at-ms.' + host,
      'adls.sas-token.' + host,
    ]);
    expect(config[`adls.connection-string.${host}`]).toBe(azurite.endpoint);
    expect(config['adls.refresh-credentials-endpoint']).toBe('v1/az/namespaces/ns/tables/t/credentials');
    const expiresAt = Number(config[`adls.sas-token-expires-at-ms.${host}`]);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(loaded.body.config[`adls.sas-token.${host}`]).toBe(config[`adls.sas-token.${host}`]);

    // The vended SAS writes and reads under the table location.
    const sas = config[`adls.sas-token.${host}`]!;
    const dataFile = `${tableLocation.replace(location(''), '')}/data/00000-0.parquet`;
    expect(await upload(sas, dataFile)).toBe('ok');
    expect(await download(sas, dataFile)).toBe('x');

    const refreshed = await send(
      'GET',
      `/v1/az/namespaces/ns/tables/t/credentials?storageRefreshToken=${encodeURIComponent(creds[0]['storage-refresh-token'])}`,
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['storage-credentials'][0].config[`adls.sas-token.${host}`]).toBeTruthy();
  });

  it('vends a read-only SAS where the warehouse says read', async () => {
    expect((await send('POST', '/v1/azread/namespaces', { namespace: ['ns'] })).status).toBe(200);
    expect((await send('POST', '/v1/azread/namespaces/ns/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    const loaded = await send('GET', '/v1/azread/namespaces/ns/tables/t', undefined, delegated);
    const sas = loaded.body['storage-credentials'][0].config[`adls.sas-token.${host}`];
    expect(new URLSearchParams(sas).get('sp')).toBe('rl');
    const metadataName = (loaded.body['metadata-location'] as string).replace(location(''), '');
    expect(await download(sas, metadataName)).toContain('"format-version"');
    expect(await upload(sas, `${(loaded.body.metadata.location as string).replace(location(''), '')}/data/x.parquet`)).toBe(403);
  });

  it('removes orphan files: a dry run lists the stray blob, the run deletes it and keeps what the metadata reaches', async () => {
    const created = await send('POST', '/v1/az/namespaces/ns/tables', { name: 'orphans', schema: simpleSchema });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const tableLocation: string = created.body.metadata.location;
    const stray = `${tableLocation}/data/stray.parquet`;
    await root.getBlockBlobClient(stray.replace(location(''), '')).upload('failed write', 12);
    const url = '/management/v1/warehouses/az/namespaces/ns/tables/orphans/maintenance';
    // Azurite dates a blob now: the default safety age (3 days) keeps it; 0 lets it go.
    expect((await send('POST', url, { actions: ['remove-orphan-files'], 'dry-run': true })).body.files).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_100));
    const dry = await send('POST', url, { actions: ['remove-orphan-files'], 'dry-run': true, 'orphan-older-than-ms': 0 });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.files).toEqual([{ path: stray, kind: 'orphan', bytes: 12 }]);
    const done = await send('POST', url, { actions: ['remove-orphan-files'], 'orphan-older-than-ms': 0 });
    expect(done.body).toMatchObject({ 'deleted-files': 1, 'deleted-bytes': 12 });
    expect(await root.getBlobClient(stray.replace(location(''), '')).exists()).toBe(false);
    expect(await root.getBlobClient((created.body['metadata-location'] as string).replace(location(''), '')).exists()).toBe(true);
  });

  it('never writes the account key or a SAS signature to the log', async () => {
    const log = await server.settledOutput();
    expect(log).not.toContain(azurite.accountKey);
    expect(log).not.toMatch(/sig=/);
  });
});
