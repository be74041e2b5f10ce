/**
 * OpenTelemetry traces of a real HTTP server (in-process, listening on loopback, spans kept in memory): a request
 * that carries a W3C traceparent gets a server span under the caller's span, with child spans for authentication,
 * authorization, database statements, object-store calls and credential vending (against the fake S3/STS of
 * test/support/fake-s3.ts), and no attribute holds the bearer token, the client secret, the storage secret or a
 * vended key. The same against a real Jaeger: test/interop/jaeger.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLakegate, createLogger, loadConfig, tracesExporters, type Lakegate } from '@lakegate/server';
import { memoryTracing, tracingFromEnv } from '@lakegate/server/tracing';
import { simpleSchema } from '../support/iceberg-http.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { tempDir } from '../support/temp.js';

type Finished = ReturnType<ReturnType<typeof memoryTracing>['finished']>[number];

let s3: FakeS3;
let lakegate: Lakegate;
let url: string;
let cleanup: () => void;
let memory: ReturnType<typeof memoryTracing>;
let clientSecret: string;
let token: string;
const secrets: string[] = [];

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

async function call(method: string, pathName: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${pathName}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The spans of one trace, once the server span has ended (it ends when the response is closed, just after the client has it). */
async function traceOf(traceId: string): Promise<Finished[]> {
  for (let i = 0; i < 100; i++) {
    const spans = memory.finished().filter((s) => s.spanContext().traceId === traceId);
    if (spans.some((s) => s.kind === 1 /* SERVER */)) return spans;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no server span in trace ${traceId}`);
}

const parentOf = (s: Finished) => s.parentSpanContext?.spanId;

/** True when `s` descends from the span `ancestor` (through its parents in `all`). */
function descends(s: Finished, ancestor: string, all: Finished[]): boolean {
  for (let p = parentOf(s); p !== undefined; p = parentOf(all.find((x) => x.spanContext().spanId === p)!)) {
    if (p === ancestor) return true;
    if (!all.some((x) => x.spanContext().spanId === p)) return false;
  }
  return false;
}

beforeAll(async () => {
  s3 = await startFakeS3();
  const dir = tempDir();
  cleanup = dir.cleanup;
  memory = memoryTracing();
  const config = loadConfig({ env: { LAKEGATE_DATA_DIR: dir.dir, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'required' } });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  lakegate = await buildLakegate({ config, logger: createLogger('warn', sink), tracing: memory.tracing });
  await lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(lakegate.app.server.address() as AddressInfo).port}`;
  const admin = JSON.parse(readFileSync(path.join(dir.dir, 'admin-credentials.json'), 'utf8')) as { client_id: string; client_secret: string };
  clientSecret = admin.client_secret;
  const res = await fetch(`${url}/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: clientSecret, scope: 'catalog' }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
  expect(token).toBeTruthy();
  const storageSecret = `storage-secret-${hex(12)}`;
  secrets.push(token, clientSecret, storageSecret);
  const warehouse = await call('POST', '/management/v1/warehouses', {
    name: 'lake',
    'storage-root': 's3://bucket/wh',
    'storage-profile': { type: 's3', bucket: 'bucket', region: 'us-east-1', endpoint: s3.endpoint, 'path-style-access': true },
    'storage-secret': { 'access-key-id': 'root', 'secret-access-key': storageSecret },
  });
  expect(warehouse.status, JSON.stringify(warehouse.body)).toBe(201);
  expect((await call('POST', '/v1/lake/namespaces', { namespace: ['sales'] })).status).toBe(200);
});

afterAll(async () => {
  await lakegate?.close();
  await s3?.close();
  cleanup?.();
});

describe('a traced request', () => {
  const callerTrace = hex(16);
  const callerSpan = hex(8);
  const traceparent = `00-${callerTrace}-${callerSpan}-01`;
  let spans: Finished[];
  let vended: Record<string, string>;

  beforeAll(async () => {
    // The query string carries a value that must not reach the trace either.
    const created = await call(
      'POST',
      '/v1/lake/namespaces/sales/tables?marker=query-secret-value',
      { name: 'orders', schema: simpleSchema },
      { traceparent, 'x-iceberg-access-delegation': 'vended-credentials' },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    vended = created.body['storage-credentials'][0].config;
    spans = await traceOf(callerTrace);
  });

  it('joins the caller’s trace: the server span is a child of the caller’s span, named by its route template', () => {
    const server = spans.filter((s) => s.kind === 1);
    expect(server).toHaveLength(1);
    expect(parentOf(server[0]!)).toBe(callerSpan);
    expect(server[0]!.name).toBe('POST /v1/:prefix/namespaces/:namespace/tables');
    expect(server[0]!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/:prefix/namespaces/:namespace/tables',
      'http.response.status_code': 200,
    });
  });

  it('has child spans for authentication, authorization, database statements, object-store calls and credential vending', () => {
    const server = spans.find((s) => s.kind === 1)!;
    const id = server.spanContext().spanId;
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(named('authenticate').map(parentOf)).toEqual([id]);
    expect(named('authenticate')[0]!.attributes['lakegate.auth.method']).toBeTruthy();
    expect(named('authorize').length).toBeGreaterThan(0);
    expect(named('authorize').every((s) => descends(s, id, spans) && s.attributes['lakegate.authz.decision'] === 'allow')).toBe(true);
    const statements = spans.filter((s) => s.attributes['db.system.name'] === 'sqlite');
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((s) => s.kind === 2 /* CLIENT */ && descends(s, id, spans))).toBe(true);
    expect(statements.map((s) => s.attributes['db.operation.name'])).toEqual(expect.arrayContaining(['BEGIN', 'INSERT', 'COMMIT']));
    const writes = named('storage write');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes[0]!.attributes).toMatchObject({ 'lakegate.storage.scheme': 's3', 'lakegate.storage.operation': 'write' });
    expect(named('vend credentials').map((s) => s.attributes['lakegate.credentials.mode'])).toEqual(['read-write']);
    expect(spans.every((s) => s === server || descends(s, id, spans))).toBe(true);
  });

  it('holds no token, secret, vended key, query value or header in any attribute or name', () => {
    const keys = ['s3.access-key-id', 's3.secret-access-key', 's3.session-token'].map((k) => vended[k]!);
    expect(keys.every(Boolean)).toBe(true);
    const values = spans.flatMap((s) => [
      s.name,
      ...Object.values(s.attributes)
        .flatMap((v) => (Array.isArray(v) ? v : [v]))
        .map(String),
    ]);
    for (const secret of [...secrets, 'query-secret-value']) expect(values.filter((v) => v.includes(secret))).toEqual([]);
    // The fake STS's keys are short (AK1, SK, ST1): no attribute may equal one.
    for (const key of keys) expect(values).not.toContain(key);
    expect(spans.flatMap((s) => Object.keys(s.attributes)).filter((k) => /header|authorization|url\.(full|query)|db\.query\.text|parameter/i.test(k))).toEqual(
      [],
    );
  });

  it('traces a loadTable of another trace with its own authorization and vending spans', async () => {
    const trace = hex(16);
    const res = await call('GET', '/v1/lake/namespaces/sales/tables/orders', undefined, {
      traceparent: `00-${trace}-${hex(8)}-01`,
      'x-iceberg-access-delegation': 'vended-credentials',
    });
    expect(res.status).toBe(200);
    const load = await traceOf(trace);
    expect(load.find((s) => s.kind === 1)!.name).toBe('GET /v1/:prefix/namespaces/:namespace/tables/:table');
    expect(load.map((s) => s.name)).toEqual(expect.arrayContaining(['authenticate', 'authorize', 'vend credentials']));
  });

  it('a refused credential gets an authenticate span with the refusal, not the token', async () => {
    const trace = hex(16);
    const bogus = `bogus-${hex(16)}`;
    const res = await fetch(`${url}/v1/lake/namespaces`, { headers: { authorization: `Bearer ${bogus}`, traceparent: `00-${trace}-${hex(8)}-01` } });
    expect(res.status).toBe(401);
    const refused = await traceOf(trace);
    expect(refused.find((s) => s.name === 'authenticate')!.attributes['lakegate.auth.outcome']).toMatch(/^refused-|missing/);
    expect(refused.find((s) => s.kind === 1)!.attributes['http.response.status_code']).toBe(401);
    expect(JSON.stringify(refused.map((s) => [s.name, s.attributes]))).not.toContain(bogus);
  });

  it('a request without traceparent starts a trace of its own', async () => {
    memory.reset();
    expect((await call('GET', '/v1/config?warehouse=lake')).status).toBe(200);
    // The server span ends when the response is closed, just after the client has it: polled, not a fixed wait.
    await expect.poll(() => memory.finished().filter((s) => s.kind === 1).length).toBeGreaterThan(0);
    const server = memory.finished().filter((s) => s.kind === 1);
    expect(server).toHaveLength(1);
    expect(server[0]!.parentSpanContext).toBeUndefined();
  });
});

describe('configuration by OTEL_* variables', () => {
  it('is off by default, and when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none say so', () => {
    expect(tracesExporters({})).toEqual([]);
    expect(tracingFromEnv({})).toBeUndefined();
    expect(tracesExporters({ OTEL_SERVICE_NAME: 'x' })).toEqual([]);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toEqual([]);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toEqual([]);
  });

  it('is on with an OTLP endpoint or OTEL_TRACES_EXPORTER=otlp', () => {
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual(['otlp']);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toEqual(['otlp']);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual(['otlp']);
  });
});
