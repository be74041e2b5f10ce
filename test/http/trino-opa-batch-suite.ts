/**
 * Trino's batched OPA filtering at scale (issue 54): a FilterTables or FilterSchemas batch is answered with one read
 * of each namespace's objects and one batched authorization per warehouse, never one lookup per resource; and its
 * answers are exactly those of the single-resource endpoint (opa.policy.uri, which decides one resource at a time)
 * for large random batches mixing tables, views, a Lance table, missing objects and schemas, information_schema,
 * unmapped catalogs, malformed entries, users the engine may not act for, grants on tables, on a namespace and
 * through an asserted group. Run on SQLite with the built-in authorizer (trino-opa-batch.test.ts) and with OpenFGA
 * (test/interop/trino-opa-batch-openfga.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import { askOpa, engineWithKey } from '../support/engines.js';
import { peopleSchema, type Send, sqlView } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { signInAdmin } from '../support/principals.js';

const SCHEMAS = ['sales', 'hr', 'empty', 'missing', 'information_schema'];
const TABLES = ['t0', 't1', 't2', 't3', 't4', 't5', 'v0', 'v1', 'lance0', 'nope'];
const USERS: Array<[string, string[]]> = [
  ['alice', []],
  ['bob', ['hr']],
  ['carol', []],
  ['mallory', ['hr']],
];
const OPERATIONS = ['FilterTables', 'FilterSchemas', 'SelectFromColumns', 'ShowCreateTable', 'DropView', 'CreateTable', 'InsertIntoTable'];

/** A small deterministic generator (the batches are random but the same on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every distinct resource a batch draws from: tables and schemas of mapped and unmapped catalogs, and odd entries. */
function universe(): object[] {
  const out: object[] = [{}, { catalog: { name: 'lake' } }];
  for (const catalogName of ['lake', 'LAKE', 'other'])
    for (const schemaName of SCHEMAS) {
      out.push({ schema: { catalogName, schemaName } });
      for (const tableName of TABLES) out.push({ table: { catalogName, schemaName, tableName } });
    }
  return out;
}

/** The suite, on a catalog started with `env` (e.g. OpenFGA's settings). */
export function trinoOpaBatchSuite(name: string, env: () => Promise<Record<string, string>>): void {
  describe(`batched filtering (${name})`, () => {
    let cat: TestCatalog;
    let admin: Send;
    let anon: Send;
    let key: string;
    const single = async (user: string, groups: string[], operation: string, resource: object): Promise<boolean> =>
      askOpa(anon, key, 'allow', user, { operation, resource }, groups);

    beforeAll(async () => {
      cat = await startInProcess(await env(), { auth: true });
      admin = await signInAdmin(cat);
      anon = injectSender(cat.lakegate.app);
      await createFileLake(admin, cat, 'lake', ['sales', 'hr', 'empty']);
      const schema = peopleSchema(['id']);
      for (const ns of ['sales', 'hr']) {
        for (let i = 0; i < 6; i++) expect((await admin('POST', `/v1/lake/namespaces/${ns}/tables`, { name: `t${i}`, schema })).status).toBe(200);
        for (let i = 0; i < 2; i++) {
          const created = await admin('POST', `/v1/lake/namespaces/${ns}/views`, sqlView(`v${i}`, [ns], `SELECT 1 AS id`));
          expect(created.status, stringifyJson(created.body).slice(0, 300)).toBe(200);
        }
      }
      // A Lance table of that name: no Trino table, denied whatever is granted on its namespace.
      const now = Date.now();
      await cat.lakegate.store.repository.insertObject({
        id: 'lance-sales-0',
        warehouse: 'lake',
        namespace: ['sales'],
        name: 'lance0',
        kind: 'lance-table',
        uuid: 'lance-uuid-0',
        location: `file://${cat.dataDir}/lance0`,
        metadataLocation: `file://${cat.dataDir}/lance0/_versions/1.manifest`,
        metadataJson: '{}',
        createdAtMs: now,
        updatedAtMs: now,
        locationOwned: false,
      });
      const users = USERS.filter(([u]) => u !== 'mallory').map(([name]) => ({ issuer: 'asserted', name }));
      const engine = await engineWithKey(admin, 'trino', { users, 'assert-identity': true });
      key = engine.key;
      expect(
        (await admin('PUT', `/management/v1/warehouses/lake/policy-enforcers/${engine.clientId}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' })).status,
      ).toBe(200);
      await addMember(admin, 'table-readers', { kind: 'user', name: 'alice', issuer: 'asserted' });
      await addMember(admin, 'hr-all', { kind: 'group', name: 'hr', issuer: 'asserted' });
      const table = (ns: string, name: string) => ({ type: 'table' as const, warehouse: 'lake', namespace: [ns], name });
      await grant(admin, 'table-readers', ['table:read-data'], table('sales', 't1'));
      await grant(admin, 'table-readers', ['table:read-metadata'], table('hr', 't2'));
      await grant(admin, 'table-readers', ['table:write-data'], table('sales', 't3'));
      await grant(admin, 'table-readers', ['view:read'], { type: 'view', warehouse: 'lake', namespace: ['sales'], name: 'v0' });
      await grant(admin, 'hr-all', ['table:read-data', 'view:read', 'view:drop', 'table:create'], { type: 'namespace', warehouse: 'lake', namespace: ['hr'] });
    });
    afterAll(async () => {
      await cat?.close();
    });

    it('answers large random batches exactly as the one-resource-at-a-time endpoint does', async () => {
      const all = universe();
      const next = random(54);
      for (const [user, groups] of USERS)
        for (const operation of OPERATIONS) {
          const answers = await Promise.all(all.map((r) => single(user, groups, operation, r)));
          const batch = Array.from({ length: 3_000 }, () => Math.floor(next() * all.length));
          const expected = batch.flatMap((u, i) => (answers[u] ? [i] : []));
          const got = await askOpa(anon, key, 'batch', user, { operation, filterResources: batch.map((u) => all[u]) }, groups);
          expect(got, `${user} ${operation}`).toEqual(expected);
        }
      // The grants make a difference (the batches are not all empty): alice sees sales.t1 and sales.v0; bob all of hr's.
      const tables = (schemaName: string) => TABLES.map((tableName) => ({ table: { catalogName: 'lake', schemaName, tableName } }));
      expect(await askOpa(anon, key, 'batch', 'alice', { operation: 'FilterTables', filterResources: [...tables('sales'), ...tables('hr')] })).toEqual([
        1, 3, 6, 12,
      ]);
      expect(await askOpa(anon, key, 'batch', 'bob', { operation: 'FilterTables', filterResources: tables('hr') }, ['hr'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it("reads each namespace's objects once and authorizes the batch in one call, not per resource", async () => {
      const repository = cat.lakegate.store.repository;
      const getObject = vi.spyOn(repository, 'getObject');
      const getObjectIds = vi.spyOn(repository, 'getObjectIds');
      const allows = vi.spyOn(cat.lakegate.services.access, 'allows');
      try {
        const resources = Array.from({ length: 2_000 }, (_, i) => ({
          table: { catalogName: 'lake', schemaName: i % 2 === 0 ? 'sales' : 'hr', tableName: `x${i}-${TABLES[i % TABLES.length]}` },
        }));
        resources.push(...TABLES.map((tableName) => ({ table: { catalogName: 'lake', schemaName: 'hr', tableName } })));
        expect(await askOpa(anon, key, 'batch', 'bob', { operation: 'FilterTables', filterResources: resources }, ['hr'])).toEqual(
          Array.from({ length: 8 }, (_, i) => 2_000 + i),
        );
        expect(getObject).not.toHaveBeenCalled();
        expect(getObjectIds).toHaveBeenCalledTimes(2);
        expect(allows).toHaveBeenCalledTimes(1);
        expect(allows.mock.calls[0]![1]).toHaveLength(8);
      } finally {
        vi.restoreAllMocks();
      }
    });

    it('resolves the schemas of a batch in a few reads, however many distinct names it holds', async () => {
      const getNamespaceIds = vi.spyOn(cat.lakegate.store.repository, 'getNamespaceIds');
      try {
        const resources = Array.from({ length: 3_000 }, (_, i) => ({ schema: { catalogName: 'lake', schemaName: `absent${i}` } }));
        resources.push(...SCHEMAS.map((schemaName) => ({ schema: { catalogName: 'lake', schemaName } })));
        // bob's group holds privileges on hr; information_schema is every mapped catalog's.
        expect(await askOpa(anon, key, 'batch', 'bob', { operation: 'FilterSchemas', filterResources: resources }, ['hr'])).toEqual([3_001, 3_004]);
        expect(getNamespaceIds.mock.calls.length).toBeLessThanOrEqual(3);
      } finally {
        vi.restoreAllMocks();
      }
    });
  });
}
