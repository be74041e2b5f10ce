/**
 * PyIceberg 0.12 with `rest.sigv4-enabled=true` (boto3/botocore 1.44.5, pinned in
 * peers/python/requirements-sigv4.txt) against a real Lakegate server, with no bearer
 * credential at all: every request, /v1/config included, carries only botocore's
 * SigV4 signature made with a principal's access key (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY in the Python process's environment). The scenario is
 * peers/python/pyiceberg_sigv4.py.
 *
 * What PyIceberg 0.12 signs (docs/compatibility.md): the signing name defaults to
 * "execute-api"; an empty body is signed through an `x-amz-content-sha256` header, a
 * JSON body by its hash alone; accept, accept-encoding, content-length, content-type,
 * host, x-client-version and x-iceberg-access-delegation are signed; a bearer token, if
 * one is configured too, is moved to `Original-Authorization`; query values are signed
 * decoded, so `?warehouse=a+b` is signed as `a%20b`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerScript } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess, startServer, grantTo } from '../support/server-process.js';
import { READ_WRITE_ALL } from '../support/access.js';
import { runAsync } from '../support/temp.js';

const SIGNING_NAME = 'lakegate-catalog';
const REGION = 'eu-central-1';
// A space in the warehouse name: PyIceberg asks for /v1/config?warehouse=signed+wh, and the prefix is "signed%20wh".
const WAREHOUSE = 'signed wh';
const SCRIPT = path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_sigv4.py');

let server: ServerProcess;
let python: string;
let adminToken: string;
let principal: string;
let key: { id: string; secret: string };

interface LogLine {
  reqId?: string;
  msg?: string;
  actor?: string;
  auth?: string;
  reason?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

/** The server's JSON log, one request per entry: its method, URL, status and who was authenticated how. */
async function requests(): Promise<Array<{ method: string; url: string; status?: number; actor?: string; auth?: string }>> {
  const byId = new Map<string, { method: string; url: string; status?: number; actor?: string; auth?: string }>();
  for (const raw of (await server.settledOutput()).split('\n')) {
    if (!raw.startsWith('{')) continue;
    const line = JSON.parse(raw) as LogLine;
    if (!line.reqId) continue;
    // One line per request: "request completed" names it (req), its status and its caller.
    if (line.msg === 'request completed' && line.req)
      byId.set(line.reqId, { method: line.req.method, url: line.req.url, status: line.res?.statusCode, actor: line.actor, auth: line.auth });
  }
  return [...byId.values()];
}

async function send(method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${url}`).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

/** The Python process's environment: AWS credentials from the variables only (no profile, no instance metadata). */
function pythonEnv(over: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/lakegate-test',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lakegate-test',
    AWS_EC2_METADATA_DISABLED: 'true',
    CATALOG_URI: server.url,
    CATALOG_WAREHOUSE: WAREHOUSE,
    SIGNING_REGION: REGION,
    ...over,
  };
}

const summaryOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  // Before the server starts: execFileSync would stop this process from draining the server's pipes.
  python = execFileSync(
    'bash',
    [peerScript('python-venv.sh'), 'pyiceberg-sigv4', 'peers/python/requirements-sigv4.txt', 'import pyiceberg, pyarrow, boto3, botocore.auth'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
    .trim()
    .split('\n')
    .at(-1)!;
  server = await startServer({ env: { LAKEGATE_SIGV4_SIGNING_NAME: SIGNING_NAME, LAKEGATE_SIGV4_REGION: REGION } });
  adminToken = await server.token();
  await send('POST', '/management/v1/warehouses', {
    name: WAREHOUSE,
    'storage-root': `file://${server.dataDir}/signed-warehouse`,
    'storage-profile': { type: 'file' },
  });
  // A plain principal (no roles): what the catalog sees must be this principal, not the admin who set it up.
  principal = (await send('POST', '/management/v1/principals', { name: 'pyiceberg-signer' }))['client-id'] as string;
  // ...holding what the scenario does in that warehouse (deny by default).
  await grantTo(server, principal, READ_WRITE_ALL, { type: 'warehouse', warehouse: WAREHOUSE });
  const created = await send('POST', `/management/v1/principals/${principal}/access-keys`);
  key = { id: created['access-key-id'] as string, secret: created['secret-access-key'] as string };
});
afterAll(async () => server?.stop());

describe('PyIceberg with rest.sigv4-enabled', () => {
  it('creates, appends, reads back, lists and drops with only a SigV4 signature, as the principal of the access key', async () => {
    const before = (await requests()).length;
    const run = await runAsync(python, [SCRIPT], {
      env: pythonEnv({ SIGNING_NAME, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret }),
      timeoutMs: 5 * 60_000,
    });
    const lines = summaryOf(run.stdout);
    const summary = lines.find((l) => l.summary);
    expect(summary, `no summary; stderr:\n${run.stderr}`).toBeDefined();
    expect(summary!.failure ?? null, JSON.stringify(lines.find((l) => l.status === 'fail'))).toBeNull();
    expect(run.status).toBe(0);
    expect(lines.filter((l) => l.step).map((l) => `${l.step}:${l.status}`)).toEqual(
      ['connect', 'create_namespaces', 'list_namespaces', 'create_table', 'append_and_read', 'list_tables', 'drop'].map((s) => `${s}:ok`),
    );
    expect(lines.find((l) => l.step === 'connect')!.detail).toEqual({ pyiceberg: '0.12.0', boto3: '1.44.5', botocore: '1.44.5' });

    // (The set-up's last management call may finish logging after `before` was taken.)
    const scenario = (await requests()).slice(before).filter((r) => !r.url.startsWith('/management/'));
    // Every request PyIceberg made was authenticated by SigV4 as the principal, none by a token; it never asked for one.
    expect(scenario.length).toBeGreaterThanOrEqual(15);
    expect(scenario.filter((r) => r.auth !== 'sigv4' || r.actor !== `service:${principal}`)).toEqual([]);
    expect(scenario.filter((r) => r.url.startsWith('/v1/oauth'))).toEqual([]);
    // ...with every kind of request the catalog has: the config call with a form-encoded space, GET/HEAD/POST/DELETE on
    // paths with encoded spaces, "+" and non-ASCII characters, and commits (JSON bodies signed by their hash).
    const seen = scenario.map((r) => `${r.method} ${r.url} ${r.status}`);
    expect(seen).toContain('GET /v1/config?warehouse=signed+wh 200');
    const table = '/v1/signed%20wh/namespaces/sigv4_ns%1Fkid%20%2B%C3%A9/tables/events%201';
    for (const expected of [
      'POST /v1/signed%20wh/namespaces 200',
      'GET /v1/signed%20wh/namespaces?parent=sigv4_ns 200',
      'POST /v1/signed%20wh/namespaces/sigv4_ns/properties 200',
      'POST /v1/signed%20wh/namespaces/sigv4_ns%1Fkid%20%2B%C3%A9/tables 200',
      `POST ${table} 200`,
      `GET ${table} 200`,
      `HEAD ${table} 204`,
      `DELETE ${table}?purgeRequested=True 204`,
      `GET ${table} 404`,
      'DELETE /v1/signed%20wh/namespaces/sigv4_ns 204',
    ]) {
      expect(seen, expected).toContain(expected);
    }
    expect(await server.settledOutput()).not.toContain(key.secret);
  });

  it('raises UnauthorizedError (401) when the secret key is wrong, and the wrong secret is not logged', async () => {
    const wrong = `${key.secret.slice(0, -6)}WRONG0`;
    const run = await runAsync(python, [SCRIPT], {
      env: pythonEnv({ SIGV4_MODE: 'expect-unauthorized', SIGNING_NAME, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: wrong }),
      timeoutMs: 2 * 60_000,
    });
    const summary = summaryOf(run.stdout).find((l) => l.summary);
    expect(summary, run.stderr).toMatchObject({ ok: true, raised: 'UnauthorizedError', module: 'pyiceberg.exceptions' });
    expect(summary!.message).toMatch(/NotAuthorizedException: Not authorized: the request signature does not match/);
    expect(run.status).toBe(0);
    const log = await server.settledOutput();
    expect(log).toMatch(/"auth":"AWS4-HMAC-SHA256","reason":"the request signature does not match","msg":"authentication failed"/);
    expect(log).not.toContain(wrong);
    expect(log).not.toContain(key.secret);
  });

  it('is refused when PyIceberg signs with its default signing name (execute-api) but the server expects another', async () => {
    const run = await runAsync(python, [SCRIPT], {
      env: pythonEnv({ SIGV4_MODE: 'expect-unauthorized', AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret }),
      timeoutMs: 2 * 60_000,
    });
    const summary = summaryOf(run.stdout).find((l) => l.summary);
    expect(summary, run.stderr).toMatchObject({ ok: true, raised: 'UnauthorizedError' });
    expect(summary!.message).toContain(`credential scope service must be "${SIGNING_NAME}"`);
  });
});
