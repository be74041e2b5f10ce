/**
 * Remote signing never signs for a Lance table (in process): the sign operations resolve Iceberg tables only
 * (catalog/signing/sign-service.ts, sign-default.ts), and Lance's DescribeTable offers no remote signing, so a writer
 * of a table of catalog-managed versions cannot get a published manifest (`_versions/<n>.manifest`) written through
 * the signer either; only CreateTableVersion publishes one (docs/security.md). Neither by the table-scoped endpoint
 * (the table's name: not found) nor by the unscoped one (the key lies under no table it signs for), even for the
 * admin, who holds every privilege.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeS3 } from '../support/fake-s3.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let key = '';

const req = (method: string, path: string) => ({
  region: 'us-east-1',
  uri: `${s3.endpoint}/${path}`,
  method,
  headers: { 'amz-sdk-invocation-id': ['abc'], 'User-Agent': ['test'], 'Content-Type': ['application/octet-stream'] },
});

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales'], {
    profile: { 'sts-enabled': false, 'remote-signing-endpoint': 'default' },
    key: { accessKeyId: 'wh-key', secretAccessKey: 'wh-secret' },
  }));
  const declared = await admin('POST', '/lance/lake/v1/table/sales%24points/declare', {});
  expect(declared.status, JSON.stringify(declared.body)).toBe(200);
  expect(declared.body.managed_versioning).toBe(true);
  key = (declared.body.location as string).replace('s3://bucket/', '');
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('remote signing and Lance tables', () => {
  it('signs no request for a Lance table of catalog-managed versions: not its published manifests, nothing else', async () => {
    for (const [method, path] of [
      ['PUT', `${key}/_versions/18446744073709551614.manifest`],
      ['PUT', `${key}/_versions/1.manifest`],
      ['DELETE', `${key}/_versions/1.manifest`],
      ['PUT', `${key}/data/x.lance`],
    ] as const) {
      const scoped = await admin('POST', '/v1/lake/namespaces/sales/tables/points/sign', req(method, `bucket/${path}`));
      expect(scoped.status, `${method} ${path}: ${JSON.stringify(scoped.body)}`).toBe(404);
      const unscoped = await admin('POST', '/v1/aws/s3/sign', req(method, `bucket/${path}`));
      expect([403, 404], `${method} ${path}: ${JSON.stringify(unscoped.body)}`).toContain(unscoped.status);
      expect(JSON.stringify([scoped.body, unscoped.body])).not.toMatch(/X-Amz-Signature|Authorization/i);
    }
  });
});
