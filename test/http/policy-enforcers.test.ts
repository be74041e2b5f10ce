/**
 * Trusted policy enforcers (issue 54) in-process: a tenant administrator declares an engine principal an enforcer
 * of a warehouse's policies (audited; non-admins refused; strict bodies). A delegated user session through a
 * declared engine (Trino's USER mode: an assert-identity engine) gets vended credentials to a table a policy
 * restricts for that user, each load audited with the user and the engine; the same user through an undeclared
 * engine, and the declared engine acting as itself, keep the catalog-enforced path (no credentials, server planning).
 */
import { LoadTableResult } from '@lakegate/protocol';
import { RequestValidation } from '@lakegate/protocol/validation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import { createEngine, userViaEngine, type Engine } from '../support/engines.js';
import { type FakeS3 } from '../support/fake-s3.js';
import { peopleSchema, type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startS3Catalog } from '../support/lake-warehouse.js';
import { CONTACTS_SCHEMA } from '../support/policy-contacts.js';

let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let trino: Engine;
let rogue: Engine;

const TABLE = '/v1/lake/namespaces/sales/tables/orders';
const ENFORCERS = '/management/v1/warehouses/lake/policy-enforcers';
const vended = { 'x-iceberg-access-delegation': 'vended-credentials' };
const schema = peopleSchema(['id', 'region']);

const createPrincipal = (name: string, delegation?: unknown) => createEngine(admin, name, delegation);
const userVia = (engine: Engine, user: string) => userViaEngine(cat.lakegate.app, engine, user);
const audit = async () =>
  (await admin('GET', '/management/v1/audit?limit=500')).body.events as Array<{ type: string; actor: string; detail: Record<string, unknown> }>;

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales']));
  expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema })).status).toBe(200);
  const users = [{ issuer: 'asserted', name: 'alice' }];
  trino = await createPrincipal('trino-engine', { users, 'assert-identity': true });
  rogue = await createPrincipal('other-engine', { users, 'assert-identity': true });
  await addMember(admin, 'eu-analysts', { kind: 'user', name: 'alice', issuer: 'asserted' });
  await grant(admin, 'eu-analysts', ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'orders' });
  const policy = await admin('POST', '/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies', {
    kind: 'row-filter',
    roles: ['eu-analysts'],
    filter: { type: 'eq', term: 'region', value: 'eu' },
  });
  expect(policy.status, stringifyJson(policy.body)).toBe(201);
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('declaring enforcers', () => {
  it('sets, lists and withdraws, as a tenant administrator; audited; strict bodies; others refused', async () => {
    const set = await admin('PUT', `${ENFORCERS}/${trino.clientId}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake_user' });
    expect(set.status, stringifyJson(set.body)).toBe(200);
    expect(set.body).toMatchObject({ warehouse: 'lake', 'client-id': trino.clientId, mechanism: 'trino-opa', 'trino-catalog': 'lake_user' });
    expect((await admin('GET', ENFORCERS)).body.enforcers.map((e: { 'client-id': string }) => e['client-id'])).toEqual([trino.clientId]);
    for (const bad of [
      { mechanism: 'anything' },
      { mechanism: 'trino-opa', 'trino-catalog': 'Bad Name' },
      { mechanism: 'read-restrictions', 'trino-catalog': 'lake' },
      { mechanism: 'trino-opa', extra: 1 },
      {},
    ]) {
      const r = await admin('PUT', `${ENFORCERS}/${rogue.clientId}`, bad);
      expect(r.status, stringifyJson(bad)).toBe(400);
    }
    const alice = await userVia(trino, 'alice');
    expect((await alice('GET', ENFORCERS)).status).toBe(403);
    expect((await alice('PUT', `${ENFORCERS}/${rogue.clientId}`, { mechanism: 'trino-opa' })).status).toBe(403);
    expect((await admin('GET', '/management/v1/warehouses/nowhere/policy-enforcers')).status).toBe(404);
    expect((await admin('DELETE', `${ENFORCERS}/${rogue.clientId}`)).status).toBe(404);
    const types = (await audit()).map((e) => e.type);
    expect(types).toContain('policy.enforcer-set');
  });
});

describe('storage access to a restricted table', () => {
  it('is vended to a user session through a declared enforcer, audited with user and engine; never through another engine', async () => {
    expect((await admin('PUT', `${ENFORCERS}/${trino.clientId}`, { mechanism: 'trino-opa' })).status).toBe(200);
    const through = await (await userVia(trino, 'alice'))('GET', TABLE, undefined, vended);
    expect(through.status, stringifyJson(through.body)).toBe(200);
    expect(through.body.config['s3.access-key-id']).toBeDefined();
    expect(through.body.config['scan-planning-mode']).not.toBe('server');
    const passes = (await audit()).filter((e) => e.type === 'policy.engine-enforced');
    expect(passes.at(-1)?.detail).toMatchObject({ engine: trino.clientId, mechanism: 'trino-opa', user: expect.stringContaining('alice') });

    // The same user through an engine that is not declared: the catalog-enforced path.
    const other = await (await userVia(rogue, 'alice'))('GET', TABLE, undefined, vended);
    expect(other.status).toBe(200);
    expect(other.body.config?.['s3.access-key-id']).toBeUndefined();
    expect(other.body.config['scan-planning-mode']).toBe('server');
    expect((await (await userVia(rogue, 'alice'))('GET', `${TABLE}/credentials`)).status).toBe(403);

    // Withdrawn: the declared engine's sessions are back on the catalog-enforced path.
    expect((await admin('DELETE', `${ENFORCERS}/${trino.clientId}`)).status).toBe(204);
    const after = await (await userVia(trino, 'alice'))('GET', TABLE, undefined, vended);
    expect(after.body.config?.['s3.access-key-id']).toBeUndefined();
    expect(after.body.config['scan-planning-mode']).toBe('server');
  });
});

describe('read-restrictions on loadTable (apache/iceberg#13879)', () => {
  it('are sent only to a user session through a declared read-restrictions enforcer, and match the stored policies', async () => {
    const mask = await admin('POST', '/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies', {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [{ column: 'region', action: 'mask-to-fixed-value', value: 'xx' }],
    });
    expect(mask.status, stringifyJson(mask.body)).toBe(201);
    const spark = await createPrincipal('spark-engine', { users: [{ issuer: 'asserted', name: 'alice' }], 'assert-identity': true });
    expect((await admin('PUT', `${ENFORCERS}/${spark.clientId}`, { mechanism: 'read-restrictions' })).status).toBe(200);
    expect((await admin('PUT', `${ENFORCERS}/${trino.clientId}`, { mechanism: 'trino-opa' })).status).toBe(200);

    const loaded = await (await userVia(spark, 'alice'))('GET', TABLE, undefined, vended);
    expect(loaded.status, stringifyJson(loaded.body)).toBe(200);
    const restrictions = loaded.body['read-restrictions'];
    // The whole answer is the contract's LoadTableResult, read-restrictions included (the protocol's own validator).
    const check = new RequestValidation().compile(LoadTableResult, 'body');
    expect(check(structuredClone(loaded.body)), JSON.stringify(check.errors)).toBe(true);
    expect(restrictions).toEqual({
      'required-row-filter': { type: 'eq', term: 'region', value: 'eu' },
      'required-column-projections': [{ 'field-id': 2, action: 'mask-to-fixed-value', value: 'xx' }],
    });
    expect(loaded.body.config['s3.access-key-id']).toBeDefined();
    // Conditional loads are answered in full: the ETag does not follow policies.
    const again = await (await userVia(spark, 'alice'))('GET', TABLE, undefined, { ...vended, 'if-none-match': loaded.headers?.etag ?? '*' });
    expect(again.status).toBe(200);

    // Not to a trino-opa enforcer (it is told through the OPA endpoints), nor through an undeclared engine, nor to the admin.
    expect((await (await userVia(trino, 'alice'))('GET', TABLE, undefined, vended)).body['read-restrictions']).toBeUndefined();
    expect((await (await userVia(rogue, 'alice'))('GET', TABLE, undefined, vended)).body['read-restrictions']).toBeUndefined();
    expect((await admin('GET', TABLE, undefined, vended)).body['read-restrictions']).toBeUndefined();
  });

  it("name a list's element, a map's value and a whole nested column by field id, as the contract allows", async () => {
    const CONTACTS = '/v1/lake/namespaces/sales/tables/contacts';
    expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'contacts', schema: CONTACTS_SCHEMA })).status).toBe(200);
    await grant(admin, 'eu-analysts', ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'contacts' });
    const mask = await admin('POST', '/management/v1/warehouses/lake/namespaces/sales/tables/contacts/policies', {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [
        { column: 'emails.element', action: 'show-first-4' },
        { column: 'attrs.value', action: 'sha-256-global' },
        { column: 'address', action: 'replace-with-null' },
      ],
    });
    expect(mask.status, stringifyJson(mask.body)).toBe(201);
    const spark = await createPrincipal('spark-nested', { users: [{ issuer: 'asserted', name: 'alice' }], 'assert-identity': true });
    expect((await admin('PUT', `${ENFORCERS}/${spark.clientId}`, { mechanism: 'read-restrictions' })).status).toBe(200);
    const loaded = await (await userVia(spark, 'alice'))('GET', CONTACTS, undefined, vended);
    expect(loaded.status, stringifyJson(loaded.body)).toBe(200);
    const check = new RequestValidation().compile(LoadTableResult, 'body');
    expect(check(structuredClone(loaded.body)), JSON.stringify(check.errors)).toBe(true);
    expect(loaded.body['read-restrictions']['required-column-projections']).toEqual([
      { 'field-id': 4, action: 'replace-with-null' },
      { 'field-id': 7, action: 'show-first-4' },
      { 'field-id': 9, action: 'sha-256-global' },
    ]);
  });
});
