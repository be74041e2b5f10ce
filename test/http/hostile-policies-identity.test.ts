/**
 * Hostile changes of a table's schema or identity against its row-filter and column-mask policies, beyond a commit
 * (policies-schema-evolution.test.ts), in process on a fake S3: `register-table` with `overwrite` onto a metadata file
 * its writer wrote (who chose its field ids, as a view's replace does), and a table whose metadata has no `schemas`
 * list (a v1 file names its one `schema` only). Held, kept as guards: a multi-table transaction dropping a masked
 * column, and `set-current-schema` back to an older schema without a masked column, are refused whole (400); a table dropped
 * and undropped (after a new table of its name came and went) is restricted again, the new one being another object.
 *
 * Before: an overwrite was never checked against the policies, so a file naming the filtered and masked field ids by
 * other column names (the same schema id) was registered and the policies silently moved to those columns, and one
 * without the masked column was registered and left restricted reads refused; both are now refused (400 naming the
 * policy) and the table keeps its metadata. A v1 file's table made writing a policy and a restricted read a 500
 * (`schemas` read as a list); the file's `schema` is its schema now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import { createEngine, userViaEngine, type Engine } from '../support/engines.js';
import { type FakeS3 } from '../support/fake-s3.js';
import { peopleSchema, type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let spark: Engine;

const tablePath = (name: string) => `/v1/lake/namespaces/sales/tables/${name}`;
const policiesPath = (name: string) => `/management/v1/warehouses/lake/namespaces/sales/tables/${name}/policies`;
const vended = { 'x-iceberg-access-delegation': 'vended-credentials' };
type Field = { id: number; name: string; type: string; required: boolean };

const loadAsAlice = async (name: string) => (await userViaEngine(cat.lakegate.app, spark, 'alice'))('GET', tablePath(name), undefined, vended);

/** Writes `metadata` as a file under the table's location (`file` its name); its s3:// location. */
function writeMetadata(location: string, file: string, metadata: unknown): string {
  const [, bucket, ...key] = /^s3:\/\/([^/]+)\/(.*)$/.exec(location)!;
  s3.put(bucket!, `${key.join('/').replace(/\/+$/, '')}/metadata/${file}`, stringifyJson(metadata)!);
  return `${location.replace(/\/+$/, '')}/metadata/${file}`;
}

/** Creates the table (id, region, email, born), readable by eu-analysts, with a filter on region and a mask on email. */
async function withPolicies(name: string): Promise<{ filterId: string; maskId: string; metadata: any; location: string }> {
  const created = await admin('POST', '/v1/lake/namespaces/sales/tables', { name, schema: peopleSchema(['id', 'region', 'email', 'born']) });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  await grant(admin, 'eu-analysts', ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name });
  const filter = await admin('POST', policiesPath(name), { kind: 'row-filter', roles: ['eu-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } });
  expect(filter.status, stringifyJson(filter.body)).toBe(201);
  const mask = await admin('POST', policiesPath(name), { kind: 'column-mask', roles: ['eu-analysts'], masks: [{ column: 'email', action: 'mask-alphanum' }] });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  return { filterId: filter.body.id, maskId: mask.body.id, metadata: created.body.metadata, location: created.body['metadata-location'] };
}

/** The metadata with its current schema's fields mapped by `change` (the same schema id). */
function withFields(metadata: any, change: (fields: Field[]) => Field[]): any {
  const schemas = metadata.schemas.map((s: { 'schema-id': number; fields: Field[] }) =>
    s['schema-id'] === metadata['current-schema-id'] ? { ...s, fields: change(s.fields) } : s,
  );
  return { ...metadata, schemas };
}

const register = (name: string, metadataLocation: string, overwrite = true) =>
  admin('POST', '/v1/lake/namespaces/sales/register', { name, 'metadata-location': metadataLocation, overwrite });

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales']));
  await addMember(admin, 'eu-analysts', { kind: 'user', name: 'alice', issuer: 'asserted' });
  spark = await createEngine(admin, 'spark-engine', { users: [{ issuer: 'asserted', name: 'alice' }], 'assert-identity': true });
  expect((await admin('PUT', `/management/v1/warehouses/lake/policy-enforcers/${spark.clientId}`, { mechanism: 'read-restrictions' })).status).toBe(200);
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('register-table with overwrite', () => {
  it('is refused (400 naming the policy) when the file names the policies’ field ids by other columns, or drops one; the table keeps its metadata', async () => {
    const { filterId, maskId, metadata, location } = await withPolicies('orders');
    const swapped = withFields(metadata, (fields) =>
      fields.map((f) => (f.name === 'region' ? { ...f, name: 'email' } : f.name === 'email' ? { ...f, name: 'region' } : f)),
    );
    const moved = await register('orders', writeMetadata(metadata.location, 'swapped.metadata.json', swapped));
    expect(moved.status, stringifyJson(moved.body)).toBe(400);
    expect(moved.body.error.message).toContain(`policy ${filterId}`);
    const dropped = await register(
      'orders',
      writeMetadata(
        metadata.location,
        'dropped.metadata.json',
        withFields(metadata, (f) => f.filter((x) => x.name !== 'email')),
      ),
    );
    expect(dropped.status, stringifyJson(dropped.body)).toBe(400);
    expect(dropped.body.error.message).toContain(`policy ${maskId}`);

    const loaded = await admin('GET', tablePath('orders'));
    expect(loaded.body['metadata-location']).toBe(location);
    const alice = await loadAsAlice('orders');
    expect(alice.status, stringifyJson(alice.body)).toBe(200);
    expect(alice.body['read-restrictions']).toEqual({
      'required-row-filter': { type: 'eq', term: 'region', value: 'eu' },
      'required-column-projections': [{ 'field-id': 3, action: 'mask-alphanum' }],
    });
  });

  it('is refused (400 naming the policy) when the file retypes a column a policy literal is compared with (date to timestamp)', async () => {
    const { metadata, location } = await withPolicies('births');
    // 19723: 2024-01-01 as a day number, which a timestamp column would read as microseconds after the epoch.
    const byDay = await admin('POST', policiesPath('births'), {
      kind: 'row-filter',
      roles: ['eu-analysts'],
      filter: { type: 'gt', term: 'born', value: 19723 },
    });
    expect(byDay.status, stringifyJson(byDay.body)).toBe(201);
    const retyped = withFields(metadata, (fields) => fields.map((f) => (f.name === 'born' ? { ...f, type: 'timestamp' } : f)));
    const res = await register('births', writeMetadata(metadata.location, 'retyped.metadata.json', { ...retyped, 'format-version': 3, 'next-row-id': 0 }));
    expect(res.status, stringifyJson(res.body)).toBe(400);
    expect(res.body.error.message).toMatch(new RegExp(`policy ${byDay.body.id} .*written for date`));
    expect((await admin('GET', tablePath('births'))).body['metadata-location']).toBe(location);
  });

  it('is accepted when the policies’ columns keep their names and field ids (a column added), and they still apply', async () => {
    const { metadata } = await withPolicies('refunds');
    const added = withFields(metadata, (fields) => [...fields, { id: 5, name: 'note', type: 'string', required: false }]);
    const registered = await register('refunds', writeMetadata(metadata.location, 'added.metadata.json', { ...added, 'last-column-id': 5 }));
    expect(registered.status, stringifyJson(registered.body)).toBe(200);
    const alice = await loadAsAlice('refunds');
    expect(alice.status, stringifyJson(alice.body)).toBe(200);
    expect(alice.body['read-restrictions']['required-row-filter']).toEqual({ type: 'eq', term: 'region', value: 'eu' });
  });
});

describe('commits other than a plain schema update', () => {
  it('a multi-table transaction dropping a masked column, or making current an older schema without it, is refused whole (400 naming the policy)', async () => {
    const { maskId, metadata } = await withPolicies('ledger');
    const other = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'ledger_notes', schema: peopleSchema(['id', 'email']) });
    expect(other.status).toBe(200);
    // Schema 1 adds a column; the policy on it is then written, and schema 0 (without it) made current again.
    const addNote = await admin('POST', tablePath('ledger'), {
      requirements: [],
      updates: [
        { action: 'add-schema', schema: { type: 'struct', fields: [...metadata.schemas[0].fields, { id: 5, name: 'note', type: 'string', required: false }] } },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    expect(addNote.status, stringifyJson(addNote.body)).toBe(200);
    const noteMask = await admin('POST', policiesPath('ledger'), {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [{ column: 'note', action: 'mask-alphanum' }],
    });
    expect(noteMask.status, stringifyJson(noteMask.body)).toBe(201);
    const back = await admin('POST', tablePath('ledger'), { requirements: [], updates: [{ action: 'set-current-schema', 'schema-id': 0 }] });
    expect(back.status, stringifyJson(back.body)).toBe(400);
    expect(back.body.error.message).toContain(`policy ${noteMask.body.id}`);

    const fields = (addNote.body.metadata.schemas as Array<{ 'schema-id': number; fields: Field[] }>).find((x) => x['schema-id'] === 1)!.fields;
    const before = (await admin('GET', tablePath('ledger_notes'))).body['metadata-location'];
    const txn = await admin('POST', '/v1/lake/transactions/commit', {
      'table-changes': [
        { identifier: { namespace: ['sales'], name: 'ledger_notes' }, requirements: [], updates: [{ action: 'set-properties', updates: { touched: 'yes' } }] },
        {
          identifier: { namespace: ['sales'], name: 'ledger' },
          requirements: [],
          updates: [
            { action: 'add-schema', schema: { type: 'struct', fields: fields.filter((f) => f.name !== 'email') } },
            { action: 'set-current-schema', 'schema-id': -1 },
          ],
        },
      ],
    });
    expect(txn.status, stringifyJson(txn.body)).toBe(400);
    expect(txn.body.error.message).toContain(`policy ${maskId}`);
    expect((await admin('GET', tablePath('ledger_notes'))).body['metadata-location']).toBe(before);
    expect((await admin('GET', tablePath('ledger'))).body.metadata['current-schema-id']).toBe(1);
  });
});

describe('a table dropped, replaced by a new one of its name, and undropped', () => {
  it('the new table is another object (no policy of the old one); the undropped one is restricted again', async () => {
    await withPolicies('vault');
    await grant(admin, 'eu-analysts', ['table:read-data'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
    expect((await admin('DELETE', tablePath('vault'))).status).toBe(204);
    const listed = await admin('GET', '/management/v1/warehouses/lake/dropped');
    expect(listed.status, stringifyJson(listed.body)).toBe(200);
    const old = (listed.body.dropped as Array<{ id: string; name: string }>).find((d) => d.name === 'vault')!;
    const created = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'vault', schema: peopleSchema(['id', 'region', 'email', 'born']) });
    expect(created.status).toBe(200);
    const fresh = await loadAsAlice('vault');
    expect(fresh.status, stringifyJson(fresh.body)).toBe(200);
    expect(fresh.body['read-restrictions']).toBeUndefined();
    expect((await admin('DELETE', tablePath('vault'))).status).toBe(204);
    const undropped = await admin('POST', `/management/v1/warehouses/lake/dropped/${old.id}/undrop`, {});
    expect(undropped.status, stringifyJson(undropped.body)).toBe(200);
    const alice = await loadAsAlice('vault');
    expect(alice.status, stringifyJson(alice.body)).toBe(200);
    expect(alice.body['read-restrictions']).toEqual({
      'required-row-filter': { type: 'eq', term: 'region', value: 'eu' },
      'required-column-projections': [{ 'field-id': 3, action: 'mask-alphanum' }],
    });
  });
});

describe('a table whose metadata file names its one schema only (format v1)', () => {
  it('takes a policy and answers restricted reads with it, never a 500', async () => {
    const { metadata } = await withPolicies('source');
    const { schemas, 'current-schema-id': _c, ...rest } = metadata;
    const v1 = { ...rest, 'format-version': 1, schema: schemas[0], location: metadata.location.replace(/source[^/]*$/, 'legacy-v1') };
    for (const broken of [
      { ...v1, schema: 'x' },
      { ...v1, schema: { type: 'struct', fields: 'x' } },
      { ...v1, 'format-version': 'one' },
    ]) {
      const refused = await register('broken', writeMetadata(v1.location, 'broken.metadata.json', broken), false);
      expect(refused.status, stringifyJson(refused.body)).toBe(400);
    }
    const registered = await register('legacy', writeMetadata(v1.location, 'v1.metadata.json', v1), false);
    expect(registered.status, stringifyJson(registered.body)).toBe(200);
    await grant(admin, 'eu-analysts', ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'legacy' });
    const mask = await admin('POST', policiesPath('legacy'), {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [{ column: 'email', action: 'mask-alphanum' }],
    });
    expect(mask.status, stringifyJson(mask.body)).toBe(201);
    const alice = await loadAsAlice('legacy');
    expect(alice.status, stringifyJson(alice.body)).toBe(200);
    expect(alice.body['read-restrictions']).toEqual({ 'required-column-projections': [{ 'field-id': 3, action: 'mask-alphanum' }] });
    const planned = await (await userViaEngine(cat.lakegate.app, spark, 'alice'))('POST', `${tablePath('legacy')}/plan`, {});
    expect(planned.status, stringifyJson(planned.body)).toBeLessThan(500);
  });
});
