/**
 * The SDK's Azure SAS provider against Azurite (which checks SAS signatures, permissions and expiry): a Lakegate
 * server process with a warehouse on Azurite reports each SAS as expiring 8 s ahead and reuses none, so the provider
 * refreshes within seconds; @azure/storage-blob clients that hold nothing but the provider's SAS write and read table
 * files across the refresh. (Azurite refuses directory SAS, so the warehouse uses container scope, as in
 * azurite.test.ts; prefix scoping is covered there and in the S3 test.)
 */
import { BlockBlobClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerAuth, type CredentialLoader, IcebergRestCatalog, type Schema, vendedAzureSas } from '@lakegate/client';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { httpSender } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const CONTAINER = 'lake';
const REPORTED_LIFETIME_S = 8;
let azurite: Azurite;
let server: ServerProcess;
let catalog: IcebergRestCatalog;
let host: string;

const schema: Schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  azurite = await startAzurite();
  host = `${azurite.account}.dfs.core.windows.net`;
  await azurite.createContainer(CONTAINER);
  server = await startServer({
    env: { LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS: String(REPORTED_LIFETIME_S), LAKEGATE_CREDENTIAL_CACHE_MAX_SECONDS: '0' },
  });
  const token = await server.token();
  const created = await httpSender(server.url, token)('POST', '/management/v1/warehouses', {
    name: 'az',
    'storage-root': `abfss://${CONTAINER}@${host}/az`,
    'storage-profile': {
      type: 'azure',
      account: azurite.account,
      container: CONTAINER,
      endpoint: azurite.endpoint,
      'sas-scope': 'container',
      'credential-lifetime-seconds': 900,
    },
    'storage-secret': { 'account-key': azurite.accountKey },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  catalog = new IcebergRestCatalog({ uri: server.url, warehouse: 'az', auth: bearerAuth(token) });
  await catalog.createNamespace(['db']);
});
afterAll(async () => {
  await server?.stop();
  await azurite?.stop();
});

describe('vendedAzureSas with @azure/storage-blob on Azurite', () => {
  it('writes and reads table files through the provider across a refresh', async () => {
    const table = { namespace: ['db'], name: 't' };
    await catalog.createTable(['db'], { name: 't', schema });
    const loaded = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
    const calls: string[] = [];
    const loader: CredentialLoader = {
      loadCredentials: (id, options) => {
        calls.push(options?.storageRefreshToken ? 'token' : 'plain');
        return catalog.loadCredentials(id, options);
      },
    };
    const sas = vendedAzureSas({ catalog: loader, table, loaded });
    const blobName = (name: string) => `${loaded.metadata.location.replace(`abfss://${CONTAINER}@${host}/`, '')}/data/${name}`;
    /** A blob client that authenticates with nothing but the provider's current SAS. */
    const blob = async (name: string) => {
      const current = await sas.sas();
      return { client: new BlockBlobClient(`${current.endpoint}/${CONTAINER}/${blobName(name)}?${current.sasToken}`), current };
    };

    const first = await blob('a.txt');
    expect(first.current.host).toBe(host);
    expect(first.current.endpoint).toBe(azurite.endpoint);
    expect(first.current.expiresAtMs! - Date.now()).toBeLessThanOrEqual(REPORTED_LIFETIME_S * 1000);
    await first.client.upload('before', 6);
    expect(calls).toEqual([]);

    await sleep(Math.max(0, first.current.expiresAtMs! - REPORTED_LIFETIME_S * 500 - Date.now()) + 500);
    const second = await blob('b.txt');
    expect(second.current.sasToken).not.toBe(first.current.sasToken);
    expect(calls).toEqual(['token']);
    await second.client.upload('after', 5);
    expect((await (await blob('a.txt')).client.downloadToBuffer()).toString()).toBe('before');
    expect((await (await blob('b.txt')).client.downloadToBuffer()).toString()).toBe('after');
    // Independently of the SAS: the blobs are in the container, under the table location.
    expect(await azurite.root.getContainerClient(CONTAINER).getBlobClient(blobName('b.txt')).exists()).toBe(true);
    // A SAS whose signature was tampered with is refused: the provider's token is what authorizes the requests.
    const forged = new URLSearchParams(second.current.sasToken);
    forged.set('sig', Buffer.alloc(32).toString('base64'));
    const refused = await new BlockBlobClient(`${azurite.endpoint}/${CONTAINER}/${blobName('c.txt')}?${forged}`)
      .upload('x', 1)
      .catch((e: { statusCode?: number }) => e.statusCode);
    expect(refused).toBe(403);

    const log = await server.settledOutput();
    expect(log).toMatch(/\/namespaces\/db\/tables\/t\/credentials\?storageRefreshToken=(\*|%2A){3}/);
    expect(log).not.toContain(azurite.accountKey);
    expect(log).not.toMatch(/sig=/);
  });
});
