/**
 * Creators can use what they create (issue 52): a principal granted only namespace:create on a warehouse creates a
 * namespace, then a table and a view in it, and reads and writes them, without a second grant: the creator is
 * granted an owner's privileges on what it creates (catalog/access/creator-ownership.ts), visible as a role
 * `owner-…` it alone holds, audited as access.owner-granted. Another principal gains nothing from it, and a warehouse
 * with access.creator-owns=false records no owner grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { simpleSchema, sqlViewVersion, type Send } from '../support/iceberg-http.js';
import { tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let maker: Send;
let other: Send;
let makerId: string;

async function principal(name: string): Promise<{ send: Send; id: string }> {
  const created = await admin('POST', '/management/v1/principals', { name });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return {
    send: bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, created.body['client-id'], created.body['client-secret'])),
    id: created.body['client-id'],
  };
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const a = cat.admin();
  admin = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, a.client_id, a.client_secret));
  const m = await principal('maker');
  maker = m.send;
  makerId = m.id;
  other = (await principal('other')).send;
  expect((await admin('POST', '/management/v1/roles', { name: 'makers' })).status).toBe(201);
  for (const id of [m.id]) expect((await admin('POST', '/management/v1/roles/makers/members', { kind: 'principal', name: id })).status).toBeLessThan(300);
  expect(
    (await admin('POST', '/management/v1/grants', { role: 'makers', securable: { type: 'warehouse', warehouse: 'default' }, privileges: ['namespace:create'] }))
      .status,
  ).toBe(201);
});
afterAll(async () => cat?.close());

const viewVersion = (ns: string) => sqlViewVersion([ns], 'select 1');

describe('the creator of a namespace, table or view owns it', () => {
  it('creates a table and a view in the namespace it made, and uses them, with only namespace:create', async () => {
    expect((await maker('POST', '/v1/default/namespaces', { namespace: ['mine'] })).status).toBe(200);
    const table = await maker('POST', '/v1/default/namespaces/mine/tables', { name: 't', schema: simpleSchema });
    expect(table.status, JSON.stringify(table.body)).toBe(200);
    expect((await maker('GET', '/v1/default/namespaces/mine/tables/t')).status).toBe(200);
    expect((await maker('POST', '/v1/default/namespaces/mine/views', { name: 'v', schema: simpleSchema, 'view-version': viewVersion('mine') })).status).toBe(
      200,
    );
    expect((await maker('GET', '/v1/default/namespaces/mine/views/v')).status).toBe(200);
    expect((await maker('POST', '/v1/default/namespaces/mine/properties', { updates: { owner: 'maker' } })).status).toBe(200);
    // The Lance surface too.
    expect((await maker('POST', '/lance/default/v1/namespace/lmine/create', { id: ['lmine'] })).status).toBe(200);
  });

  it('gives another principal nothing', async () => {
    expect((await other('GET', '/v1/default/namespaces/mine/tables/t')).status).toBe(403);
    expect((await other('POST', '/v1/default/namespaces/mine/tables', { name: 'u', schema: simpleSchema })).status).toBe(403);
  });

  it('is an explicit grant an administrator sees (role owner-…, the creator its one member) and an audited one', async () => {
    const roles = (await admin('GET', '/management/v1/roles')).body.roles as Array<{ name: string }>;
    const owner = roles.find((r) => r.name.startsWith('owner-'));
    expect(owner).toBeDefined();
    const details = (await admin('GET', `/management/v1/roles/${owner!.name}`)).body;
    expect(details.members).toEqual([expect.objectContaining({ kind: 'principal', name: makerId })]);
    expect(details.grants.map((g: { privilege: string }) => g.privilege)).toContain('table:create');
    expect(details.grants.map((g: { privilege: string }) => g.privilege)).not.toContain('table:purge-immediately');
    const audit = await admin('GET', '/management/v1/audit?limit=100');
    expect((audit.body.events as Array<{ type: string }>).filter((e) => e.type === 'access.owner-granted').length).toBeGreaterThanOrEqual(3);
  });

  it('is off in a warehouse with access.creator-owns=false', async () => {
    expect((await admin('POST', '/management/v1/warehouses/default/properties', { updates: { 'access.creator-owns': 'false' } })).status).toBe(200);
    try {
      expect((await maker('POST', '/v1/default/namespaces', { namespace: ['unowned'] })).status).toBe(200);
      expect((await maker('POST', '/v1/default/namespaces/unowned/tables', { name: 't', schema: simpleSchema })).status).toBe(403);
    } finally {
      await admin('POST', '/management/v1/warehouses/default/properties', { removals: ['access.creator-owns'] });
    }
  });
});
