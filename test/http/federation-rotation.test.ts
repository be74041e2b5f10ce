/**
 * Rotating a federated warehouse's remote credential and changing its settings (issue 57; PUT
 * /management/v1/warehouses/{w}/federation, catalog/management/warehouse-federation.ts). The remote is another
 * Lakegate on a real port (as in federation-rest.test.ts). The remote rotates the client secret of the principal the
 * front uses; the front's administrator sends the new one; the connection is tested before anything is stored (the
 * old secret, now refused by the remote, is a 400 and changes nothing); the kind cannot change; only a platform
 * administrator may do it; the secret is never answered, audited or logged. Lance tables are refused on a federated
 * warehouse (they would be kept here only, behind the remote's back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRemoteLakegate, type RemoteLakegate } from '../support/federation.js';
import { startWithCallers, tokenOf, type CatalogWithCallers } from '../support/principals.js';
import { bearerSender } from '../support/inject.js';

let remote: RemoteLakegate;
let front: CatalogWithCallers;
let client: { clientId: string; clientSecret: string };
let url: string;
const FEDERATION = '/management/v1/warehouses/rot/federation';
const settings = (extra: Record<string, unknown> = {}) => ({ kind: 'iceberg-rest', uri: url, warehouse: 'default', 'client-id': client.clientId, ...extra });

beforeAll(async () => {
  remote = await startRemoteLakegate();
  url = remote.url;
  // The principal the front calls the remote as (a platform administrator there, for brevity).
  client = await remote.cat.lakegate.principals.create('front-catalog', ['admin']);
  expect((await remote.admin('POST', '/v1/default/namespaces', { namespace: ['sales'] })).status).toBe(200);
  front = await startWithCallers();
  const created = await front.admin('POST', '/management/v1/warehouses', {
    name: 'rot',
    'storage-root': remote.root,
    'storage-profile': { type: 'file' },
    federation: settings(),
    'federation-secret': { 'client-secret': client.clientSecret },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}, 60_000);
afterAll(async () => {
  await front?.cat.close();
  await remote?.cat.close();
});

const namespaces = async () => front.admin('GET', '/v1/rot/namespaces');

describe("changing a federated warehouse's remote", () => {
  it('rotates the credential: the old one, refused by the remote, changes nothing; the new one is tested, stored and used', async () => {
    expect((await namespaces()).status).toBe(200);
    const old = client.clientSecret;
    const rotated = (await remote.cat.lakegate.principals.rotateSecret(client.clientId))!;
    // The old secret no longer passes the connection test: 400, the stored one stays.
    const refused = await front.admin('PUT', FEDERATION, { 'federation-secret': { 'client-secret': old } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.message).toContain('did not pass the connection test');
    expect(JSON.stringify(refused.body)).not.toContain(old);
    const changed = await front.admin('PUT', FEDERATION, { 'federation-secret': { 'client-secret': rotated } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.federation).toMatchObject({ kind: 'iceberg-rest', 'client-id': client.clientId, 'has-secret': true });
    expect(JSON.stringify(changed.body)).not.toContain(rotated);
    // The front now calls the remote with the new secret (a new connection: the old token is not reused).
    expect((await namespaces()).body.namespaces).toContainEqual(['sales']);
    const audit = JSON.stringify((await front.admin('GET', '/management/v1/audit?limit=100')).body);
    expect(audit).toContain('warehouse.federation.updated');
    expect(audit).toMatch(/"secret-replaced":true/);
    expect(audit).not.toContain(rotated);
    expect(front.cat.logs()).not.toContain(rotated);
    expect(front.cat.logs()).not.toContain(old);
    client = { ...client, clientSecret: rotated };
  });

  it('changes settings and keeps the stored credential, tested with it', async () => {
    const changed = await front.admin('PUT', FEDERATION, { federation: settings({ 'timeout-ms': 5000, 'max-staleness-ms': 1000 }) });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.federation).toMatchObject({ 'timeout-ms': 5000, 'max-staleness-ms': 1000, 'has-secret': true });
    expect((await front.admin('GET', '/management/v1/warehouses')).body.warehouses.find((w: { name: string }) => w.name === 'rot').federation).toMatchObject({
      'timeout-ms': 5000,
    });
    expect((await namespaces()).status).toBe(200);
    const audit = JSON.stringify((await front.admin('GET', '/management/v1/audit?limit=100')).body);
    expect(audit).toMatch(/"changed":\["max-staleness-ms","timeout-ms"\]/);
    // A remote that cannot be reached is refused, and the working settings stay.
    const unreachable = await front.admin('PUT', FEDERATION, { federation: settings({ uri: 'http://127.0.0.1:9', 'timeout-ms': 500 }) });
    expect(unreachable.status, JSON.stringify(unreachable.body)).toBe(400);
    expect((await namespaces()).status).toBe(200);
  });

  it('refuses what cannot be changed, or said twice, or is not federated, with a clear 400', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ federation: { kind: 'glue', region: 'eu-west-1' } }, /kind cannot change/],
      [{ 'federation-secret': { 'client-secret': 'x' }, 'remove-federation-secret': true }, /send one of them/],
      [{}, /Send federation, federation-secret or remove-federation-secret/],
      [{ federation: settings(), bogus: 1 }, /bogus/],
      [{ federation: settings({ 'timeout-ms': 5 }) }, /timeout-ms/],
      // Removing the credential of a remote that needs one (client-id without a secret) is refused by creation's rule.
      [{ 'remove-federation-secret': true }, /client-id needs federation-secret.client-secret/],
    ];
    for (const [body, message] of cases) {
      const res = await front.admin('PUT', FEDERATION, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const plain = await front.admin('PUT', '/management/v1/warehouses/default/federation', { 'remove-federation-secret': true });
    expect(plain.status, JSON.stringify(plain.body)).toBe(400);
    expect(plain.body.error.message).toContain('is not federated');
    expect((await front.admin('PUT', '/management/v1/warehouses/missing/federation', { 'remove-federation-secret': true })).status).toBe(404);
    expect((await namespaces()).status).toBe(200);
  });

  it('refuses Lance tables on a federated warehouse (406): nothing is kept here behind the remote', async () => {
    const calls: Array<[string, string, unknown]> = [
      ['GET', '/lance/rot/v1/namespace/sales/table/list', undefined],
      ['POST', '/lance/rot/v1/table/sales%24t/declare', { id: ['sales', 't'] }],
      ['POST', '/lance/rot/v1/table/sales%24t/create-empty', { id: ['sales', 't'] }],
      ['POST', '/lance/rot/v1/namespace/sales/drop', { id: ['sales'] }],
    ];
    for (const [method, path, body] of calls) {
      const res = await front.admin(method, path, body);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(406);
      expect(JSON.stringify(res.body)).toContain('Lance tables on a federated warehouse are not supported yet');
    }
    // The namespace is still there, at the remote; a Lance namespace listing goes to the remote as Iceberg's does.
    expect((await namespaces()).body.namespaces).toContainEqual(['sales']);
    expect((await front.admin('GET', '/lance/rot/v1/namespace/%24/list')).body.namespaces).toContain('sales');
    // The default (not federated) warehouse's Lance surface is untouched.
    expect((await front.admin('POST', '/lance/default/v1/namespace/lz/create', { id: ['lz'] })).status).toBe(200);
  });

  it("answers the remote's status with the stored credential: ok, then the remote's refusal once it rotated, never the secret", async () => {
    const STATUS = `${FEDERATION}/status`;
    const ok = await front.admin('GET', STATUS);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ warehouse: 'rot', kind: 'iceberg-rest', ok: true });
    expect(ok.body.error).toBeUndefined();
    expect(typeof ok.body['checked-at-ms']).toBe('number');
    // The remote rotates the secret behind the front's back: the status says so (200, the refusal in error).
    const rotated = (await remote.cat.lakegate.principals.rotateSecret(client.clientId))!;
    const refused = await front.admin('GET', STATUS);
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refused.body).toMatchObject({ ok: false, error: { type: 'BadGatewayException', code: 502 } });
    expect(refused.body.error.message).toContain(`The remote catalog refused the client credentials of client "${client.clientId}": 401`);
    expect(JSON.stringify(refused.body)).not.toContain(client.clientSecret);
    // The new secret sent: the status is ok again.
    expect((await front.admin('PUT', FEDERATION, { 'federation-secret': { 'client-secret': rotated } })).status).toBe(200);
    client = { ...client, clientSecret: rotated };
    expect((await front.admin('GET', STATUS)).body.ok).toBe(true);
    // Not federated: 400; missing: 404; a reader: 403.
    expect((await front.admin('GET', '/management/v1/warehouses/default/federation/status')).body.error.message).toContain('is not federated');
    expect((await front.admin('GET', '/management/v1/warehouses/missing/federation/status')).status).toBe(404);
    const reader = await front.principal('rot-status-reader', ['namespace:list'], { type: 'warehouse', warehouse: 'rot' });
    expect((await reader.send('GET', STATUS)).status).toBe(403);
  });

  it("is a platform administrator's change only", async () => {
    const tenantAdmin = await front.cat.lakegate.principals.create('rot-tenant-admin', ['admin'], {}, 'acme');
    const send = bearerSender(front.cat.lakegate.app, await tokenOf(front.cat.lakegate.app, tenantAdmin.clientId, tenantAdmin.clientSecret));
    const res = await send('PUT', FEDERATION, { 'federation-secret': { 'client-secret': client.clientSecret } });
    expect(res.status, JSON.stringify(res.body)).toBe(404); // another tenant's warehouse is not there for it
    const reader = await front.principal('rot-reader', ['namespace:list'], { type: 'warehouse', warehouse: 'rot' });
    expect((await reader.send('PUT', FEDERATION, { 'federation-secret': { 'client-secret': client.clientSecret } })).status).toBe(403);
  });
});
