/**
 * The boundaries between administrators: an administrator of the default
 * tenant by role membership manages that tenant only, so it may neither
 * mint a platform administrator (a default-tenant principal with the admin
 * role by credential) nor take one over (its secret, keys, delegation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

let cat: TestCatalog;
let adminToken: string;
let adminId: string;

const inject = (method: string, url: string, token: string, payload?: unknown) =>
  cat.lakegate.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload: stringifyJson(payload) }),
  });

const tokenOf = (clientId: string, clientSecret: string) => signIn(cat.lakegate.app, clientId, clientSecret);

async function createPrincipal(by: string, body: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const res = await inject('POST', '/management/v1/principals', by, body);
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json()['client-id'], token: await tokenOf(res.json()['client-id'], res.json()['client-secret']) };
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const admin = cat.admin();
  adminId = admin.client_id;
  adminToken = await tokenOf(admin.client_id, admin.client_secret);
});
afterAll(async () => {
  await cat?.close();
});

describe('an administrator of the default tenant by role membership', () => {
  let deputy: { id: string; token: string };
  beforeAll(async () => {
    deputy = await createPrincipal(adminToken, { name: 'deputy' });
    expect((await inject('POST', '/management/v1/roles/admin/members', adminToken, { kind: 'principal', name: deputy.id })).statusCode).toBe(201);
  });

  it('administers the default tenant, but no other', async () => {
    expect((await inject('GET', '/management/v1/principals', deputy.token)).statusCode).toBe(200);
    expect((await createPrincipal(deputy.token, { name: 'plain' })).id).toMatch(/^plain-/);
    expect((await inject('GET', '/management/v1/roles?tenant=acme', deputy.token)).statusCode).toBe(403);
  });

  it('cannot mint a platform administrator, nor take one over', async () => {
    const minted = await inject('POST', '/management/v1/principals', deputy.token, { name: 'minted', roles: ['admin'] });
    expect(minted.statusCode, minted.body).toBe(403);
    for (const [method, path, body] of [
      ['POST', `/management/v1/principals/${adminId}/rotate-secret`, undefined],
      ['POST', `/management/v1/principals/${adminId}/api-keys`, { name: 'k' }],
      ['POST', `/management/v1/principals/${adminId}/access-keys`, undefined],
      ['PUT', `/management/v1/principals/${adminId}/delegation`, { users: ['*'] }],
      ['POST', `/management/v1/principals/${adminId}/disable`, undefined],
      ['POST', `/management/v1/principals/${adminId}/revoke-tokens`, undefined],
    ] as const) {
      expect((await inject(method, path, deputy.token, body)).statusCode, path).toBe(403);
    }
    // The bootstrap admin still works, and its secret was not rotated.
    const admin = cat.admin();
    expect((await tokenOf(admin.client_id, admin.client_secret)).length).toBeGreaterThan(0);
    // A platform administrator may do both.
    expect((await inject('POST', '/management/v1/principals', adminToken, { name: 'second-admin', roles: ['admin'] })).statusCode).toBe(201);
    const key = await inject('POST', `/management/v1/principals/${adminId}/api-keys`, adminToken, { name: 'k' });
    expect(key.statusCode).toBe(201);
    expect((await inject('DELETE', `/management/v1/api-keys/${key.json()['key-id']}`, deputy.token)).statusCode).toBe(404);
  });
});

describe('an administrator of another tenant', () => {
  it("reads in its audit trail nothing that tells another tenant's warehouse or principal from a missing one", async () => {
    const acme = await createPrincipal(adminToken, { name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
    const wh = await inject('POST', '/management/v1/warehouses', adminToken, {
      name: 'acme-wh',
      tenant: 'acme',
      'storage-root': `file://${cat.dataDir}/acme`,
      'storage-profile': { type: 'file' },
    });
    expect(wh.statusCode, wh.body).toBe(201);
    const trail = async () => JSON.stringify((await inject('GET', '/management/v1/audit?limit=1000', acme.token)).json().events);
    const before = await trail();
    // Another tenant's warehouse and principal, then missing ones: answered alike, and they must leave alike traces.
    for (const name of ['default', 'no-such-warehouse']) expect((await inject('GET', `/v1/${name}/namespaces`, acme.token)).statusCode).toBe(404);
    for (const id of [adminId, 'no-such-principal'])
      expect((await inject('POST', `/management/v1/principals/${id}/rotate-secret`, acme.token)).statusCode).toBe(404);
    const after = await trail();
    expect(after).toBe(before);
    // The owning tenant's trail records the refusals (the platform administrator reads every trail).
    const owner = (await inject('GET', '/management/v1/audit?tenant=default&limit=1000', adminToken)).json().events as Array<{ type: string; actor: string }>;
    expect(
      owner
        .filter((e) => e.actor === `service:${acme.id}`)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['principal.access.denied', 'warehouse.access.denied']);
  });
});
