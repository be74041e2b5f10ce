/**
 * The RemoteCatalog port's contract (catalog/ports/remote-catalog.ts), run against its in-memory implementation and the
 * Iceberg REST adapter (federation/iceberg-rest-remote.ts) over HTTP to an in-process Lakegate. The codes are what
 * federation's services and clients act on: exists, not found, and a failed requirement as a commit conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteCatalogContract as contract } from '../support/remote-catalog-contract.js';
import { MemoryRemoteCatalog } from '../../packages/server/src/catalog/federation/memory-remote.js';
import { IcebergRestRemote } from '../../packages/server/src/federation/iceberg-rest-remote.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let lakegate: TestCatalog;
let uri = '';

beforeAll(async () => {
  lakegate = await startInProcess();
  await lakegate.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  uri = `http://127.0.0.1:${(lakegate.lakegate.app.server.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  await lakegate?.close();
});

contract('in memory', () => new MemoryRemoteCatalog('file:///remote/warehouse'));
contract('Iceberg REST over HTTP (an in-process Lakegate)', () => new IcebergRestRemote({ kind: 'iceberg-rest', uri, warehouse: 'default' }, {}));

describe('the Iceberg REST adapter', () => {
  it('fails fast on a closed port: ERR_UNAVAILABLE naming no secret', async () => {
    const remote = new IcebergRestRemote({ kind: 'iceberg-rest', uri: 'http://127.0.0.1:9', timeoutMs: 500 }, { token: 'secret-token-value' });
    const error = await remote.check().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe('ERR_UNAVAILABLE');
    expect(error?.message).not.toContain('secret-token-value');
  });
});
