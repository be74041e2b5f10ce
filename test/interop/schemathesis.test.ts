/**
 * Schemathesis (PyPI, pinned in peers/python/schemathesis-requirements.txt, cached virtualenv) fuzzes a real
 * `lakegate serve` from the OpenAPI document the server itself serves: every operation of the Iceberg, Lance,
 * OAuth and management surfaces, with a fixed seed and a bounded number of examples per operation, as an
 * administrator (a bearer token). The run fails on any 5xx, on any response that violates the documented
 * schema or status codes' content types.
 *
 * Path parameters `prefix`, `namespace` and `table` are pinned to a warehouse, namespace and table that exist,
 * so the generated bodies reach the handlers instead of stopping at 404. Operations that would lock the fuzzer
 * out (rotating, disabling or revoking the tokens of a principal, revoking a token) are left out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { peerScript } from '../support/peers.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const SEED = 20261122;
const EXAMPLES = 40;
const LOCKOUT = ['rotatePrincipalSecret', 'disablePrincipal', 'revokePrincipalTokens', 'revokeToken', 'revokeToken2'];

let server: ServerProcess;
let python: string;
let dir: string;

beforeAll(async () => {
  python = execFileSync('bash', [peerScript('python-venv.sh'), 'schemathesis', 'peers/python/schemathesis-requirements.txt', 'import schemathesis'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .at(-1)!
    .trim();
  server = await startServer();
  dir = mkdtempSync(path.join(tmpdir(), 'lakegate-schemathesis-'));
  const send = httpSender(server.url, await server.token());
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['fz'] })).status).toBe(200);
  expect((await send('POST', '/v1/default/namespaces/fz/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
});
afterAll(async () => server?.stop());

describe('Schemathesis against the served OpenAPI document', () => {
  it('finds no 5xx and no response outside the documented schema in any operation', async () => {
    const document = await (await fetch(`${server.url}/openapi.json`)).json();
    const operations = Object.values(document.paths as Record<string, Record<string, unknown>>).reduce((n, item) => n + Object.keys(item).length, 0);
    const documentFile = path.join(dir, 'openapi.json');
    writeFileSync(documentFile, JSON.stringify(document));
    const config = path.join(dir, 'schemathesis.toml');
    writeFileSync(config, '[parameters]\n"path.prefix" = "default"\n"path.namespace" = "fz"\n"path.table" = "t"\n');
    const junit = path.join(dir, 'junit.xml');
    const args = [
      '-m', 'schemathesis.cli', '--config-file', config, 'run', documentFile,
      '-u', server.url,
      '-H', `Authorization: Bearer ${await server.token()}`,
      '-c', 'not_a_server_error,response_schema_conformance,content_type_conformance',
      '-n', String(EXAMPLES), '--seed', String(SEED), '--workers', '1',
      '--phases', 'examples,coverage,fuzzing',
      '--request-timeout', '30',
      '--no-color', '--report', 'junit', '--report-junit-path', junit,
      ...LOCKOUT.flatMap((id) => ['--exclude-operation-id', id]),
    ];
    // Its working directory is the run's own: Schemathesis keeps a .schemathesis/ cache there, never in the repository.
    const run = spawnSync(python, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 8 * 60_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    // The summary names how many operations ran and how many cases passed; a failure is shown with its reproduction.
    const tested = Number(/Tested:\s+(\d+)/.exec(output)?.[1] ?? 0);
    const cases = /(\d+) generated, (\d+) passed/.exec(output);
    expect(run.status, output.slice(-6000)).toBe(0);
    expect(tested).toBe(operations - LOCKOUT.length);
    expect(Number(cases?.[1] ?? 0)).toBeGreaterThan(operations * 10);
    expect(cases?.[1]).toBe(cases?.[2]);
    expect(readFileSync(junit, 'utf8')).not.toMatch(/<failure/);
    // The server logged no unhandled error while being fuzzed.
    expect(await server.settledOutput()).not.toMatch(/unhandled error/i);
  });
});
