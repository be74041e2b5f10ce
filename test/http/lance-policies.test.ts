/**
 * Row-filter and column-mask policies on Lance tables (issue 53 on the Lance protocol), in process on a file
 * warehouse: a policy is checked against the dataset's columns (an unknown column is a 400, nothing stored; nested and
 * dictionary-encoded columns: lance-policies-nested.test.ts);
 * a restricted reader's DescribeTable answers a policy-derived dataset (its own location under the table's
 * `_lakegate/policy/<policy version>/`, no managed versioning), which LanceDB reads as only the admitted rows with the
 * masked values the Iceberg path's mask functions give, reused by the next DescribeTable; an unrestricted caller is
 * answered the table itself; and without the Lance library the restricted reader is refused (403), never answered
 * the table. The storage scoping on MinIO is test/interop/lance-policies.test.ts.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { maskValue } from '../../packages/server/src/policy-files/masks.js';
import { LanceDbPolicyDeriver } from '../../packages/server/src/lance-optimize/lancedb-policy-deriver.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const POLICIES = '/management/v1/warehouses/default/namespaces/lp/tables/people/policies';
const people = { type: 'table' as const, warehouse: 'default', namespace: ['lp'], name: 'people' };
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let reader: Caller;

const ipc = () =>
  Buffer.from(
    tableToIPC(
      new Table({
        id: makeVector(Int32Array.from([1, 2, 3, 4])),
        region: vectorFromArray(['eu', 'us', 'eu', 'apac'], new Utf8()),
        email: vectorFromArray(['ann@example.org', 'bob@example.com', 'cy@example.net', 'di@example.io'], new Utf8()),
      }),
      'stream',
    ),
  );

const describeAs = (send: Send) => send('POST', `${L}/table/lp%24people/describe`, {});

/** The rows of the dataset at `location` (a file: URI), read with LanceDB directly. */
async function readDataset(location: string): Promise<Array<{ id: number; region: string; email: string }>> {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  const db = await lancedb.connect(path.dirname(dir));
  const table = await db.openTable(path.basename(dir).replace(/\.lance$/, ''));
  try {
    const rows = (await table.query().toArray()) as Array<{ id: number; region: string; email: string }>;
    return rows.map((r) => ({ id: Number(r.id), region: r.region, email: r.email })).sort((a, b) => a.id - b.id);
  } finally {
    table.close();
    db.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/lp/create`, {})).status).toBe(200);
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/lp%24people/create`,
    payload: ipc(),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: (await adminHeader()).authorization },
  });
  expect(created.statusCode, created.body).toBe(200);
  analyst = await signedInPrincipal(cat, 'lance-analyst');
  reader = await signedInPrincipal(cat, 'lance-reader');
  for (const [role, who] of [
    ['lance-analysts', analyst],
    ['lance-readers', reader],
  ] as const) {
    await grant(admin, role, ['table:read-data'], people);
    await addMember(admin, role, { kind: 'principal', name: who.id });
  }
});
afterAll(async () => cat?.close());

async function adminHeader(): Promise<{ authorization: string }> {
  const a = cat.admin();
  return { authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}` };
}

it('checks a policy against the Lance table columns: an unknown column or a literal of the wrong type is a 400, nothing stored', async () => {
  const bad = [
    { kind: 'row-filter', roles: ['lance-analysts'], filter: { type: 'eq', term: 'country', value: 'eu' } },
    { kind: 'column-mask', roles: ['lance-analysts'], masks: [{ column: 'phone', action: 'mask-alphanum' }] },
    { kind: 'row-filter', roles: ['lance-analysts'], filter: { type: 'eq', term: 'id', value: 'not a number' } },
  ];
  for (const body of bad) {
    const res = await admin('POST', POLICIES, body);
    expect(res.status, stringifyJson(res.body)).toBe(400);
  }
  expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
});

it('answers a restricted reader a policy-derived dataset: admitted rows only, masked as the Iceberg path masks; others read the table', async () => {
  const filter = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['lance-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } });
  expect(filter.status, stringifyJson(filter.body)).toBe(201);
  expect(filter.body['field-ids']).toEqual([2]);
  const mask = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['lance-analysts'], masks: [{ column: 'email', action: 'mask-alphanum' }] });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);

  const original = await describeAs(admin);
  expect(original.status, stringifyJson(original.body)).toBe(200);
  expect(original.body.location).not.toMatch(/_lakegate/);
  expect(original.body.managed_versioning).toBe(true);
  // A reader no policy binds reads the table itself, all of it.
  const plain = await describeAs(reader.send);
  expect(plain.body.location).toBe(original.body.location);
  expect(plain.body.managed_versioning).toBe(true);

  const derived = await describeAs(analyst.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  expect(derived.body.location).toMatch(
    new RegExp(`^${original.body.location.replace(/\/+$/, '')}/_lakegate/policy/[A-Za-z0-9_-]+/lance-v\\d+-[0-9a-f-]+\\.lance$`),
  );
  expect(derived.body.managed_versioning).toBeUndefined();
  const masked = (email: string) => maskValue('mask-alphanum', email, { querySalt: new Uint8Array(32) }) as string;
  expect(await readDataset(derived.body.location)).toEqual([
    { id: 1, region: 'eu', email: masked('ann@example.org') },
    { id: 3, region: 'eu', email: masked('cy@example.net') },
  ]);
  expect(masked('ann@example.org')).not.toBe('ann@example.org');
  // Derived once per table version and policy version: the next DescribeTable answers the same dataset.
  expect((await describeAs(analyst.send)).body.location).toBe(derived.body.location);
  // Audited as the Iceberg path's restricted plans are: the policies, their versions and the policy version.
  const audit = stringifyJson((await admin('GET', '/management/v1/audit?limit=200')).body);
  expect(audit).toMatch(/lance\.policy-read/);
  expect(audit).toContain(filter.body.id);
  // Its effective policy says so.
  const effective = await analyst.send('GET', '/management/v1/warehouses/default/namespaces/lp/tables/people/effective-policy');
  expect(effective.status).toBe(200);
  expect(effective.body.restricted).toBe(true);
  expect(effective.body.summary).toMatch(/answered to you as a policy-derived dataset/);
});

it("lets a restricted writer commit as before (a policy restricts reading): the catalog's job for it reads the table itself, and the next restricted read derives the new version", async () => {
  const writer = await signedInPrincipal(cat, 'lance-writer');
  await grant(admin, 'lance-writers', ['table:read-data', 'table:write-data'], people);
  await addMember(admin, 'lance-writers', { kind: 'principal', name: writer.id });
  await addMember(admin, 'lance-analysts', { kind: 'principal', name: writer.id });
  const before = await describeAs(analyst.send);
  // UpdateFieldMetadata runs LanceDB as the catalog's job for the writer: it opens the table's own dataset (a job
  // answered the derived one would commit nothing to the table, or write into the shared derived dataset).
  const updated = await writer.send('POST', `${L}/table/lp%24people/update_field_metadata`, { updates: [{ path: 'email', metadata: { pii: 'yes' } }] });
  expect(updated.status, stringifyJson(updated.body)).toBe(200);
  const versions = await admin('POST', `${L}/table/lp%24people/version/list`, {});
  expect((versions.body.versions as unknown[]).length).toBe(2);
  // The writer itself reads as the restricted reader it also is: a derived dataset of the new version.
  // Read at once by three restricted callers of one policy version: one derivation, one dataset for all.
  const [after, ...others] = await Promise.all([describeAs(writer.send), describeAs(analyst.send), describeAs(analyst.send)]);
  expect(after.status, stringifyJson(after.body)).toBe(200);
  for (const other of others) expect(other.body.location).toBe(after.body.location);
  const prefix = fileURLToPath(path.dirname(after.body.location as string));
  expect(readdirSync(prefix).filter((f) => /^lance-v2-.*\.lance$/.test(f))).toHaveLength(1);
  expect(after.body.location).toMatch(/_lakegate\/policy\/.*\/lance-v2-/);
  expect(after.body.location).not.toBe(before.body.location);
  expect((await readDataset(after.body.location)).map((r) => r.id)).toEqual([1, 3]);
});

it('refuses the restricted reader (403) where the Lance library does not load, never answering the table', async () => {
  const reads = cat.lakegate.services.lance.tables.policyReads;
  reads.useDeriver(
    new LanceDbPolicyDeriver(
      async () => {
        throw new Error('no loopback without the library');
      },
      async () => {
        throw new Error('Cannot find module @lancedb/lancedb');
      },
    ),
  );
  const refused = await describeAs(analyst.send);
  expect(refused.status, stringifyJson(refused.body)).toBe(403);
  expect(JSON.stringify(refused.body)).not.toMatch(/location/);
  expect(JSON.stringify(refused.body)).toMatch(/through a policy-derived dataset, which this server cannot answer/);
  expect(stringifyJson((await admin('GET', '/management/v1/audit?limit=200')).body)).toMatch(/policy\.enforced/);
  expect((await describeAs(reader.send)).status).toBe(200);
});
