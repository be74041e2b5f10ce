/** A MinIO server (S3 + STS) for a test file: built and cached by scripts/peers/minio.sh, on free loopback ports. */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { signRequest } from '@lakegate/sigv4';
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export const MINIO_ROOT = { accessKeyId: 'lakegate-root', secretAccessKey: 'lakegate-root-interop-secret' };

export interface Minio {
  endpoint: string;
  /** An S3 client with the root user's keys (for setting up and checking, never handed to peers). */
  root: S3Client;
  createBucket(name: string): Promise<void>;
  /**
   * Revokes every temporary (STS) credential derived from the root user, as an operator would
   * (`mc admin user revoke-tokens`; MinIO's admin API POST /minio/admin/v3/revoke-tokens/builtin): requests
   * signed with them are refused (403) from then on, while the root keys can still mint new ones.
   */
  revokeTemporaryCredentials(): Promise<void>;
  stop(): Promise<void>;
}

type RootKeys = typeof MINIO_ROOT;

async function minio(root: RootKeys, ...args: string[]): Promise<string> {
  const env = { ...process.env, MINIO_ROOT_USER: root.accessKeyId, MINIO_ROOT_PASSWORD: root.secretAccessKey };
  const result = await runAsync('bash', [peerScript('minio.sh'), ...args], { env });
  if (result.status !== 0) throw new Error(`minio.sh ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** `keys`: the root user's (default MINIO_ROOT), e.g. other keys for a second server standing for a store that moved. */
export async function startMinio(keys: RootKeys = MINIO_ROOT): Promise<Minio> {
  const dir = tempDir('lakegate-minio-');
  const serverDir = path.join(dir.dir, 'server');
  await minio(keys, 'bin');
  const endpoint = await minio(keys, 'start', serverDir, String(await freePort()), String(await freePort()));
  const root = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: keys, requestChecksumCalculation: 'WHEN_REQUIRED' });
  return {
    endpoint,
    root,
    createBucket: async (name) => {
      await root.send(new CreateBucketCommand({ Bucket: name }));
    },
    revokeTemporaryCredentials: async () => {
      const target = `/minio/admin/v3/revoke-tokens/builtin?fullRevoke=true&user=${encodeURIComponent(keys.accessKeyId)}`;
      const signed = await signRequest(
        { method: 'POST', url: target, headers: { host: new URL(endpoint).host } },
        { service: 's3', region: 'us-east-1', credentials: keys, signingDate: new Date(), uriEscapePath: false },
      );
      const res = await fetch(`${endpoint}${target}`, { method: 'POST', headers: signed.headers });
      if (res.status !== 204) throw new Error(`MinIO revoke-tokens answered ${res.status}: ${await res.text()}`);
    },
    stop: async () => {
      root.destroy();
      await minio(keys, 'stop', serverDir).catch(() => undefined);
      dir.cleanup();
    },
  };
}

/**
 * The management-API body of a warehouse on a MinIO bucket with STS vending (root keys as the storage secret), as
 * several interop tests create it.
 */
export function minioWarehouse(minio: Minio, name: string, bucket: string, profile: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    'storage-root': `s3://${bucket}/wh`,
    'storage-profile': {
      type: 's3',
      bucket,
      region: 'us-east-1',
      endpoint: minio.endpoint,
      'path-style-access': true,
      'credential-lifetime-seconds': 900,
      ...profile,
    },
    'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': MINIO_ROOT.secretAccessKey },
  };
}
