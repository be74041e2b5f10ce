/**
 * Refresh timing of vended storage credentials, with a controlled clock and a scripted loadCredentials (the timing
 * logic is what is under test here; test/interop/client-credentials-*.test.ts drive the same providers against a real
 * server and real storage): refresh window and half-life cap, one refresh in flight, failures served from the old
 * credential while it is valid, storage refresh tokens (with the fallback when one is refused), longest-prefix
 * selection, and construction-time validation.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CatalogError,
  ConfigurationError,
  type CredentialLoader,
  type LoadCredentialsResponse,
  prefixCovers,
  RefreshingValue,
  selectCredential,
  type TableIdentifier,
  VendedCredentials,
  vendedExpiry,
} from '@lakegate/client';

const MINUTE = 60_000;
const LOCATION = 's3://lake/wh/db/t-1';
const table: TableIdentifier = { namespace: ['db'], name: 't' };

class Clock {
  constructor(public ms = 1_700_000_000_000) {}
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

interface Call {
  identifier: TableIdentifier;
  storageRefreshToken: string | undefined;
}

/** A scripted catalog: each load vends credential number n (key AK<n>, token RT<n>) valid for `lifetimeMs`. */
class ScriptedCatalog implements CredentialLoader {
  calls: Call[] = [];
  serial = 0;
  lifetimeMs = 60 * MINUTE;
  /** When set, the next loads reject with this error. */
  failWith: unknown;
  /** When set, loads wait for `release()`. */
  private gate: { promise: Promise<void>; release: () => void } | undefined;
  refuseTokens = false;
  extra: LoadCredentialsResponse['storage-credentials'] = [];

  constructor(private readonly clock: Clock) {}

  hold() {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.gate = { promise, release };
  }
  release() {
    this.gate?.release();
    this.gate = undefined;
  }

  async loadCredentials(identifier: TableIdentifier, options: { storageRefreshToken?: string } = {}): Promise<LoadCredentialsResponse> {
    this.calls.push({ identifier, storageRefreshToken: options.storageRefreshToken });
    if (this.gate) await this.gate.promise;
    if (this.failWith) throw this.failWith;
    if (this.refuseTokens && options.storageRefreshToken) throw catalogError(400, 'BadRequestException');
    return { 'storage-credentials': [...(this.extra ?? []), this.vend()] };
  }

  vend() {
    this.serial += 1;
    return credential(this.serial, this.clock.ms + this.lifetimeMs);
  }
}

function credential(n: number, expiresAtMs: number, prefix = LOCATION) {
  return {
    prefix,
    config: {
      's3.access-key-id': `AK${n}`,
      's3.secret-access-key': `secret-${n}`,
      's3.session-token': `session-${n}`,
      's3.session-token-expires-at-ms': String(expiresAtMs),
    },
    'storage-refresh-token': `RT${n}`,
  };
}

function catalogError(status: number, type: string) {
  return new CatalogError({ message: `${type} from the catalog`, status, type, protocol: 'iceberg', request: 'GET v1/x/credentials' });
}

function setup(options: { initial?: boolean; refreshBeforeMs?: number; retryAfterFailureMs?: number } = {}) {
  const clock = new Clock();
  const catalog = new ScriptedCatalog(clock);
  const errors: unknown[] = [];
  const initial = options.initial === false ? [] : [catalog.vend()];
  const credentials = new VendedCredentials({
    catalog,
    table,
    loaded: { metadata: { location: LOCATION }, 'storage-credentials': initial },
    now: clock.now,
    onRefreshError: (e) => errors.push(e),
    ...(options.refreshBeforeMs !== undefined ? { refreshBeforeMs: options.refreshBeforeMs } : {}),
    ...(options.retryAfterFailureMs !== undefined ? { retryAfterFailureMs: options.retryAfterFailureMs } : {}),
  });
  const key = async () => (await credentials.current()).config['s3.access-key-id'];
  return { clock, catalog, credentials, errors, key };
}

describe('refresh timing', () => {
  it('serves the credential from loadTable until less than refreshBeforeMs (default 5 min) remains, then refreshes with its token', async () => {
    const { clock, catalog, key } = setup();
    expect(await key()).toBe('AK1');
    clock.advance(55 * MINUTE - 1);
    expect(await key()).toBe('AK1');
    expect(catalog.calls).toHaveLength(0);
    clock.advance(1);
    expect(await key()).toBe('AK2');
    expect(catalog.calls).toEqual([{ identifier: table, storageRefreshToken: 'RT1' }]);
    // The next refresh uses the new credential's token.
    clock.advance(55 * MINUTE);
    expect(await key()).toBe('AK3');
    expect(catalog.calls[1]!.storageRefreshToken).toBe('RT2');
  });

  it('honours a configured refreshBeforeMs', async () => {
    const { clock, catalog, key } = setup({ refreshBeforeMs: 20 * MINUTE });
    clock.advance(40 * MINUTE - 1);
    expect(await key()).toBe('AK1');
    clock.advance(1);
    expect(await key()).toBe('AK2');
    expect(catalog.calls).toHaveLength(1);
  });

  it('refreshes a short-lived credential half-way through its life, not on every use', async () => {
    const { clock, catalog, key } = setup({ initial: false });
    catalog.lifetimeMs = 10_000; // far shorter than the 5-minute window
    expect(await key()).toBe('AK1');
    expect(catalog.calls).toEqual([{ identifier: table, storageRefreshToken: undefined }]);
    clock.advance(4_999);
    for (let i = 0; i < 5; i++) expect(await key()).toBe('AK1');
    expect(catalog.calls).toHaveLength(1);
    clock.advance(1);
    expect(await key()).toBe('AK2');
    expect(catalog.calls).toHaveLength(2);
  });

  it('never refreshes a credential that names no expiry', async () => {
    const clock = new Clock();
    const catalog = new ScriptedCatalog(clock);
    const static_ = { prefix: LOCATION, config: { 's3.access-key-id': 'STATIC', 's3.secret-access-key': 's' } };
    const credentials = new VendedCredentials({ catalog, table, location: `${LOCATION}/data`, initial: [static_], now: clock.now });
    clock.advance(365 * 24 * 60 * MINUTE);
    expect((await credentials.current()).config['s3.access-key-id']).toBe('STATIC');
    expect((await credentials.current()).expiresAtMs).toBeUndefined();
    expect(catalog.calls).toHaveLength(0);
  });
});

describe('one refresh at a time', () => {
  it('makes concurrent callers share one loadCredentials call', async () => {
    const { clock, catalog, credentials } = setup();
    clock.advance(56 * MINUTE);
    catalog.hold();
    const waiting = Array.from({ length: 20 }, () => credentials.current());
    await new Promise((r) => setTimeout(r, 10));
    expect(catalog.calls).toHaveLength(1);
    catalog.release();
    const results = await Promise.all(waiting);
    expect(new Set(results.map((r) => r.config['s3.access-key-id']))).toEqual(new Set(['AK2']));
    expect(catalog.calls).toHaveLength(1);
    // An explicit refresh() while one runs joins it too.
    catalog.hold();
    const a = credentials.refresh();
    const b = credentials.refresh();
    catalog.release();
    expect((await a).config['s3.access-key-id']).toBe((await b).config['s3.access-key-id']);
    expect(catalog.calls).toHaveLength(2);
  });

  it('runs a refresh for the first load too (no credential in hand)', async () => {
    const { catalog, credentials } = setup({ initial: false });
    catalog.hold();
    const waiting = Promise.all([credentials.current(), credentials.current(), credentials.current()]);
    await new Promise((r) => setTimeout(r, 10));
    catalog.release();
    expect((await waiting).map((c) => c.config['s3.access-key-id'])).toEqual(['AK1', 'AK1', 'AK1']);
    expect(catalog.calls).toEqual([{ identifier: table, storageRefreshToken: undefined }]);
  });
});

describe('failed refreshes', () => {
  it('keeps serving the old credential while it is valid, retries after a pause, and surfaces the error once it expired', async () => {
    const { clock, catalog, errors, key } = setup({ retryAfterFailureMs: 10_000 });
    clock.advance(56 * MINUTE);
    const outage = catalogError(503, 'ServiceUnavailableException');
    catalog.failWith = outage;
    // Concurrent callers share the failed refresh; the observer hears of it once.
    expect(await Promise.all([key(), key(), key()])).toEqual(['AK1', 'AK1', 'AK1']);
    expect(errors).toEqual([outage]);
    expect(catalog.calls).toHaveLength(1);
    // Within the pause the old credential is served without asking the catalog again.
    clock.advance(9_999);
    expect(await key()).toBe('AK1');
    expect(catalog.calls).toHaveLength(1);
    clock.advance(1);
    expect(await key()).toBe('AK1');
    expect(catalog.calls).toHaveLength(2);
    // Expired: every use tries again (no pause) and the caller sees the catalog's error.
    clock.advance(4 * MINUTE);
    await expect(key()).rejects.toBe(outage);
    await expect(key()).rejects.toBe(outage);
    expect(catalog.calls).toHaveLength(4);
    // The catalog recovers: the next use gets a fresh credential, using the last good token.
    catalog.failWith = undefined;
    expect(await key()).toBe('AK2');
    expect(catalog.calls.at(-1)!.storageRefreshToken).toBe('RT1');
  });

  it('still serves the old credential when the onRefreshError observer itself throws', async () => {
    const clock = new Clock();
    const catalog = new ScriptedCatalog(clock);
    const credentials = new VendedCredentials({
      catalog,
      table,
      loaded: { metadata: { location: LOCATION }, 'storage-credentials': [catalog.vend()] },
      now: clock.now,
      onRefreshError: () => {
        throw new Error('observer bug');
      },
    });
    catalog.failWith = catalogError(503, 'ServiceUnavailableException');
    clock.advance(56 * MINUTE);
    expect((await credentials.current()).config['s3.access-key-id']).toBe('AK1');
  });

  it('rejects the first load when there is no credential to fall back on', async () => {
    const { catalog, credentials } = setup({ initial: false });
    catalog.failWith = catalogError(403, 'ForbiddenException');
    await expect(credentials.current()).rejects.toMatchObject({ name: 'CatalogError', status: 403 });
  });

  it('falls back to a token-less load when the catalog refuses the refresh token (400)', async () => {
    const { clock, catalog, key } = setup();
    catalog.refuseTokens = true;
    clock.advance(56 * MINUTE);
    expect(await key()).toBe('AK2');
    expect(catalog.calls.map((c) => c.storageRefreshToken)).toEqual(['RT1', undefined]);
  });

  it('does not retry token-less after other errors', async () => {
    const { clock, catalog, credentials } = setup();
    catalog.failWith = catalogError(404, 'NoSuchTableException');
    clock.advance(61 * MINUTE);
    await expect(credentials.current()).rejects.toMatchObject({ status: 404 });
    expect(catalog.calls.map((c) => c.storageRefreshToken)).toEqual(['RT1']);
  });
});

describe('credential selection', () => {
  it('picks the longest prefix that covers the location, at a path boundary', () => {
    const creds = [credential(1, 1, 's3://lake/wh'), credential(2, 1, 's3://lake/wh/db/t1'), credential(3, 1, 's3://lake/wh/db/t10'), credential(4, 1, 's3')];
    expect(selectCredential(creds, 's3://lake/wh/db/t1/data/a.parquet')?.prefix).toBe('s3://lake/wh/db/t1');
    expect(selectCredential(creds, 's3://lake/wh/db/t10')?.prefix).toBe('s3://lake/wh/db/t10');
    expect(selectCredential(creds, 's3://lake/wh/db/t100/x')?.prefix).toBe('s3://lake/wh');
    expect(selectCredential(creds, 's3://other/x')?.prefix).toBe('s3');
    expect(selectCredential(creds, 'gs://lake/wh')).toBeUndefined();
    expect(prefixCovers('s3://lake/wh/', 's3://lake/wh/x')).toBe(true);
    expect(prefixCovers('s3://lake/wh/t1', 's3://lake/wh/t10')).toBe(false);
  });

  it('considers only the storage family a provider accepts', async () => {
    const clock = new Clock();
    const catalog = new ScriptedCatalog(clock);
    catalog.extra = [{ prefix: `${LOCATION}/deeper`, config: { 'adls.sas-token.acct.dfs.core.windows.net': 'sv=1&sig=x' } }];
    const s3Only = new VendedCredentials({ catalog, table, location: `${LOCATION}/deeper/file`, now: clock.now }, (c) => 's3.access-key-id' in c);
    expect((await s3Only.current()).prefix).toBe(LOCATION);
  });

  it('fails with a typed error, and no secret, when nothing covers the location', async () => {
    const clock = new Clock();
    const catalog = new ScriptedCatalog(clock);
    const credentials = new VendedCredentials({ catalog, table, location: 's3://elsewhere/t', now: clock.now });
    const error = await credentials.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogError);
    expect(error).toMatchObject({ type: 'NoStorageCredential' });
    expect((error as Error).message).toContain('s3://elsewhere/t');
    expect((error as Error).message).not.toMatch(/secret-|session-|RT\d/);
  });

  it('reads the earliest expiry of any FileIO family', () => {
    expect(vendedExpiry({ 's3.session-token-expires-at-ms': '2000', 'gcs.oauth2.token-expires-at': '1000' })).toBe(1000);
    expect(vendedExpiry({ 'adls.sas-token-expires-at-ms.a.dfs.core.windows.net': '3000', 'adls.sas-token-expires-at-ms.b.dfs.core.windows.net': '2500' })).toBe(
      2500,
    );
    expect(vendedExpiry({ 's3.session-token-expires-at-ms': 'soon' })).toBeUndefined();
    expect(vendedExpiry({})).toBeUndefined();
  });
});

describe('construction', () => {
  const catalog = new ScriptedCatalog(new Clock());

  it('rejects unusable options at once with ConfigurationError', () => {
    expect(() => new VendedCredentials({ catalog: {} as CredentialLoader, table, location: LOCATION })).toThrow(ConfigurationError);
    expect(() => new VendedCredentials({ catalog, table: { namespace: ['db'], name: '' }, location: LOCATION })).toThrow(/table identifier/);
    expect(() => new VendedCredentials({ catalog, table })).toThrow(/need a location/);
    expect(() => new VendedCredentials({ catalog, table, location: LOCATION, refreshBeforeMs: -1 })).toThrow(/refreshBeforeMs must be a non-negative/);
    expect(() => new VendedCredentials({ catalog, table, location: LOCATION, retryAfterFailureMs: Number.NaN })).toThrow(/retryAfterFailureMs/);
    expect(() => new RefreshingValue({ fetch: undefined as never, expiresAt: () => undefined })).toThrow(ConfigurationError);
  });

  it('prints no secret when a provider is logged', async () => {
    const { credentials } = setup();
    await credentials.current();
    const printed = inspect(credentials, { depth: 10, showHidden: true }) + JSON.stringify(credentials);
    expect(printed).not.toMatch(/secret-1|session-1|RT1|AK1/);
  });
});
