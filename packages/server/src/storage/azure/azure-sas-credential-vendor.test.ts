import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AzureSasCredentialVendor, type AzureSasCredentialVendorOptions } from './azure-sas-credential-vendor.js';
import { buildSas } from './azure-sas.js';

const ACCOUNT_KEY = randomBytes(64).toString('base64');
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0, 750);
const HOST = 'acct1.dfs.core.windows.net';
const LOCATION = `abfss://lake@${HOST}/wh/ns/t1`;

const vendor = (extra: Partial<AzureSasCredentialVendorOptions> = {}) =>
  new AzureSasCredentialVendor({
    account: 'acct1',
    accountKey: ACCOUNT_KEY,
    container: 'lake',
    scope: 'directory',
    maxLifetimeSeconds: 3600,
    clock: { now: () => NOW },
    ...extra,
  });

const params = (sas: string) => Object.fromEntries(new URLSearchParams(sas));

/**
 * The service SAS string-to-sign as Azure documents it for versions 2020-12-06 and later,
 * written out independently of the SDK: the signature proves which resource the SAS names.
 */
function expectedSignature(p: Record<string, string>, canonicalResource: string): string {
  const stringToSign = [p.sp, p.st ?? '', p.se, canonicalResource, p.si ?? '', p.sip ?? '', p.spr ?? '', p.sv, p.sr, '', p.ses ?? '', '', '', '', '', ''].join(
    '\n',
  );
  return createHmac('sha256', Buffer.from(ACCOUNT_KEY, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

describe('AzureSasCredentialVendor', () => {
  it('directory scope: a read SAS on the table directory only, with the Iceberg ADLS properties', async () => {
    const vended = await vendor().vend({ location: LOCATION, mode: 'read', principal: 'alice', lifetimeSeconds: 1200 });
    const expiresAtMs = Date.UTC(2030, 0, 1, 12, 20, 0);
    expect(vended.prefix).toBe(LOCATION);
    expect(vended.expiresAtMs).toBe(expiresAtMs);
    const sas = vended.config[`adls.sas-token.${HOST}`]!;
    expect(vended.config).toEqual({
      [`adls.sas-token.${HOST}`]: sas,
      [`adls.sas-token-expires-at-ms.${HOST}`]: String(expiresAtMs),
    });
    const p = params(sas);
    expect(p).toMatchObject({ sr: 'd', sdd: '3', sp: 'rl', spr: 'https', se: '2030-01-01T12:20:00Z' });
    expect(p.st).toBeUndefined();
    expect(p.sig).toBe(expectedSignature(p, '/blob/acct1/lake/wh/ns/t1'));
    expect(sas).not.toContain(ACCOUNT_KEY);
  });

  it('read-write grants add, create, write, delete and list, and nothing else', async () => {
    const { config } = await vendor().vend({ location: `${LOCATION}/`, mode: 'read-write', principal: 'p', lifetimeSeconds: 600 });
    const p = params(config[`adls.sas-token.${HOST}`]!);
    expect(p.sp).toBe('racwdl');
    expect(p.sdd).toBe('3');
    expect(p.sig).toBe(expectedSignature(p, '/blob/acct1/lake/wh/ns/t1'));
  });

  it('container scope: a container SAS, and HTTP allowed only for an http endpoint, with its endpoint properties', async () => {
    const azurite = vendor({ scope: 'container', endpoint: 'http://127.0.0.1:10000/acct1' });
    expect(azurite.scope).toBe('container');
    const { config } = await azurite.vend({ location: LOCATION, mode: 'read-write', principal: 'p', lifetimeSeconds: 600 });
    const p = params(config[`adls.sas-token.${HOST}`]!);
    expect(p).toMatchObject({ sr: 'c', sp: 'racwdl', spr: 'https,http' });
    expect(p.sdd).toBeUndefined();
    expect(p.sig).toBe(expectedSignature(p, '/blob/acct1/lake'));
    expect(Object.keys(config).sort()).toEqual([`adls.connection-string.${HOST}`, `adls.sas-token-expires-at-ms.${HOST}`, `adls.sas-token.${HOST}`]);
    expect(config[`adls.connection-string.${HOST}`]).toBe('http://127.0.0.1:10000/acct1');
  });

  it('keys the properties by the location host (wasbs: the blob host)', async () => {
    const { config } = await vendor().vend({ location: 'wasbs://lake@acct1.blob.core.windows.net/wh/t', mode: 'read', principal: 'p', lifetimeSeconds: 600 });
    expect(params(config['adls.sas-token.acct1.blob.core.windows.net']!).sdd).toBe('2');
  });

  it('caps the lifetime at the profile maximum and raises it to 60 s', async () => {
    const v = vendor({ maxLifetimeSeconds: 900 });
    expect((await v.vend({ location: LOCATION, mode: 'read', principal: 'p', lifetimeSeconds: 86_400 })).expiresAtMs).toBe(Date.UTC(2030, 0, 1, 12, 15, 0));
    expect((await v.vend({ location: LOCATION, mode: 'read', principal: 'p', lifetimeSeconds: 1 })).expiresAtMs).toBe(Date.UTC(2030, 0, 1, 12, 1, 0));
  });

  it('refuses locations outside its container or account, and whole containers', async () => {
    for (const location of [
      'abfss://other@acct1.dfs.core.windows.net/wh/t',
      'abfss://lake@acct2.dfs.core.windows.net/wh/t',
      'abfss://lake@acct1.dfs.core.windows.net',
      'abfss://lake@acct1.dfs.core.windows.net/',
      's3://lake/wh/t',
    ]) {
      await expect(vendor({ scope: 'container' }).vend({ location, mode: 'read', principal: 'p', lifetimeSeconds: 600 })).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
      });
    }
    await expect(vendor().vend({ location: LOCATION, mode: 'read', principal: 'p', lifetimeSeconds: 0 })).rejects.toThrow(TypeError);
  });

  it('refuses options and modes it cannot honour', () => {
    expect(() => vendor({ maxLifetimeSeconds: 10 })).toThrow(TypeError);
    expect(() => vendor({ maxLifetimeSeconds: 100_000 })).toThrow(TypeError);
    expect(() => vendor({ scope: 'account' as 'container' })).toThrow(TypeError);
    const base = { account: 'acct1', accountKey: ACCOUNT_KEY, container: 'lake', expiresOn: new Date(NOW), allowHttp: false };
    expect(() => buildSas({ ...base, directory: 'wh', scope: 'directory', mode: 'write-only' as 'read' })).toThrow(TypeError);
    expect(() => buildSas({ ...base, directory: '/', scope: 'directory', mode: 'read' })).toThrow(TypeError);
  });
});
