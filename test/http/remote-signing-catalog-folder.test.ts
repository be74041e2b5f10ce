/**
 * Remote signing never signs a write under a table's catalog folder, `<location>/_lakegate/` (issue 53): that is where
 * the catalog writes the policy-enforced files restricted readers get, so a writer with a signature there could plant,
 * overwrite or delete one and hand a restricted reader rows or values its policy forbids. Every caller is refused (the
 * administrator, a table writer), on the table's sign endpoint (cold and warm: sign-service.ts signCached) and on the
 * unscoped one; reads there are signed as before, and the rest of the table stays writable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeS3 } from '../support/fake-s3.js';
import { simpleSchema, type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { grantedPrincipal } from '../support/principals.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

const KEY = { accessKeyId: 'wh-key', secretAccessKey: 'wh-secret-catalog-folder' };
let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let orders: string;
const signUrl = '/v1/lake/namespaces/sales/tables/orders/sign';

const req = (method: string, path: string, headers: Record<string, string[]> = {}) => ({
  region: 'us-east-1',
  uri: `${s3.endpoint}/${path}`,
  method,
  headers: { 'Content-Type': ['application/octet-stream'], ...headers },
});

/** Every write an S3 client can send for a key: put, the multipart steps, delete (copies are not signed at all here). */
const writesOf = (key: string) =>
  [
    ['PUT', `bucket/${key}`, {}],
    ['POST', `bucket/${key}?uploads`, {}],
    ['PUT', `bucket/${key}?partNumber=1&uploadId=u1`, {}],
    ['POST', `bucket/${key}?uploadId=u1`, {}],
    ['DELETE', `bucket/${key}?uploadId=u1`, {}],
    ['DELETE', `bucket/${key}`, {}],
  ] as const;

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales'], { profile: { 'sts-enabled': false }, key: KEY }));
  const o = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema: simpleSchema });
  orders = o.body.metadata.location.replace('s3://bucket/', '');
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('the catalog folder (_lakegate/) under a table', () => {
  it('refuses every write there to every caller, cold and warm, with 403 and the reason; reads stay signed', async () => {
    const writer = await grantedPrincipal(cat, admin, 'folder-writer', ['table:write-data'], {
      type: 'table',
      warehouse: 'lake',
      namespace: ['sales'],
      name: 'orders',
    });
    const callers: Array<[string, Send]> = [
      ['admin', admin],
      ['writer', writer.send],
    ];
    for (const [who, send] of callers) {
      // A write elsewhere in the table is signed (and puts its audit window in place, so the next calls take the warm path).
      expect((await send('POST', signUrl, req('PUT', `bucket/${orders}/data/00000-0-a.parquet`))).status).toBe(200);
      for (const key of [
        `${orders}/_lakegate/policy/v1/data-0.0123abcd.parquet`,
        `${orders}/_lakegate/policy/v1/lance-v1-x.lance/_versions/1.manifest`,
        `${orders}/_lakegate/x`,
      ]) {
        for (const [method, path, headers] of writesOf(key)) {
          for (const round of ['cold', 'warm']) {
            const r = await send('POST', signUrl, req(method, path, headers));
            expect(r.status, `${who} ${round} ${method} ${path}: ${JSON.stringify(r.body)}`).toBe(403);
            expect(r.body.error.type).toBe('ForbiddenException');
            expect(r.body.error.message).toMatch(/_lakegate\/, which only the catalog writes/);
          }
        }
        for (const method of ['GET', 'HEAD']) expect((await send('POST', signUrl, req(method, `bucket/${key}`))).status, `${who} ${method} ${key}`).toBe(200);
      }
      const listing = req('GET', `bucket?list-type=2&prefix=${encodeURIComponent(`${orders}/_lakegate/policy/`)}`);
      expect((await send('POST', signUrl, listing)).status).toBe(200);
    }
    expect(cat.logs()).toMatch(/sign\.refused/);
  });

  it('refuses only that folder: look-alike names and a _lakegate folder deeper in the table stay writable', async () => {
    for (const key of [`${orders}/_lakegatex/a.parquet`, `${orders}/_lakegate`, `${orders}/data/_lakegate/a.parquet`, `${orders}/_LAKEGATE/a.parquet`]) {
      for (const [method, path, headers] of writesOf(key)) {
        const r = await admin('POST', signUrl, req(method, path, headers));
        expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
      }
    }
  });

  it('refuses them on the unscoped endpoint (v1/aws/s3/sign) too', async () => {
    const r = await admin('POST', '/v1/aws/s3/sign', req('PUT', `bucket/${orders}/_lakegate/policy/v1/data-0.0123abcd.parquet`));
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect((await admin('POST', '/v1/aws/s3/sign', req('PUT', `bucket/${orders}/data/b.parquet`))).status).toBe(200);
  });
});
