/**
 * bench/maintenance.mjs --s3: the maintenance bench's table on MinIO (scripts/peers/minio.sh) instead of a local
 * directory. The table is written once to a local directory (as it will be named under its s3:// location) and
 * uploaded with many PUTs in flight, twice: once for Lakegate, and again for Spark after Lakegate's run, so both get
 * the identical objects. S3 cannot back-date an object, so every object is as new as its upload: the orphan scans
 * use a cut-off of "now" (Lakegate orphan-older-than-ms 0; Spark older_than the time it starts).
 */
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import path from 'node:path';
import { log, peer, tempDir } from './proc.mjs';

export const MINIO_ROOT = { accessKeyId: 'lakegate-root', secretAccessKey: 'lakegate-root-bench-secret' };
const REGION = 'us-east-1';
const PUTS_IN_FLIGHT = 64;

/** Starts MinIO on `port` (and `port + 1` for its console) with a bucket; { endpoint, client, bucket, stop }. */
export async function startMinio(port, bucket) {
  const env = { MINIO_ROOT_USER: MINIO_ROOT.accessKeyId, MINIO_ROOT_PASSWORD: MINIO_ROOT.secretAccessKey };
  const dir = tempDir('lakegate-bench-minio-');
  peer('minio.sh', ['bin'], env);
  const endpoint = peer('minio.sh', ['start', path.join(dir, 'server'), String(port), String(port + 1)], env)
    .trim()
    .split('\n')
    .at(-1)
    .trim();
  const client = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: MINIO_ROOT, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    client,
    bucket,
    stop: () => {
      client.destroy();
      peer('minio.sh', ['stop', path.join(dir, 'server')], env);
    },
  };
}

/** Every file under `dir`, uploaded to `location` (s3://bucket/prefix) with PUTS_IN_FLIGHT requests at once. */
export async function uploadDir(minio, dir, location) {
  const prefix = location.replace(/^s3:\/\/[^/]+\//, '');
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const key = `${prefix}/${path.relative(dir, file).split(path.sep).join('/')}`;
      await minio.client.send(new PutObjectCommand({ Bucket: minio.bucket, Key: key, Body: fs.readFileSync(file) }));
    }
  };
  await Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, worker));
  log(`uploaded ${files.length} objects to ${location}`);
  return files.length;
}

/** Every object under `location`, as s3:// URIs, sorted. */
export async function listObjects(minio, location) {
  const prefix = `${location.replace(/^s3:\/\/[^/]+\//, '')}/`;
  const out = [];
  let token;
  do {
    const page = await minio.client.send(new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.push(`s3://${minio.bucket}/${o.Key}`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort();
}

/** Deletes every object under `location` (between the two engines' runs). */
export async function emptyPrefix(minio, location) {
  const keys = (await listObjects(minio, location)).map((u) => u.replace(/^s3:\/\/[^/]+\//, ''));
  for (let i = 0; i < keys.length; i += 1000) {
    await minio.client.send(
      new DeleteObjectsCommand({ Bucket: minio.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }),
    );
  }
}

/** The management-API body of a warehouse on the bucket (the root keys as its storage secret). */
export function minioWarehouse(minio, name) {
  return {
    name,
    'storage-root': `s3://${minio.bucket}/wh`,
    'storage-profile': {
      type: 's3',
      bucket: minio.bucket,
      region: REGION,
      endpoint: minio.endpoint,
      'path-style-access': true,
      'credential-lifetime-seconds': 900,
    },
    'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': MINIO_ROOT.secretAccessKey },
  };
}

/** Spark's Iceberg catalog properties for the bucket (S3FileIO with the root keys; Spark lists orphans by prefix). */
export function sparkS3Env(minio) {
  return { S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY_ID: MINIO_ROOT.accessKeyId, S3_SECRET_ACCESS_KEY: MINIO_ROOT.secretAccessKey, S3_REGION: REGION };
}
