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
