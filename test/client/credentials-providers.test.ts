/**
 * The cloud-shaped views over vended credentials, with a scripted loadCredentials / DescribeTable and a controlled
 * clock: the AWS SDK identity (with expiration) and S3 client settings, the Azure SAS per host, the GCS token, and the
 * Lance storage-options provider refreshing through DescribeTable. Real storage is exercised by
 * test/interop/client-credentials-minio.test.ts and client-credentials-azurite.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  azureLocationHost,
  CatalogError,
  ConfigurationError,
  type LanceTableDescriber,
  lanceStorageOptionsProvider,
  type LoadCredentialsResponse,
  s3ClientConfig,
  type StorageCredential,
  VendedCredentials,
  vendedAwsCredentials,
  vendedAzureSas,
  vendedGcsToken,
} from '@lakegate/client';

const table = { namespace: ['db'], name: 't' };
const T0 = 1_700_000_000_000;

function clock() {
  let ms = T0;
  return { now: () => ms, advance: (d: number) => (ms += d) };
}

/** A catalog whose loadCredentials answers `make(n)` for the n-th call. */
function catalogOf(make: (n: number) => StorageCredential[]) {
  const calls: Array<string | undefined> = [];
  return {
    calls,
    async loadCredentials(_id: unknown, options: { storageRefreshToken?: string } = {}): Promise<LoadCredentialsResponse> {
      calls.push(options.storageRefreshToken);
      return { 'storage-credentials': make(calls.length) };
    },
  };
}

describe('vendedAwsCredentials', () => {
  const s3 = (n: number, expiresAtMs: number): StorageCredential => ({
    prefix: 's3://lake/wh/db/t',
    config: {
      's3.access-key-id': `AK${n}`,
      's3.secret-access-key': `SK${n}`,
      's3.session-token': `ST${n}`,
      's3.session-token-expires-at-ms': String(expiresAtMs),
      's3.endpoint': 'http://127.0.0.1:9000',
      's3.path-style-access': 'true',
      'client.region': 'eu-central-1',
    },
  });

  it('returns an AWS SDK identity with expiration, and a refreshed one once due', async () => {
    const c = clock();
    const catalog = catalogOf((n) => [s3(n + 1, c.now() + 3_600_000)]);
    const provider = vendedAwsCredentials({
      catalog,
      table,
      loaded: { metadata: { location: 's3://lake/wh/db/t' }, 'storage-credentials': [s3(1, T0 + 3_600_000)] },
      now: c.now,
    });
    expect(await provider()).toEqual({ accessKeyId: 'AK1', secretAccessKey: 'SK1', sessionToken: 'ST1', expiration: new Date(T0 + 3_600_000) });
    c.advance(56 * 60_000);
    const refreshed = await provider();
    expect(refreshed.accessKeyId).toBe('AK2');
    expect(refreshed.expiration!.getTime()).toBe(c.now() + 3_600_000);
    expect(catalog.calls).toEqual([undefined]);
  });

  it('ignores credentials of other clouds and rejects an S3 credential without keys', async () => {
    const mixed: StorageCredential[] = [
      { prefix: 's3://lake/wh/db/t/sub', config: { 'gcs.oauth2.token': 'ya29' } },
      { prefix: 's3://lake/wh/db/t', config: { 's3.access-key-id': 'AK', 's3.secret-access-key': 'SK' } },
    ];
    const catalog = catalogOf(() => mixed);
    const provider = vendedAwsCredentials({ catalog, table, location: 's3://lake/wh/db/t/sub/x' });
    expect(await provider()).toEqual({ accessKeyId: 'AK', secretAccessKey: 'SK' });

    const keyless = vendedAwsCredentials(
      new VendedCredentials({ catalog: catalogOf(() => [{ prefix: 's3://lake', config: { 's3.access-key-id': 'AK' } }]), table, location: 's3://lake/x' }),
    );
    await expect(keyless()).rejects.toMatchObject({ name: 'CatalogError', type: 'NoStorageCredential' });
  });

  it('maps FileIO properties to S3 client settings, without secrets', () => {
    expect(s3ClientConfig(s3(1, T0).config)).toEqual({ endpoint: 'http://127.0.0.1:9000', region: 'eu-central-1', forcePathStyle: true });
    expect(s3ClientConfig({ 's3.region': 'us-west-2', 's3.path-style-access': 'false' })).toEqual({ region: 'us-west-2', forcePathStyle: false });
    expect(s3ClientConfig({})).toEqual({});
  });
});

describe('vendedAzureSas', () => {
  const host = 'acct.dfs.core.windows.net';
  const adls = (n: number, expiresAtMs: number): StorageCredential => ({
    prefix: `abfss://lake@${host}/wh/db/t`,
    config: {
      [`adls.sas-token.${host}`]: `sv=2024&sig=s${n}`,
      [`adls.sas-token-expires-at-ms.${host}`]: String(expiresAtMs),
      [`adls.connection-string.${host}`]: 'http://127.0.0.1:10000/acct',
    },
  });

  it('hands out the SAS of the location host, refreshed ahead of expiry', async () => {
    const c = clock();
    const catalog = catalogOf((n) => [adls(n, c.now() + 900_000)]);
    const sas = vendedAzureSas({ catalog, table, location: `abfss://lake@${host}/wh/db/t`, now: c.now });
    expect(await sas.sas()).toEqual({ host, sasToken: 'sv=2024&sig=s1', expiresAtMs: T0 + 900_000, endpoint: 'http://127.0.0.1:10000/acct' });
    c.advance(600_000 - 1); // 5 minutes (the default window) before the 15-minute expiry
    expect((await sas.sas()).sasToken).toBe('sv=2024&sig=s1');
    c.advance(1);
    expect((await sas.sas()).sasToken).toBe('sv=2024&sig=s2');
    expect(catalog.calls).toHaveLength(2);
    const error = await sas.sas('other.dfs.core.windows.net').catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'NoStorageCredential' });
    expect((error as Error).message).not.toContain('sig=');
  });

  it('parses the host of abfss and wasbs locations', () => {
    expect(azureLocationHost(`abfss://lake@${host}/wh`)).toBe(host);
    expect(azureLocationHost('wasbs://c@acct.blob.core.windows.net/x')).toBe('acct.blob.core.windows.net');
    expect(azureLocationHost('s3://b/x')).toBeUndefined();
  });
});

describe('vendedGcsToken', () => {
  it('returns the access token with its expiry and refreshes it', async () => {
    const c = clock();
    const catalog = catalogOf((n) => [
      {
        prefix: 'gs://lake/wh/db/t',
        config: { 'gcs.oauth2.token': `ya29.${n}`, 'gcs.oauth2.token-expires-at': String(c.now() + 3_600_000), 'gcs.service.host': 'http://127.0.0.1:4443' },
      },
    ]);
    const gcs = vendedGcsToken({ catalog, table, location: 'gs://lake/wh/db/t', now: c.now, refreshBeforeMs: 60_000 });
    expect(await gcs.getAccessToken()).toEqual({ token: 'ya29.1', expiresAtMs: T0 + 3_600_000, endpoint: 'http://127.0.0.1:4443' });
    c.advance(3_540_000 - 1);
    expect((await gcs.getAccessToken()).token).toBe('ya29.1');
    c.advance(1);
    expect((await gcs.getAccessToken()).token).toBe('ya29.2');
  });
});

describe('lanceStorageOptionsProvider', () => {
  function namespaceOf(c: ReturnType<typeof clock>, lifetimeMs = 600_000) {
    const calls: Array<{ id: string[]; options: unknown }> = [];
    let failWith: unknown;
    const namespace: LanceTableDescriber & { calls: typeof calls; fail(e: unknown): void } = {
      calls,
      fail: (e) => (failWith = e),
      async describeTable(id, options) {
        calls.push({ id, options });
        if (failWith) throw failWith;
        return {
          location: 's3://lake/wh/db/t.lance',
          storage_options: { aws_access_key_id: `AK${calls.length}`, aws_secret_access_key: 'SK', expires_at_millis: String(c.now() + lifetimeMs) },
        };
      },
    };
    return namespace;
  }

  it('describes the table once, then again when expires_at_millis draws near', async () => {
    const c = clock();
    const namespace = namespaceOf(c);
    const provider = lanceStorageOptionsProvider({ namespace, id: ['db', 't'], now: c.now, refreshBeforeMs: 60_000 });
    expect(provider.location()).toBeUndefined();
    expect((await provider.storageOptions()).aws_access_key_id).toBe('AK1');
    expect(provider.location()).toBe('s3://lake/wh/db/t.lance');
    expect(provider.expiresAtMs()).toBe(T0 + 600_000);
    c.advance(540_000 - 1);
    expect((await provider.storageOptions()).aws_access_key_id).toBe('AK1');
    c.advance(1);
    const [a, b] = await Promise.all([provider.storageOptions(), provider.storageOptions()]);
    expect([a.aws_access_key_id, b.aws_access_key_id]).toEqual(['AK2', 'AK2']);
    expect(namespace.calls).toEqual([
      { id: ['db', 't'], options: { vendCredentials: true } },
      { id: ['db', 't'], options: { vendCredentials: true } },
    ]);
    // Callers get copies: editing one does not change what the provider serves.
    a.aws_access_key_id = 'edited';
    expect((await provider.storageOptions()).aws_access_key_id).toBe('AK2');
  });

  it('starts from initial options, serves them through a failed DescribeTable while valid, then surfaces the error', async () => {
    const c = clock();
    const namespace = namespaceOf(c);
    const errors: unknown[] = [];
    const initial = { aws_access_key_id: 'AK0', expires_at_millis: String(T0 + 120_000) };
    const provider = lanceStorageOptionsProvider({ namespace, id: ['db', 't'], initial, now: c.now, onRefreshError: (e) => errors.push(e) });
    expect((await provider.storageOptions()).aws_access_key_id).toBe('AK0');
    expect(namespace.calls).toHaveLength(0);
    const down = new CatalogError({
      message: 'unavailable',
      status: 503,
      type: 'ServiceUnavailable',
      protocol: 'lance',
      request: 'POST v1/table/db$t/describe',
      code: 17,
    });
    namespace.fail(down);
    c.advance(60_000);
    expect((await provider.storageOptions()).aws_access_key_id).toBe('AK0');
    expect(errors).toEqual([down]);
    c.advance(60_000);
    await expect(provider.storageOptions()).rejects.toBe(down);
  });

  it('options without expires_at_millis never refresh', async () => {
    const c = clock();
    const namespace: LanceTableDescriber & { n: number } = {
      n: 0,
      async describeTable() {
        this.n += 1;
        return { location: 'file:///tmp/t.lance' };
      },
    };
    const provider = lanceStorageOptionsProvider({ namespace, id: ['t'], now: c.now });
    expect(await provider.storageOptions()).toEqual({});
    c.advance(10 * 365 * 86_400_000);
    expect(await provider.storageOptions()).toEqual({});
    expect(namespace.n).toBe(1);
  });

  it('rejects unusable options at construction', () => {
    const namespace = namespaceOf(clock());
    expect(() => lanceStorageOptionsProvider({ namespace: {} as LanceTableDescriber, id: ['t'] })).toThrow(ConfigurationError);
    expect(() => lanceStorageOptionsProvider({ namespace, id: [] })).toThrow(/table id/);
    expect(() => lanceStorageOptionsProvider({ namespace, id: ['db', ''] })).toThrow(/table id/);
    expect(() => lanceStorageOptionsProvider({ namespace, id: ['t'], refreshBeforeMs: -5 })).toThrow(/refreshBeforeMs/);
  });
});
