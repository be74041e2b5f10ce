/**
 * The Spark executor's Spark Connect mode (spark-executor/spark-executor.ts, config/spark-connect.ts) and Spark's
 * partial progress, where no Spark runs: a server with `sparkConnect` whose Connect-client Python is a stand-in that
 * records what it was given and answers as a job that could not reach Spark; the settings checked at startup; the
 * request's partial-progress checked (400) and mapped to the procedure's options by the shipped script. Spark Connect
 * itself running the jobs: test/interop/compaction-spark-executor.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/server/src/config/config.js';
import { SPARK_JOB_SCRIPT } from '../../packages/server/src/spark-executor/spark-executor.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { tableWithSmallFiles } from '../support/small-files.js';
import { tempDir } from '../support/temp.js';

const TABLES = '/v1/wh/namespaces/db/tables';
const MAINTENANCE = '/management/v1/warehouses/wh/namespaces/db/tables/events/maintenance';
const TOKEN = 'connect-token-9f8e7d6c5b4a';
const REMOTE = `sc://localhost:15002/;use_ssl=false;token=${TOKEN}`;
const dir = tempDir('lakegate-spark-connect-stand-in-');
const seen = path.join(dir.dir, 'job.json');
let connect: { cat: TestCatalog; send: Send };
let inProcess: { cat: TestCatalog; send: Send };

beforeAll(async () => {
  // Spark Connect's own variables in the server's environment: the job must get the configured URL, not these.
  process.env.SPARK_REMOTE = 'sc://elsewhere:1';
  const python = path.join(dir.dir, 'python');
  // Records its arguments, the job and the remote it was given, then fails as a job whose server refused it would,
  // naming the URL (token included) in its reason.
  writeFileSync(
    python,
    `#!/bin/sh\nprintf '{"args":"%s","job":%s,"remote":"%s","spark_remote":"%s"}' "$*" "$LAKEGATE_JOB" "$LAKEGATE_SPARK_REMOTE" "$SPARK_REMOTE" > '${seen}'\n` +
      `echo '@@error {"error": "SparkConnectGrpcException: cannot reach '"$LAKEGATE_SPARK_REMOTE"'"}'\nexit 1\n`,
  );
  chmodSync(python, 0o755);
  connect = await startFileCatalog('wh', ['db'], {
    LAKEGATE_COMPACTION_EXECUTOR: 'spark',
    LAKEGATE_SPARK_CONNECT: REMOTE,
    LAKEGATE_SPARK_CONNECT_PYTHON: python,
  });
  await tableWithSmallFiles(connect.send, TABLES, 'events', { eu: 3, us: 2 });
  inProcess = await startFileCatalog('wh', ['db']);
  await tableWithSmallFiles(inProcess.send, TABLES, 'events', { eu: 3, us: 2 });
});
afterAll(async () => {
  delete process.env.SPARK_REMOTE;
  await connect?.cat.close();
  await inProcess?.cat.close();
  dir.cleanup();
});

describe('the Spark Connect mode', () => {
  it("runs the shipped script with the Connect client's Python, the URL in its environment, and says its failure without the token", async () => {
    const before = (await connect.send('GET', `${TABLES}/events`)).body['metadata-location'];
    const failed = await connect.send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], 'partial-progress': { enabled: true, 'max-commits': 3 } });
    expect(failed.status).toBe(502);
    expect(failed.body.error, JSON.stringify(failed.body)).toMatchObject({ type: 'BadGatewayException', code: 502 });
    expect(failed.body.error.message).toBe(
      'the Spark job (rewrite-data-files of db.events) failed, exit status 1: SparkConnectGrpcException: cannot reach sc://localhost:15002/;use_ssl=false;token=***',
    );
    const job = JSON.parse(readFileSync(seen, 'utf8'));
    // The script alone on the command line; the URL (with its token) and the job in the environment only.
    expect(job.args).toBe(SPARK_JOB_SCRIPT);
    expect(job.remote).toBe(REMOTE);
    expect(job.spark_remote).toBe('');
    expect(job.job).toMatchObject({ action: 'rewrite-data-files', namespace: ['db'], name: 'events', options: { partialProgress: { maxCommits: 3 } } });
    expect(job.job.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await connect.send('GET', `${TABLES}/events`)).body['metadata-location']).toBe(before);
  });
});

describe('an unreachable Spark Connect server', () => {
  it("fails the job's script at once, naming the address (pyspark's own client retries for minutes)", () => {
    // A port nothing listens on: bound, then closed, by the same Python.
    const code = [
      'import json, socket, sys',
      `sys.path.insert(0, ${JSON.stringify(path.dirname(SPARK_JOB_SCRIPT))})`,
      'import lakegate_compaction as m',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()',
      'try:',
      '    m.reachable(f"sc://127.0.0.1:{port}/;token=sekrit")',
      '    print("reached")',
      'except ConnectionError as e:',
      '    print(json.dumps({"port": port, "error": str(e)}))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', code], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const { port, error } = JSON.parse(run.stdout) as { port: number; error: string };
    expect(error).toContain(`cannot reach the Spark Connect server at 127.0.0.1:${port}`);
    expect(error).not.toContain('sekrit');
  });
});

describe('partial-progress', () => {
  it('is checked: 400 for a bad value, a stray field, or rewrite-data-files not asked', async () => {
    for (const bad of [
      { enabled: 'yes' },
      { enabled: true, 'max-commits': 0 },
      { enabled: true, 'max-commits': 1001 },
      { enabled: true, 'max-commits': 2.5 },
      { enabled: false, 'max-commits': 5 },
      { enabled: true, 'max-file-group-size-bytes': 1 },
      [true],
    ]) {
      const refused = await connect.send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], 'partial-progress': bad });
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.body.error.message).toMatch(/partial-progress/);
    }
    const stray = await connect.send('POST', MAINTENANCE, { actions: ['rewrite-manifests'], 'partial-progress': { enabled: true } });
    expect(stray.status).toBe(400);
    expect(stray.body.error.message).toMatch(/partial-progress applies to rewrite-data-files/);
  });

  it("is Spark's: 400 with the in-process executor, which commits once (its dry run plans the same)", async () => {
    const refused = await inProcess.send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], 'partial-progress': { enabled: true } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/partial-progress is Spark's rewrite_data_files option: it applies with the spark executor/);
    const planned = await inProcess.send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], 'dry-run': true, 'partial-progress': { enabled: true } });
    expect(planned.status).toBe(200);
    expect(planned.body.compaction).toMatchObject({ outcome: 'dry-run', groups: 2 });
    // enabled false is Spark's default: the same as no partial-progress.
    const off = await inProcess.send('POST', MAINTENANCE, { actions: ['rewrite-data-files'], 'partial-progress': { enabled: false } });
    expect(off.status).toBe(200);
    expect(off.body.compaction).toMatchObject({ outcome: 'committed' });
  });

  it("becomes the procedure's partial-progress.enabled and .max-commits options in the shipped script", () => {
    const options = (o: Record<string, unknown>) => {
      const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(path.dirname(SPARK_JOB_SCRIPT))}); import lakegate_compaction as m; print(json.dumps(m.options_of(json.loads(sys.argv[1]))))`;
      const run = spawnSync('python3', ['-c', code, JSON.stringify(o)], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    };
    const base = { targetFileSizeBytes: 1048576, minInputFiles: 2, strategy: 'binpack' };
    expect(options(base)).toEqual({ 'target-file-size-bytes': '1048576', 'min-input-files': '2' });
    expect(options({ ...base, partialProgress: { maxCommits: 4 } })).toEqual({
      'target-file-size-bytes': '1048576',
      'min-input-files': '2',
      'partial-progress.enabled': 'true',
      'partial-progress.max-commits': '4',
    });
    expect(options({ ...base, partialProgress: {} })).toMatchObject({ 'partial-progress.enabled': 'true' });
    expect(options({ ...base, maxFileGroupSizeBytes: 8388608 })).toEqual({ ...options(base), 'max-file-group-size-bytes': '8388608' });
    expect(options({ ...base, partialProgress: {} })).not.toHaveProperty('partial-progress.max-commits');
  });
});

describe('the sparkConnect setting', () => {
  const load = (url: string, extra: Record<string, string> = {}) =>
    loadConfig({ env: { LAKEGATE_COMPACTION_EXECUTOR: 'spark', LAKEGATE_SPARK_CONNECT: url, ...extra } });

  it('takes a Spark Connect URL with its parameters', () => {
    expect(load('sc://spark.example:15002').sparkConnect).toBe('sc://spark.example:15002');
    expect(load('sc://localhost/;token=abc;use_ssl=true;user_id=lakegate;x-trace=1').sparkConnectPython).toBe('python3');
    expect(load('sc://[::1]:15002/', { LAKEGATE_SPARK_CONNECT_PYTHON: '/opt/venv/bin/python' }).sparkConnectPython).toBe('/opt/venv/bin/python');
  });

  it('refuses a bad one at startup, naming what is wrong and never the token', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://spark:15002', /does not start with sc:\/\//],
      ['sc://', /needs a host/],
      ['sc://spark:port', /needs a host, and a port of digits/],
      ['sc://spark:70000', /port must be from 1 to 65535/],
      ['sc://spark:15002/path', /has no path/],
      ['sc://spark:15002;token=x', /needs a host/],
      ['sc://spark:15002/;token', /each parameter after ";" is name=value/],
      ['sc://spark:15002/;use_ssl=yes', /use_ssl must be true or false/],
      ['sc://spark:15002/;session_id=0f2b', /session_id is not taken/],
      ['sc://spark:15002/;token=a;token=b', /token is given twice/],
      ['sc://user:pw@spark:15002', /no user info/],
      ['sc://spark:15002/;token=secret-value?x=1', /no query nor fragment/],
    ];
    for (const [url, message] of cases) {
      expect(() => load(url), url).toThrow(message);
      try {
        load(url);
      } catch (e) {
        expect((e as Error).name).toBe('ConfigError');
        expect((e as Error).message).not.toMatch(/secret-value|pw@/);
      }
    }
    expect(() => loadConfig({ env: { LAKEGATE_SPARK_CONNECT: 'sc://spark:15002' } })).toThrow(
      /sparkConnect is the spark executor's: it needs compactionExecutor "spark"/,
    );
    expect(() => load('sc://spark:15002', { LAKEGATE_SPARK_CONNECT_PYTHON: ' ' })).toThrow(/sparkConnectPython must name a Python/);
  });
});
