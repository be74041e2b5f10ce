/**
 * The compaction executor setting (issue 59, catalog/ports/compaction-executor.ts) where Spark cannot run: a server
 * configured with `compactionExecutor: spark` whose spark-submit does not exist. The catalog still plans (a dry run is
 * its own plan, Spark never starts), a job that must hand its rewrite to Spark fails as the job's failure (502,
 * ERR_EXECUTOR_FAILED, the reason named, the table as it was), and settings the executor cannot honour are a 400.
 * Spark itself running the job: test/interop/compaction-spark-executor.test.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../packages/server/src/config/config.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { tableWithSmallFiles } from '../support/small-files.js';

let cat: TestCatalog;
let send: Send;
const TABLES = '/v1/wh/namespaces/db/tables';
const MAINTENANCE = '/management/v1/warehouses/wh/namespaces/db/tables/events/maintenance';

beforeAll(async () => {
  ({ cat, send } = await startFileCatalog('wh', ['db'], {
    LAKEGATE_COMPACTION_EXECUTOR: 'spark',
    LAKEGATE_SPARK_SUBMIT: '/nonexistent/lakegate-test/spark-submit',
  }));
  await tableWithSmallFiles(send, TABLES, 'events', { eu: 3, us: 2 });
});
afterAll(async () => {
  await cat?.close();
});

it('plans a dry run itself, without Spark', async () => {
  const planned = await send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], 'dry-run': true });
  expect(planned.status).toBe(200);
  expect(planned.body.compaction).toMatchObject({ outcome: 'dry-run', groups: 2, 'rewritten-data-files': 5 });
});

it("fails the job with the executor's reason (502) when spark-submit cannot start, and commits nothing", async () => {
  const before = (await send('GET', `${TABLES}/events`)).body['metadata-location'];
  const failed = await send('POST', MAINTENANCE, { actions: ['rewrite-data-files'] });
  expect(failed.status).toBe(502);
  expect(failed.body.error.message).toMatch(/^spark-submit \(\/nonexistent\/lakegate-test\/spark-submit\) could not start: .*ENOENT/);
  const job = (await send('GET', MAINTENANCE)).body;
  expect(job).toMatchObject({ state: 'failed', progress: { phase: 'failed', error: failed.body.error.message } });
  expect((await send('GET', `${TABLES}/events`)).body['metadata-location']).toBe(before);
});

it("refuses a manifest target the executor's rewrite_manifests does not take (400), and a sort-order with binpack", async () => {
  const manifests = await send('POST', MAINTENANCE, { actions: ['rewrite-manifests'], 'target-manifest-size-bytes': 1024 * 1024 });
  expect(manifests.status).toBe(400);
  expect(manifests.body.error.message).toMatch(/target-manifest-size-bytes is not taken by the spark executor/);
  const sortOrder = { fields: [{ transform: 'bucket[4]', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' }] };
  const binpack = await send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], strategy: 'binpack', 'sort-order': sortOrder });
  expect(binpack.status).toBe(400);
});

it('accepts only in-process or spark as the executor', () => {
  expect(loadConfig({ env: {} }).compactionExecutor).toBe('in-process');
  expect(() => loadConfig({ env: { LAKEGATE_COMPACTION_EXECUTOR: 'hadoop' } })).toThrow(/compactionExecutor must be "in-process" or "spark"/);
});
