/**
 * Trino's OPA decision endpoints served by Lakegate (issue 54), in-process, with the request shapes Trino 476's OPA
 * plugin sends: authenticated by the engine principal's API key in the URI (or a bearer token); the engine must be a
 * declared trino-opa enforcer of the warehouse; users are those its delegation policy lets it act for (others get
 * nothing); allow/deny and filtering from grants; the user's row filter and masks as Trino SQL; a policy change is
 * followed at once on this server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { scrubUrl } from '../../packages/server/src/observability/logger.js';
import { addMember, grant } from '../support/access.js';
import { askOpa, engineWithKey, opaInput } from '../support/engines.js';
import { peopleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { signInAdmin } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let anon: Send;
let engineKey: string;
let strangerKey: string;

const POLICIES = '/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies';
const schema = peopleSchema(['id', 'region', 'email']);
const table = { catalogName: 'lake', schemaName: 'sales', tableName: 'orders' };
const column = (columnName: string, columnType = 'varchar') => ({ column: { ...table, columnName, columnType } });
const input = (user: string, action: Record<string, unknown>) => opaInput(user, action, ['admins']);
/** POSTs a decision request as the plugin does: the API key in the URI (Trino's groups: `groups`). */
const ask = (path: string, user: string, action: Record<string, unknown>, key = engineKey, groups = ['admins']) =>
  askOpa(anon, key, path, user, action, groups);
const allow = (user: string, operation: string, resource?: object, key?: string) => ask('allow', user, { operation, ...(resource ? { resource } : {}) }, key);

const principalWithKey = (name: string, delegation?: unknown) => engineWithKey(admin, name, delegation);

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  anon = injectSender(cat.lakegate.app);
  await createFileLake(admin, cat, 'lake', ['sales', 'hr']);
  expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema })).status).toBe(200);
  expect((await admin('POST', '/v1/lake/namespaces/hr/tables', { name: 'salaries', schema })).status).toBe(200);
  const users = ['alice', 'bob', 'carol', 'dave'].map((name) => ({ issuer: 'asserted', name }));
  const engine = await principalWithKey('trino', { users, 'assert-identity': true });
  engineKey = engine.key;
  strangerKey = (await principalWithKey('not-an-enforcer', { users, 'assert-identity': true })).key;
  expect(
    (await admin('PUT', `/management/v1/warehouses/lake/policy-enforcers/${engine.clientId}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' })).status,
  ).toBe(200);
  await addMember(admin, 'eu-analysts', { kind: 'user', name: 'alice', issuer: 'asserted' });
  await addMember(admin, 'readers', { kind: 'user', name: 'bob', issuer: 'asserted' });
  // Roles bound to groups Trino's group provider names (asserted groups): the EU analysts' role (its row filter and
  // mask below), and HR readers.
  await addMember(admin, 'eu-analysts', { kind: 'group', name: 'eu', issuer: 'asserted' });
  await addMember(admin, 'hr-readers', { kind: 'group', name: 'hr', issuer: 'asserted' });
  await grant(admin, 'hr-readers', ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['hr'], name: 'salaries' });
  const orders = { type: 'table' as const, warehouse: 'lake', namespace: ['sales'], name: 'orders' };
  await grant(admin, 'eu-analysts', ['table:read-data'], orders);
  await grant(admin, 'readers', ['table:read-data'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  expect((await admin('POST', POLICIES, { kind: 'row-filter', roles: ['eu-analysts'], filter: { type: 'eq', term: 'region', value: "eu'; --" } })).status).toBe(
    201,
  );
  expect((await admin('POST', POLICIES, { kind: 'column-mask', roles: ['eu-analysts'], masks: [{ column: 'email', action: 'show-first-4' }] })).status).toBe(
    201,
  );
});
afterAll(async () => {
  await cat?.close();
});

describe('allow and filtering', () => {
  it('allows from grants: select for the granted users only; catalogs by their declared name; a user the engine may not act for gets nothing', async () => {
    const select = { table: { ...table, columns: ['id', 'region'] } };
    expect(await allow('alice', 'SelectFromColumns', select)).toBe(true);
    expect(await allow('bob', 'SelectFromColumns', select)).toBe(true);
    expect(await allow('carol', 'SelectFromColumns', select)).toBe(false);
    expect(await allow('mallory', 'SelectFromColumns', select)).toBe(false);
    expect(await allow('alice', 'InsertIntoTable', { table })).toBe(false);
    expect(await allow('alice', 'ExecuteQuery')).toBe(true);
    expect(await allow('mallory', 'ExecuteQuery')).toBe(false);
    expect(await allow('alice', 'AccessCatalog', { catalog: { name: 'lake' } })).toBe(true);
    expect(await allow('alice', 'AccessCatalog', { catalog: { name: 'other' } })).toBe(false);
    expect(await allow('alice', 'SelectFromColumns', { table: { ...table, tableName: 'missing' } })).toBe(false);
    expect(await allow('alice', 'CreateCatalog', { catalog: { name: 'x' } })).toBe(false);
  });

  it('filters catalogs, schemas, tables and columns in one batch each', async () => {
    expect(
      await ask('batch', 'alice', { operation: 'FilterCatalogs', filterResources: [{ catalog: { name: 'system' } }, { catalog: { name: 'lake' } }] }),
    ).toEqual([1]);
    const schemas = ['hr', 'sales', 'information_schema'].map((schemaName) => ({ schema: { catalogName: 'lake', schemaName } }));
    // As the catalog lists namespaces: a grant on the namespace shows it, a grant on one table in it does not.
    expect(await ask('batch', 'bob', { operation: 'FilterSchemas', filterResources: schemas })).toEqual([1, 2]);
    expect(await ask('batch', 'alice', { operation: 'FilterSchemas', filterResources: schemas })).toEqual([2]);
    const tables = [{ table }, { table: { catalogName: 'lake', schemaName: 'hr', tableName: 'salaries' } }];
    expect(await ask('batch', 'bob', { operation: 'FilterTables', filterResources: tables })).toEqual([0]);
    expect(await ask('batch', 'bob', { operation: 'FilterColumns', filterResources: [{ table: { ...table, columns: ['id', 'region', 'email'] } }] })).toEqual([
      0, 1, 2,
    ]);
    expect(await ask('batch', 'carol', { operation: 'FilterColumns', filterResources: [{ table: { ...table, columns: ['id'] } }] })).toEqual([]);
    expect(await ask('batch', 'mallory', { operation: 'FilterCatalogs', filterResources: [{ catalog: { name: 'lake' } }] })).toEqual([]);
  });

  it('answers no to an engine that is no declared enforcer, and 401 without a valid key', async () => {
    expect(await allow('alice', 'SelectFromColumns', { table }, strangerKey)).toBe(false);
    expect(await ask('row-filters', 'alice', { operation: 'GetRowFilters', resource: { table } }, strangerKey)).toEqual([{ expression: 'FALSE' }]);
    expect((await anon('POST', '/management/v1/trino-opa/allow', input('alice', { operation: 'ExecuteQuery' }))).status).toBe(401);
    expect((await anon('POST', '/management/v1/trino-opa/allow?api-key=lgk_wrong', input('alice', { operation: 'ExecuteQuery' }))).status).toBe(401);
    const bad = await anon('POST', `/management/v1/trino-opa/allow?api-key=${engineKey}`, { input: { action: { operation: 'ExecuteQuery' } } });
    expect(bad.status).toBe(400);
    // The key in the URI is never logged: every logged URL goes through scrubUrl.
    expect(scrubUrl(`/management/v1/trino-opa/allow?api-key=${engineKey}`)).toBe('/management/v1/trino-opa/allow?api-key=***');
  });
});

describe('row filters and column masks', () => {
  it('gives the restricted user its filter and masks as Trino SQL (literals quoted), the unrestricted one none, an unknown user everything filtered out', async () => {
    expect(await ask('row-filters', 'alice', { operation: 'GetRowFilters', resource: { table } })).toEqual([{ expression: `("region" = 'eu''; --')` }]);
    expect(await ask('row-filters', 'bob', { operation: 'GetRowFilters', resource: { table } })).toEqual([]);
    expect(await ask('row-filters', 'mallory', { operation: 'GetRowFilters', resource: { table } })).toEqual([{ expression: 'FALSE' }]);
    const columns = [column('id', 'bigint'), column('region'), column('email')];
    expect(await ask('batch-column-masks', 'alice', { operation: 'GetColumnMask', filterResources: columns })).toEqual([
      { index: 2, viewExpression: { expression: `CAST(substr("email", 1, 4) || rpad('', greatest(length("email") - 4, 0), 'x') AS varchar)` } },
    ]);
    expect(await ask('batch-column-masks', 'bob', { operation: 'GetColumnMask', filterResources: columns })).toEqual([]);
    expect(await ask('column-mask', 'alice', { operation: 'GetColumnMask', resource: column('email') })).toMatchObject({
      expression: expect.stringContaining('substr("email"'),
    });
    expect(await ask('column-mask', 'alice', { operation: 'GetColumnMask', resource: column('id', 'bigint') })).toBeNull();
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?limit=500')).body);
    expect(audit).toContain('policy.engine-decision');
  });

  it('follows a policy change at once (this server drops its caches on the change)', async () => {
    const list = (await admin('GET', POLICIES)).body.policies as Array<{ id: string; kind: string }>;
    const filter = list.find((p) => p.kind === 'row-filter')!;
    expect(
      (await admin('PUT', `${POLICIES}/${filter.id}`, { roles: ['eu-analysts'], filter: { type: 'in', term: 'region', values: ['eu', 'uk'] } })).status,
    ).toBe(200);
    expect(await ask('row-filters', 'alice', { operation: 'GetRowFilters', resource: { table } })).toEqual([{ expression: `("region" IN ('eu', 'uk'))` }]);
    expect((await admin('DELETE', `${POLICIES}/${filter.id}`)).status).toBe(204);
    expect(await ask('row-filters', 'alice', { operation: 'GetRowFilters', resource: { table } })).toEqual([]);
  });
});

describe("Trino's groups", () => {
  const select = { table: { ...table, columns: ['id', 'region'] } };
  const salaries = { table: { catalogName: 'lake', schemaName: 'hr', tableName: 'salaries', columns: ['id'] } };
  const as = (user: string, groups: string[], path: string, action: Record<string, unknown>, key = engineKey) => ask(path, user, action, key, groups);

  it("grants through a role bound to a group Trino's group provider names, with that role's row filter and masks", async () => {
    // dave holds nothing as himself: only his groups give him anything.
    expect(await as('dave', [], 'allow', { operation: 'SelectFromColumns', resource: select })).toBe(false);
    expect(await as('dave', ['eu'], 'allow', { operation: 'SelectFromColumns', resource: select })).toBe(true);
    expect(await as('dave', ['eu'], 'allow', { operation: 'SelectFromColumns', resource: salaries })).toBe(false);
    expect(await as('dave', ['hr', 'eu', 'hr'], 'allow', { operation: 'SelectFromColumns', resource: salaries })).toBe(true);
    // Group names are matched exactly, as role members are.
    expect(await as('dave', ['HR', 'EU'], 'allow', { operation: 'SelectFromColumns', resource: salaries })).toBe(false);
    const tables = [{ table }, { table: { catalogName: 'lake', schemaName: 'hr', tableName: 'salaries' } }];
    expect(await as('dave', ['hr'], 'batch', { operation: 'FilterTables', filterResources: tables })).toEqual([1]);
    expect(await as('dave', ['eu', 'hr'], 'batch', { operation: 'FilterTables', filterResources: tables })).toEqual([0, 1]);
    // The EU group's role carries a row filter and the mask: dave gets them through the group.
    expect((await admin('POST', POLICIES, { kind: 'row-filter', roles: ['eu-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } })).status).toBe(
      201,
    );
    expect(await as('dave', ['eu'], 'row-filters', { operation: 'GetRowFilters', resource: { table } })).toEqual([{ expression: `("region" = 'eu')` }]);
    expect(await as('dave', ['hr'], 'row-filters', { operation: 'GetRowFilters', resource: { table } })).toEqual([]);
    const masks = await as('dave', ['eu'], 'batch-column-masks', { operation: 'GetColumnMask', filterResources: [column('id', 'bigint'), column('email')] });
    expect(masks).toEqual([{ index: 1, viewExpression: { expression: expect.stringContaining('substr("email", 1, 4)') } }]);
    // The engine-decision audit names the groups the engine asserted.
    const audit = (await admin('GET', '/management/v1/audit?action=table:read-data&limit=500')).body.events as Array<{
      type: string;
      actor: string;
      detail?: { groups?: string[] };
    }>;
    const mine = audit.filter((e) => e.type === 'policy.engine-decision' && e.actor.startsWith('user:dave'));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]!.actor).toContain('groups asserted: eu');
    expect(mine[0]!.detail?.groups).toEqual(['eu']);
    // A user in hundreds of groups: the records name 20 of them and count the rest.
    const many = ['eu', ...Array.from({ length: 300 }, (_, i) => `team-${String(i).padStart(3, '0')}-${'x'.repeat(200)}`)];
    expect(await as('dave', many, 'row-filters', { operation: 'GetRowFilters', resource: { table } })).toEqual([{ expression: `("region" = 'eu')` }]);
    const after = (await admin('GET', '/management/v1/audit?action=table:read-data&limit=500')).body.events as typeof audit;
    const big = after.find((e) => e.type === 'policy.engine-decision' && e.actor.includes('and 281 more'));
    expect(big, 'an engine-decision record naming 20 of 301 groups').toBeDefined();
    expect(big!.actor.length).toBeLessThan(5000);
    expect(big!.detail).toMatchObject({ 'groups-total': 301 });
    expect(big!.detail!.groups).toHaveLength(20);
  });

  it('ignores the groups an engine asserts when it is no declared enforcer, and for a user it may not act for', async () => {
    expect(await as('dave', ['eu', 'hr'], 'allow', { operation: 'SelectFromColumns', resource: select }, strangerKey)).toBe(false);
    expect(await as('dave', ['eu'], 'row-filters', { operation: 'GetRowFilters', resource: { table } }, strangerKey)).toEqual([{ expression: 'FALSE' }]);
    // mallory is not in the engine's delegation policy: no group makes her known.
    expect(await as('mallory', ['eu', 'hr'], 'allow', { operation: 'SelectFromColumns', resource: salaries })).toBe(false);
    expect(await as('mallory', ['eu', 'hr'], 'allow', { operation: 'ExecuteQuery' })).toBe(false);
    expect(await as('mallory', ['eu'], 'row-filters', { operation: 'GetRowFilters', resource: { table } })).toEqual([{ expression: 'FALSE' }]);
    expect(await as('mallory', ['hr'], 'batch', { operation: 'FilterCatalogs', filterResources: [{ catalog: { name: 'lake' } }] })).toEqual([]);
  });

  it("follows a group's removal from a role with the next decision", async () => {
    expect(await as('dave', ['hr'], 'allow', { operation: 'SelectFromColumns', resource: salaries })).toBe(true);
    const removed = await admin('POST', '/management/v1/roles/hr-readers/members/remove', { kind: 'group', issuer: 'asserted', name: 'hr' });
    expect(removed.status).toBe(204);
    expect(await as('dave', ['hr'], 'allow', { operation: 'SelectFromColumns', resource: salaries })).toBe(false);
  });
});
