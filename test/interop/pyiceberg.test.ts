/**
 * PyIceberg 0.12 (pyiceberg[pyarrow] from PyPI, in a cached virtualenv)
 * driving a real Lakegate server: namespaces, partitioned and sorted tables,
 * Arrow appends read back exactly, schema evolution, a create-table
 * transaction (stage-create + assert-create commit, as CTAS does), rename,
 * paged listings and drop with purge. The scenario is peers/python/pyiceberg_scenario.py.
 * The server runs as `serve` does by default on this machine: two worker
 * processes on one port and one SQLite file (PyIceberg's connections go to
 * either; test/cli/workers.test.ts spreads single requests over both).
 */
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pyicebergPython } from '../support/peers.js';
import { READ_WRITE_ALL } from '../support/access.js';
import { type CreatedPrincipal, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

let server: ServerProcess;
let python: string;
let engine: CreatedPrincipal;

beforeAll(async () => {
  python = pyicebergPython();
  server = await startServer({ workers: 2 });
  // Not an admin: a principal holding exactly what the scenario does in the warehouse. The scenario purges and checks
  // the files are gone at once: since soft deletion (issue 39) that needs table:purge-immediately (without it the purge
  // waits for the warehouse's retention, as trino.test.ts and maintenance-pyiceberg.test.ts show).
  engine = await createGrantedPrincipal(server, 'pyiceberg', [...READ_WRITE_ALL, 'table:purge-immediately'], { type: 'warehouse', warehouse: 'default' });
});
afterAll(async () => server?.stop());

interface Step {
  step?: string;
  status?: string;
  summary?: boolean;
  ok?: boolean;
  passed?: number;
  failed?: number;
  skipped?: number;
  failure?: string | null;
}

it('runs the PyIceberg scenario end to end with every step passing', async () => {
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_scenario.py')], {
    env: {
      ...process.env,
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: 'default',
      // OAuth2 client credentials against Lakegate's own issuer (PyIceberg calls {uri}/v1/oauth/tokens).
      CATALOG_CREDENTIAL: engine.credential,
      CATALOG_PAGE_SIZE_TEST: '1',
      // A small page size makes PyIceberg follow next-page-token across several pages.
      CATALOG_REST_PAGE_SIZE: '7',
    },
    timeoutMs: 10 * 60_000,
  });
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Step);
  const summary = lines.find((l) => l.summary);
  const steps = lines.filter((l) => l.step).map((l) => `${l.step}:${l.status}`);
  expect(summary, `no summary; stderr:\n${run.stderr}`).toBeDefined();
  expect(summary!.failure ?? null).toBeNull();
  expect(run.status).toBe(0);
  expect(summary).toMatchObject({ ok: true, failed: 0, skipped: 0 });
  for (const required of [
    'create_table',
    'append_and_read',
    'evolve_schema',
    'create_table_transaction',
    'rename_table',
    'list_pagination',
    'gzip_metadata',
    'purge_table',
  ]) {
    expect(steps).toContain(`${required}:ok`);
  }
  // PyIceberg authenticated with client credentials; the secret never reached the log.
  const logged = await server.settledOutput();
  expect(logged).toContain('"grant":"client_credentials"');
  expect(logged).not.toContain(engine.secret);
  expect(logged).toContain(`"actor":"service:${engine.id}"`);
  // PyIceberg 0.12 asks with pageSize=7 and no pageToken; the spec's PageToken rule makes that the whole listing in one
  // answer (next-page-token null), so list_pagination got every table back without a follow-up page (issue 42).
  expect(logged).toMatch(/[?&]pageSize=7/);
  expect(logged).not.toMatch(/pageToken=[A-Za-z0-9_-]+/);
});

it('round-trips a table named with "/" in a namespace named with "/" (issue 42)', async () => {
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_slash_names.py')], {
    env: { ...process.env, CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'default', CATALOG_CREDENTIAL: engine.credential },
    timeoutMs: 5 * 60_000,
  });
  const result = run.stdout.split('\n').find((l) => l.startsWith('{'));
  expect(result, `stderr:\n${run.stderr}`).toBeDefined();
  expect(JSON.parse(result!)).toMatchObject({ ok: true, data_files: 2 });
  expect(run.status).toBe(0);
});

/** One failed client_credentials post for `clientId`, from 127.0.0.2 (loopback is 127.0.0.0/8), on a connection of its own. */
function failFrom127002(url: string, clientId: string): Promise<number> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/v1/oauth/tokens`,
      { method: 'POST', localAddress: '127.0.0.2', agent: false, headers: { connection: 'close', 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('still signs PyIceberg in from its own address after another address failed for its client id past the limit', async () => {
  const victim = await createGrantedPrincipal(server, 'pyiceberg-lockout', ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push(await failFrom127002(server.url, victim.id));
  expect(statuses).toEqual([...Array(10).fill(401), 429]);
  const code =
    'from pyiceberg.catalog import load_catalog; import sys; c = load_catalog("l", type="rest", uri=sys.argv[1], warehouse="default", credential=sys.argv[2]); print("namespaces", len(c.list_namespaces()))';
  const run = await runAsync(python, ['-c', code, server.url, victim.credential], { env: process.env, timeoutMs: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^namespaces \d+/m);
});
