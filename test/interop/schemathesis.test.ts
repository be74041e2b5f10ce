/**
 * Schemathesis (PyPI, pinned in peers/python/schemathesis-requirements.txt, cached virtualenv) fuzzes a real
 * `lakegate serve` from the OpenAPI document the server itself serves: every operation of the Iceberg, Lance,
 * OAuth and management surfaces, with a fixed seed (the coverage phase's boundary values for every parameter and
 * field, about 11,000 cases, and 5 random examples per operation: fuzzing costs ~0.1 s a case), twice: as an
 * administrator (a bearer token), and as a principal holding one read grant on one table (deny by default answers
 * the rest). The run fails on any 5xx, on any response that violates the documented schema, an error status the
 * operation does not document, or a content type outside the documented ones.
 *
 * Path parameters are pinned to objects that exist, so the generated bodies reach the handlers instead of stopping
 * at 404: the warehouse `default` (prefix and warehouse), its tenant, namespace `fz`, table `t`; an event sink of the
 * warehouse and of the tenant; and remote signing on a warehouse on a real S3 (MinIO), where signRequest and
 * signRequestByLocation are signed or refused by the rules rather than by "no S3 here". Operations that would lock
 * the fuzzer out (rotating, disabling or revoking the tokens of a principal, revoking a token) are left out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { clientToken, createPrincipal, type ServerProcess, startServer } from '../support/server-process.js';

const SEED = 20261122;
const LOCKOUT = ['rotatePrincipalSecret', 'disablePrincipal', 'revokePrincipalTokens', 'revokeToken', 'revokeToken2'];
const CHECKS = 'not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance';

let server: ServerProcess;
let minio: Minio;
let python: string;
let dir: string;
let readerToken: string;
let sinks: { warehouse: string; tenant: string };

beforeAll(async () => {
  python = execFileSync('bash', [peerScript('python-venv.sh'), 'schemathesis', 'peers/python/schemathesis-requirements.txt', 'import schemathesis'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .at(-1)!
    .trim();
  minio = await startMinio();
  await minio.createBucket('fuzz');
  server = await startServer();
  dir = mkdtempSync(path.join(tmpdir(), 'lakegate-schemathesis-'));
  const send = httpSender(server.url, await server.token());
  const lake = minioWarehouse(minio, 'lake', 'fuzz') as { 'storage-profile': Record<string, unknown> };
  lake['storage-profile']['sts-enabled'] = false;
  expect((await send('POST', '/management/v1/warehouses', lake)).status).toBe(201);
  for (const prefix of ['default', 'lake']) {
    expect((await send('POST', `/v1/${prefix}/namespaces`, { namespace: ['fz'] })).status).toBe(200);
    expect((await send('POST', `/v1/${prefix}/namespaces/fz/tables`, { name: 't', schema: simpleSchema })).status).toBe(200);
  }
  const hook = { kind: 'webhook', config: { url: 'https://hooks.example.test/fuzz' } };
  sinks = {
    warehouse: (await send('POST', '/management/v1/warehouses/default/event-sinks', hook)).body.sink.id,
    tenant: (await send('POST', '/management/v1/tenants/default/event-sinks', hook)).body.sink.id,
  };
  // A principal that may read one table's data (and so list and load it), and nothing else.
  const reader = await createPrincipal(server, 'fuzz-reader');
  await grantPrincipal(send, reader.id, ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['fz'], name: 't' });
  readerToken = await clientToken(server.url, reader.credential);
}, 240_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

/** Runs Schemathesis with a bearer token over the operations matching `include` (all by default); its summary and report. */
function fuzz(name: string, token: string, examples: number, include?: RegExp) {
  const config = path.join(dir, `${name}.toml`);
  const pin = (operationId: string, params: Record<string, string>) =>
    `[[operations]]\ninclude-operation-id = "${operationId}"\nparameters = { ${Object.entries(params)
      .map(([k, v]) => `"${k}" = "${v}"`)
      .join(', ')} }\n`;
  writeFileSync(
    config,
    [
      '[parameters]\n"path.prefix" = "default"\n"path.namespace" = "fz"\n"path.table" = "t"\n"path.warehouse" = "default"\n"path.tenant" = "default"\n',
      pin('signRequest', { 'path.prefix': 'lake' }),
      pin('getEventSink', { 'path.sinkId': sinks.warehouse }),
      pin('getTenantEventSink', { 'path.sinkId': sinks.tenant }),
    ].join('\n'),
  );
  const junit = path.join(dir, `${name}.xml`);
  const args = [
    '-m',
    'schemathesis.cli',
    '--config-file',
    config,
    'run',
    path.join(dir, 'openapi.json'),
    '-u',
    server.url,
    '-H',
    `Authorization: Bearer ${token}`,
    '-c',
    CHECKS,
    '-n',
    String(examples),
    '--seed',
    String(SEED),
    '--workers',
    '1',
    '--phases',
    'examples,coverage,fuzzing',
    '--request-timeout',
    '30',
    '--no-color',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
    ...LOCKOUT.flatMap((id) => ['--exclude-operation-id', id]),
    ...(include ? ['--include-operation-id-regex', include.source] : []),
  ];
  // Lance CreateTable's body is an Arrow IPC stream (format binary): Schemathesis has no serializer for its media type,
  // so a hook sends the generated value as the raw body (the server answers a stream that does not parse with 400).
  writeFileSync(
    path.join(dir, 'lakegate_hooks.py'),
    [
      'import schemathesis',
      '',
      '@schemathesis.serializer("application/vnd.apache.arrow.stream")',
      'def arrow_stream(ctx, value):',
      '    return value if isinstance(value, bytes) else str(value).encode()',
      '',
    ].join('\n'),
  );
  // Its working directory is the run's own: Schemathesis keeps a .schemathesis/ cache there, never in the repository.
  const run = spawnSync(python, args, {
    cwd: dir,
    env: { ...process.env, SCHEMATHESIS_HOOKS: 'lakegate_hooks' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 8 * 60_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  // The summary names how many operations ran and how many cases passed; a failure is shown with its reproduction.
  const cases = /(\d+) generated, (\d+) passed/.exec(output);
  return {
    status: run.status,
    output,
    tested: Number(/Tested:\s+(\d+)/.exec(output)?.[1] ?? 0),
    generated: Number(cases?.[1] ?? 0),
    passed: Number(cases?.[2] ?? -1),
    junit: readFileSync(junit, 'utf8'),
  };
}

/** The operations this wave added: remote signing, scan planning, events and sinks, dropped objects, maintenance, Lance versions. */
const NEW_OPERATIONS =
  /^(signRequest|signRequestByLocation|planTableScan|fetchPlanningResult|cancelPlanning|fetchScanTasks|listEvents|(list|create|get|delete)(Tenant)?EventSinks?|listDroppedObjects|undropObject|runTableMaintenance|getTableMaintenance|lance(Create|List|Describe|BatchDelete)TableVersions?|lanceRestoreTable)$/;

describe('Schemathesis against the served OpenAPI document', () => {
  it('finds no 5xx and no response outside the documented schema or statuses in any operation, as an administrator', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(document));
    const operations = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    const run = fuzz('admin', await server.token(), 5);
    expect(run.status, run.output.slice(-6000)).toBe(0);
    expect(run.tested).toBe(operations - LOCKOUT.length);
    expect(run.generated).toBeGreaterThan(operations * 10);
    expect(run.passed).toBe(run.generated);
    expect(run.junit).not.toMatch(/<failure/);
    // The server logged no unhandled error while being fuzzed.
    expect(await server.settledOutput()).not.toMatch(/unhandled error/i);
  });

  it('finds none either for a principal with one read grant, over the operations of this wave', async () => {
    const document = JSON.parse(readFileSync(path.join(dir, 'openapi.json'), 'utf8'));
    const selected = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((item) => Object.values(item).map((op) => op.operationId))
      .filter((id) => NEW_OPERATIONS.test(id));
    expect(selected.length).toBeGreaterThanOrEqual(24);
    const run = fuzz('reader', readerToken, 5, NEW_OPERATIONS);
    expect(run.status, run.output.slice(-6000)).toBe(0);
    expect(run.tested).toBe(selected.length);
    expect(run.passed).toBe(run.generated);
    expect(run.junit).not.toMatch(/<failure/);
    expect(await server.settledOutput()).not.toMatch(/unhandled error/i);
  });
});
