/**
 * Federation (issue 57) with real clients: Apache Iceberg's REST fixture (Iceberg Java 1.11, JdbcCatalog, a file:
 * warehouse) is the remote catalog of a federated warehouse of a Lakegate server process; PyIceberg 0.12
 * (peers/python/pyiceberg_federation.py) creates, appends, reads and drops through Lakegate, while another PyIceberg
 * writes straight to the fixture. Proves: concurrent appends from both sides all survive (each commit is the remote's
 * own, with its requirements), a principal without grants sees nothing, and the remote killed mid-run answers 503
 * (Retry-After) and comes back with nothing lost.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { startIcebergFixture, type IcebergFixture } from '../support/iceberg-fixture.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess, createPrincipal, startServer } from '../support/server-process.js';
import { runAsync, tempDir } from '../support/temp.js';

let server: ServerProcess;
let send: Send;
let python: string;
let fixture: IcebergFixture;
let dir: { dir: string; cleanup: () => void };

beforeAll(async () => {
  python = pyicebergPython();
  dir = tempDir('lakegate-federation-');
  fixture = await startIcebergFixture(`file://${dir.dir}/warehouse`, `${dir.dir}/catalog.db`);
  server = await startServer();
  send = httpSender(server.url, await server.token());
  const created = await send('POST', '/management/v1/warehouses', {
    name: 'fed',
    'storage-root': `file://${dir.dir}/warehouse`,
    'storage-profile': { type: 'file' },
    federation: { kind: 'iceberg-rest', uri: fixture.url, 'timeout-ms': 5000 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await fixture?.stop();
  dir?.cleanup();
});

/** PyIceberg through Lakegate (the default) or straight to the fixture. */
async function py(phase: string, env: Record<string, string> = {}, direct = false): Promise<any> {
  const base = direct ? { CATALOG_URI: fixture.url } : { CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'fed', CATALOG_CREDENTIAL: server.credential };
  const full: NodeJS.ProcessEnv = { ...process.env, ...base, ...env };
  for (const k of Object.keys(full)) if (k.startsWith('AWS_')) delete full[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_federation.py'), phase], { env: full, timeoutMs: 5 * 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

describe('PyIceberg through Lakegate, the Iceberg REST fixture as the remote', () => {
  it('creates a table that lands at the remote, inside the warehouse storage', async () => {
    const created = await py('create');
    expect(created.location).toContain(`${dir.dir}/warehouse/`);
    const atRemote = await httpSender(fixture.url)('GET', '/v1/namespaces/fed/tables/events');
    expect(atRemote.status).toBe(200);
    expect(atRemote.body['metadata-location']).toBe(created.metadata_location);
  });

  it('appends concurrently with a writer going straight to the remote: every commit survives', async () => {
    const [viaLakegate, direct] = await Promise.all([
      py('append', { FED_WRITER: 'lakegate', FED_COUNT: '6' }),
      py('append', { FED_WRITER: 'direct', FED_COUNT: '6' }, true),
    ]);
    expect(viaLakegate.appended).toBe(6);
    expect(direct.appended).toBe(6);
    expect((await py('read')).counts).toEqual({ lakegate: 6, direct: 6 });
    expect((await py('read', {}, true)).counts).toEqual({ lakegate: 6, direct: 6 });
  });

  it('shows a principal without grants nothing', async () => {
    const nobody = await createPrincipal(server, 'fed-nobody');
    const seen = await py('list', { CATALOG_CREDENTIAL: nobody.credential });
    expect(seen.namespaces ?? []).not.toContainEqual(['fed']);
    expect(seen.tables ?? []).toEqual([]);
    expect(seen.load).not.toBe('ok');
  });

  it('answers 503 with Retry-After while the remote is down, and recovers with nothing lost', async () => {
    await fixture.kill();
    const res = await send('GET', '/v1/fed/namespaces/fed/tables/events');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    await fixture.restart();
    expect((await send('GET', '/v1/fed/namespaces/fed/tables/events')).status).toBe(200);
    expect((await py('read')).counts).toEqual({ lakegate: 6, direct: 6 });
  });

  it('drops through Lakegate at the remote', async () => {
    expect((await py('drop')).exists).toBe(false);
    expect((await httpSender(fixture.url)('GET', '/v1/namespaces/fed/tables/events')).status).toBe(404);
  });
});
