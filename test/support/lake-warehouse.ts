/**
 * The `lake` warehouse of the in-process HTTP tests that vend, sign or plan on S3: `s3://bucket/wh` on the fake S3
 * of test/support/fake-s3.ts (or any S3 endpoint), path-style, region us-east-1, created through the management API.
 */
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from './iceberg-http.js';

export interface LakeOptions {
  /** The warehouse's name (default `lake`) and storage root (default `s3://bucket/wh`). */
  name?: string;
  root?: string;
  /** More storage-profile fields (`sts-enabled`, `remote-signing-endpoint`, ...). */
  profile?: Record<string, unknown>;
  /** The warehouse's storage key (default root / root-secret). */
  key?: { accessKeyId: string; secretAccessKey: string };
}

/** Creates the warehouse on bucket `bucket` at `endpoint`; fails the test unless it is created. */
export async function createS3Lake(send: Send, endpoint: string, options: LakeOptions = {}): Promise<void> {
  const key = options.key ?? { accessKeyId: 'root', secretAccessKey: 'root-secret' };
  const res = await send('POST', '/management/v1/warehouses', {
    name: options.name ?? 'lake',
    'storage-root': options.root ?? 's3://bucket/wh',
    'storage-profile': { type: 's3', bucket: 'bucket', region: 'us-east-1', endpoint, 'path-style-access': true, ...options.profile },
    'storage-secret': { 'access-key-id': key.accessKeyId, 'secret-access-key': key.secretAccessKey },
  });
  expect(res.status, stringifyJson(res.body)).toBe(201);
}
