/**
 * The Spark executor's job when its table lease is taken over while Spark runs (issue 59,
 * spark-executor/spark-executor.ts), in-process on a file warehouse with a 1 s lease. Spark itself is not
 * needed to show this: the configured spark-submit is a stand-in script that records the job it was given and its
 * pid, then waits, as a long Spark job would (the real Spark job: test/interop/compaction-spark-executor.test.ts).
 * While it waits, the job's private listener answers its credential; once another holder took the table's job and
 * the renewal was refused, the job fails (409, the lease lost), the spark-submit process is stopped, the listener is
 * gone, nothing was committed, and the taker's lease stands.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { tableWithSmallFiles } from '../support/small-files.js';
import { tempDir } from '../support/temp.js';
import { waitFor } from '../support/wait-for.js';

let cat: TestCatalog;
let send: Send;
const dir = tempDir('lakegate-spark-stand-in-');
const seen = path.join(dir.dir, 'job.json');
const TABLES = '/v1/wh/namespaces/db/tables';
const MAINTENANCE = '/management/v1/warehouses/wh/namespaces/db/tables/events/maintenance';

beforeAll(async () => {
  // A server setting and a storage key in the server's environment (the stand-in must not see them).
  process.env.LAKEGATE_TEST_SERVER_SETTING = 'kept-here';
  process.env.AWS_SECRET_ACCESS_KEY = 'kept-here-too';
  const submit = path.join(dir.dir, 'spark-submit');
  // Records what it was given (its pid, the job, the job's credential), then waits as a long Spark job would.
  writeFileSync(
    submit,
    `#!/bin/sh\nprintf '{"pid":%s,"args":"%s","job":%s,"token":"%s","env":"%s"}' "$$" "$*" "$LAKEGATE_JOB" "$LAKEGATE_JOB_TOKEN" "$(env | grep -E '^(LAKEGATE|AWS)_' | cut -d= -f1 | sort | tr '\\n' ' ')" > '${seen}.tmp'\nmv '${seen}.tmp' '${seen}'\nexec sleep 600\n`,
  );
  chmodSync(submit, 0o755);
  ({ cat, send } = await startFileCatalog('wh', ['db'], {
    LAKEGATE_MAINTENANCE_LEASE_MS: '1000',
    LAKEGATE_COMPACTION_EXECUTOR: 'spark',
    LAKEGATE_SPARK_SUBMIT: submit,
    LAKEGATE_SPARK_MASTER: 'local[1]',
    LAKEGATE_SPARK_EXECUTOR_JARS: '/jars/iceberg-spark-runtime.jar',
  }));
  await tableWithSmallFiles(send, TABLES, 'events', { eu: 3, us: 2 });
});
afterAll(async () => {
  delete process.env.LAKEGATE_TEST_SERVER_SETTING;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  await cat?.close();
  dir.cleanup();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('stops Spark and commits nothing once another holder took the table lease', async () => {
  const before = (await send('GET', `${TABLES}/events`)).body['metadata-location'];
  const id = (await cat.lakegate.store.repository.getObject('wh', ['db'], 'events'))!.id;
  const running = send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], 'target-file-size-bytes': 2 * 1024 * 1024 });

  const job = await waitFor(
    'the stand-in spark-submit to start',
    () => (existsSync(seen) ? JSON.parse(readFileSync(seen, 'utf8')) : undefined),
    (v) => v !== undefined,
  );
  // What spark-submit was given: the settings, the shipped script, the job; the secret in its environment only.
  expect(job.args).toMatch(/^--master local\[1\] --jars \/jars\/iceberg-spark-runtime\.jar .*\/spark\/lakegate_compaction\.py$/);
  expect(job.job).toMatchObject({ action: 'rewrite-data-files', warehouse: 'wh', namespace: ['db'], name: 'events' });
  expect(job.job.options).toMatchObject({ targetFileSizeBytes: 2 * 1024 * 1024, minInputFiles: 2, strategy: 'binpack' });
  expect(job.args).not.toContain(job.token);
  // Of the server's environment, no setting of its own and no storage key reaches Spark: only the job's two variables.
  expect(job.env.trim()).toBe('LAKEGATE_JOB LAKEGATE_JOB_TOKEN');
  // The private listener answers the job's credential (and nothing else) while the job holds its lease.
  const config = `${job.job.uri}/v1/config?warehouse=wh`;
  expect((await fetch(config, { headers: { authorization: `Bearer ${job.token}` } })).status).toBe(200);
  expect((await fetch(config, { headers: { authorization: 'Bearer not-the-job-credential' } })).status).toBe(401);
  expect(alive(job.pid)).toBe(true);

  // Another holder takes the table's job (as one taking it after its expiry would).
  const leases = cat.lakegate.store.maintenanceLeases;
  const held = (await leases.get(id))!;
  await leases.fail(id, held.holder, held.progress!, true);
  expect(await leases.take(id, 'wh', 'replica:elsewhere', Date.now(), 60_000, Number.MAX_SAFE_INTEGER)).toBe(true);

  const res = await running;
  expect(res.status, JSON.stringify(res.body)).toBe(409);
  expect(res.body.error.message).toContain('lost its table lease');
  await waitFor(
    'the stand-in spark-submit to be stopped',
    () => alive(job.pid),
    (v) => v === false,
  );
  await expect(fetch(config, { headers: { authorization: `Bearer ${job.token}` } })).rejects.toThrow();
  expect((await send('GET', `${TABLES}/events`)).body['metadata-location']).toBe(before);
  expect((await leases.get(id))!.holder).toBe('replica:elsewhere');
});
