/**
 * Replicas on one PostgreSQL see each other's changes at once (persistence/postgres/replica-coherence.ts,
 * LISTEN/NOTIFY), not within the caches' TTLs: two in-process replicas (no workers, so IPC plays no part) on one
 * database, the authorization cache's TTL set to 5 minutes so that only a notification can explain a change being
 * seen. A grant revoked on one replica refuses the next request on the other; a policy defined on one restricts
 * the next request on the other; an API key revoked on one is refused by the other, which had cached it; a table
 * renamed on one (and another created under its name) is seen by the other's Trino OPA decisions, which kept its
 * record (catalog/trino-opa/table-records.ts); a change made while a replica's listening connection was cut is seen once it
 * reconnects (everything shared counts as changed then). Each case fails with the replica channel removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant, grantPrincipal, revoke } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, injectSender } from '../support/inject.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { tempDir } from '../support/temp.js';

const cluster = usePostgresCluster('lakegate-pg-coherence-');
const dir = tempDir('lakegate-pg-coherence-data-');
let a: TestCatalog;
let b: TestCatalog;
let adminA: Send;
let adminB: Send;
let readerOnB: Send;
let readerOnA: Send;
let database: string;
let role: string;
let readerId: string;
const T = '/v1/default/namespaces/db/tables/t';
const table = { type: 'table' as const, warehouse: 'default', namespace: ['db'], name: 't' };
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'region', type: 'string', required: false }] };

/** Polls `probe` until it answers `status` (a notification takes milliseconds; 5 s is far inside the 5-minute TTL). */
async function seen(probe: () => Promise<{ status: number }>, status: number): Promise<number> {
  const start = Date.now();
  let last = 0;
  while (Date.now() - start < 5000) {
    last = (await probe()).status;
    if (last === status) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`still ${last} after 5 s, expected ${status}`);
}

beforeAll(async () => {
  database = cluster.database('coherence');
  const env = {
    LAKEGATE_DATABASE: database,
    LAKEGATE_SECRET_KEY: 'c'.repeat(43) + '=',
    LAKEGATE_PUBLIC_URL: 'http://catalog.example.test',
    LAKEGATE_AUTHZ_CACHE_SECONDS: '300',
    LAKEGATE_IDENTITY_CACHE_SECONDS: '300',
    LAKEGATE_KEY_CACHE_SECONDS: '300',
  };
  a = await startInProcess(env, { auth: true, dataDir: dir.dir });
  b = await startInProcess(env, { auth: true, dataDir: dir.dir });
  adminA = await signInAdmin(a);
  adminB = await signInAdmin(b);
  expect((await adminA('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
  const created = await adminA('POST', '/v1/default/namespaces/db/tables', { name: 't', schema });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const p = await a.lakegate.principals.create('coherence-reader');
  readerOnB = bearerSender(b.lakegate.app, await tokenOf(b.lakegate.app, p.clientId, p.clientSecret));
  readerOnA = bearerSender(a.lakegate.app, await tokenOf(a.lakegate.app, p.clientId, p.clientSecret));
  readerId = p.clientId;
  role = await grantPrincipal(adminA, p.clientId, ['table:read-data'], table);
}, 120_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  dir.cleanup();
});

describe('replicas on one PostgreSQL', () => {
  it('a grant revoked on one replica refuses the next request on the other, both ways', async () => {
    // B decides (and caches) first: the reader may load.
    expect((await readerOnB('GET', T)).status).toBe(200);
    expect((await readerOnB('GET', T)).status).toBe(200);
    await revoke(adminA, role, ['table:read-data'], table);
    await seen(() => readerOnB('GET', T), 403);
    // And from B to A.
    expect((await readerOnA('GET', T)).status).toBe(403);
    await grantPrincipal(adminB, readerId, ['table:read-data'], table);
    await seen(() => readerOnA('GET', T), 200);
    await seen(() => readerOnB('GET', T), 200);
  });

  it('a policy defined on one replica restricts the reader on the other at its next request', async () => {
    const credentials = () => readerOnB('GET', `${T}/credentials`);
    expect((await credentials()).status).toBe(200);
    expect((await credentials()).status).toBe(200);
    const policy = await adminA('POST', '/management/v1/warehouses/default/namespaces/db/tables/t/policies', {
      kind: 'row-filter',
      roles: [role],
      filter: { type: 'eq', term: 'region', value: 'eu' },
    });
    expect(policy.status, stringifyJson(policy.body)).toBe(201);
    await seen(credentials, 403);
    expect((await adminB('DELETE', `/management/v1/warehouses/default/namespaces/db/tables/t/policies/${policy.body.id}`)).status).toBe(204);
    await seen(credentials, 200);
  });

  it('an API key revoked on one replica is refused at the next request on the other, which had it cached', async () => {
    const made = await adminA('POST', `/management/v1/principals/${readerId}/api-keys`, { name: 'coherence' });
    expect(made.status, stringifyJson(made.body)).toBe(201);
    const withKey = () => injectSender(b.lakegate.app)('GET', T, undefined, { 'x-api-key': made.body['api-key'] as string });
    // Read grants may have been revoked by an earlier case: the key authenticates whatever the decision.
    expect((await withKey()).status).not.toBe(401);
    expect((await withKey()).status).not.toBe(401);
    expect((await adminA('DELETE', `/management/v1/api-keys/${made.body['key-id']}`)).status).toBe(204);
    await seen(withKey, 401);
  });

  it("a table renamed on one replica, and a new one under its name, are seen by the other's Trino OPA decisions, which kept the record", async () => {
    const engine = await adminA('POST', '/management/v1/principals', {
      name: 'coherence-trino',
      delegation: { users: [{ issuer: 'asserted', name: 'alice' }], 'assert-identity': true },
    });
    expect(engine.status, stringifyJson(engine.body)).toBe(201);
    const id = engine.body['client-id'] as string;
    const key = (await adminA('POST', `/management/v1/principals/${id}/api-keys`, { name: 'opa' })).body['api-key'] as string;
    expect((await adminA('PUT', `/management/v1/warehouses/default/policy-enforcers/${id}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' })).status).toBe(
      200,
    );
    expect((await adminA('POST', '/v1/default/namespaces/db/tables', { name: 'o', schema })).status).toBe(200);
    await addMember(adminA, 'opa-readers', { kind: 'user', name: 'alice', issuer: 'asserted' });
    await grant(adminA, 'opa-readers', ['table:read-data'], { ...table, name: 'o' });
    const select = async () => {
      const res = await injectSender(b.lakegate.app)('POST', `/management/v1/trino-opa/allow?api-key=${encodeURIComponent(key)}`, {
        input: {
          context: { identity: { user: 'alice', groups: [] }, softwareStack: { trinoVersion: '476' } },
          action: { operation: 'SelectFromColumns', resource: { table: { catalogName: 'lake', schemaName: 'db', tableName: 'o', columns: ['region'] } } },
        },
      });
      return { status: res.body?.result === true ? 200 : 403 };
    };
    // B resolves (and keeps) the name: alice may read.
    await seen(select, 200);
    expect((await select()).status).toBe(200);
    const moved = await adminA('POST', '/v1/default/tables/rename', {
      source: { namespace: ['db'], name: 'o' },
      destination: { namespace: ['db'], name: 'o2' },
    });
    expect(moved.status, String(JSON.stringify(moved.body))).toBe(204);
    expect((await adminA('POST', '/v1/default/namespaces/db/tables', { name: 'o', schema })).status).toBe(200);
    // The new table under the old name is not the one alice was granted.
    await seen(select, 403);
  });

  it("a change made while a replica's listening connection was cut is seen once it reconnects", async () => {
    expect((await readerOnB('GET', T)).status).toBe(200);
    expect((await readerOnB('GET', T)).status).toBe(200);
    // Cut every LISTEN connection of this database (both replicas'), then revoke at once: nobody hears it.
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: database });
    await admin.connect();
    try {
      const cut = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'lakegate-coherence'",
      );
      expect(cut.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    await revoke(adminA, role, ['table:read-data'], table);
    // B reconnects within its retry (500 ms first) and then counts everything shared as changed.
    await seen(() => readerOnB('GET', T), 403);
  });
});
