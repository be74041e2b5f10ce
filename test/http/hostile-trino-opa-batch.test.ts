/**
 * Hostile requests against Trino's OPA endpoints, the batched filtering (opa.policy.batched-uri) above all, in
 * process on SQLite: two tenants, each with a warehouse, a namespace `crm` and tables in it, and an engine per tenant
 * declared (as a trino-opa enforcer) on its own warehouse under the Trino catalog name `lake`.
 *
 * Tenant isolation: an engine's answers are about its own tenant's warehouse only, whatever catalog names its batch
 * mixes in; another tenant's administrator cannot declare an enforcer on a warehouse not its own. Guards: they pass
 * on the code before this file.
 *
 * Operation names that are Object.prototype's members (`constructor`, `toString`, …) are no Trino operation: denied
 * to every user. Before, decide() looked them up in its operation tables (plain objects) through the prototype, so
 * `constructor` on a schema asked the Authorizer for the Object function as a privilege, which an administrator is
 * allowed: the administrator's rows fail on the old code (`{ result: true }`).
 *
 * Malformed, duplicated, mixed, empty and over-large batches are answered in the plugin's shape (each index once, in
 * order, the same answers as one at a time) or refused with a 400 in the Iceberg model, never a 500 (guards).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import { engineWithKey, opaInput } from '../support/engines.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, injectSender } from '../support/inject.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let acmeAdmin: Send;
let anon: Send;
const keys: Record<'home' | 'acme', string> = { home: '', acme: '' };

const ask = (who: 'home' | 'acme', path: string, body: unknown) =>
  anon('POST', `/management/v1/trino-opa/${path}?api-key=${encodeURIComponent(keys[who])}`, body as object);
const table = (catalogName: string, schemaName: string, tableName: string) => ({ table: { catalogName, schemaName, tableName } });
const schema = (catalogName: string, schemaName: string) => ({ schema: { catalogName, schemaName } });

async function declare(by: Send, warehouse: string, engine: string): Promise<number> {
  return (await by('PUT', `/management/v1/warehouses/${warehouse}/policy-enforcers/${engine}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' })).status;
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  anon = injectSender(cat.lakegate.app);
  const made = await admin('POST', '/management/v1/principals', { name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
  expect(made.status, stringifyJson(made.body)).toBe(201);
  acmeAdmin = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, made.body['client-id'], made.body['client-secret']));
  const wh = await admin('POST', '/management/v1/warehouses', {
    name: 'acme-wh',
    tenant: 'acme',
    'storage-root': `file://${cat.dataDir}/acme`,
    'storage-profile': { type: 'file' },
  });
  expect(wh.status, stringifyJson(wh.body)).toBe(201);
  const fields = [{ id: 1, name: 'id', type: 'long', required: false }];
  for (const [by, warehouse] of [
    [admin, 'default'],
    [acmeAdmin, 'acme-wh'],
  ] as const) {
    expect((await by('POST', `/v1/${warehouse}/namespaces`, { namespace: ['crm'] })).status).toBe(200);
    for (const name of ['orders', 'secret_' + warehouse.replace(/-/g, '_')])
      expect((await by('POST', `/v1/${warehouse}/namespaces/crm/tables`, { name, schema: { type: 'struct', fields } })).status).toBe(200);
  }
  // The home tenant's engine and user: ann reads the home warehouse's crm.orders.
  const home = await engineWithKey(admin, 'trino', {
    users: ['ann', 'boss'].map((name) => ({ issuer: 'asserted', name })),
    'assert-identity': true,
  });
  keys.home = home.key;
  expect(await declare(admin, 'default', home.clientId)).toBe(200);
  await grant(admin, 'analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['crm'], name: 'orders' });
  await grant(admin, 'analysts', ['table:list'], { type: 'namespace', warehouse: 'default', namespace: ['crm'] });
  await addMember(admin, 'analysts', { kind: 'user', issuer: 'asserted', name: 'ann' });
  // boss administers the home tenant: allowed every operation Trino has, and still none it has not.
  await addMember(admin, 'admin', { kind: 'user', issuer: 'asserted', name: 'boss' });
  // acme's engine, made by acme's administrator, for acme's user ann (a name the home tenant uses too).
  const acme = await engineWithKey(acmeAdmin, 'trino', { users: [{ issuer: 'asserted', name: 'ann' }], 'assert-identity': true });
  keys.acme = acme.key;
  expect(await declare(acmeAdmin, 'acme-wh', acme.clientId)).toBe(200);
  // Across tenants, no enforcer: acme's administrator cannot declare one on the home warehouse; the platform
  // administrator may declare acme's engine on it, a declaration of the home tenant that matches no caller of acme's
  // (enforcer-admin.ts): acme's engine is answered about acme's warehouse alone below.
  expect([403, 404]).toContain(await declare(acmeAdmin, 'default', acme.clientId));
  expect(await declare(admin, 'default', acme.clientId)).toBe(200);
  expect([403, 404]).toContain(await declare(acmeAdmin, 'default', home.clientId));
});
afterAll(async () => cat?.close());

describe('tenant isolation of the batched filtering', () => {
  it("answers acme's engine about acme's warehouse only, whatever catalog names the batch holds", async () => {
    const resources = [
      table('lake', 'crm', 'orders'),
      table('lake', 'crm', 'secret_default'),
      table('default', 'crm', 'orders'),
      table('default', 'crm', 'secret_default'),
      table('lake', 'crm', 'secret_acme_wh'),
      table('acme-wh', 'crm', 'orders'),
      table('acme_wh', 'crm', 'orders'),
    ];
    // acme's ann holds no grant in acme: nothing; acme's administrator-made grant then lets her see acme's orders only.
    const before = await ask('acme', 'batch', opaInput('ann', { operation: 'FilterTables', filterResources: resources }));
    expect(before.body).toEqual({ result: [] });
    await grant(acmeAdmin, 'acme-readers', ['table:read-data'], { type: 'table', warehouse: 'acme-wh', namespace: ['crm'], name: 'orders' });
    await grant(acmeAdmin, 'acme-readers', ['table:list'], { type: 'namespace', warehouse: 'acme-wh', namespace: ['crm'] });
    await addMember(acmeAdmin, 'acme-readers', { kind: 'user', issuer: 'asserted', name: 'ann' });
    const after = await ask('acme', 'batch', opaInput('ann', { operation: 'FilterTables', filterResources: resources }));
    // acme's orders and its secret table (the namespace grant shows every table in it), through its catalog name only.
    expect(after.body).toEqual({ result: [0, 4] });
    // The home engine's ann sees the home tables through the same catalog name, never acme's.
    const home = await ask('home', 'batch', opaInput('ann', { operation: 'FilterTables', filterResources: resources }));
    expect(home.body).toEqual({ result: [0, 1] });
    for (const [who, expected] of [
      ['acme', [0]],
      ['home', [0]],
    ] as const) {
      const schemas = await ask(
        who,
        'batch',
        opaInput('ann', { operation: 'FilterSchemas', filterResources: [schema('lake', 'crm'), schema('default', 'crm'), schema('acme-wh', 'crm')] }),
      );
      expect(schemas.body, who).toEqual({ result: expected });
    }
  });

  it("gives no row filter, mask or decision about another tenant's table", async () => {
    for (const operation of ['SelectFromColumns', 'ShowColumns', 'DropTable'])
      expect((await ask('acme', 'allow', opaInput('ann', { operation, resource: table('lake', 'crm', 'secret_default') }))).body).toEqual({
        result: false,
      });
    const filters = await ask('acme', 'row-filters', opaInput('ann', { operation: 'GetRowFilters', resource: table('default', 'crm', 'orders') }));
    expect(filters.body).toEqual({ result: [] });
  });
});

/** Names of Object.prototype's members: no Trino operation, denied everywhere (before: looked up through the prototype). */
const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'];

describe('operation names that are object keys', () => {
  it.each([...PROTOTYPE_NAMES, 'DropEverything'])('denies %s in allow and batch, to a user and to an administrator', async (operation) => {
    for (const user of ['ann', 'boss'])
      for (const resource of [schema('lake', 'crm'), table('lake', 'crm', 'orders'), { catalog: { name: 'lake' } }]) {
        const allowed = await ask('home', 'allow', opaInput(user, { operation, resource }));
        expect(allowed.status, stringifyJson(allowed.body)).toBe(200);
        expect(allowed.body, `${user} ${operation} ${stringifyJson(resource)}`).toEqual({ result: false });
        const batched = await ask('home', 'batch', opaInput(user, { operation, filterResources: [resource, resource] }));
        expect(batched.status, stringifyJson(batched.body)).toBe(200);
        expect(batched.body, `${user} ${operation} batched`).toEqual({ result: [] });
      }
    // The administrator is allowed what Trino asks for real.
    expect((await ask('home', 'allow', opaInput('boss', { operation: 'DropTable', resource: table('lake', 'crm', 'orders') }))).body).toEqual({
      result: true,
    });
  });
});

describe('malformed, duplicated, mixed, empty and large batches', () => {
  it('answers each index once, in order, for duplicated and mixed resources', async () => {
    const resources = [
      table('lake', 'crm', 'orders'),
      table('lake', 'crm', 'orders'),
      schema('lake', 'crm'),
      { catalog: { name: 'lake' } },
      table('lake', 'CRM', 'orders'),
      table('lake', 'crm', 'ORDERS'),
      table('lake', 'crm', 'orders'),
      table('lake', 'information_schema', 'tables'),
      table('nope', 'information_schema', 'tables'),
      table('lake', 'crm\u0000', 'orders'),
      table('lake', 'crm', 'orders\u0000'),
      table('lake', 'crm.x', 'orders'),
      table('lake', 'crm\u001fx', 'orders'),
      table('lake', '__proto__', 'constructor'),
      table('__proto__', 'crm', 'orders'),
    ];
    const res = await ask('home', 'batch', opaInput('ann', { operation: 'FilterTables', filterResources: resources }));
    expect(res.status, stringifyJson(res.body)).toBe(200);
    expect(res.body).toEqual({ result: [0, 1, 6, 7] });
    // The same answers one at a time.
    const single = await Promise.all(
      resources.map(async (resource) => (await ask('home', 'allow', opaInput('ann', { operation: 'ShowColumns', resource }))).body.result as boolean),
    );
    expect(single.flatMap((ok, i) => (ok ? [i] : []))).toEqual([0, 1, 6, 7]);
    const schemas = await ask('home', 'batch', opaInput('ann', { operation: 'FilterSchemas', filterResources: resources }));
    // By schema alone: a table's name does not matter (5, 10), information_schema is any mapped catalog's (7).
    expect(schemas.body).toEqual({ result: [0, 1, 2, 5, 6, 7, 10] });
  });

  it('answers an empty batch with nothing, and refuses one past the bound with a 400', async () => {
    for (const operation of ['FilterTables', 'FilterSchemas', 'FilterCatalogs', 'FilterColumns'])
      expect((await ask('home', 'batch', opaInput('ann', { operation, filterResources: [] }))).body).toEqual({ result: [] });
    const huge = await ask(
      'home',
      'batch',
      opaInput('ann', { operation: 'FilterTables', filterResources: Array.from({ length: 100_001 }, () => table('lake', 'crm', 'orders')) }),
    );
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ code: 400, type: 'BadRequestException' });
  }, 60_000);

  it('refuses resources of the wrong shape with a 400 in the Iceberg model, never a 500', async () => {
    const bad: unknown[] = [
      [{ table: { catalogName: 'lake', schemaName: 'crm' } }],
      [{ table: { catalogName: 7, schemaName: 'crm', tableName: 'orders' } }],
      [{ schema: { catalogName: 'lake' } }],
      [{ table: { catalogName: 'lake', schemaName: 'crm', tableName: 'orders', columns: 'id' } }],
      'not a list',
      { 0: table('lake', 'crm', 'orders') },
      [['nested']],
      [{ table: { catalogName: 'lake', schemaName: 'crm', tableName: 'x'.repeat(100_000) } }],
    ];
    for (const filterResources of bad) {
      const res = await ask('home', 'batch', opaInput('ann', { operation: 'FilterTables', filterResources }));
      expect(res.status, `${stringifyJson(filterResources).slice(0, 80)}: ${stringifyJson(res.body).slice(0, 200)}`).toBeLessThan(500);
      if (res.status !== 200) expect(res.body.error).toMatchObject({ code: res.status, type: expect.any(String) });
      expect(stringifyJson(res.body)).not.toMatch(/at [\w.<>]+ \(|node_modules|\.ts:\d+/);
    }
  });
});
