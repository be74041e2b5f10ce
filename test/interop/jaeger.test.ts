/**
 * Traces across engine and catalog, read back from a real Jaeger (v1.76.0 all-in-one, built from its Go module by
 * scripts/peers/jaeger.sh, in-memory storage). A `lakegate serve --workers 2` process exports OTLP/HTTP to it,
 * configured only by OTEL_* variables. PyIceberg 0.12 (the suite's cached venv) sends a W3C traceparent on every
 * call (its `header.traceparent` catalog property) with a trace and span id the test chose, so the catalog's server
 * spans must appear in Jaeger as children of that span, with child spans for authentication, authorization,
 * database statements, object-store calls and credential vending (the warehouse is on the fake S3/STS of
 * test/support/fake-s3.ts). No tag of the trace may hold the bearer token, the client secret or a vended key.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { type Jaeger, type JaegerSpan, type JaegerTrace, startJaeger } from '../support/jaeger.js';
import { pyicebergPython } from '../support/peers.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

let jaeger: Jaeger;
let s3: FakeS3;
let server: ServerProcess;
let token: string;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

beforeAll(async () => {
  jaeger = await startJaeger();
  s3 = await startFakeS3();
  server = await startServer({
    workers: 2,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_SERVICE_NAME: 'lakegate-interop', OTEL_BSP_SCHEDULE_DELAY: '200' },
  });
  token = await server.token();
  const res = await fetch(`${server.url}/management/v1/warehouses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'lake',
      'storage-root': 's3://bucket/wh',
      'storage-profile': { type: 's3', bucket: 'bucket', region: 'us-east-1', endpoint: s3.endpoint, 'path-style-access': true },
      'storage-secret': { 'access-key-id': 'root', 'secret-access-key': 'storage-secret-value-0123' },
    }),
  });
  expect(res.status, await res.text()).toBe(201);
}, 45 * 60_000);

afterAll(async () => {
  await server?.stop();
  await s3?.close();
  await jaeger?.stop();
});

const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;
const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

/** Polls the query API until `done` holds for the trace (spans of two workers arrive in batches). */
async function traceWhen(traceId: string, done: (t: JaegerTrace) => boolean): Promise<JaegerTrace> {
  let last: JaegerTrace | undefined;
  for (let i = 0; i < 120; i++) {
    last = await jaeger.trace(traceId);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`trace ${traceId} incomplete in Jaeger: ${JSON.stringify(last?.spans.map((s) => s.operationName))}`);
}

function descends(s: JaegerSpan, ancestors: Set<string>, all: JaegerSpan[]): boolean {
  for (let p = parentOf(s); p !== undefined; p = parentOf(all.find((x) => x.spanID === p) ?? ({ references: [] } as unknown as JaegerSpan))) {
    if (ancestors.has(p)) return true;
  }
  return false;
}

it(
  'a PyIceberg request carrying traceparent shows up in Jaeger with the catalog’s child spans under the caller’s span',
  async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const traceparent = `00-${traceId}-${callerSpan}-01`;
    const [clientId, clientSecret] = server.credential.split(':') as [string, string];
    // The engine's own token request joins the trace too: the client secret travels in its body.
    const tokenRes = await fetch(`${server.url}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', traceparent },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'catalog' }),
    });
    expect(tokenRes.status).toBe(200);
    const engineToken = ((await tokenRes.json()) as { access_token: string }).access_token;
    const script = `
import json, os
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType
cat = load_catalog("lake", **{"type": "rest", "uri": os.environ["URI"], "warehouse": "lake", "token": os.environ["TOKEN"],
    "header.traceparent": os.environ["TRACEPARENT"]})
cat.create_namespace("sales")
cat.create_table(("sales", "orders"), schema=Schema(NestedField(1, "id", LongType(), required=False)))
t = cat.load_table(("sales", "orders"))
print(json.dumps({k: t.io.properties.get(k) for k in ["s3.access-key-id", "s3.secret-access-key", "s3.session-token"]}))
`;
    const run = await runAsync(pyicebergPython(), ['-c', script], {
      env: { ...process.env, URI: server.url, TOKEN: engineToken, TRACEPARENT: traceparent },
      timeoutMs: 5 * 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const vended = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, string>;
    expect(Object.values(vended).every(Boolean), JSON.stringify(vended)).toBe(true);

    const trace = await traceWhen(
      traceId,
      (t) =>
        ['authenticate', 'authorize', 'vend credentials', 'storage write'].every((n) => t.spans.some((s) => s.operationName === n)) &&
        t.spans.some((s) => s.operationName === 'GET /v1/:prefix/namespaces/:namespace/tables/:table'),
    );
    const servers = trace.spans.filter((s) => tag(s, 'span.kind') === 'server');
    // Every catalog request of the engine (config, token, namespace, create, load) is a server span under the caller's span.
    expect(servers.length).toBeGreaterThanOrEqual(4);
    expect(servers.every((s) => parentOf(s) === callerSpan)).toBe(true);
    expect(servers.map((s) => s.operationName)).toEqual(
      expect.arrayContaining([
        'POST /v1/oauth/tokens',
        'POST /v1/:prefix/namespaces',
        'POST /v1/:prefix/namespaces/:namespace/tables',
        'GET /v1/:prefix/namespaces/:namespace/tables/:table',
      ]),
    );
    const create = servers.find((s) => s.operationName === 'POST /v1/:prefix/namespaces/:namespace/tables')!;
    expect(tag(create, 'http.response.status_code')).toBe(200);
    const under = (root: JaegerSpan) => trace.spans.filter((s) => descends(s, new Set([root.spanID]), trace.spans));
    const created = under(create);
    expect(created.filter((s) => s.operationName === 'authenticate').map(parentOf)).toEqual([create.spanID]);
    expect(created.some((s) => s.operationName === 'authorize' && tag(s, 'lakegate.authz.decision') === 'allow')).toBe(true);
    const statements = created.filter((s) => tag(s, 'db.system.name') === 'sqlite');
    expect(statements.map((s) => tag(s, 'db.operation.name'))).toEqual(expect.arrayContaining(['BEGIN', 'INSERT', 'COMMIT']));
    expect(created.some((s) => s.operationName === 'storage write' && tag(s, 'lakegate.storage.scheme') === 's3')).toBe(true);
    expect(created.some((s) => s.operationName === 'vend credentials' && tag(s, 'lakegate.credentials.mode') === 'read-write')).toBe(true);
    expect(trace.processes[create.processID]!.serviceName).toBe('lakegate-interop');

    // No secret anywhere in the trace: not in a span name, a tag or a process tag.
    const json = JSON.stringify(trace);
    for (const secret of [engineToken, clientSecret, 'storage-secret-value-0123']) expect(json.includes(secret), 'a secret is in the trace').toBe(false);
    const values = trace.spans.flatMap((s) => s.tags.map((t) => String(t.value)));
    // The fake STS's keys are short (AK1, SK, ST1): no tag may equal one.
    for (const key of Object.values(vended)) expect(values).not.toContain(key);
    expect(trace.spans.flatMap((s) => s.tags.map((t) => t.key)).filter((k) => /header|authorization|url\.(full|query)|db\.query\.text/i.test(k))).toEqual([]);
  },
  10 * 60_000,
);

it(
  'both workers of `serve --workers 2` export their spans',
  async () => {
    const traceId = hex(16);
    const traceparent = `00-${traceId}-${hex(8)}-01`;
    // A new connection per request: the primary hands connections to its workers in turn.
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${server.url}/v1/config?warehouse=lake`, { headers: { authorization: `Bearer ${token}`, traceparent, connection: 'close' } });
      expect(res.status).toBe(200);
    }
    const trace = await traceWhen(traceId, (t) => t.spans.filter((s) => tag(s, 'span.kind') === 'server').length === 8);
    const pids = new Set(trace.spans.map((s) => trace.processes[s.processID]!.tags.find((t) => t.key === 'process.pid')?.value));
    expect(pids.size).toBe(2);
  },
  5 * 60_000,
);
