/**
 * The unscoped sign endpoint, POST /v1/aws/s3/sign (catalog/signing/sign-default.ts), in-process: with the profile's
 * `remote-signing-endpoint: default` the table config names no sign endpoint (clients call their default), and the
 * server finds the warehouse and the table from the request's bucket and key, then applies the table's privileges.
 * Keys under no table, under a table the caller may not sign for, in another bucket or on another host are refused
 * with 403 and a reason that names no table; a signature never covers a key of another table. PyIceberg's proof is
 * in test/interop/remote-signing.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySigV4 } from '@lakegate/sigv4';
import { grantPrincipal } from '../support/access.js';
import { type FakeS3 } from '../support/fake-s3.js';
import { simpleSchema, type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { signedInPrincipal, grantedPrincipal } from '../support/principals.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

const KEY = { accessKeyId: 'wh-key', secretAccessKey: 'wh-secret-default-endpoint' };
let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let orders: string;
let refunds: string;
const signing = { 'x-iceberg-access-delegation': 'remote-signing' };
const SIGN = '/v1/aws/s3/sign';

const req = (method: string, path: string) => ({
  region: 'us-east-1',
  uri: `${s3.endpoint}/${path}`,
  method,
  headers: { 'Content-Type': ['application/octet-stream'] },
});

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales'], { profile: { 'sts-enabled': false, 'remote-signing-endpoint': 'default' }, key: KEY }));
  const o = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema: simpleSchema });
  const r = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'refunds', schema: simpleSchema });
  orders = o.body.metadata.location.replace('s3://bucket/', '');
  refunds = r.body.metadata.location.replace('s3://bucket/', '');
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('remote-signing-endpoint: default', () => {
  it('names no sign endpoint in the table config, so clients call v1/aws/s3/sign', async () => {
    const loaded = await admin('GET', '/v1/lake/namespaces/sales/tables/orders', undefined, signing);
    expect(loaded.status).toBe(200);
    const config = loaded.body.config as Record<string, string>;
    expect(config).toMatchObject({ 's3.remote-signing-enabled': 'true', 's3.signer': 'S3V4RestSigner', 's3.endpoint': s3.endpoint });
    expect(config['s3.signer.endpoint']).toBeUndefined();
    expect(config['signer.endpoint']).toBeUndefined();
    expect(config['rest.remote-signing.endpoint']).toBeUndefined();
  });

  it("signs a key inside a table by the table's privileges, and the signature verifies with the warehouse's key", async () => {
    const writer = await grantedPrincipal(cat, admin, 'default-writer', ['table:write-data'], {
      type: 'table',
      warehouse: 'lake',
      namespace: ['sales'],
      name: 'orders',
    });
    const signed = await writer.send('POST', SIGN, req('GET', `bucket/${orders}/data/00000-0-a.parquet`));
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.headers['cache-control']).toBe('no-cache');
    const url = new URL(signed.body.uri);
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/octet-stream' };
    for (const [k, v] of Object.entries(signed.body.headers as Record<string, string[]>)) headers[k.toLowerCase()] = v.join(',');
    const verified = await verifySigV4(
      { method: 'GET', url: signed.body.uri.slice(signed.body.uri.indexOf('/', 8)), headers },
      {
        service: 's3',
        region: 'us-east-1',
        now: () => new Date(),
        uriEscapePath: false,
        lookupSecret: async (id) => (id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey, principal: 'wh' } : undefined),
      },
    );
    expect(verified.ok, JSON.stringify(verified)).toBe(true);
    expect((await writer.send('POST', SIGN, req('PUT', `bucket/${orders}/data/00000-0-a.parquet`))).status).toBe(200);
    // A listing of the table's directory (the prefix ends with "/") is held by the table too.
    expect((await writer.send('POST', SIGN, req('GET', `bucket?list-type=2&prefix=${encodeURIComponent(`${orders}/`)}`))).status).toBe(200);
    // The same writer, the other table: refused, and the answer names no table.
    const other = await writer.send('POST', SIGN, req('GET', `bucket/${refunds}/metadata/v1.json`));
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/lies in no table you may sign for/);
    expect(other.body.error.message.replace(/s3:\/\/\S+/, 'KEY')).not.toMatch(/refunds|sales/);
  });

  it('refuses a reader’s writes and lets it read, with the same answer for a table it may not write as for no table', async () => {
    const reader = await grantedPrincipal(cat, admin, 'default-reader', ['table:read-data'], {
      type: 'table',
      warehouse: 'lake',
      namespace: ['sales'],
      name: 'orders',
    });
    expect((await reader.send('POST', SIGN, req('GET', `bucket/${orders}/metadata/v1.json`))).status).toBe(200);
    const write = await reader.send('POST', SIGN, req('PUT', `bucket/${orders}/data/x.parquet`));
    const none = await reader.send('POST', SIGN, req('PUT', 'bucket/wh/sales/no-such-table/data/x.parquet'));
    expect([write.status, none.status]).toEqual([403, 403]);
    expect(write.body.error.message.replace(/s3:\/\/\S+/, 'KEY')).toBe(none.body.error.message.replace(/s3:\/\/\S+/, 'KEY'));
  });

  it('refuses keys under no table, outside the warehouse, in another bucket or on another host, with the reason', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['GET', `${s3.endpoint}/bucket/wh/sales/x.parquet`, /s3:\/\/bucket\/wh\/sales\/x\.parquet lies in no table/],
      ['GET', `${s3.endpoint}/bucket/elsewhere/x.parquet`, /lies in no table/],
      ['GET', `${s3.endpoint}/bucket?list-type=2&prefix=wh/`, /lies in no table/],
      ['GET', `${s3.endpoint}/bucket?list-type=2&prefix=${encodeURIComponent(orders)}`, /lies in no table/],
      ['GET', `${s3.endpoint}/other-bucket/${orders}/x`, /not addressed to the storage of a warehouse/],
      ['GET', `http://evil.example:9000/bucket/${orders}/x`, /not addressed to the storage of a warehouse/],
      ['GET', `${s3.endpoint}/bucket/${orders}/../${refunds}/metadata/v1.json`, /"\." or "\.\." segment/],
      ['GET', `${s3.endpoint}/bucket/${orders}%2F..%2F${refunds.split('/').at(-1)}/x`, /encodes a slash/],
    ];
    for (const [method, uri, reason] of cases) {
      const res = await admin('POST', SIGN, { region: 'us-east-1', uri, method, headers: {} });
      expect(res.status, `${uri}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.error.message, uri).toMatch(reason);
    }
    // Bad input is 400 in the Iceberg error model, not a 500.
    const bad = await admin('POST', SIGN, { region: 'us-east-1', uri: 'not a uri', method: 'GET', headers: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/absolute http\(s\) URI/);
    expect((await admin('POST', SIGN, { region: 'us-east-1', uri: `${s3.endpoint}/bucket/${orders}/x#frag`, method: 'GET', headers: {} })).status).toBe(400);
    const invalid = await admin('POST', SIGN, { uri: 5, method: 'GET', headers: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.type).toBeDefined();
  });

  it('never signs through a remembered location for a table dropped, renamed or re-created since', async () => {
    const writer = await signedInPrincipal(cat, 'default-stale');
    const place = 's3://bucket/wh/sales/moving-place';
    const created = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'moving', schema: simpleSchema, location: place });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await grantPrincipal(admin, writer.id, ['table:write-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'moving' });
    const put = (key: string) => writer.send('POST', SIGN, req('PUT', `bucket/${key}`));
    // Signed, and the table is now remembered as the one at moving-place.
    expect((await put('wh/sales/moving-place/data/a.parquet')).status).toBe(200);

    // Renamed: the name remembered is gone, the key is looked up again and found under the renamed table (whose grant
    // followed it, by id). A new table under the old name lives elsewhere, and the writer holds nothing on it.
    expect((await admin('POST', '/v1/lake/namespaces', { namespace: ['archive'] })).status).toBe(200);
    expect(
      (
        await admin('POST', '/v1/lake/tables/rename', {
          source: { namespace: ['sales'], name: 'moving' },
          destination: { namespace: ['archive'], name: 'moved' },
        })
      ).status,
    ).toBe(204);
    expect(
      (await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'moving', schema: simpleSchema, location: 's3://bucket/wh/sales/moving-again' })).status,
    ).toBe(200);
    expect((await put('wh/sales/moving-place/data/b.parquet')).status).toBe(200);
    const again = await put('wh/sales/moving-again/data/a.parquet');
    expect(again.status).toBe(403);
    expect(again.body.error.message).toMatch(/lies in no table you may sign for/);

    // Dropped: the remembered table is gone, and no other table holds the key.
    expect((await admin('DELETE', '/v1/lake/namespaces/archive/tables/moved')).status).toBe(204);
    const dropped = await put('wh/sales/moving-place/data/c.parquet');
    expect(dropped.status).toBe(403);
    expect(dropped.body.error.message).toMatch(/lies in no table you may sign for/);

    // Re-created under the remembered name at the remembered place... by a table the writer holds nothing on.
    await grantPrincipal(admin, writer.id, ['table:write-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'moving' });
    expect((await put('wh/sales/moving-again/data/b.parquet')).status).toBe(200);
    expect((await admin('DELETE', '/v1/lake/namespaces/sales/tables/moving')).status).toBe(204);
    const recreated = await admin('POST', '/v1/lake/namespaces/sales/tables', {
      name: 'moving',
      schema: simpleSchema,
      location: 's3://bucket/wh/sales/moving-again',
    });
    expect(recreated.status, JSON.stringify(recreated.body)).toBe(200);
    const stale = await put('wh/sales/moving-again/data/c.parquet');
    expect(stale.status).toBe(403);
    expect(stale.body.error.message).toMatch(/lies in no table you may sign for/);
  });

  it('signs for a staged table only for whoever staged it', async () => {
    const creator = await grantedPrincipal(cat, admin, 'default-creator', ['table:create', 'table:write-data', 'table:read-data'], {
      type: 'namespace',
      warehouse: 'lake',
      namespace: ['sales'],
    });
    const staged = await creator.send('POST', '/v1/lake/namespaces/sales/tables', { name: 'staged', schema: simpleSchema, 'stage-create': true }, signing);
    expect(staged.status, JSON.stringify(staged.body)).toBe(200);
    const key = staged.body.metadata.location.replace('s3://bucket/', '');
    expect((await creator.send('POST', SIGN, req('PUT', `bucket/${key}/data/x.parquet`))).status).toBe(200);
    const other = await grantedPrincipal(cat, admin, 'default-other', ['table:read-data'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
    expect((await other.send('POST', SIGN, req('PUT', `bucket/${key}/data/x.parquet`))).status).toBe(403);
  });
});

describe('row-filter and column-mask policies (docs/authorization.md)', () => {
  it('signs nothing in a table for a caller a policy applies to, and again once the policy is gone', async () => {
    const reader = await signedInPrincipal(cat, 'default-restricted');
    const role = await grantPrincipal(admin, reader.id, ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'orders' });
    const key = req('GET', `bucket/${orders}/data/00000-0-a.parquet`);
    expect((await reader.send('POST', SIGN, key)).status).toBe(200);
    const policies = '/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies';
    const created = await admin('POST', policies, { kind: 'column-mask', roles: [role], masks: [{ column: 'data', action: 'mask-alphanum' }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const refused = await reader.send('POST', SIGN, key);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/lies in no table you may sign for/);
    expect((await admin('DELETE', `${policies}/${created.body.id}`)).status).toBe(204);
    expect((await reader.send('POST', SIGN, key)).status).toBe(200);
  });
});
