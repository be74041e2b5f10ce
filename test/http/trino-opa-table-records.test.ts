/**
 * The table records Trino's OPA decisions keep (catalog/trino-opa/table-records.ts, issue 54): repeated decisions on
 * one table read its record once, and every change of what a name resolves to is followed at the next decision, with
 * the authorization cache's TTL at 5 minutes so that only the committed change can explain it: a rename (the old
 * name is no table; a new table under it is not the old one, whose grants and policies stay with it), a column
 * renamed by a commit (the filter, written against the new schema, fails closed), a drop; and a grant revoked or a policy changed after
 * the records were kept. The first case fails on the code that read the record per decision; the others fail with
 * the records' invalidation (TrinoTableRecords.committed) removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant, revoke } from '../support/access.js';
import { peopleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { signInAdmin } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let anon: Send;
let engineKey: string;
let reads = 0;

const NS = '/v1/lake/namespaces/sales';
const schema = peopleSchema(['id', 'region', 'email']);
const orders = { type: 'table' as const, warehouse: 'lake', namespace: ['sales'], name: 'orders' };
const input = (action: Record<string, unknown>) => ({
  input: { context: { identity: { user: 'alice', groups: [] }, softwareStack: { trinoVersion: '476' } }, action },
});

async function ask(path: string, action: Record<string, unknown>) {
  const res = await anon('POST', `/management/v1/trino-opa/${path}?api-key=${encodeURIComponent(engineKey)}`, input(action));
  expect(res.status, stringifyJson(res.body)).toBe(200);
  return res.body.result;
}
const tableRef = (tableName: string) => ({ catalogName: 'lake', schemaName: 'sales', tableName });
const select = (tableName: string) => ask('allow', { operation: 'SelectFromColumns', resource: { table: { ...tableRef(tableName), columns: ['id'] } } });
const rowFilters = (tableName: string) => ask('row-filters', { operation: 'GetRowFilters', resource: { table: tableRef(tableName) } });

async function ok(res: Promise<{ status: number; body: Record<string, unknown> }>, status = 200) {
  const r = await res;
  expect(r.status, String(JSON.stringify(r.body))).toBe(status);
  return r.body;
}

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_AUTHZ_CACHE_SECONDS: '300' }, { auth: true });
  admin = await signInAdmin(cat);
  anon = injectSender(cat.lakegate.app);
  await ok(
    admin('POST', '/management/v1/warehouses', { name: 'lake', 'storage-root': `file://${cat.dataDir}/lake`, 'storage-profile': { type: 'file' } }),
    201,
  );
  await ok(admin('POST', '/v1/lake/namespaces', { namespace: ['sales'] }));
  await ok(admin('POST', `${NS}/tables`, { name: 'orders', schema }));
  const engine = await ok(
    admin('POST', '/management/v1/principals', { name: 'trino', delegation: { users: [{ issuer: 'asserted', name: 'alice' }], 'assert-identity': true } }),
    201,
  );
  engineKey = (await ok(admin('POST', `/management/v1/principals/${engine['client-id']}/api-keys`, { name: 'opa' }), 201))['api-key'] as string;
  await ok(admin('PUT', `/management/v1/warehouses/lake/policy-enforcers/${engine['client-id']}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' }));
  await addMember(admin, 'analysts', { kind: 'user', name: 'alice', issuer: 'asserted' });
  await grant(admin, 'analysts', ['table:read-data'], orders);
  await ok(
    admin('POST', `/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies`, {
      kind: 'row-filter',
      roles: ['analysts'],
      filter: { type: 'eq', term: 'region', value: 'eu' },
    }),
    201,
  );
  // Counts the table record reads (every decision's before the records were kept).
  const repository = cat.lakegate.store.repository;
  const getObject = repository.getObject.bind(repository);
  repository.getObject = (...args) => {
    reads++;
    return getObject(...args);
  };
});
afterAll(async () => {
  await cat?.close();
});

describe("the table records of Trino's OPA decisions", () => {
  it('are read once for repeated decisions on a table', async () => {
    // The policy's files are prepared in the background (reading the record too): done before counting.
    await cat.lakegate.services.planning.prepared?.idle();
    const before = reads;
    for (let i = 0; i < 5; i++) {
      expect(await select('orders')).toBe(true);
      expect(await rowFilters('orders')).toEqual([{ expression: `("region" = 'eu')` }]);
    }
    expect(reads - before).toBeLessThanOrEqual(1);
  });

  it('follow a rename at the next decision, and a new table under the old name is not the old one', async () => {
    expect(await select('orders')).toBe(true);
    await ok(
      admin('POST', '/v1/lake/tables/rename', { source: { namespace: ['sales'], name: 'orders' }, destination: { namespace: ['sales'], name: 'orders2' } }),
      204,
    );
    expect(await select('orders')).toBe(false);
    expect(await rowFilters('orders')).toEqual([{ expression: 'FALSE' }]);
    expect(await select('orders2')).toBe(true);
    expect(await rowFilters('orders2')).toEqual([{ expression: `("region" = 'eu')` }]);
    // Another table takes the old name: alice holds no grant on it, and the old table's filter is not its own.
    await ok(admin('POST', `${NS}/tables`, { name: 'orders', schema }));
    expect(await select('orders')).toBe(false);
    expect(await rowFilters('orders')).toEqual([]);
  });

  it("follow a commit that renames the filter's column at the next decision", async () => {
    expect(await rowFilters('orders2')).toEqual([{ expression: `("region" = 'eu')` }]);
    // The filter follows its column's field id (policies/follow.ts): once renamed, the next decision names the new name.
    const renamed = { ...schema, 'schema-id': 1, fields: schema.fields.map((f) => (f.name === 'region' ? { ...f, name: 'area' } : f)) };
    await ok(
      admin('POST', `${NS}/tables/orders2`, {
        requirements: [],
        updates: [
          { action: 'add-schema', schema: renamed },
          { action: 'set-current-schema', 'schema-id': -1 },
        ],
      }),
    );
    expect(await rowFilters('orders2')).toEqual([{ expression: `("area" = 'eu')` }]);
  });

  it('honour a grant revoked and a policy changed after the records were kept', async () => {
    expect(await select('orders2')).toBe(true);
    const policies = '/management/v1/warehouses/lake/namespaces/sales/tables/orders2/policies';
    const [policy] = (await ok(admin('GET', policies))).policies as Array<{ id: string }>;
    await ok(admin('DELETE', `${policies}/${policy!.id}`), 204);
    expect(await rowFilters('orders2')).toEqual([]);
    await revoke(admin, 'analysts', ['table:read-data'], { ...orders, name: 'orders2' });
    expect(await select('orders2')).toBe(false);
  });

  it('follow a drop at the next decision', async () => {
    await grant(admin, 'analysts', ['table:read-data'], { ...orders, name: 'orders2' });
    expect(await select('orders2')).toBe(true);
    await ok(admin('DELETE', `${NS}/tables/orders2`), 204);
    expect(await select('orders2')).toBe(false);
  });
});
