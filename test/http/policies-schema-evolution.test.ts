/**
 * Row-filter and column-mask policies follow the table's schema by field id (issue 53, catalog/policies/follow.ts),
 * in-process: after an Iceberg `rename-column` commit, the management API's GET, the caller's effective policy,
 * loadTable's read-restrictions and Trino's OPA row filters and masks all say the current names; a column added later
 * under a filtered column's old name takes nothing over. A commit that drops a column a policy names is refused
 * naming the policy. A policy stored before its filter kept each term's field id follows through the table's older
 * schemas; one whose column is gone fails closed (403 naming it, Trino shown no row), never applied to another column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import { askOpa, createEngine, engineWithKey, userViaEngine, type Engine } from '../support/engines.js';
import { type FakeS3 } from '../support/fake-s3.js';
import { peopleSchema, type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let spark: Engine;
let trinoKey = '';

const tablePath = (name: string) => `/v1/lake/namespaces/sales/tables/${name}`;
const policiesPath = (name: string) => `/management/v1/warehouses/lake/namespaces/sales/tables/${name}/policies`;
const vended = { 'x-iceberg-access-delegation': 'vended-credentials' };
type Field = { id: number; name: string; type: string; required: boolean };

/** The table's current fields. */
async function fieldsOf(name: string): Promise<Field[]> {
  const md = (await admin('GET', tablePath(name))).body.metadata;
  return md.schemas.find((s: { 'schema-id': number }) => s['schema-id'] === md['current-schema-id']).fields;
}

/** Commits a new current schema of `fields` (add-schema, set-current-schema), as a schema update does; the response. */
async function evolve(name: string, fields: Field[]) {
  const md = (await admin('GET', tablePath(name))).body.metadata;
  return admin('POST', tablePath(name), {
    requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] }],
    updates: [
      { action: 'add-schema', schema: { type: 'struct', fields }, 'last-column-id': Math.max(md['last-column-id'], ...fields.map((f) => f.id)) },
      { action: 'set-current-schema', 'schema-id': -1 },
    ],
  });
}

/** Renames region to region_old (and email to mail), then adds a new column named region (field id 5). */
async function renameAndReuse(name: string): Promise<void> {
  const renamed = (await fieldsOf(name)).map((f) => (f.name === 'region' ? { ...f, name: 'region_old' } : f.name === 'email' ? { ...f, name: 'mail' } : f));
  const first = await evolve(name, renamed);
  expect(first.status, stringifyJson(first.body)).toBe(200);
  const added = await evolve(name, [...renamed, { id: 5, name: 'region', type: 'string', required: false }]);
  expect(added.status, stringifyJson(added.body)).toBe(200);
}

const loadAsAlice = async (name: string) => (await userViaEngine(cat.lakegate.app, spark, 'alice'))('GET', tablePath(name), undefined, vended);
const trinoTable = (name: string) => ({ table: { catalogName: 'lake', schemaName: 'sales', tableName: name } });
const trinoColumn = (name: string, columnName: string) => ({
  column: { catalogName: 'lake', schemaName: 'sales', tableName: name, columnName, columnType: 'varchar' },
});

async function createTable(name: string): Promise<void> {
  const created = await admin('POST', '/v1/lake/namespaces/sales/tables', { name, schema: peopleSchema(['id', 'region', 'email', 'born']) });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  await grant(admin, 'eu-analysts', ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name });
}

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales']));
  const users = [{ issuer: 'asserted', name: 'alice' }];
  await addMember(admin, 'eu-analysts', { kind: 'user', name: 'alice', issuer: 'asserted' });
  spark = await createEngine(admin, 'spark-engine', { users, 'assert-identity': true });
  expect((await admin('PUT', `/management/v1/warehouses/lake/policy-enforcers/${spark.clientId}`, { mechanism: 'read-restrictions' })).status).toBe(200);
  const trino = await engineWithKey(admin, 'trino-engine', { users, 'assert-identity': true });
  trinoKey = trino.key;
  const declared = await admin('PUT', `/management/v1/warehouses/lake/policy-enforcers/${trino.clientId}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' });
  expect(declared.status).toBe(200);
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('a policy follows a renamed column by field id', () => {
  it('GET, the effective policy, read-restrictions and Trino say the current names; a new column under the old name takes nothing over', async () => {
    await createTable('orders');
    const filter = await admin('POST', policiesPath('orders'), {
      kind: 'row-filter',
      roles: ['eu-analysts'],
      filter: { type: 'eq', term: 'region', value: 'eu' },
    });
    expect(filter.status, stringifyJson(filter.body)).toBe(201);
    const mask = await admin('POST', policiesPath('orders'), {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [{ column: 'email', action: 'show-first-4' }],
    });
    expect(mask.status, stringifyJson(mask.body)).toBe(201);

    await renameAndReuse('orders');

    const got = await admin('GET', `${policiesPath('orders')}/${filter.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ filter: { type: 'eq', term: 'region_old', value: 'eu' }, 'field-ids': [2], version: 1 });
    expect((await admin('GET', `${policiesPath('orders')}/${mask.body.id}`)).body.masks).toEqual([{ 'field-id': 3, column: 'mail', action: 'show-first-4' }]);
    const listed = (await admin('GET', policiesPath('orders'))).body.policies as Array<{ filter?: unknown }>;
    expect(listed.map((p) => p.filter).filter(Boolean)).toEqual([{ type: 'eq', term: 'region_old', value: 'eu' }]);

    const loaded = await loadAsAlice('orders');
    expect(loaded.status, stringifyJson(loaded.body)).toBe(200);
    expect(loaded.body['read-restrictions']).toEqual({
      'required-row-filter': { type: 'eq', term: 'region_old', value: 'eu' },
      'required-column-projections': [{ 'field-id': 3, action: 'show-first-4' }],
    });

    const effective = await (
      await userViaEngine(cat.lakegate.app, spark, 'alice')
    )('GET', `/management/v1/warehouses/lake/namespaces/sales/tables/orders/effective-policy`);
    expect(effective.status, stringifyJson(effective.body)).toBe(200);
    expect(effective.body['row-filter']).toEqual({ type: 'eq', term: 'region_old', value: 'eu' });
    expect(effective.body.masks).toEqual([{ 'field-id': 3, column: 'mail', action: 'show-first-4' }]);

    const anon = injectSender(cat.lakegate.app);
    const rows = await askOpa(anon, trinoKey, 'row-filters', 'alice', { operation: 'GetRowFilters', resource: trinoTable('orders') });
    expect(rows).toHaveLength(1);
    expect(rows[0].expression).toContain('"region_old"');
    expect(rows[0].expression).not.toMatch(/"region"/);
    const masks = await askOpa(anon, trinoKey, 'batch-column-masks', 'alice', {
      operation: 'GetColumnMask',
      filterResources: [trinoColumn('orders', 'mail'), trinoColumn('orders', 'region')],
    });
    expect(masks).toEqual([{ index: 0, viewExpression: { expression: expect.stringContaining('"mail"') } }]);
  });
});

describe('a commit that drops a column a policy names', () => {
  it('is refused naming the policy (400); dropping another column, or renaming one, is not', async () => {
    await createTable('events');
    const filter = await admin('POST', policiesPath('events'), {
      kind: 'row-filter',
      roles: ['eu-analysts'],
      filter: { type: 'eq', term: 'region', value: 'eu' },
    });
    expect(filter.status).toBe(201);
    const mask = await admin('POST', policiesPath('events'), {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [{ column: 'email', action: 'mask-alphanum' }],
    });
    expect(mask.status).toBe(201);
    const fields = await fieldsOf('events');

    const dropFiltered = await evolve(
      'events',
      fields.filter((f) => f.name !== 'region'),
    );
    expect(dropFiltered.status).toBe(400);
    expect(dropFiltered.body.error.message).toContain(`policy ${filter.body.id}`);
    const dropMasked = await evolve(
      'events',
      fields.filter((f) => f.name !== 'email'),
    );
    expect(dropMasked.status).toBe(400);
    expect(dropMasked.body.error.message).toContain(`policy ${mask.body.id}`);
    expect((await fieldsOf('events')).map((f) => f.name)).toEqual(['id', 'region', 'email', 'born']);

    const dropOther = await evolve(
      'events',
      fields.filter((f) => f.name !== 'born'),
    );
    expect(dropOther.status, stringifyJson(dropOther.body)).toBe(200);
    const rename = await evolve(
      'events',
      (await fieldsOf('events')).map((f) => (f.name === 'region' ? { ...f, name: 'area' } : f)),
    );
    expect(rename.status, stringifyJson(rename.body)).toBe(200);
  });
});

describe('a policy stored before its filter kept field ids per term', () => {
  /** Rewrites the stored policy as a row of an older server had it: the filter as written and its sorted field ids only. */
  async function asStoredBefore(id: string, changes: Record<string, unknown> = {}): Promise<void> {
    const store = cat.lakegate.store.policies;
    const policy = (await store.get('default', id))!;
    expect(policy).toBeDefined();
    const { filterTerms: _dropped, ...older } = policy;
    expect(await store.update({ ...older, ...changes } as typeof policy, policy.version)).toBe(true);
  }

  it('follows a rename through the older schemas the table keeps', async () => {
    await createTable('legacy');
    const filter = await admin('POST', policiesPath('legacy'), {
      kind: 'row-filter',
      roles: ['eu-analysts'],
      filter: { type: 'eq', term: 'region', value: 'eu' },
    });
    expect(filter.status).toBe(201);
    await asStoredBefore(filter.body.id);
    await renameAndReuse('legacy');
    const got = (await admin('GET', `${policiesPath('legacy')}/${filter.body.id}`)).body;
    expect(got.filter).toEqual({ type: 'eq', term: 'region_old', value: 'eu' });
    expect(got.status).toBe('enforced');
    const loaded = await loadAsAlice('legacy');
    expect(loaded.status, stringifyJson(loaded.body)).toBe(200);
    expect(loaded.body['read-restrictions']['required-row-filter']).toEqual({ type: 'eq', term: 'region_old', value: 'eu' });
  });

  it('fails closed once its column is gone (403 naming it; Trino shown no row), never binding another column of the old name', async () => {
    await createTable('gone');
    const filter = await admin('POST', policiesPath('gone'), {
      kind: 'row-filter',
      roles: ['eu-analysts'],
      filter: { type: 'eq', term: 'region', value: 'eu' },
    });
    expect(filter.status).toBe(201);
    // As stored for a column (field id 9) that a commit made before this check dropped; `region` now names field 2.
    await asStoredBefore(filter.body.id, { fieldIds: [9] });

    const loaded = await loadAsAlice('gone');
    expect(loaded.status).toBe(403);
    expect(loaded.body.error.message).toContain(`policy ${filter.body.id}`);
    const planned = await (await userViaEngine(cat.lakegate.app, spark, 'alice'))('POST', `${tablePath('gone')}/plan`, {});
    expect(planned.status).toBe(403);
    expect(planned.body.error.message).toContain(`policy ${filter.body.id}`);
    const rows = await askOpa(injectSender(cat.lakegate.app), trinoKey, 'row-filters', 'alice', { operation: 'GetRowFilters', resource: trinoTable('gone') });
    expect(rows).toEqual([{ expression: 'FALSE' }]);
    // The stored policy is still there, as stored, and GET and list say it cannot be applied, with the 403's reason.
    const why = "its row filter's columns are not in the table's schemas as they were when it was written";
    const got = await admin('GET', `${policiesPath('gone')}/${filter.body.id}`);
    expect(got.body).toMatchObject({ filter: { term: 'region' }, 'field-ids': [9], status: 'unusable', reason: why });
    expect(loaded.body.error.message).toContain(why);
  });

  it('GET and list say which policies are enforced and which cannot be applied (a mask whose column is gone), with the reason', async () => {
    await createTable('statuses');
    const path = policiesPath('statuses');
    const fine = await admin('POST', path, { kind: 'row-filter', roles: ['eu-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } });
    const mask = await admin('POST', path, { kind: 'column-mask', roles: ['eu-analysts'], masks: [{ column: 'email', action: 'mask-alphanum' }] });
    expect([fine.status, mask.status]).toEqual([201, 201]);
    expect((await admin('GET', `${path}/${mask.body.id}`)).body).toMatchObject({ status: 'enforced' });
    expect((await admin('GET', `${path}/${mask.body.id}`)).body.reason).toBeUndefined();
    // As stored for a column (field id 9) that a commit made before the commit check dropped.
    const store = cat.lakegate.store.policies;
    const stored = (await store.get('default', mask.body.id))!;
    expect(await store.update({ ...stored, masks: stored.masks!.map((m) => ({ ...m, fieldId: 9 })) }, stored.version)).toBe(true);
    const why = "its masked column 'email' (field id 9) is no longer in the schema";

    const got = await admin('GET', `${path}/${mask.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ status: 'unusable', reason: why });
    const listed = await admin('GET', path);
    expect(listed.status).toBe(200);
    const byId = new Map(listed.body.policies.map((p: { id: string }) => [p.id, p]));
    expect(byId.get(fine.body.id)).toMatchObject({ status: 'enforced' });
    expect(byId.get(mask.body.id)).toMatchObject({ status: 'unusable', reason: why });
    // The words the refused read gives.
    const loaded = await loadAsAlice('statuses');
    expect(loaded.status).toBe(403);
    expect(loaded.body.error.message).toContain(why);
  });
});
