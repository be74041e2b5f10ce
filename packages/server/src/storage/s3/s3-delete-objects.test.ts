import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeS3, startFakeS3 } from '../../../../../test/support/fake-s3.js';
import { S3ObjectStorage } from './s3-object-storage.js';
import { deleteObjects } from './s3-delete-objects.js';

// DeleteObjects' per-key answers as the SDK parses them, from an S3 stand-in that refuses chosen keys (MinIO's own
// refusals are in test/interop/minio.test.ts).
let s3: FakeS3;
let client: S3Client;
beforeAll(async () => {
  s3 = await startFakeS3();
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  client.destroy();
  await s3.close();
});

const keys = (n: number, dir: string) => Array.from({ length: n }, (_, i) => ({ key: `${dir}/${i}.parquet`, uri: `s3://lake/${dir}/${i}.parquet` }));

describe('deleteObjects (S3 DeleteObjects, per key)', () => {
  it('sends a key refused with a transient code again, and reports one refused for good as failed, never deleted', async () => {
    const all = keys(2500, 'retry');
    for (const k of all) s3.put('lake', k.key, 'x');
    s3.deleteRequests.length = 0;
    s3.refuseDeletes((key, attempt) =>
      key.endsWith('/7.parquet') && attempt === 0
        ? 'SlowDown'
        : key.endsWith('/1999.parquet')
          ? 'AccessDenied'
          : key.endsWith('/42.parquet')
            ? 'InternalError'
            : undefined,
    );
    const result = await deleteObjects(client, 'lake', all, 1);
    expect([...result.failed].sort((a, b) => (a.uri < b.uri ? -1 : 1))).toEqual([
      { uri: 's3://lake/retry/1999.parquet', code: 'AccessDenied', message: 'S3 DeleteObjects s3://lake/retry/1999.parquet failed: AccessDenied' },
      { uri: 's3://lake/retry/42.parquet', code: 'InternalError', message: 'S3 DeleteObjects s3://lake/retry/42.parquet failed: InternalError' },
    ]);
    expect(result.deleted).toHaveLength(2498);
    expect(result.deleted).toContain('s3://lake/retry/7.parquet');
    expect(
      s3
        .keys()
        .filter((k) => k.startsWith('lake/retry/'))
        .sort(),
    ).toEqual(['lake/retry/1999.parquet', 'lake/retry/42.parquet']);
    // 3 batches (1000, 1000, 500); then 42 (InternalError) and 7 (SlowDown) again from their batch, 42 a third time.
    expect(s3.deleteRequests.sort((a, b) => a - b)).toEqual([1, 2, 500, 1000, 1000]);
  });

  it('S3ObjectStorage.deleteMany refuses another bucket per key without sending it, and deletes the rest', async () => {
    s3.refuseDeletes(() => undefined);
    s3.put('lake', 'own/a.parquet', 'x');
    const storage = new S3ObjectStorage({ bucket: 'lake', region: 'us-east-1', pathStyle: true, client });
    s3.deleteRequests.length = 0;
    const result = await storage.deleteMany(['s3://lake/own/a.parquet', 's3://other/own/a.parquet']);
    expect(result.deleted).toEqual(['s3://lake/own/a.parquet']);
    expect(result.failed.map((f) => [f.uri, f.code])).toEqual([['s3://other/own/a.parquet', 'ERR_VALIDATION']]);
    expect(s3.deleteRequests).toEqual([1]);
    expect(s3.keys().filter((k) => k.startsWith('lake/own/'))).toEqual([]);
  });
});
