/**
 * Row-filter and column-mask policies (issue 53) in-process: their management (grants:manage on the table; strict
 * bodies; every bad input a 400 with its reason; versions; audited) and fail-closed enforcement outside the plan: a
 * caller a policy applies to loads the metadata with no vended credential and no signer, and is asked to plan on
 * the server, while loadCredentials and the sign operation answer 403 naming the policy; planTableScan answers
 * policy-enforced files (test/http/policy-plans.test.ts); callers no policy applies to are unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grant, grantPrincipal } from '../support/access.js';
import { type FakeS3 } from '../support/fake-s3.js';
import { peopleSchema, type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { signedInPrincipal, grantedPrincipal } from '../support/principals.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let analyst: { id: string; send: Send };
let other: { id: string; send: Send };
let manager: { id: string; send: Send };
let viewer: { id: string; send: Send };
let orders: { key: string };

const TABLE = '/v1/lake/namespaces/sales/tables/orders';
const POLICIES = '/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies';
const EFFECTIVE = '/management/v1/warehouses/lake/namespaces/sales/tables/orders/effective-policy';
const vended = { 'x-iceberg-access-delegation': 'vended-credentials' };
const signing = { 'x-iceberg-access-delegation': 'remote-signing' };
const orderTable = { type: 'table' as const, warehouse: 'lake', namespace: ['sales'], name: 'orders' };
const schema = peopleSchema(['id', 'region', 'email', 'born'], {
  id: 5,
  name: 'address',
  type: { type: 'struct', fields: [{ id: 6, name: 'city', type: 'string', required: false }] },
  required: false,
});
const euOnly = { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } };

const signReq = (path: string) => ({ region: 'us-east-1', uri: `${s3.endpoint}/${path}`, method: 'GET', headers: { 'amz-sdk-invocation-id': ['abc'] } });

async function create(body: unknown, as: Send = admin) {
  const r = await as('POST', POLICIES, body);
  expect(r.status, stringifyJson(r.body)).toBe(201);
  return r.body as { id: string; version: number };
}
async function removeAll() {
  for (const p of (await admin('GET', POLICIES)).body.policies as Array<{ id: string }>)
    expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
}

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales']));
  const created = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  orders = { key: (created.body.metadata.location as string).replace('s3://bucket/', '') };
  analyst = await signedInPrincipal(cat, 'analyst');
  other = await signedInPrincipal(cat, 'other');
  manager = await signedInPrincipal(cat, 'policy-manager');
  viewer = await signedInPrincipal(cat, 'viewer');
  await grant(admin, 'analysts', ['table:read-data'], orderTable);
  await admin('POST', '/management/v1/roles/analysts/members', { kind: 'principal', name: analyst.id });
  await grant(admin, 'auditors', ['table:read-data'], orderTable);
  await grantPrincipal(admin, other.id, ['table:read-data'], orderTable);
  await grantPrincipal(admin, manager.id, ['grants:manage'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  await grantPrincipal(admin, viewer.id, ['table:read-metadata'], orderTable);
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('managing policies', () => {
  it('creates, lists, gets, updates (version + 1, compare-and-swap) and deletes, as a grant manager of the table; audited', async () => {
    const created = await manager.send('POST', POLICIES, { ...euOnly, description: 'EU rows only' });
    expect(created.status, stringifyJson(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'row-filter',
      roles: ['analysts'],
      'field-ids': [2],
      version: 1,
      table: { warehouse: 'lake', namespace: ['sales'], name: 'orders' },
      description: 'EU rows only',
    });
    const id = created.body.id as string;
    expect((await manager.send('GET', POLICIES)).body.policies.map((p: { id: string }) => p.id)).toEqual([id]);
    expect((await manager.send('GET', `${POLICIES}/${id}`)).body.version).toBe(1);
    const updated = await manager.send('PUT', `${POLICIES}/${id}`, {
      roles: ['analysts', 'auditors'],
      filter: { type: 'in', term: 'region', values: ['eu', 'uk'] },
      version: 1,
    });
    expect(updated.status, stringifyJson(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, roles: ['analysts', 'auditors'] });
    expect(updated.body.description).toBeUndefined();
    const stale = await manager.send('PUT', `${POLICIES}/${id}`, { roles: ['analysts'], filter: true, version: 1 });
    expect(stale.status).toBe(409);
    expect((await manager.send('DELETE', `${POLICIES}/${id}`)).status).toBe(204);
    expect((await manager.send('GET', `${POLICIES}/${id}`)).status).toBe(404);
    expect((await manager.send('DELETE', `${POLICIES}/${id}`)).status).toBe(404);
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?limit=200')).body);
    for (const type of ['policy.created', 'policy.updated', 'policy.deleted']) expect(audit).toContain(type);
    // Each change is a change event of the table's warehouse, naming the table and the policy's version.
    const events = (await admin('GET', '/management/v1/events?warehouse=lake&after=0&limit=500')).body.events as Array<{
      type: string;
      data: { name?: string; policy?: { id: string; version: number } };
    }>;
    const mine = events.filter((e) => e.data.policy?.id === id);
    expect(mine.map((e) => [e.type, e.data.policy!.version, e.data.name])).toEqual([
      ['io.lakegate.policy.created', 1, 'orders'],
      ['io.lakegate.policy.updated', 2, 'orders'],
      ['io.lakegate.policy.deleted', 2, 'orders'],
    ]);
  });

  it('is refused without grants:manage on the table: a reader, a metadata viewer', async () => {
    expect((await analyst.send('POST', POLICIES, euOnly)).status).toBe(403);
    expect((await viewer.send('GET', POLICIES)).status).toBe(403);
    expect((await analyst.send('GET', POLICIES)).status).toBe(403);
  });

  it.each([
    ['an unknown column', { ...euOnly, filter: { type: 'eq', term: 'country', value: 'eu' } }, /cannot find field 'country'/],
    ['a literal of the wrong type', { ...euOnly, filter: { type: 'lt', term: 'id', value: 'x' } }, /filter/],
    ['no filter', { kind: 'row-filter', roles: ['analysts'] }, /needs "filter"/],
    ['masks on a row filter', { ...euOnly, masks: [{ column: 'email', action: 'mask-alphanum' }] }, /no "masks"/],
    ['an unknown role', { ...euOnly, roles: ['nobody-has-this'] }, /no role "nobody-has-this"/],
    ['no roles', { ...euOnly, roles: [] }, /roles/],
    ['an unknown key', { ...euOnly, expression: true }, /expression|additional/i],
    ['an unknown kind', { ...euOnly, kind: 'row-mask' }, /kind/],
    [
      'truncate-to-year on a string',
      { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'email', action: 'truncate-to-year' }] },
      /truncate-to-year applies to date/,
    ],
    [
      'show-first-4 on a date',
      { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'born', action: 'show-first-4' }] },
      /show-first-4 applies to string/,
    ],
    [
      'another action than replace-with-null on a whole struct',
      { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'address', action: 'mask-alphanum' }] },
      /mask-alphanum cannot mask the struct column 'address'/,
    ],
    [
      'replace-with-null on a required column',
      { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'id', action: 'replace-with-null' }] },
      /required column 'id'/,
    ],
    ['an unknown field id', { kind: 'column-mask', roles: ['analysts'], masks: [{ 'field-id': 99, action: 'replace-with-null' }] }, /field id 99/],
    [
      'a column named twice',
      {
        kind: 'column-mask',
        roles: ['analysts'],
        masks: [
          { column: 'email', action: 'mask-alphanum' },
          { 'field-id': 3, action: 'show-last-4' },
        ],
      },
      /masked twice/,
    ],
    [
      'both column and field-id',
      { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'email', 'field-id': 3, action: 'mask-alphanum' }] },
      /one of them/,
    ],
    [
      'a fixed value without a value',
      { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'region', action: 'mask-to-fixed-value' }] },
      /needs "value"/,
    ],
    [
      'a fixed value of the wrong type',
      { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'born', action: 'mask-to-fixed-value', value: 'soon' }] },
      /filter|date/,
    ],
    ['an unknown action', { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'email', action: 'scramble' }] }, /action/],
  ])('refuses %s with 400 and the reason, storing nothing', async (_what, body, reason) => {
    const r = await admin('POST', POLICIES, body);
    expect(r.status, stringifyJson(r.body)).toBe(400);
    expect(r.body.error.message).toMatch(reason);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });

  it('accepts masks by dotted name and by field id, and a fixed value of the column type', async () => {
    const p = await create({
      kind: 'column-mask',
      roles: ['analysts'],
      masks: [
        { column: 'address.city', action: 'mask-alphanum' },
        { 'field-id': 4, action: 'truncate-to-year' },
        { column: 'region', action: 'mask-to-fixed-value', value: 'xx' },
      ],
    });
    const got = (await admin('GET', `${POLICIES}/${p.id}`)).body;
    expect(got.masks).toEqual([
      { 'field-id': 6, column: 'address.city', action: 'mask-alphanum' },
      { 'field-id': 4, column: 'born', action: 'truncate-to-year' },
      { 'field-id': 2, column: 'region', action: 'mask-to-fixed-value', value: 'xx' },
    ]);
    await removeAll();
  });

  it('answers 404 for a policy of another table, and for a missing table to a grant manager of its namespace', async () => {
    expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'refunds', schema })).status).toBe(200);
    const p = await create(euOnly);
    expect((await admin('GET', `/management/v1/warehouses/lake/namespaces/sales/tables/refunds/policies/${p.id}`)).status).toBe(404);
    expect((await manager.send('GET', '/management/v1/warehouses/lake/namespaces/sales/tables/missing/policies')).status).toBe(404);
    await removeAll();
  });

  it("manages a Lance table's policies as a table's (test/http/lance-policies.test.ts); one with no data yet has no columns to check a policy against", async () => {
    expect((await admin('POST', '/lance/lake/v1/table/sales%24vectors/declare', {})).status).toBe(200);
    const LANCE = '/management/v1/warehouses/lake/namespaces/sales/tables/vectors/policies';
    expect(await admin('GET', LANCE)).toMatchObject({ status: 200, body: { policies: [] } });
    expect(await admin('GET', '/management/v1/warehouses/lake/namespaces/sales/tables/vectors/effective-policy')).toMatchObject({
      status: 200,
      body: { restricted: false },
    });
    const refused = await admin('POST', LANCE, euOnly);
    expect(refused.status, stringifyJson(refused.body)).toBe(422);
    expect(refused.body.error.message).toMatch(/could not be read/);
    expect((await admin('GET', LANCE)).body.policies).toEqual([]);
    // A caller who may not see the namespace still learns nothing.
    const stranger = await signedInPrincipal(cat, 'stranger');
    expect((await stranger.send('GET', LANCE)).status).toBe(403);
  });
});

describe('fail-closed enforcement', () => {
  it('hands a restricted caller metadata only (no credential, no signer, server-side planning) and refuses table-wide credentials and signing', async () => {
    // Before: the analyst reads like anyone holding read-data.
    expect((await analyst.send('GET', TABLE, undefined, vended)).body['storage-credentials']).toHaveLength(1);
    expect((await analyst.send('POST', `${TABLE}/plan`, {})).status).toBe(200);
    const p = await create(euOnly);
    const loaded = await analyst.send('GET', TABLE, undefined, vended);
    expect(loaded.status, stringifyJson(loaded.body)).toBe(200);
    expect(loaded.body.metadata['table-uuid']).toBeDefined();
    expect(loaded.body['storage-credentials']).toBeUndefined();
    expect(loaded.body.config['scan-planning-mode']).toBe('server');
    const signed = await analyst.send('GET', TABLE, undefined, signing);
    expect(signed.body.config['s3.remote-signing-enabled']).toBeUndefined();
    expect(signed.body.config['signer.endpoint']).toBeUndefined();
    expect(signed.body.config['rest.remote-signing.endpoint']).toBeUndefined();
    expect(signed.body['storage-credentials']).toBeUndefined();
    // Not "not modified": an answer cached before the policy may hold credentials.
    const again = await analyst.send('GET', TABLE, undefined, { 'if-none-match': loaded.headers.etag! });
    expect(again.status).toBe(200);
    const credentials = await analyst.send('GET', `${TABLE}/credentials`);
    expect(credentials.status).toBe(403);
    expect(credentials.body.error.message).toContain(p.id);
    expect(credentials.body.error).toMatchObject({ type: 'ForbiddenException', code: 403 });
    // Planning is how a restricted caller reads: enforced in the plan (an empty table here: no files).
    const planned = await analyst.send('POST', `${TABLE}/plan`, {});
    expect(planned.status, stringifyJson(planned.body)).toBe(200);
    expect(planned.body['file-scan-tasks']).toEqual([]);
    const sign = await analyst.send('POST', `${TABLE}/sign`, signReq(`bucket/${orders.key}/data/a.parquet`));
    expect(sign.status, stringifyJson(sign.body)).toBe(403);
    expect(sign.body.error.message).toContain(p.id);
    // Its policy version's derived files are signed for reading (what its plans hand out), nothing else under the prefix.
    const version = (await analyst.send('GET', EFFECTIVE)).body['policy-version'] as string;
    const derived = `bucket/${orders.key}/_lakegate/policy/${version}`;
    const file = `${derived}/${'a'.repeat(32)}.0f8fad5b-d9cb-469f-a165-70867728950e.parquet`;
    expect((await analyst.send('POST', `${TABLE}/sign`, signReq(file))).status).toBe(200);
    expect((await analyst.send('POST', `${TABLE}/sign`, { ...signReq(file), method: 'HEAD' })).status).toBe(200);
    for (const refused of [
      { ...signReq(file), method: 'PUT' },
      { ...signReq(file), method: 'DELETE' },
      signReq(`${derived}/${'a'.repeat(32)}.json`),
      signReq(`bucket/${orders.key}/_lakegate/policy/${'x'.repeat(22)}/${'a'.repeat(32)}.0f8fad5b-d9cb-469f-a165-70867728950e.parquet`),
      signReq(`bucket/${orders.key}/metadata/snap-1.avro`),
      signReq(`bucket?list-type=2&prefix=${encodeURIComponent(`${orders.key}/_lakegate/policy/${version}/`)}`),
    ]) {
      const r = await analyst.send('POST', `${TABLE}/sign`, refused);
      expect(r.status, `${refused.method} ${refused.uri}: ${stringifyJson(r.body)}`).toBe(403);
    }
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?type=policy.enforced&limit=50')).body);
    expect(audit).toContain(p.id);
    await removeAll();
  });

  it('leaves callers no policy applies to alone: another reader, an administrator', async () => {
    const p = await create(euOnly);
    for (const send of [other.send, admin]) {
      expect((await send('GET', TABLE, undefined, vended)).body['storage-credentials']).toHaveLength(1);
      expect((await send('GET', `${TABLE}/credentials`)).status).toBe(200);
      expect((await send('POST', `${TABLE}/plan`, {})).status).toBe(200);
      expect((await send('POST', `${TABLE}/sign`, signReq(`bucket/${orders.key}/data/a.parquet`))).status).toBe(200);
    }
    // The restricted one is signed for again (and gets credentials) once the policy is gone.
    expect((await analyst.send('POST', `${TABLE}/sign`, signReq(`bucket/${orders.key}/data/a.parquet`))).status).toBe(403);
    expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
    expect((await analyst.send('POST', `${TABLE}/sign`, signReq(`bucket/${orders.key}/data/a.parquet`))).status).toBe(200);
    expect((await analyst.send('GET', `${TABLE}/credentials`)).status).toBe(200);
  });

  it('sees a role granted or revoked at the next sign and credentials request (role membership is cached, and dropped with the decisions)', async () => {
    const p = await create(euOnly);
    const mover = await grantedPrincipal(cat, admin, 'mover', ['table:read-data'], orderTable);
    const original = signReq(`bucket/${orders.key}/data/a.parquet`);
    // Twice each way: the second answer comes from the caches (roles, decisions, policies) a change must clear.
    for (let i = 0; i < 2; i++) expect((await mover.send('POST', `${TABLE}/sign`, original)).status).toBe(200);
    expect((await admin('POST', '/management/v1/roles/analysts/members', { kind: 'principal', name: mover.id })).status).toBeLessThan(300);
    for (let i = 0; i < 2; i++) {
      const refused = await mover.send('POST', `${TABLE}/sign`, original);
      expect(refused.status, stringifyJson(refused.body)).toBe(403);
      expect(refused.body.error.message).toContain(p.id);
      expect((await mover.send('GET', `${TABLE}/credentials`)).status).toBe(403);
    }
    expect((await mover.send('GET', EFFECTIVE)).body.restricted).toBe(true);
    expect((await admin('POST', '/management/v1/roles/analysts/members/remove', { kind: 'principal', name: mover.id })).status).toBeLessThan(300);
    expect((await mover.send('POST', `${TABLE}/sign`, original)).status).toBe(200);
    expect((await mover.send('GET', `${TABLE}/credentials`)).status).toBe(200);
    expect((await mover.send('GET', EFFECTIVE)).body.restricted).toBe(false);
    await removeAll();
  });

  it('keeps a policy across a rename of the table', async () => {
    const p = await create(euOnly);
    expect(
      (
        await admin('POST', '/v1/lake/tables/rename', {
          source: { namespace: ['sales'], name: 'orders' },
          destination: { namespace: ['sales'], name: 'orders2' },
        })
      ).status,
    ).toBe(204);
    try {
      expect((await analyst.send('GET', '/v1/lake/namespaces/sales/tables/orders2/credentials')).status).toBe(403);
      expect(
        (await admin('GET', '/management/v1/warehouses/lake/namespaces/sales/tables/orders2/policies')).body.policies.map((x: { id: string }) => x.id),
      ).toEqual([p.id]);
    } finally {
      expect(
        (
          await admin('POST', '/v1/lake/tables/rename', {
            source: { namespace: ['sales'], name: 'orders2' },
            destination: { namespace: ['sales'], name: 'orders' },
          })
        ).status,
      ).toBe(204);
    }
    await removeAll();
  });
});

describe('the effective policy', () => {
  it('tells a caller which policies apply and why: row filters OR-ed, the least revealing mask per column', async () => {
    await admin('POST', '/management/v1/roles/auditors/members', { kind: 'principal', name: analyst.id });
    const eu = await create(euOnly);
    const uk = await create({ kind: 'row-filter', roles: ['auditors'], filter: { type: 'eq', term: 'region', value: 'uk' } });
    await create({
      kind: 'column-mask',
      roles: ['analysts'],
      masks: [
        { column: 'email', action: 'show-last-4' },
        { column: 'born', action: 'truncate-to-month' },
      ],
    });
    await create({ kind: 'column-mask', roles: ['auditors'], masks: [{ column: 'email', action: 'sha-256-global' }] });
    const e = await analyst.send('GET', EFFECTIVE);
    expect(e.status, stringifyJson(e.body)).toBe(200);
    expect(e.body.restricted).toBe(true);
    expect(e.body['row-filter']).toEqual({ type: 'or', left: euOnly.filter, right: { type: 'eq', term: 'region', value: 'uk' } });
    expect(e.body.masks).toEqual([
      { 'field-id': 3, column: 'email', action: 'sha-256-global' },
      { 'field-id': 4, column: 'born', action: 'truncate-to-month' },
    ]);
    expect(e.body.policies.find((x: { id: string }) => x.id === eu.id).roles).toEqual(['analysts']);
    expect(e.body.policies.find((x: { id: string }) => x.id === uk.id).roles).toEqual(['auditors']);
    expect(e.body.summary).toContain(`row-filter policy ${eu.id} (v1) applies through role analysts`);
    const version = e.body['policy-version'];
    await admin('PUT', `${POLICIES}/${uk.id}`, { roles: ['auditors'], filter: { type: 'eq', term: 'region', value: 'us' } });
    expect((await analyst.send('GET', EFFECTIVE)).body['policy-version']).not.toBe(version);
    const free = await other.send('GET', EFFECTIVE);
    expect(free.body).toMatchObject({ restricted: false, masks: [], policies: [] });
    expect((await (await signedInPrincipal(cat, 'stranger')).send('GET', EFFECTIVE)).status).toBe(403);
    await removeAll();
  });

  it('explain about a table names the policies that restrict the subject there, and through which roles', async () => {
    const p = await create(euOnly);
    const e = await admin('POST', '/management/v1/explain', {
      subject: { kind: 'principal', name: analyst.id },
      privilege: 'table:read-data',
      securable: orderTable,
    });
    expect(e.status, stringifyJson(e.body)).toBe(200);
    expect(e.body.allowed).toBe(true);
    expect(e.body.policies).toEqual([{ id: p.id, kind: 'row-filter', version: 1, roles: ['analysts'] }]);
    expect(e.body.summary).toContain(`restricted by row-filter policy ${p.id} (through analysts)`);
    const free = await admin('POST', '/management/v1/explain', {
      subject: { kind: 'principal', name: other.id },
      privilege: 'table:read-data',
      securable: orderTable,
    });
    expect(free.body.policies).toBeUndefined();
    await removeAll();
  });
});
