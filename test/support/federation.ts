/**
 * The setup of the in-process federation tests (test/http/federation-*.test.ts): another Lakegate as the remote
 * (authentication on, listening on a real port), and a front Lakegate whose warehouse federates the remote's default
 * warehouse (Iceberg REST kind, file storage), with a namespace made through it.
 */
import { expect } from 'vitest';
import type { Send } from './iceberg-http.js';
import { startInProcess, type TestCatalog } from './in-process.js';
import { signInAdmin, startWithCallers, type CatalogWithCallers } from './principals.js';

/** For failure messages: catalog answers carry 63-bit ids as BigInt. */
export const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));

export interface RemoteLakegate {
  cat: TestCatalog;
  /** Where it listens: http://127.0.0.1:PORT. */
  url: string;
  /** Its bootstrap admin's credentials, and a Send carrying the admin's token. */
  creds: { client_id: string; client_secret: string };
  admin: Send;
  /** The storage root of its default warehouse. */
  root: string;
}

/** Starts the remote: an in-process Lakegate with authentication on, listening on 127.0.0.1 (port 0), its admin signed in. */
export async function startRemoteLakegate(): Promise<RemoteLakegate> {
  const cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = cat.lakegate.app.server.address() as { port: number };
  const admin = await signInAdmin(cat);
  const warehouses = await admin('GET', '/management/v1/warehouses');
  const root = warehouses.body.warehouses.find((w: { name: string }) => w.name === 'default')['storage-root'];
  return { cat, url: `http://127.0.0.1:${port}`, creds: cat.admin(), admin, root };
}

/** Where and as whom a front warehouse reaches the remote's default warehouse. */
export interface FederationTarget {
  uri: string;
  clientId: string;
  clientSecret: string;
}

/** The body creating warehouse `name` (file storage at `storageRoot`) federated to `to` (more federation settings: `extra`). */
export const federatedWarehouse = (name: string, storageRoot: string, to: FederationTarget, extra: Record<string, unknown> = {}) => ({
  name,
  'storage-root': storageRoot,
  'storage-profile': { type: 'file' },
  federation: { kind: 'iceberg-rest', uri: to.uri, warehouse: 'default', 'client-id': to.clientId, 'timeout-ms': 4000, ...extra },
  'federation-secret': { 'client-secret': to.clientSecret },
});

export interface FrontOptions {
  /** The front's warehouse, and the namespace made through it. */
  warehouse: string;
  namespace: string;
  /** The front warehouse's storage root (default: the remote's). */
  storageRoot?: string;
  /** Where and as whom it reaches the remote (default: the remote's own address, as its admin). */
  to?: Partial<FederationTarget>;
}

/** Starts the front (startWithCallers), creates its federated warehouse and a namespace through it; fails the test unless both are made. */
export async function startFront(remote: RemoteLakegate, options: FrontOptions): Promise<CatalogWithCallers> {
  const to = { uri: remote.url, clientId: remote.creds.client_id, clientSecret: remote.creds.client_secret, ...options.to };
  const front = await startWithCallers();
  const created = await front.admin('POST', '/management/v1/warehouses', federatedWarehouse(options.warehouse, options.storageRoot ?? remote.root, to));
  expect(created.status, show(created.body)).toBe(201);
  expect((await front.admin('POST', `/v1/${options.warehouse}/namespaces`, { namespace: [options.namespace] })).status).toBe(200);
  return front;
}
