/**
 * What the management client found in the server (no server code changed here). Each test states the behaviour a
 * caller needs and FAILS against the server as it is; the report to the lead describes each one. Fix the server,
 * and these pass unchanged.
 */
import { type CatalogError, IcebergRestCatalog, LakegateManagement, type Securable, isForbidden, isNotFound } from '@lakegate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure as failed } from '../support/sdk-clients.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
let admin: LakegateManagement;
const ORDERS: Securable = { type: 'table', warehouse: 'default', namespace: ['sales'], name: 'orders' };

const failure = (promise: Promise<unknown>) => failed<CatalogError>(promise);
const managementFor = (credential: string) => new LakegateManagement({ uri: server.url, properties: { credential } });

beforeAll(async () => {
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  admin = managementFor(server.credential);
  const catalog = new IcebergRestCatalog({ uri: server.url, warehouse: 'default', properties: { credential: server.credential } });
  await catalog.createNamespace(['sales']);
  await catalog.createTable(['sales'], { name: 'orders', schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('explain', () => {
  it('says an administrator by credential (roles: ["admin"], the bootstrap admin too) may do everything, as every request of theirs is allowed', async () => {
    const ops = await admin.createPrincipal({ name: 'ops', roles: ['admin'] });
    // The principal really may drop the table (AccessService.isAdmin honours the admin role in its token) ...
    expect((await managementFor(`${ops['client-id']}:${ops['client-secret']}`).listRoles()).length).toBeGreaterThan(0);
    // ... but explain asks only the authorizer about role membership and answers "cannot".
    for (const clientId of [ops['client-id'], server.credential.split(':')[0]!]) {
      expect(await admin.explain({ subject: { kind: 'principal', name: clientId }, privilege: 'table:drop', securable: ORDERS })).toMatchObject({
        allowed: true,
        reason: 'admin',
      });
    }
  });
});

describe('a missing object is "not found" (404), as a missing role, grant or warehouse is', () => {
  it('a principal, by client id', async () => {
    for (const call of [
      () => admin.rotatePrincipalSecret('no-such-principal'),
      () => admin.setDelegation('no-such-principal', { users: ['alice'] }),
      () => admin.createAccessKey('no-such-principal'),
      () => admin.createApiKey('no-such-principal', { name: 'k' }),
    ]) {
      const error = await failure(call());
      expect(isNotFound(error), `${error.request}: HTTP ${error.status} ${error.type}`).toBe(true);
    }
  });

  it('an API key', async () => {
    const error = await failure(admin.revokeApiKey('no-such-key'));
    expect(isNotFound(error), `HTTP ${error.status} ${error.type}`).toBe(true);
  });

  it('a member that does not hold the role (revoking a grant that is not held is a 404 too)', async () => {
    await admin.createRole({ name: 'empty' });
    const error = await failure(admin.removeRoleMember('empty', { kind: 'user', issuer: 'asserted', name: 'nobody' }));
    expect(isNotFound(error), `HTTP ${error.status} ${error.type}`).toBe(true);
  });

  it('a namespace or table to grant on (a missing warehouse already is a 404)', async () => {
    await admin.createRole({ name: 'reader' });
    const securables: Securable[] = [
      { type: 'namespace', warehouse: 'default', namespace: ['nowhere'] },
      { type: 'table', warehouse: 'default', namespace: ['sales'], name: 'nothing' },
    ];
    for (const securable of securables) {
      const error = await failure(admin.grant({ role: 'reader', privileges: ['table:read-data'], securable }));
      expect(isNotFound(error), `${securable.type}: HTTP ${error.status} ${error.type}`).toBe(true);
    }
  });

  it('the namespace of the table whose metrics reports are asked for (loadTable answers 404 there)', async () => {
    const error = await failure(admin.listMetricsReports('default', { namespace: ['nowhere'], name: 'orders' }));
    expect(isNotFound(error)).toBe(true);
  });
});

describe('a non-admin learns nothing about which principals exist', () => {
  it('gets 403 for a role member or an explain subject whether the principal exists or not', async () => {
    const nobody = await admin.createPrincipal({ name: 'nobody' });
    const asNobody = managementFor(`${nobody['client-id']}:${nobody['client-secret']}`);
    await admin.createRole({ name: 'target' });
    const existing = server.credential.split(':')[0]!;
    for (const name of [existing, 'no-such-principal']) {
      const added = await failure(asNobody.addRoleMember('target', { kind: 'principal', name }));
      expect(isForbidden(added), `add-member ${name}: HTTP ${added.status} ${added.message}`).toBe(true);
      const explained = await failure(asNobody.explain({ subject: { kind: 'principal', name }, privilege: 'table:list', securable: ORDERS }));
      expect(isForbidden(explained), `explain ${name}: HTTP ${explained.status} ${explained.message}`).toBe(true);
    }
  });
});
