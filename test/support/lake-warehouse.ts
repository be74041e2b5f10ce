/**
 * The `lake` warehouse of the in-process HTTP tests that vend, sign or plan on S3: `s3://bucket/wh` on the fake S3
 * of test/support/fake-s3.ts (or any S3 endpoint), path-style, region us-east-1, created through the management API;
 * and the catalog those tests start around it. Besides, a warehouse on the local file storage in the catalog's data
 * directory, for the tests that need no S3.
 */
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { startFakeS3, type FakeS3 } from './fake-s3.js';
import type { Send } from './iceberg-http.js';
import { startInProcess, type TestCatalog } from './in-process.js';
import { injectSender } from './inject.js';
import { signInAdmin } from './principals.js';

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

export interface S3Catalog {
  s3: FakeS3;
  cat: TestCatalog;
  /** The bootstrap admin, signed in. */
  admin: Send;
}

/**
 * A fake S3, an in-process catalog with authentication on and its admin signed in, the `lake` warehouse on that S3
 * and the namespaces given (one level each) in it. The caller closes `cat` and `s3`.
 */
export async function startS3Catalog(namespaces: string[], options: LakeOptions = {}): Promise<S3Catalog> {
  const s3 = await startFakeS3();
  const cat = await startInProcess({}, { auth: true });
  const admin = await signInAdmin(cat);
  await createS3Lake(admin, s3.endpoint, options);
  for (const ns of namespaces) expect((await admin('POST', `/v1/${options.name ?? 'lake'}/namespaces`, { namespace: [ns] })).status).toBe(200);
  return { s3, cat, admin };
}

/**
 * Creates warehouse `name` on the local file storage at `file://DATA_DIR/NAME` (DATA_DIR: `cat`'s data directory),
 * with `properties` when given, and the namespaces given (one level each) in it; fails the test unless each is made.
 */
export async function createFileLake(send: Send, cat: TestCatalog, name: string, namespaces: string[], properties?: Record<string, string>): Promise<void> {
  const res = await send('POST', '/management/v1/warehouses', {
    name,
    'storage-root': `file://${cat.dataDir}/${name}`,
    'storage-profile': { type: 'file' },
    ...(properties ? { properties } : {}),
  });
  expect(res.status, stringifyJson(res.body)).toBe(201);
  for (const ns of namespaces) expect((await send('POST', `/v1/${name}/namespaces`, { namespace: [ns] })).status).toBe(200);
}

/**
 * An anonymous in-process catalog (environment `env`) and createFileLake's warehouse `name` with `namespaces` in it;
 * `send` calls the catalog in-process. The caller closes `cat`.
 */
export async function startFileCatalog(name: string, namespaces: string[], env: Record<string, string> = {}): Promise<{ cat: TestCatalog; send: Send }> {
  const cat = await startInProcess(env);
  const send = injectSender(cat.lakegate.app);
  await createFileLake(send, cat, name, namespaces);
  return { cat, send };
}
