/**
 * Server-side scan planning with PyIceberg 0.12 (peers/python/planning_pyiceberg.py). The warehouse recommends
 * scan-planning-mode=server (a warehouse property, surfaced in GET /v1/config defaults, which PyIceberg reads);
 * a second catalog overrides it with client. A table partitioned by identity and day, ten appends, an overwrite
 * and deletes; a battery of filters gives the same rows through both. The server planned (its /metrics
 * counted plans and plan-task expansions: the table has more manifests than the server answers in one call,
 * so PyIceberg followed plan-tasks pages), pruned files for selective filters, and refused a read-metadata reader.
 */
import path from 'node:path';
import { IcebergRestCatalog } from '@lakegate/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { pyicebergPython } from '../support/peers.js';
import { type CreatedPrincipal, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

let server: ServerProcess;
let totalFiles = 0;
let engine: CreatedPrincipal;
let reader: CreatedPrincipal;
const WAREHOUSE = 'planned';

beforeAll(async () => {
  // Four data manifests are planned in the first call; larger scans answer plan tasks of two manifests each.
  server = await startServer({ env: { LAKEGATE_PLANNING_INLINE_MANIFESTS: '4', LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '2' } });
  const created = await fetch(`${server.url}/management/v1/warehouses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token()}` },
    body: JSON.stringify({
      name: WAREHOUSE,
      'storage-root': `file://${server.dataDir}/planned`,
      'storage-profile': { type: 'file' },
      properties: { 'scan-planning-mode': 'server' },
    }),
  });
  expect(created.status, await created.text()).toBe(201);
  engine = await createGrantedPrincipal(server, 'planner', [...READ_WRITE_ALL, 'table:read-data'], { type: 'warehouse', warehouse: WAREHOUSE });
  reader = await createGrantedPrincipal(server, 'metadata-reader', ['namespace:list', 'table:list', 'table:read-metadata'], {
    type: 'warehouse',
    warehouse: WAREHOUSE,
  });
}, 120_000);
afterAll(async () => server?.stop());

const metric = (text: string, name: string, labels: string) => {
  const m = new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

it(
  'PyIceberg in server mode reads the same rows as in client mode, through plans and plan tasks',
  async () => {
    const run = await runAsync(pyicebergPython(), [path.join(REPO_ROOT, 'peers/python/planning_pyiceberg.py')], {
      env: {
        ...process.env,
        CATALOG_URI: server.url,
        CATALOG_WAREHOUSE: WAREHOUSE,
        CATALOG_CREDENTIAL: engine.credential,
        READER_CREDENTIAL: reader.credential,
      },
      timeoutMs: 10 * 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      modes: { client: boolean; server: boolean };
      filters: Record<string, { equal: boolean; rows: number; client_rows: number; client_files: number; server_files: number }>;
      time_travel: { equal: boolean; rows: number };
      reader: string;
      total_files: number;
    };
    totalFiles = out.total_files;
    // The warehouse’s recommendation reached PyIceberg through /v1/config; the client-mode catalog kept its own.
    expect(out.modes).toEqual({ client: false, server: true });
    for (const [name, r] of Object.entries(out.filters)) expect(r.equal, `${name}: ${JSON.stringify(r)}`).toBe(true);
    expect(out.filters.all!.rows).toBeGreaterThan(40);
    expect(out.filters.all!.server_files).toBe(out.total_files);
    // Selective filters: the server planned fewer files than the table has (partition values or column metrics).
    for (const name of ['eq_id', 'gt_id', 'eq_category', 'note_and_category', 'and', 'nothing']) {
      expect(out.filters[name]!.server_files, name).toBeLessThan(out.total_files);
    }
    expect(out.filters.nothing!.server_files).toBe(0);
    expect(out.time_travel).toMatchObject({ equal: true, rows: 5 });
    expect(out.reader).toMatch(/^ForbiddenError: .*table:read-data/);
    // The server planned: plans and plan-task expansions were counted, and files pruned.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(metrics, 'lakegate_planning_requests_total', 'kind="plan"')).toBeGreaterThanOrEqual(Object.keys(out.filters).length + 1);
    expect(metric(metrics, 'lakegate_planning_requests_total', 'kind="tasks"')).toBeGreaterThan(0);
    expect(metric(metrics, 'lakegate_planning_data_files_total', 'outcome="pruned"')).toBeGreaterThan(0);
  },
  15 * 60_000,
);

it('the SDK plans the table PyIceberg wrote: pages through plan tasks, fetches and cancels its plan', async () => {
  expect(totalFiles).toBeGreaterThan(0);
  const catalog = new IcebergRestCatalog({ uri: server.url, warehouse: WAREHOUSE, properties: { credential: engine.credential } });
  const id = { namespace: ['planning'], name: 'events' };
  const files = async (plan: Awaited<ReturnType<typeof catalog.planTableScan>>) => {
    const paths: string[] = [];
    for await (const page of catalog.scanTaskPages(id, plan)) for (const t of page['file-scan-tasks'] ?? []) paths.push(t['data-file']['file-path']);
    return paths;
  };
  const all = await catalog.planTableScan(id);
  expect(all.status).toBe('completed');
  expect(all['plan-tasks']!.length).toBeGreaterThan(1);
  expect(new Set(await files(all)).size).toBe(totalFiles);
  const one = await catalog.planTableScan(id, { filter: { type: 'eq', term: 'id', value: 33 }, 'stats-fields': ['id'] });
  expect(await files(one)).toHaveLength(1);
  expect((await catalog.fetchPlanningResult(id, all['plan-id']!))['plan-tasks']).toEqual(all['plan-tasks']);
  await catalog.cancelPlanning(id, all['plan-id']!);
  await expect(catalog.fetchScanTasks(id, all['plan-tasks']![0]!)).rejects.toMatchObject({ status: 404 });
});
