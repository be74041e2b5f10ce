/**
 * Issue 59: the Lance library is an optional native dependency of the server (lance-optimize/lancedb-optimizer.ts
 * loads it on the first optimize). An install without it answers optimize with a clear 406 naming the library, the job
 * is recorded as failed with that reason, the table is left as it was, and the server keeps serving. A table declared
 * and never written has nothing to optimize. In process, on
 * the local file warehouse, with the library's loader failing as Node's resolver fails for a missing package.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lanceManifest } from '../support/lance-manifests.js';
import { LanceDbOptimizer } from '../../packages/server/src/lance-optimize/lancedb-optimizer.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

const L = '/lance/default/v1';
const MAINTENANCE = '/management/v1/warehouses/default/namespaces/lo/tables/t/maintenance';
let cat: TestCatalog;
let loopbacks = 0;

const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const res = await cat.lakegate.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
};

beforeAll(async () => {
  cat = await startInProcess();
  const missing = Object.assign(new Error("Cannot find package '@lancedb/lancedb' imported from lancedb-optimizer.js"), { code: 'ERR_MODULE_NOT_FOUND' });
  cat.lakegate.services.maintenance.useLanceOptimizer(
    new LanceDbOptimizer(
      async () => {
        loopbacks += 1;
        throw new Error('no loopback namespace is started without the library');
      },
      () => Promise.reject(missing),
    ),
  );
  await call('POST', `${L}/namespace/lo/create`, {});
  const declared = await call('POST', `${L}/table/lo%24t/declare`, {});
  expect(declared.status).toBe(200);
  // Version 1, as Lance commits it: a staged manifest made version 1 through CreateTableVersion.
  const staged = path.join(fileURLToPath(declared.body!.location as string), '_versions', '1.manifest-staged');
  mkdirSync(path.dirname(staged), { recursive: true });
  writeFileSync(staged, lanceManifest(1));
  expect((await call('POST', `${L}/table/lo%24t/version/create`, { version: 1, manifest_path: staged.slice(1) })).status).toBe(200);
  expect((await call('POST', `${L}/table/lo%24empty/declare`, {})).status).toBe(200);
});
afterAll(async () => cat?.close());

it('answers optimize with 406 naming the missing library, records the job as failed, and changes nothing', async () => {
  const res = await call('POST', MAINTENANCE, { actions: ['optimize'] });
  expect(res.status).toBe(406);
  expect(res.body!.error.message).toMatch(/optional dependency @lancedb\/lancedb.*Cannot find package/);
  expect(loopbacks).toBe(0);
  const job = await call('GET', MAINTENANCE);
  expect(job.body!.state).toBe('failed');
  expect(job.body!.progress.error).toMatch(/@lancedb\/lancedb/);
  expect((await call('POST', `${L}/table/lo%24t/version/list`, {})).body!.versions.map((v: { version: number }) => v.version)).toEqual([1]);
  // The server goes on serving, and a second attempt tries the library again (it may have been installed since).
  expect((await call('POST', MAINTENANCE, { actions: ['optimize'] })).status).toBe(406);
  expect((await call('POST', `${L}/table/lo%24t/describe`, {})).status).toBe(200);
  // Both runs count on /metrics as on-demand runs the missing library stopped.
  const metrics = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  expect(metrics).toContain('lakegate_lance_optimize_runs_total{trigger="on-demand",outcome="unavailable"} 2');
});

it('refuses optimize named with other actions or fields it would ignore (400), and on a table that does not exist (404)', async () => {
  expect((await call('POST', MAINTENANCE, { actions: ['optimize', 'remove-orphan-files'] })).status).toBe(400);
  for (const field of [{ 'dry-run': true }, { 'target-file-size-bytes': 1048576 }, { 'max-snapshot-age-ms': 0 }]) {
    const res = await call('POST', MAINTENANCE, { actions: ['optimize'], ...field });
    expect(res.status).toBe(400);
    expect(res.body!.error.message).toContain(Object.keys(field)[0]);
  }
  expect((await call('POST', MAINTENANCE.replace('/t/', '/nope/'), { actions: ['optimize'] })).status).toBe(404);
});

it('has nothing to optimize in a table declared and never written (no version, no dataset): 200, the library not loaded', async () => {
  const res = await call('POST', MAINTENANCE.replace('/t/', '/empty/'), { actions: ['optimize'] });
  expect(res.status).toBe(200);
  expect(res.body!.optimize).toEqual({
    'fragments-removed': 0,
    'fragments-added': 0,
    'files-removed': 0,
    'files-added': 0,
    attempts: 0,
    'version-before': 0,
    'version-after': 0,
  });
  expect(loopbacks).toBe(0);
});
