/**
 * The SDK's management client (LakegateManagement) against a real server process with authentication on: every
 * method, each auth provider the catalog clients use (OAuth2 client credentials, bearer, API key, SigV4), the errors
 * a caller branches on (403 for a non-admin, 404 and 409), and the audit trail paged through its cursor.
 */
import {
  type AuditEvent,
  CatalogError,
  IcebergRestCatalog,
  LakegateManagement,
  type Securable,
  apiKeyAuth,
  bearerAuth,
  isConflict,
  isForbidden,
  isNotFound,
  isUnauthenticated,
  sigv4Auth,
} from '@lakegate/client';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor as sdkClientsFor, failure } from '../support/sdk-clients.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
let admin: LakegateManagement;
let catalog: IcebergRestCatalog;

const WAREHOUSE = 'default';
/** A namespace whose level holds a dot: levels travel as arrays, never split. */
const DOTTED = ['2024.q1'];
const SALES: Securable = { type: 'namespace', warehouse: WAREHOUSE, namespace: ['sales'] };
const ORDERS: Securable = { type: 'table', warehouse: WAREHOUSE, namespace: ['sales'], name: 'orders' };
const SCHEMA = { type: 'struct' as const, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };

/** A management client and a catalog for a principal's "id:secret", over OAuth2 client credentials. */
const clientsFor = (credential: string) => sdkClientsFor(server, WAREHOUSE, credential);

beforeAll(async () => {
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  ({ management: admin, catalog } = clientsFor(server.credential));
  await catalog.createNamespace(['sales']);
  await catalog.createTable(['sales'], { name: 'orders', schema: SCHEMA });
  await catalog.createNamespace(DOTTED);
  await catalog.createTable(DOTTED, { name: 'events', schema: SCHEMA });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('principals and their keys', () => {
  it('lists, creates and rotates; the new secret works and the old one stops', async () => {
    const before = await admin.listPrincipals();
    expect(before.some((p) => p.roles.includes('admin'))).toBe(true);

    const created = await admin.createPrincipal({ name: 'etl', delegation: { users: ['alice'] } });
    expect(created).toMatchObject({ tenant: 'default', 'client-id': expect.any(String), 'client-secret': expect.any(String) });
    const listed = (await admin.listPrincipals()).find((p) => p['client-id'] === created['client-id']);
    expect(listed).toMatchObject({ name: 'etl', roles: [], disabled: false, delegation: { users: ['alice'], groups: [], 'assert-identity': false } });
    expect(JSON.stringify(listed)).not.toContain(created['client-secret']);

    const rotated = await admin.rotatePrincipalSecret(created['client-id']);
    expect(rotated['client-id']).toBe(created['client-id']);
    expect(rotated['client-secret']).not.toBe(created['client-secret']);
    // A non-admin principal with a working secret is refused by the management API (403), one whose secret was
    // rotated away cannot even get a token (401 from the token endpoint).
    expect(isForbidden(await failure(clientsFor(`${created['client-id']}:${rotated['client-secret']}`).management.listRoles()))).toBe(true);
    expect(isUnauthenticated(await failure(clientsFor(`${created['client-id']}:${created['client-secret']}`).management.listRoles()))).toBe(true);
  });

  it('replaces a delegation policy', async () => {
    const { 'client-id': id } = await admin.createPrincipal({ name: 'trino' });
    const analysts = { issuer: 'asserted', name: 'analysts' };
    const set = await admin.setDelegation(id, { groups: [analysts], 'assert-identity': true });
    expect(set).toEqual({ 'client-id': id, delegation: { users: [], groups: [analysts], 'assert-identity': true } });
    // A group without the issuer that vouches for it is refused (two IdPs may both have an "analysts" group).
    expect(((await failure(admin.setDelegation(id, { groups: ['analysts'] }))) as { status: number }).status).toBe(400);
    expect((await admin.listPrincipals()).find((p) => p['client-id'] === id)?.delegation).toEqual(set.delegation);
  });

  it('creates an admin whose SigV4 access key and API key authenticate the management client; a revoked API key does not', async () => {
    const { 'client-id': id } = await admin.createPrincipal({ name: 'ops', roles: ['admin'] });

    const key = await admin.createAccessKey(id);
    expect(key['access-key-id']).toEqual(expect.any(String));
    const signed = new LakegateManagement({
      uri: server.url,
      auth: sigv4Auth({ region: 'us-east-1', credentials: { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] } }),
    });
    expect((await signed.listRoles()).map((r) => r.name)).toContain('admin');

    const apiKey = await admin.createApiKey(id, { name: 'dashboard', 'expires-in-seconds': 3600 });
    expect(apiKey['expires-at-ms']).toBeGreaterThan(Date.now());
    const byKey = new LakegateManagement({ uri: server.url, auth: apiKeyAuth(apiKey['api-key']) });
    expect((await byKey.listWarehouses()).map((w) => w.name)).toContain(WAREHOUSE);
    // The same key through properties, as Iceberg clients configure it.
    const byProperty = new LakegateManagement({ uri: server.url, properties: { 'rest.auth.type': 'api-key', 'rest.auth.api-key': apiKey['api-key'] } });
    expect((await byProperty.listPrincipals()).length).toBeGreaterThan(0);

    await admin.revokeApiKey(apiKey['key-id']);
    expect(isUnauthenticated(await failure(byKey.listWarehouses()))).toBe(true);
    expect(await admin.listApiKeys(id)).toEqual([
      expect.objectContaining({ 'key-id': apiKey['key-id'], name: 'dashboard', 'revoked-at-ms': expect.any(Number) }),
    ]);

    // Access keys are listed without their secrets, and a revoked one stops signing.
    expect(await admin.listAccessKeys(id)).toEqual([{ 'access-key-id': key['access-key-id'], 'created-at-ms': expect.any(Number), 'revoked-at-ms': null }]);
    await admin.revokeAccessKey(id, key['access-key-id']);
    expect(isUnauthenticated(await failure(signed.listRoles()))).toBe(true);
    expect(isNotFound(await failure(admin.revokeAccessKey(id, key['access-key-id'])))).toBe(true);
    expect(JSON.stringify(await admin.listAccessKeys(id))).not.toContain(key['secret-access-key']);
  });

  it('disables and enables a principal, and revokes its tokens', async () => {
    const { 'client-id': id, 'client-secret': secret } = await admin.createPrincipal({ name: 'batch' });
    const ops = clientsFor(`${id}:${secret}`).management;
    expect(isForbidden(await failure(ops.listRoles()))).toBe(true);
    expect(await admin.disablePrincipal(id)).toMatchObject({ 'client-id': id, disabled: true });
    expect(isUnauthenticated(await failure(clientsFor(`${id}:${secret}`).management.listRoles()))).toBe(true);
    expect(await admin.enablePrincipal(id)).toMatchObject({ disabled: false });
    expect(isForbidden(await failure(clientsFor(`${id}:${secret}`).management.listRoles()))).toBe(true);
    await admin.revokePrincipalTokens(id);
    expect(isNotFound(await failure(admin.disablePrincipal('no-such-client')))).toBe(true);
  });

  it('answers a bearer token and withAuth alike', async () => {
    const token = await server.token();
    const bearer = new LakegateManagement({ uri: server.url, properties: { token } });
    expect((await bearer.listRoles())[0]?.name).toBe('admin');
    const anonymous = new LakegateManagement({ uri: server.url, properties: { 'rest.auth.type': 'none' } });
    expect(isUnauthenticated(await failure(anonymous.listRoles()))).toBe(true);
    expect((await anonymous.withAuth(bearerAuth(token)).listRoles())[0]?.name).toBe('admin');
  });
});

describe('warehouses and metrics reports', () => {
  it('creates and lists a warehouse (never a secret); a second with the same name is a conflict', async () => {
    const root = pathToFileURL(path.join(server.dataDir, 'second')).href;
    const created = await admin.createWarehouse({ name: 'second', 'storage-root': root, 'storage-profile': { type: 'file' }, properties: { owner: 'tests' } });
    expect(created).toMatchObject({
      name: 'second',
      tenant: 'default',
      'storage-profile': { type: 'file' },
      'has-storage-secret': false,
      properties: { owner: 'tests' },
    });
    expect((await admin.listWarehouses()).map((w) => w.name)).toEqual(expect.arrayContaining([WAREHOUSE, 'second']));
    const again = await failure(admin.createWarehouse({ name: 'second', 'storage-root': root, 'storage-profile': { type: 'file' } }));
    expect(isConflict(again)).toBe(true);
  });

  it('lists the metrics reports a client posted, in namespaces with dotted levels too', async () => {
    const report = {
      'report-type': 'scan-report',
      'table-name': 'events',
      'snapshot-id': 1,
      filter: true,
      'schema-id': 0,
      'projected-field-ids': [1],
      'projected-field-names': ['id'],
      metrics: {},
    };
    await catalog.reportMetrics({ namespace: DOTTED, name: 'events' }, report);
    const reports = await admin.listMetricsReports(WAREHOUSE, { namespace: DOTTED, name: 'events' }, { limit: 10 });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ 'report-type': 'scan-report', report: { 'table-name': 'events' } });
    expect(await admin.listMetricsReports(WAREHOUSE, { namespace: DOTTED, name: 'nope' })).toEqual([]);
    expect(isNotFound(await failure(admin.listMetricsReports('nowhere', { namespace: DOTTED, name: 'events' })))).toBe(true);
  });
});

describe('roles, members, grants and explain', () => {
  it('grants a reader role on a namespace, and the reader reads exactly that', async () => {
    const reader = await admin.createPrincipal({ name: 'reader' });
    const member = { kind: 'principal', name: reader['client-id'] } as const;
    const role = await admin.createRole({ name: 'analyst', description: 'reads sales' });
    expect(role).toMatchObject({ name: 'analyst', tenant: 'default', description: 'reads sales' });
    expect((await admin.listRoles()).map((r) => r.name)).toEqual(['admin', 'analyst']);

    const granted = await admin.grant({ role: 'analyst', privileges: ['table:read-data', 'namespace:list', 'table:list'], securable: SALES });
    expect(granted.map((g) => g.privilege)).toEqual(['table:read-data', 'namespace:list', 'table:list']);
    expect(granted[0]?.securable).toEqual(SALES);
    expect(await admin.addRoleMember('analyst', member)).toEqual({ member, created: true });
    expect(await admin.addRoleMember('analyst', member)).toEqual({ member, created: false });
    expect(await admin.listRoleMembers('analyst')).toEqual([member]);

    const details = await admin.getRole('analyst');
    expect(details.role.name).toBe('analyst');
    expect(details.members).toEqual([member]);
    expect(details.grants.map((g) => g.privilege).sort()).toEqual(['namespace:list', 'table:list', 'table:read-data']);

    const asReader = clientsFor(`${reader['client-id']}:${reader['client-secret']}`);
    expect((await asReader.catalog.listTables(['sales'])).items.map((t) => t.name)).toEqual(['orders']);
    expect(isForbidden(await failure(asReader.catalog.createTable(['sales'], { name: 'nope', schema: SCHEMA })))).toBe(true);

    const explained = await admin.explain({ subject: member, privilege: 'table:read-data', securable: ORDERS });
    expect(explained).toMatchObject({ allowed: true, reason: 'grant', via: [{ role: 'analyst', privilege: 'table:read-data', securable: SALES, member }] });
    expect(explained.summary).toContain('through role analyst');
    const denied = await admin.explain({ subject: member, privilege: 'table:write-data', securable: ORDERS });
    expect(denied).toMatchObject({ allowed: false, reason: 'none', via: [] });
    // Anyone may ask about themselves.
    expect((await asReader.management.explain({ subject: member, privilege: 'table:list', securable: SALES })).allowed).toBe(true);
    // A member of the tenant's admin role may do everything.
    const ops = await admin.createPrincipal({ name: 'ops-member' });
    await admin.addRoleMember('admin', { kind: 'principal', name: ops['client-id'] });
    const asAdmin = await admin.explain({ subject: { kind: 'principal', name: ops['client-id'] }, privilege: 'table:drop', securable: ORDERS });
    expect(asAdmin).toMatchObject({ allowed: true, reason: 'admin', via: [] });
    await admin.removeRoleMember('admin', { kind: 'principal', name: ops['client-id'] });
  });

  it('lists grants by role, by securable (dotted levels too) and both', async () => {
    await admin.createRole({ name: 'q1-reader' });
    const dotted: Securable = { type: 'table', warehouse: WAREHOUSE, namespace: DOTTED, name: 'events' };
    await admin.grant({ role: 'q1-reader', privileges: ['table:read-metadata'], securable: dotted });
    await admin.grant({ role: 'q1-reader', privileges: ['warehouse:manage'], securable: { type: 'warehouse', warehouse: WAREHOUSE } });

    const all = await admin.listGrants();
    expect(new Set(all.map((g) => g.role))).toEqual(new Set(['analyst', 'q1-reader']));
    expect((await admin.listGrants({ role: 'q1-reader' })).map((g) => g.privilege).sort()).toEqual(['table:read-metadata', 'warehouse:manage']);
    expect(await admin.listGrants({ securable: dotted })).toEqual([
      expect.objectContaining({ role: 'q1-reader', privilege: 'table:read-metadata', securable: dotted }),
    ]);
    expect((await admin.listGrants({ securable: SALES })).map((g) => g.role)).toEqual(['analyst', 'analyst', 'analyst']);
    expect(await admin.listGrants({ role: 'q1-reader', securable: SALES })).toEqual([]);
    expect((await admin.listGrants({ securable: { type: 'warehouse', warehouse: WAREHOUSE } })).map((g) => g.privilege)).toEqual(['warehouse:manage']);
  });

  it('revokes, removes members and deletes; 404 and 409 where the model says so', async () => {
    await admin.createRole({ name: 'temp' });
    expect(isConflict(await failure(admin.createRole({ name: 'temp' })))).toBe(true);
    expect(isConflict(await failure(admin.createRole({ name: 'admin' })))).toBe(true);
    const { 'client-id': id } = await admin.createPrincipal({ name: 'temp-holder' });
    const member = { kind: 'user', issuer: 'asserted', name: 'alice' } as const;
    await admin.addRoleMember('temp', member);
    await admin.addRoleMember('temp', { kind: 'principal', name: id });
    await admin.grant({ role: 'temp', privileges: ['table:read-data', 'table:list'], securable: SALES });

    // A role with members or grants is in use.
    const inUse = await failure(admin.deleteRole('temp'));
    expect(isConflict(inUse)).toBe(true);
    expect((inUse as CatalogError).type).toBe('ConflictException');

    expect(await admin.revoke({ role: 'temp', privileges: ['table:read-data', 'table:list'], securable: SALES })).toEqual({ revoked: 2 });
    expect(isNotFound(await failure(admin.revoke({ role: 'temp', privileges: ['table:list'], securable: SALES })))).toBe(true);
    await admin.removeRoleMember('temp', member);
    await admin.removeRoleMember('temp', { kind: 'principal', name: id });
    expect(await admin.listRoleMembers('temp')).toEqual([]);
    await admin.deleteRole('temp');

    expect(isNotFound(await failure(admin.getRole('temp')))).toBe(true);
    expect(isNotFound(await failure(admin.deleteRole('temp')))).toBe(true);
    expect(isNotFound(await failure(admin.listRoleMembers('temp')))).toBe(true);
    expect(isNotFound(await failure(admin.addRoleMember('temp', { kind: 'principal', name: id })))).toBe(true);
    expect(isNotFound(await failure(admin.grant({ role: 'temp', privileges: ['table:list'], securable: SALES })))).toBe(true);
    expect(
      isNotFound(await failure(admin.grant({ role: 'analyst', privileges: ['table:list'], securable: { type: 'warehouse', warehouse: 'nowhere' } }))),
    ).toBe(true);
    expect(isConflict(await failure(admin.deleteRole('admin')))).toBe(true);
  });

  it('refuses bad input with 400 and changes nothing', async () => {
    const bad = await failure(
      admin.grant({
        role: 'analyst',
        privileges: ['table:read-data'],
        securable: { type: 'warehouse', warehouse: WAREHOUSE, namespace: ['sales'] } as unknown as Securable,
      }),
    );
    expect((bad as CatalogError).status).toBe(400);
    const unknown = await failure(admin.grant({ role: 'analyst', privileges: ['table:fly' as 'table:list'], securable: SALES }));
    expect((unknown as CatalogError).status).toBe(400);
    expect((await admin.listGrants({ role: 'analyst' })).length).toBe(3);
  });
});

describe('row-filter and column-mask policies', () => {
  it('creates, reads, updates and deletes a policy; the effective policy says what applies; bad input and stale versions are refused', async () => {
    await admin.createRole({ name: 'masked' }).catch((e: unknown) => (isConflict(e) ? undefined : Promise.reject(e)));
    const table = { namespace: ['sales'], name: 'orders' };
    const created = await admin.policies.create(WAREHOUSE, table, {
      kind: 'column-mask',
      roles: ['masked'],
      masks: [{ column: 'id', action: 'mask-to-fixed-value', value: 0 }],
    });
    expect(created).toMatchObject({ kind: 'column-mask', version: 1, masks: [{ 'field-id': 1, column: 'id', action: 'mask-to-fixed-value', value: 0 }] });
    expect((await admin.policies.list(WAREHOUSE, table)).map((p) => p.id)).toEqual([created.id]);
    expect((await admin.policies.get(WAREHOUSE, table, created.id)).version).toBe(1);
    const updated = await admin.policies.update(WAREHOUSE, table, created.id, {
      roles: ['masked'],
      masks: [{ 'field-id': 1, action: 'mask-to-fixed-value', value: -1 }],
      version: 1,
    });
    expect(updated.version).toBe(2);
    expect(
      isConflict(
        await failure(
          admin.policies.update(WAREHOUSE, table, created.id, {
            roles: ['masked'],
            masks: [{ column: 'id', action: 'mask-to-fixed-value', value: 1 }],
            version: 1,
          }),
        ),
      ),
    ).toBe(true);
    const bad = await failure(
      admin.policies.create(WAREHOUSE, table, { kind: 'column-mask', roles: ['masked'], masks: [{ column: 'id', action: 'show-first-4' }] }),
    );
    expect(bad).toBeInstanceOf(CatalogError);
    expect((bad as CatalogError).status).toBe(400);
    expect(await admin.policies.effective(WAREHOUSE, table)).toMatchObject({ restricted: false, policies: [] });
    await admin.policies.delete(WAREHOUSE, table, created.id);
    expect(isNotFound(await failure(admin.policies.get(WAREHOUSE, table, created.id)))).toBe(true);
  });

  it("manages a view's policies with { kind: 'view' }, over the view's schema", async () => {
    await admin.createRole({ name: 'masked' }).catch((e: unknown) => (isConflict(e) ? undefined : Promise.reject(e)));
    const view = { namespace: ['sales'], name: 'orders_v' };
    await catalog.createView(['sales'], {
      name: 'orders_v',
      schema: SCHEMA,
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1,
        'schema-id': 0,
        summary: {},
        'default-namespace': ['sales'],
        representations: [{ type: 'sql', sql: 'SELECT * FROM orders', dialect: 'spark' }],
      },
    });
    const created = await admin.policies.create(
      WAREHOUSE,
      view,
      { kind: 'row-filter', roles: ['masked'], filter: { type: 'gt', term: 'id', value: 1 } },
      { kind: 'view' },
    );
    expect(created).toMatchObject({ kind: 'row-filter', 'object-type': 'view', table: { name: 'orders_v' }, 'field-ids': [1] });
    expect((await admin.policies.list(WAREHOUSE, view, { kind: 'view' })).map((p) => p.id)).toEqual([created.id]);
    expect((await admin.policies.update(WAREHOUSE, view, created.id, { roles: ['masked'], filter: true }, { kind: 'view' })).version).toBe(2);
    expect(await admin.policies.effective(WAREHOUSE, view, { kind: 'view' })).toMatchObject({ restricted: false });
    // Addressed as a table, the name is no table's.
    expect(isNotFound(await failure(admin.policies.list(WAREHOUSE, view)))).toBe(true);
    await admin.policies.delete(WAREHOUSE, view, created.id, { kind: 'view' });
    expect(isNotFound(await failure(admin.policies.get(WAREHOUSE, view, created.id, { kind: 'view' })))).toBe(true);
  });

  it('declares, lists and withdraws a policy enforcer of the warehouse; a bad mechanism is a 400', async () => {
    const { 'client-id': engine } = await admin.createPrincipal({ name: 'trino-enforcer' });
    const set = await admin.policies.setEnforcer(WAREHOUSE, engine, { mechanism: 'trino-opa', 'trino-catalog': 'lake' });
    expect(set).toMatchObject({ warehouse: WAREHOUSE, 'client-id': engine, mechanism: 'trino-opa', 'trino-catalog': 'lake' });
    expect((await admin.policies.enforcers(WAREHOUSE)).map((e) => e['client-id'])).toContain(engine);
    const bad = await failure(admin.policies.setEnforcer(WAREHOUSE, engine, { mechanism: 'nope' as 'trino-opa' }));
    expect((bad as CatalogError).status).toBe(400);
    await admin.policies.removeEnforcer(WAREHOUSE, engine);
    expect((await admin.policies.enforcers(WAREHOUSE)).map((e) => e['client-id'])).not.toContain(engine);
    expect(isNotFound(await failure(admin.policies.removeEnforcer(WAREHOUSE, engine)))).toBe(true);
  });
});

describe('labels', () => {
  it("sets, reads and removes a table's labels; the catalog client's loadTable answers them; bad input is a 400", async () => {
    const table = { namespace: ['sales'], name: 'orders' };
    const labels = { 'object-labels': { owner: 'team-sales' }, fields: [{ 'field-id': 1, labels: { meaning: 'order id' } }] };
    expect(await admin.labels.get(WAREHOUSE, 'table', table)).toEqual({});
    expect(await admin.labels.set(WAREHOUSE, 'table', table, labels)).toEqual(labels);
    expect((await catalog.loadTable(table)).labels).toEqual(labels);
    const bad = await failure(admin.labels.set(WAREHOUSE, 'table', table, { 'object-labels': { owner: 1 as unknown as string } }));
    expect((bad as CatalogError).status).toBe(400);
    expect(isNotFound(await failure(admin.labels.get(WAREHOUSE, 'view', table)))).toBe(true);
    await admin.labels.remove(WAREHOUSE, 'table', table);
    expect((await catalog.loadTable(table)).labels).toBeUndefined();
  });
});

describe('a non-admin principal', () => {
  it('gets 403 from every administrative call', async () => {
    const { 'client-id': id, 'client-secret': secret } = await admin.createPrincipal({ name: 'nobody' });
    const { management } = clientsFor(`${id}:${secret}`);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['listPrincipals', () => management.listPrincipals()],
      ['createPrincipal', () => management.createPrincipal({ name: 'x' })],
      ['rotatePrincipalSecret', () => management.rotatePrincipalSecret(id)],
      ['setDelegation', () => management.setDelegation(id, { users: ['alice'] })],
      ['createAccessKey', () => management.createAccessKey(id)],
      ['createApiKey', () => management.createApiKey(id, { name: 'x' })],
      ['revokeApiKey', () => management.revokeApiKey('lgk_nope')],
      ['listWarehouses', () => management.listWarehouses()],
      ['createWarehouse', () => management.createWarehouse({ name: 'x', 'storage-root': 'file:///tmp/x', 'storage-profile': { type: 'file' } })],
      ['setTenantStorageGrant', () => management.setTenantStorageGrant('default', { roots: ['s3://x-bucket'] })],
      ['getTenantStorageGrant', () => management.getTenantStorageGrant('default')],
      ['listRoles', () => management.listRoles()],
      ['createRole', () => management.createRole({ name: 'x' })],
      ['getRole', () => management.getRole('analyst')],
      ['deleteRole', () => management.deleteRole('analyst')],
      ['listRoleMembers', () => management.listRoleMembers('analyst')],
      ['addRoleMember', () => management.addRoleMember('analyst', { kind: 'principal', name: id })],
      ['removeRoleMember', () => management.removeRoleMember('analyst', { kind: 'principal', name: id })],
      ['listGrants', () => management.listGrants()],
      ['listGrants on a securable', () => management.listGrants({ securable: SALES })],
      ['grant', () => management.grant({ role: 'analyst', privileges: ['table:write-data'], securable: SALES })],
      ['revoke', () => management.revoke({ role: 'analyst', privileges: ['table:read-data'], securable: SALES })],
      [
        'explain about another',
        () => management.explain({ subject: { kind: 'principal', name: server.credential.split(':')[0]! }, privilege: 'table:list', securable: SALES }),
      ],
      ['listAudit', () => management.listAudit()],
      ['listMetricsReports', () => management.listMetricsReports(WAREHOUSE, { namespace: DOTTED, name: 'events' })],
      ['listTenantEvents', () => management.listTenantEvents()],
      ['listTenantEventSinks', () => management.listTenantEventSinks('default')],
      ['createTenantEventSink', () => management.createTenantEventSink('default', { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } })],
    ];
    for (const [name, call] of calls) {
      const error = await failure(call());
      expect(error instanceof CatalogError && isForbidden(error), `${name}: ${String(error)}`).toBe(true);
    }
    // Nothing changed.
    expect((await admin.listGrants({ role: 'analyst' })).map((g) => g.privilege).sort()).toEqual(['namespace:list', 'table:list', 'table:read-data']);
  });
});

describe('tenant events', () => {
  it("pages the tenant's role events through the SDK", async () => {
    const start = (await admin.listTenantEvents({ limit: 1000 })).next;
    await admin.createRole({ name: 'sdk-events' });
    await admin.deleteRole('sdk-events');
    const page = await admin.listTenantEvents({ after: start, limit: 1 });
    expect(page.more).toBe(true);
    const rest = await admin.listTenantEvents({ after: page.next });
    expect([...page.events, ...rest.events].map((e) => [e.type, e.subject, e.source.endsWith('/tenants/default')])).toEqual([
      ['io.lakegate.role.created', 'role/sdk-events', true],
      ['io.lakegate.role.deleted', 'role/sdk-events', true],
    ]);
  });
});

describe('the audit trail', () => {
  it('filters, and pages through the next cursor with an async iterator', async () => {
    // Six grant changes, so that pages of two hold them all across three pages.
    await admin.createRole({ name: 'audited' });
    for (const privilege of ['table:list', 'table:read-data', 'table:read-metadata'] as const) {
      await admin.grant({ role: 'audited', privileges: [privilege], securable: SALES });
      await admin.revoke({ role: 'audited', privileges: [privilege], securable: SALES });
    }
    const filter = { object: `${WAREHOUSE}/sales`, since: new Date(Date.now() - 600_000) };
    const changes = (e: AuditEvent) => e.type === 'grant.added' || e.type === 'grant.revoked';

    const whole = await admin.listAudit(filter, { limit: 1000 });
    expect(whole.next).toBeNull();
    const expected = whole.events.filter(changes);
    expect(expected.length).toBeGreaterThanOrEqual(6);
    expect(expected[0]).toMatchObject({ type: 'grant.revoked', action: 'table:read-metadata', tenant: 'default', actor: expect.stringContaining('service:') });

    const first = await admin.listAudit(filter, { limit: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    const second = await admin.listAudit(filter, { limit: 2, before: first.next! });
    expect(second.events[0]?.id).toBe(whole.events[2]?.id);

    const paged: AuditEvent[] = [];
    for await (const event of admin.auditEvents(filter, { pageSize: 2 })) paged.push(event);
    expect(paged.map((e) => e.id)).toEqual(whole.events.map((e) => e.id));

    const revokes = await admin.listAudit({ ...filter, type: 'grant.revoked', action: 'table:' }, { limit: 100 });
    expect(revokes.events.length).toBeGreaterThanOrEqual(3);
    expect(revokes.events.every((e) => e.type === 'grant.revoked')).toBe(true);
    expect((await admin.listAudit({ ...filter, until: 0 })).events).toEqual([]);
    expect(((await failure(admin.listAudit({}, { limit: 5000 }))) as CatalogError).status).toBe(400);
  });

  it('records denials the caller can filter by decision', async () => {
    const denials = await admin.listAudit({ decision: 'deny' }, { limit: 1000 });
    expect(denials.events.length).toBeGreaterThan(0);
    expect(denials.events.every((e) => e.decision === 'deny')).toBe(true);
  });
});
