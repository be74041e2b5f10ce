/**
 * The start of the interop tests on a real S3: MinIO with one bucket, a `lakegate serve` process and its admin, and
 * the `lake` warehouse on that bucket (test/support/minio.ts's minioWarehouse, with the profile fields given).
 */
import { expect } from 'vitest';
import { httpSender, type Send } from './iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from './minio.js';
import { type ServerOptions, type ServerProcess, startServer } from './server-process.js';

export interface MinioServer {
  minio: Minio;
  server: ServerProcess;
  /** The bootstrap admin over HTTP. */
  admin: Send;
  /** The answer to the warehouse's creation (undefined when none was created). */
  created?: unknown;
}

/** Starts MinIO (bucket `bucket`) and the server, and creates warehouse `lake` unless `profile` is null. */
export async function startMinioServer(bucket: string, profile: Record<string, unknown> | null, options: ServerOptions = {}): Promise<MinioServer> {
  const minio = await startMinio();
  await minio.createBucket(bucket);
  const server = await startServer(options);
  const admin = httpSender(server.url, await server.token());
  if (profile === null) return { minio, server, admin };
  const created = await admin('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', bucket, profile));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { minio, server, admin, created: created.body };
}
