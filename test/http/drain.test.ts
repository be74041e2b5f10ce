/**
 * Shutdown's drain (docs/deployment.md): after drain() readiness answers 503 `draining` and every response closes
 * its connection, while requests are still answered; and X-Forwarded-For is believed from listed proxies only
 * (LAKEGATE_TRUSTED_PROXIES), so the sign-in limiter counts the client behind a load balancer, not the balancer.
 * The whole sequence under a real proxy: test/interop/replicas-proxy.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog | undefined;
afterEach(async () => {
  await cat?.close();
  cat = undefined;
});

describe('draining', () => {
  it('answers readiness 503 and closes each connection, still serving requests', async () => {
    cat = await startInProcess();
    const before = await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config' });
    expect(before.headers.connection).not.toBe('close');
    cat.lakegate.drain();
    const ready = await cat.lakegate.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'draining' });
    const served = await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config' });
    expect(served.statusCode).toBe(200);
    expect(served.headers.connection).toBe('close');
    expect((await cat.lakegate.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('trusted proxies', () => {
  const failures = async (c: TestCatalog, forwardedFor: string, remoteAddress: string) => {
    const res = await c.lakegate.app.inject({
      method: 'POST',
      url: '/v1/oauth/tokens',
      remoteAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
      payload: 'grant_type=client_credentials&client_id=nobody&client_secret=wrong&scope=catalog',
    });
    return res.statusCode;
  };

  it('counts sign-in failures by the forwarded client when the proxy is listed, by the socket otherwise', async () => {
    // Behind a listed proxy: one client's failures do not lock out another client behind the same proxy.
    cat = await startInProcess({ LAKEGATE_TRUSTED_PROXIES: '10.9.9.9' }, { auth: true });
    const seen: number[] = [];
    for (let i = 0; i < 40; i++) seen.push(await failures(cat, '192.0.2.1', '10.9.9.9'));
    expect(seen).toContain(429);
    expect(await failures(cat, '192.0.2.77', '10.9.9.9')).toBe(401);
    await cat.close();
    // Not listed: X-Forwarded-For is ignored, so sending another one does not escape the limit.
    cat = await startInProcess({}, { auth: true });
    for (let i = 0; i < 40; i++) await failures(cat, `192.0.2.${i}`, '10.9.9.9');
    expect(await failures(cat, '192.0.2.200', '10.9.9.9')).toBe(429);
  });
});
