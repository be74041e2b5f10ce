/**
 * Catalog-supplied labels (apache/iceberg#15750, issue 58) in-process: a tenant administrator sets a table's and a
 * view's labels through the management API; loadTable and loadView answer them as the spec's `labels` object, and
 * answer no `labels` at all for objects without (an Iceberg 1.11 client sees no change). A labels change moves the
 * table's ETag. Non-administrators are refused (403, audited); bad input is a 400 in the Iceberg error model; each
 * change is audited and a change event of the warehouse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grantPrincipal } from '../support/access.js';
import { type FakeS3 } from '../support/fake-s3.js';
import { type Send, simpleSchema, sqlView } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { signedInPrincipal, tokenOf } from '../support/principals.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let reader: { id: string; send: Send };

const TABLE = '/v1/lake/namespaces/sales/tables/orders';
const VIEW = '/v1/lake/namespaces/sales/views/recent';
const TABLE_LABELS = '/management/v1/warehouses/lake/namespaces/sales/tables/orders/labels';
const VIEW_LABELS = '/management/v1/warehouses/lake/namespaces/sales/views/recent/labels';
const labels = { 'object-labels': { owner: 'team-sales', classification: 'internal' }, fields: [{ 'field-id': 2, labels: { pii: 'none' } }] };

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales']));
  expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema: simpleSchema })).status).toBe(200);
  expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'plain', schema: simpleSchema })).status).toBe(200);
  const view = sqlView('recent', ['sales'], 'select * from orders', { properties: {} });
  expect((await admin('POST', '/v1/lake/namespaces/sales/views', view)).status).toBe(200);
  reader = await signedInPrincipal(cat, 'label-reader');
  await grantPrincipal(admin, reader.id, ['table:read-metadata', 'view:read'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('labels on load answers', () => {
  it('answers no labels for a table or view without any, as before', async () => {
    const table = await reader.send('GET', TABLE);
    expect(table.status).toBe(200);
    expect(table.body).not.toHaveProperty('labels');
    const view = await reader.send('GET', VIEW);
    expect(view.status).toBe(200);
    expect(view.body).not.toHaveProperty('labels');
    expect((await reader.send('GET', TABLE_LABELS)).body).toEqual({});
  });

  it('answers the labels an administrator set, to every caller who may load the table; the ETag moves with them', async () => {
    const before = await cat.lakegate.app.inject({
      method: 'GET',
      url: TABLE,
      headers: { authorization: `Bearer ${await tokenOf(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret)}` },
    });
    const etag = before.headers.etag as string;
    const set = await admin('PUT', TABLE_LABELS, labels);
    expect(set.status, stringifyJson(set.body)).toBe(200);
    expect(set.body).toEqual(labels);
    const loaded = await reader.send('GET', TABLE);
    expect(loaded.status).toBe(200);
    expect(loaded.body.labels).toEqual(labels);
    expect(loaded.body.metadata['table-uuid']).toBeTypeOf('string');
    expect((await reader.send('GET', TABLE_LABELS)).body).toEqual(labels);
    // A cached answer from before the labels is not "not modified" any more.
    const token = await tokenOf(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret);
    const again = await cat.lakegate.app.inject({ method: 'GET', url: TABLE, headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } });
    expect(again.statusCode).toBe(200);
    expect(again.headers.etag).not.toBe(etag);
    const same = await cat.lakegate.app.inject({
      method: 'GET',
      url: TABLE,
      headers: { authorization: `Bearer ${token}`, 'if-none-match': again.headers.etag as string },
    });
    expect(same.statusCode).toBe(304);
    // Another table keeps answering none; the labels are not in the metadata.
    expect((await reader.send('GET', '/v1/lake/namespaces/sales/tables/plain')).body).not.toHaveProperty('labels');
    expect(stringifyJson(loaded.body.metadata)).not.toContain('team-sales');
  });

  it('answers a view its labels; replacing keeps only the new ones; DELETE and an empty object remove them', async () => {
    expect((await admin('PUT', VIEW_LABELS, { 'object-labels': { domain: 'sales' } })).status).toBe(200);
    expect((await reader.send('GET', VIEW)).body.labels).toEqual({ 'object-labels': { domain: 'sales' } });
    expect((await admin('PUT', VIEW_LABELS, { fields: [{ 'field-id': 1, labels: { meaning: 'order id' } }] })).status).toBe(200);
    expect((await reader.send('GET', VIEW)).body.labels).toEqual({ fields: [{ 'field-id': 1, labels: { meaning: 'order id' } }] });
    expect((await admin('DELETE', VIEW_LABELS)).status).toBe(204);
    expect((await reader.send('GET', VIEW)).body).not.toHaveProperty('labels');
    expect((await admin('PUT', VIEW_LABELS, { 'object-labels': { a: 'b' } })).status).toBe(200);
    expect((await admin('PUT', VIEW_LABELS, {})).status).toBe(200);
    expect((await reader.send('GET', VIEW)).body).not.toHaveProperty('labels');
  });

  it("keeps a table's labels across a rename", async () => {
    expect((await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'moving', schema: simpleSchema })).status).toBe(200);
    expect((await admin('PUT', '/management/v1/warehouses/lake/namespaces/sales/tables/moving/labels', { 'object-labels': { k: 'v' } })).status).toBe(200);
    expect(
      (
        await admin('POST', '/v1/lake/tables/rename', {
          source: { namespace: ['sales'], name: 'moving' },
          destination: { namespace: ['sales'], name: 'moved' },
        })
      ).status,
    ).toBe(204);
    expect((await reader.send('GET', '/v1/lake/namespaces/sales/tables/moved')).body.labels).toEqual({ 'object-labels': { k: 'v' } });
  });
});

describe('setting labels', () => {
  it('is for administrators of the tenant only: a reader is refused (403), and the refusal is audited', async () => {
    const refused = await reader.send('PUT', TABLE_LABELS, { 'object-labels': { owner: 'me' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('ForbiddenException');
    expect((await reader.send('DELETE', VIEW_LABELS)).status).toBe(403);
    expect((await reader.send('GET', TABLE)).body.labels).toEqual(labels);
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?limit=500')).body);
    expect(audit).toContain('labels.denied');
    expect(audit).toContain('labels.set');
  });

  it('refuses bad input with a 400 in the Iceberg error model', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
    const bad: unknown[] = [
      { 'object-labels': { owner: 7 } },
      { 'object-labels': { owner: null } },
      { 'object-labels': tooMany },
      { 'object-labels': { ['k'.repeat(257)]: 'v' } },
      { 'object-labels': { k: 'v'.repeat(4097) } },
      { 'object-labels': ['a'] },
      { fields: [{ 'field-id': 'one', labels: {} }] },
      { fields: [{ 'field-id': 1, labels: { a: 1 } }] },
      {
        fields: [
          { 'field-id': 1, labels: {} },
          { 'field-id': 1, labels: {} },
        ],
      },
      { surprise: {} },
      [],
    ];
    for (const body of bad) {
      const r = await admin('PUT', TABLE_LABELS, body);
      expect(r.status, stringifyJson(body).slice(0, 100)).toBe(400);
      expect(r.body.error.code).toBe(400);
      expect(r.body.error.message).not.toMatch(/at .*\.ts:/);
    }
    expect((await reader.send('GET', TABLE)).body.labels).toEqual(labels);
  });

  it('answers 404 for a missing table or view, and for a view asked for as a table', async () => {
    expect((await admin('PUT', '/management/v1/warehouses/lake/namespaces/sales/tables/nope/labels', labels)).status).toBe(404);
    expect((await admin('PUT', '/management/v1/warehouses/lake/namespaces/sales/tables/recent/labels', labels)).status).toBe(404);
    expect((await admin('GET', '/management/v1/warehouses/lake/namespaces/sales/views/orders/labels')).status).toBe(404);
  });

  it('records each change as a change event of the warehouse, naming the object and its labels', async () => {
    const events = (await admin('GET', '/management/v1/events?warehouse=lake&after=0&limit=500')).body.events as Array<{
      type: string;
      data: { name?: string; labels?: unknown };
    }>;
    const mine = events.filter((e) => e.type.endsWith('labels-set'));
    expect(mine[0]).toMatchObject({ type: 'io.lakegate.table.labels-set', data: { name: 'orders', labels } });
    expect(mine.filter((e) => e.type === 'io.lakegate.view.labels-set').map((e) => e.data.labels)).toEqual([
      { 'object-labels': { domain: 'sales' } },
      { fields: [{ 'field-id': 1, labels: { meaning: 'order id' } }] },
      {},
      { 'object-labels': { a: 'b' } },
      {},
    ]);
  });
});
