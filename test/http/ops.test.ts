import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
beforeAll(async () => {
  cat = await startInProcess();
});
afterAll(async () => cat.close());

describe('operational endpoints', () => {
  it('answers health and readiness', async () => {
    expect((await cat.lakegate.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await cat.lakegate.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('exports per-route request counts and latency histograms', async () => {
    await cat.lakegate.app.inject({ method: 'GET', url: '/v1/default/namespaces' });
    await cat.lakegate.app.inject({ method: 'GET', url: '/v1/default/namespaces/missing' });
    const text = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/lakegate_http_requests_total\{method="GET",route="\/v1\/:prefix\/namespaces",status="200"\} 1/);
    expect(text).toMatch(/lakegate_http_requests_total\{method="GET",route="\/v1\/:prefix\/namespaces\/:namespace",status="404"\} 1/);
    expect(text).toMatch(/lakegate_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/:prefix\/namespaces"/);
    // Log lines dropped by a stuck standard output (none here: the test's logger writes to its own stream).
    expect(text).toMatch(/^# TYPE lakegate_log_lines_dropped_total counter\nlakegate_log_lines_dropped_total 0$/m);
  });

  it('serves an OpenAPI document listing the Iceberg routes', async () => {
    const doc = (await cat.lakegate.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/v1/{prefix}/namespaces/{namespace}/tables/{table}');
    expect(doc.paths['/v1/{prefix}/transactions/commit'].post.operationId).toBe('commitTransaction');
  });

  it('answers unknown routes with a 404 in the Iceberg error model', async () => {
    const res = await cat.lakegate.app.inject({ method: 'GET', url: '/v1/nope/nope/nope/nope/nope/nope/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe(404);
  });
});

describe('URLs the router cannot decode', () => {
  const send = (method: 'GET' | 'POST', url: string) => cat.lakegate.app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });

  it('answer 400 in the envelope of the surface whose prefix they fall under, without echoing the URL', async () => {
    const iceberg = await send('GET', '/v1/default/namespaces/%ff%fe');
    expect(iceberg.statusCode).toBe(400);
    expect(iceberg.json()).toEqual({ error: { message: expect.stringMatching(/malformed/), type: 'BadRequestException', code: 400 } });
    const lance = await send('POST', '/lance/default/v1/namespace/%ff/describe');
    expect(lance.statusCode).toBe(400);
    expect(lance.json()).toMatchObject({ code: expect.any(Number), error: expect.stringMatching(/malformed/) });
    expect(lance.json()).not.toHaveProperty('error.type');
    const management = await send('GET', '/management/v1/roles/%c3%28');
    expect(management.statusCode).toBe(400);
    expect(management.json().error.code).toBe(400);
    // The message names no part of the URL (Lance's error model carries the path as its `instance`, as for any error).
    for (const res of [iceberg, lance, management]) expect(JSON.stringify({ ...res.json(), instance: undefined })).not.toMatch(/%ff|%c3|FST_ERR/i);
  });

  it('answer 414 for a path segment over the length limit', async () => {
    const res = await send('GET', `/v1/default/namespaces/${'a'.repeat(5000)}`);
    expect(res.statusCode).toBe(414);
    expect(res.json().error).toMatchObject({ code: 414, message: expect.stringMatching(/too long/) });
    expect(res.body).not.toContain('aaaaaaaaaa');
  });
});
