/**
 * The setup of the Lance interop files that write through a real server process: the server, an admin sender, a
 * writer (read-write on the default warehouse) and a reader (read-only there) with their tokens, LanceDB connected
 * through Lakegate's namespace, and a MinIO warehouse the writer may write to.
 */
import * as lancedb from '@lancedb/lancedb';
import { expect } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL } from './access.js';
import { httpSender, type Send } from './iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from './minio.js';
import { clientToken, createGrantedPrincipal, grantTo, type ServerProcess, startServer } from './server-process.js';

export interface LanceWriters {
  server: ServerProcess;
  /** The admin's sender. */
  send: Send;
  writerToken: string;
  writerName: string;
  readerToken: string;
}

/** Starts the server and makes `<prefix>-writer` and `<prefix>-reader`. */
export async function startLanceWriters(prefix: string): Promise<LanceWriters> {
  const server = await startServer();
  const send = httpSender(server.url, await server.token());
  const writer = await createGrantedPrincipal(server, `${prefix}-writer`, READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
  const reader = await createGrantedPrincipal(server, `${prefix}-reader`, READ_ONLY, { type: 'warehouse', warehouse: 'default' });
  return {
    server,
    send,
    writerToken: await clientToken(server.url, writer.credential),
    writerName: writer.id,
    readerToken: await clientToken(server.url, reader.credential),
  };
}

/** LanceDB connected to a warehouse through Lakegate's Lance namespace, with `token`. */
export const connectLance = (server: ServerProcess, token: string, warehouse = 'default') =>
  lancedb.connectNamespace('rest', { uri: `${server.url}/lance/${warehouse}`, headers: { Authorization: `Bearer ${token}` } });

/** A MinIO with `bucket`, and a warehouse `warehouse` on it the writer may read and write. */
export async function minioLanceWarehouse(w: LanceWriters, bucket: string, warehouse: string): Promise<Minio> {
  const minio = await startMinio();
  await minio.createBucket(bucket);
  const created = await w.send('POST', '/management/v1/warehouses', minioWarehouse(minio, warehouse, bucket));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await grantTo(w.server, w.writerName, READ_WRITE_ALL, { type: 'warehouse', warehouse });
  return minio;
}
