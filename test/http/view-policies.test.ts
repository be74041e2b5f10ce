/**
 * Row-filter and column-mask policies on views (issues 53, 54) in-process: managed through the same management API
 * as a table's, over the view's schema (unknown column, mask type mismatch: 400; a missing view: 404), versioned,
 * audited and recorded as change events naming the view; enforced by engines only: loadView is refused (403, Iceberg
 * error model, naming the policy) to a caller a view's policy restricts unless it is a declared enforcer acting for
 * it, while unrestricted callers are unaffected; Trino's OPA endpoints answer a view's filter and masks as a table's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import { askOpa, engineWithKey, userViaEngine as viaEngine, type Engine } from '../support/engines.js';
import { peopleSchema, type Send, sqlView } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { signInAdmin, signedInPrincipal } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let anon: Send;
let engine: Engine & { key: string };
/** An engine declared a read-restrictions enforcer: loadView tells it nothing of a view's policies. */
let restrictionsEngine: Engine;
let analyst: { id: string; send: Send };
let reader: { id: string; send: Send };

const VIEW = '/v1/lake/namespaces/sales/views/orders_eu';
const POLICIES = '/management/v1/warehouses/lake/namespaces/sales/views/orders_eu/policies';
const EFFECTIVE = '/management/v1/warehouses/lake/namespaces/sales/views/orders_eu/effective-policy';
const schema = peopleSchema(['id', 'region', 'email']);
const view = { catalogName: 'lake', schemaName: 'sales', tableName: 'orders_eu' };
const column = (columnName: string, columnType = 'varchar') => ({ column: { ...view, columnName, columnType } });
const euOnly = { kind: 'row-filter', roles: ['eu-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } };
const emailMask = { kind: 'column-mask', roles: ['eu-analysts'], masks: [{ column: 'email', action: 'show-first-4' }] };

/** Trino's OPA plugin asking for the user (the engine's API key in the URI). */
const ask = (path: string, user: string, action: Record<string, unknown>) => askOpa(anon, engine.key, path, user, action);
/** A user session through the engine, as Trino's USER mode makes it. */
const userViaEngine = (user: string, through: Engine = engine) => viaEngine(cat.lakegate.app, through, user);

async function removeAll() {
  for (const p of (await admin('GET', POLICIES)).body.policies as Array<{ id: string }>)
    expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  anon = injectSender(cat.lakegate.app);
  await createFileLake(admin, cat, 'lake', ['sales']);
  expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema })).status).toBe(200);
  const created = await admin(
    'POST',
    '/v1/lake/namespaces/sales/views',
    sqlView('orders_eu', ['sales'], 'SELECT id, region, email FROM orders', { schema, dialect: 'trino' }),
  );
  expect(created.status, stringifyJson(created.body)).toBe(200);
  // The engine: may act for alice and bob, declared a trino-opa enforcer of the warehouse.
  const users = ['alice', 'bob'].map((name) => ({ issuer: 'asserted', name }));
  const declared = async (name: string, declaration: object) => {
    const p = await engineWithKey(admin, name, { users, 'assert-identity': true });
    expect((await admin('PUT', `/management/v1/warehouses/lake/policy-enforcers/${p.clientId}`, declaration)).status).toBe(200);
    return p;
  };
  engine = await declared('trino', { mechanism: 'trino-opa', 'trino-catalog': 'lake' });
  restrictionsEngine = await declared('spark-restrictions', { mechanism: 'read-restrictions' });
  // alice (through the engine) and the analyst principal hold the restricted role; bob and the reader principal a plain one.
  analyst = await signedInPrincipal(cat, 'analyst');
  reader = await signedInPrincipal(cat, 'reader');
  await addMember(admin, 'eu-analysts', { kind: 'user', name: 'alice', issuer: 'asserted' });
  await addMember(admin, 'eu-analysts', { kind: 'principal', name: analyst.id });
  await addMember(admin, 'readers', { kind: 'user', name: 'bob', issuer: 'asserted' });
  await addMember(admin, 'readers', { kind: 'principal', name: reader.id });
  const onView = { type: 'view' as const, warehouse: 'lake', namespace: ['sales'], name: 'orders_eu' };
  await grant(admin, 'eu-analysts', ['view:read'], onView);
  await grant(admin, 'readers', ['view:read'], onView);
});
afterAll(async () => {
  await cat?.close();
});

describe("managing a view's policies", () => {
  it('creates, lists, updates (versions), deletes over the view schema; audited; change events name the view', async () => {
    const created = await admin('POST', POLICIES, euOnly);
    expect(created.status, stringifyJson(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'row-filter',
      table: { warehouse: 'lake', namespace: ['sales'], name: 'orders_eu' },
      'object-type': 'view',
      'field-ids': [2],
      version: 1,
    });
    const id = created.body.id as string;
    expect((await admin('GET', POLICIES)).body.policies.map((p: { id: string }) => p.id)).toEqual([id]);
    expect((await admin('GET', `${POLICIES}/${id}`)).body.version).toBe(1);
    const updated = await admin('PUT', `${POLICIES}/${id}`, {
      roles: ['eu-analysts'],
      filter: { type: 'in', term: 'region', values: ['eu', 'uk'] },
      version: 1,
    });
    expect(updated.status, stringifyJson(updated.body)).toBe(200);
    expect(updated.body.version).toBe(2);
    expect((await admin('PUT', `${POLICIES}/${id}`, { roles: ['eu-analysts'], filter: true, version: 1 })).status).toBe(409);
    expect((await admin('DELETE', `${POLICIES}/${id}`)).status).toBe(204);
    expect((await admin('GET', `${POLICIES}/${id}`)).status).toBe(404);
    // A view's policy is not one of the table of the same namespace, nor reachable through a table's path.
    expect((await admin('GET', '/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies')).body.policies).toEqual([]);
    expect((await admin('GET', '/management/v1/warehouses/lake/namespaces/sales/tables/orders_eu/policies')).status).toBe(404);

    const audit = (await admin('GET', '/management/v1/audit?limit=500')).body.events as Array<{ type: string; object?: string; detail: { policy?: string } }>;
    expect(audit.filter((e) => e.detail.policy === id).map((e) => [e.type, e.object])).toEqual(
      expect.arrayContaining([
        ['policy.created', 'lake/sales.orders_eu'],
        ['policy.updated', 'lake/sales.orders_eu'],
        ['policy.deleted', 'lake/sales.orders_eu'],
      ]),
    );
    const events = (await admin('GET', '/management/v1/events?warehouse=lake&after=0&limit=500')).body.events as Array<{
      type: string;
      partitionkey: string;
      data: Record<string, unknown> & { policy?: { id: string; version: number } };
    }>;
    const mine = events.filter((e) => e.data.policy?.id === id);
    expect(mine.map((e) => [e.type, e.data.policy!.version, e.data.name, e.data['object-type']])).toEqual([
      ['io.lakegate.policy.created', 1, 'orders_eu', 'view'],
      ['io.lakegate.policy.updated', 2, 'orders_eu', 'view'],
      ['io.lakegate.policy.deleted', 2, 'orders_eu', 'view'],
    ]);
    expect(mine[0]!.data['view-uuid']).toEqual(expect.any(String));
    expect(mine[0]!.data['table-uuid']).toBeUndefined();
    // Ordered with the view's own events (docs/events.md: partitionkey is the view's uuid), not keyed by the warehouse.
    expect(mine.map((e) => e.partitionkey)).toEqual(mine.map(() => mine[0]!.data['view-uuid']));
  });

  it('refuses what the view schema cannot carry (400, management error model) and a missing view (404)', async () => {
    const unknown = await admin('POST', POLICIES, { ...euOnly, filter: { type: 'eq', term: 'country', value: 'eu' } });
    expect(unknown.status, stringifyJson(unknown.body)).toBe(400);
    expect(unknown.body.error.code).toBe(400);
    expect(unknown.body.error.message).toContain('country');
    expect(unknown.body.error.message).not.toContain("table's");
    const mismatch = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['eu-analysts'], masks: [{ column: 'id', action: 'show-first-4' }] });
    expect(mismatch.status, stringifyJson(mismatch.body)).toBe(400);
    expect(mismatch.body.error.message).toContain('show-first-4');
    const noField = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['eu-analysts'], masks: [{ 'field-id': 99, action: 'replace-with-null' }] });
    expect(noField.status).toBe(400);
    const missing = await admin('POST', '/management/v1/warehouses/lake/namespaces/sales/views/nowhere/policies', euOnly);
    expect(missing.status, stringifyJson(missing.body)).toBe(404);
    expect(missing.body.error.code).toBe(404);
    expect((await admin('GET', '/management/v1/warehouses/lake/namespaces/sales/views/nowhere/policies')).status).toBe(404);
    // The table of that name is no view.
    expect((await admin('POST', '/management/v1/warehouses/lake/namespaces/sales/views/orders/policies', euOnly)).status).toBe(404);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
    // Managing needs grants:manage on the view: a reader of it may not.
    expect((await reader.send('POST', POLICIES, euOnly)).status).toBe(403);
    expect((await reader.send('GET', POLICIES)).status).toBe(403);
  });
});

describe('loadView with a policy on the view', () => {
  it('is refused (403 naming the policy) to a restricted caller that is no enforcer acting for it; others get the view', async () => {
    expect((await analyst.send('GET', VIEW)).status).toBe(200);
    const policy = await admin('POST', POLICIES, euOnly);
    expect(policy.status).toBe(201);
    const id = policy.body.id as string;

    const refused = await analyst.send('GET', VIEW);
    expect(refused.status, stringifyJson(refused.body)).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 403, type: 'ForbiddenException' });
    expect(refused.body.error.message).toContain(id);
    // Unrestricted callers are unaffected.
    expect((await reader.send('GET', VIEW)).status).toBe(200);
    expect((await admin('GET', VIEW)).status).toBe(200);
    expect((await (await userViaEngine('bob'))('GET', VIEW)).status).toBe(200);
    // An enforcer of another mechanism is told nothing of a view's policies by loadView: refused as well.
    expect((await (await userViaEngine('alice', restrictionsEngine))('GET', VIEW)).status).toBe(403);
    // A declared trino-opa enforcer acting for the restricted user gets it, and the pass is audited with user and engine.
    const through = await (await userViaEngine('alice'))('GET', VIEW);
    expect(through.status, stringifyJson(through.body)).toBe(200);
    expect(through.body.metadata['view-uuid']).toEqual(expect.any(String));
    const audit = (await admin('GET', '/management/v1/audit?limit=500')).body.events as Array<{
      type: string;
      action?: string;
      detail: Record<string, unknown>;
    }>;
    expect(audit.find((e) => e.type === 'policy.engine-enforced' && e.action === 'view:read')?.detail).toMatchObject({
      engine: engine.clientId,
      policies: [id],
    });
    expect(audit.find((e) => e.type === 'policy.enforced' && e.action === 'view:read')?.detail).toMatchObject({ policies: [id] });
    // The caller's own effective policy on the view says so; explain about the view names the policy.
    const effective = await analyst.send('GET', EFFECTIVE);
    expect(effective.status, stringifyJson(effective.body)).toBe(200);
    expect(effective.body).toMatchObject({ restricted: true, 'row-filter': euOnly.filter, policies: [{ id, roles: ['eu-analysts'] }] });
    expect((await reader.send('GET', EFFECTIVE)).body.restricted).toBe(false);
    const explained = await admin('POST', '/management/v1/explain', {
      privilege: 'view:read',
      subject: { kind: 'principal', name: analyst.id },
      securable: { type: 'view', warehouse: 'lake', namespace: ['sales'], name: 'orders_eu' },
    });
    expect(explained.status, stringifyJson(explained.body)).toBe(200);
    expect(explained.body.policies).toEqual([{ id, kind: 'row-filter', version: 1, roles: ['eu-analysts'] }]);
    // Once the policy is gone, the view is handed out again.
    await removeAll();
    expect((await analyst.send('GET', VIEW)).status).toBe(200);
  });
});

describe('replacing a view with policies', () => {
  const replace = (fields: object[]) =>
    admin('POST', VIEW, {
      updates: [
        { action: 'add-schema', schema: { type: 'struct', 'schema-id': 1, fields } },
        {
          action: 'add-view-version',
          'view-version': {
            'version-id': 2,
            'timestamp-ms': 2,
            'schema-id': -1,
            summary: {},
            'default-namespace': ['sales'],
            representations: [{ type: 'sql', sql: 'SELECT id, email, region FROM orders', dialect: 'trino' }],
          },
        },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
    });
  const [id, region, email] = [schema.fields[0]!, schema.fields[1]!, schema.fields[2]!];

  it('is refused (400, naming the policy) when a policy would then filter or mask another column; allowed once it fits', async () => {
    const mask = await admin('POST', POLICIES, emailMask);
    expect(mask.status).toBe(201);
    // The new schema's writer gave field id 3 to region, 2 to email: the mask on field 3 would show email and hide region.
    const swapped = await replace([id, { ...region, id: 3 }, { ...email, id: 2 }]);
    expect(swapped.status, stringifyJson(swapped.body)).toBe(400);
    expect(swapped.body.error).toMatchObject({ code: 400, type: 'BadRequestException' });
    expect(swapped.body.error.message).toContain(mask.body.id);
    // Dropping the masked column is refused alike; the view is unchanged.
    expect((await replace([id, region])).status).toBe(400);
    expect((await admin('GET', VIEW)).body.metadata['current-version-id']).toBe(1);
    // A replace that keeps the masked column where it was passes.
    const kept = await replace([id, email, region]);
    expect(kept.status, stringifyJson(kept.body)).toBe(200);
    await removeAll();
  });
});

describe("Trino's OPA decisions on a view", () => {
  it("answers the view's row filter and masks as Trino SQL, as for a table; reading it needs view:read", async () => {
    expect((await admin('POST', POLICIES, euOnly)).status).toBe(201);
    expect((await admin('POST', POLICIES, emailMask)).status).toBe(201);
    const select = { table: { ...view, columns: ['id', 'region', 'email'] } };
    expect(await ask('allow', 'alice', { operation: 'SelectFromColumns', resource: select })).toBe(true);
    expect(await ask('allow', 'bob', { operation: 'SelectFromColumns', resource: select })).toBe(true);
    expect(await ask('allow', 'alice', { operation: 'InsertIntoTable', resource: { table: view } })).toBe(false);
    expect(await ask('allow', 'alice', { operation: 'DropView', resource: { table: view } })).toBe(false);

    expect(await ask('row-filters', 'alice', { operation: 'GetRowFilters', resource: { table: view } })).toEqual([{ expression: `("region" = 'eu')` }]);
    expect(await ask('row-filters', 'bob', { operation: 'GetRowFilters', resource: { table: view } })).toEqual([]);
    const columns = [column('id', 'bigint'), column('region'), column('email')];
    expect(await ask('batch-column-masks', 'alice', { operation: 'GetColumnMask', filterResources: columns })).toEqual([
      { index: 2, viewExpression: { expression: `CAST(substr("email", 1, 4) || rpad('', greatest(length("email") - 4, 0), 'x') AS varchar)` } },
    ]);
    expect(await ask('column-mask', 'alice', { operation: 'GetColumnMask', resource: column('email') })).toMatchObject({
      expression: expect.stringContaining('substr("email"'),
    });
    expect(await ask('batch-column-masks', 'bob', { operation: 'GetColumnMask', filterResources: columns })).toEqual([]);
    // The table the view reads keeps its own (no) policies.
    expect(await ask('row-filters', 'alice', { operation: 'GetRowFilters', resource: { table: { ...view, tableName: 'orders' } } })).toEqual([]);
    const audit = (await admin('GET', '/management/v1/audit?limit=500')).body.events as Array<{ type: string; action?: string; object?: string }>;
    expect(audit.some((e) => e.type === 'policy.engine-decision' && e.action === 'view:read' && e.object === 'lake.sales.orders_eu')).toBe(true);
    await removeAll();
  });
});
