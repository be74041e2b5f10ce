/**
 * The web console's server side, in-process: sign-in with a principal's id and secret, the session cookie's flags,
 * the cookie authenticating the Iceberg, Lance and management surfaces with the identity's own privileges, the CSRF
 * header on every cookie-authenticated mutation (and never on bearer requests), sign-out and the ends of a session
 * (expiry, secret rotation); the /ui surface with and without a built console, and the first-load budget.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { REPO_ROOT } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';
import { tampered } from '../support/tamper.js';

const CONSOLE_DIST = path.join(REPO_ROOT, 'packages', 'console', 'dist');
let now = Date.now();
const clock = { now: () => now };
let cat: TestCatalog;
let admin: { client_id: string; client_secret: string };

beforeAll(async () => {
  // The console is built by `npm run build` / scripts/test.sh; a lone run of this file builds it first.
  if (!existsSync(path.join(CONSOLE_DIST, 'bundle-size.json')))
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'packages', 'console', 'scripts', 'build.mjs')], { stdio: 'ignore' });
  cat = await startInProcess({ LAKEGATE_CONSOLE_DIR: CONSOLE_DIST, LAKEGATE_CONSOLE_SESSION_TTL_SECONDS: '3600' }, { auth: true, clock });
  admin = cat.admin();
});
afterAll(async () => cat.close());

const inject = (options: { method: string; url: string; payload?: unknown; headers?: Record<string, string> }) =>
  cat.lakegate.app.inject({
    method: options.method as 'GET',
    url: options.url,
    ...(options.payload === undefined ? {} : { payload: options.payload as string }),
    headers: options.headers ?? {},
  });

async function signIn(clientId: string, clientSecret: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await inject({
    method: 'POST',
    url: '/ui/auth/login',
    payload: JSON.stringify({ clientId, clientSecret }),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.statusCode, res.body).toBe(200);
  const setCookie = String(res.headers['set-cookie']);
  const parsed = parseSetCookie(setCookie);
  return { cookie: `lakegate_session=${parsed.value}`, csrf: res.json().csrf as string, setCookie };
}

const adminToken = async () =>
  (
    await inject({
      method: 'POST',
      url: '/v1/oauth/tokens',
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  ).json().access_token as string;

describe('console sign-in', () => {
  it('sets an httpOnly, SameSite=Strict session cookie holding only a random token, and never logs it', async () => {
    const { setCookie, cookie, csrf } = await signIn(admin.client_id, admin.client_secret);
    const parsed = parseSetCookie(setCookie);
    expect(parsed).toMatchObject({ name: 'lakegate_session', httpOnly: true, sameSite: 'strict', path: '/' });
    // Plain http here: Secure is set only when the public URL is https.
    expect(parsed.secure).toBeFalsy();
    expect(parsed.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parsed.expires!.getTime()).toBeGreaterThan(now);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await inject({ method: 'GET', url: '/ui/auth/session', headers: { cookie } });
    expect(session.headers['cache-control']).toBe('no-store');
    expect(session.json()).toMatchObject({
      signedIn: true,
      csrf,
      csrfHeader: 'x-lakegate-csrf',
      identity: { kind: 'service', subject: admin.client_id, tenant: 'default', roles: ['admin'] },
    });
    expect(cat.logs()).not.toContain(parsed.value);
    expect(cat.logs()).not.toContain(admin.client_secret);
    expect(cat.logs()).toContain('console.session.created');
  });

  it('refuses a wrong secret (401, audited), bodies that are not JSON, and cross-site requests', async () => {
    const wrong = await inject({
      method: 'POST',
      url: '/ui/auth/login',
      payload: JSON.stringify({ clientId: admin.client_id, clientSecret: 'nope' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).not.toContain('nope');
    expect(cat.logs()).toContain('console.signin.failed');
    const form = await inject({
      method: 'POST',
      url: '/ui/auth/login',
      payload: `clientId=${admin.client_id}&clientSecret=${admin.client_secret}`,
      headers: { 'content-type': 'text/plain' },
    });
    expect(form.statusCode).toBe(400);
    const crossSite = await inject({
      method: 'POST',
      url: '/ui/auth/login',
      payload: JSON.stringify({ clientId: admin.client_id, clientSecret: admin.client_secret }),
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.statusCode).toBe(403);
    expect((await inject({ method: 'GET', url: '/ui/auth/session' })).json()).toEqual({ signedIn: false, providers: [] });
    expect((await inject({ method: 'GET', url: '/ui/auth/oidc/0' })).statusCode).toBe(400);
  });
});

describe('the session cookie on the API surfaces', () => {
  it('authenticates Iceberg, Lance and management reads without a CSRF header', async () => {
    const { cookie } = await signIn(admin.client_id, admin.client_secret);
    expect((await inject({ method: 'GET', url: '/v1/config', headers: { cookie } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/management/v1/roles', headers: { cookie } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/lance/default/v1/namespace/%24/list?delimiter=%24', headers: { cookie } })).statusCode).toBe(200);
    const none = await inject({ method: 'GET', url: '/v1/config' });
    expect(none.statusCode).toBe(401);
  });

  it('refuses every cookie-authenticated mutation without the right CSRF header (403), on every surface', async () => {
    const { cookie, csrf } = await signIn(admin.client_id, admin.client_secret);
    const json = { 'content-type': 'application/json' };
    const noHeader = await inject({
      method: 'POST',
      url: '/management/v1/roles',
      payload: JSON.stringify({ name: 'csrf-victim' }),
      headers: { ...json, cookie },
    });
    expect(noHeader.statusCode).toBe(403);
    expect(noHeader.json().error).toMatchObject({ code: 403, type: 'ForbiddenException' });
    expect(noHeader.json().error.message).toContain('x-lakegate-csrf');
    const wrongHeader = await inject({
      method: 'POST',
      url: '/management/v1/roles',
      payload: JSON.stringify({ name: 'csrf-victim' }),
      headers: { ...json, cookie, 'x-lakegate-csrf': tampered(csrf, { count: 2, fromEnd: 1 }) },
    });
    expect(wrongHeader.statusCode).toBe(403);
    const iceberg = await inject({
      method: 'POST',
      url: '/v1/default/namespaces',
      payload: JSON.stringify({ namespace: ['csrf'] }),
      headers: { ...json, cookie },
    });
    expect(iceberg.statusCode).toBe(403);
    const lance = await inject({
      method: 'POST',
      url: '/lance/default/v1/namespace/csrf/create',
      payload: JSON.stringify({ id: ['csrf'] }),
      headers: { ...json, cookie },
    });
    expect(lance.statusCode).toBe(403);
    expect(lance.json()).toMatchObject({ code: expect.any(Number) });
    const deleted = await inject({ method: 'DELETE', url: '/v1/default/namespaces/nothing', headers: { cookie } });
    expect(deleted.statusCode).toBe(403);
    // Nothing was created by the refused requests.
    const roles = (await inject({ method: 'GET', url: '/management/v1/roles', headers: { cookie } })).json().roles as Array<{ name: string }>;
    expect(roles.map((r) => r.name)).not.toContain('csrf-victim');
    expect((await inject({ method: 'GET', url: '/v1/default/namespaces/csrf', headers: { cookie } })).statusCode).toBe(404);
    // With the header the same request works.
    const ok = await inject({
      method: 'POST',
      url: '/management/v1/roles',
      payload: JSON.stringify({ name: 'csrf-ok' }),
      headers: { ...json, cookie, 'x-lakegate-csrf': csrf },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('leaves bearer requests alone (no CSRF header needed, a cookie beside them is ignored)', async () => {
    const token = await adminToken();
    const res = await inject({
      method: 'POST',
      url: '/management/v1/roles',
      payload: JSON.stringify({ name: 'bearer-made' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, cookie: 'lakegate_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(res.statusCode).toBe(201);
  });

  it("runs with the signed-in principal's own privileges", async () => {
    const send = bearerSender(cat.lakegate.app, await adminToken());
    const created = (await send('POST', '/management/v1/principals', { name: 'console-reader' })).body as { 'client-id': string; 'client-secret': string };
    const { cookie } = await signIn(created['client-id'], created['client-secret']);
    expect((await inject({ method: 'GET', url: '/management/v1/principals', headers: { cookie } })).statusCode).toBe(403);
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['visible'] })).status).toBe(200);
    const list = async () => (await inject({ method: 'GET', url: '/v1/default/namespaces', headers: { cookie } })).json().namespaces as string[][];
    // What the identity may not see is not listed.
    expect(await list()).toEqual([]);
    await grantPrincipal(send, created['client-id'], ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
    expect(await list()).toContainEqual(['visible']);
    // Rotating the principal's secret ends its console sessions.
    expect((await send('POST', `/management/v1/principals/${created['client-id']}/rotate-secret`)).status).toBe(200);
    const after = await inject({ method: 'GET', url: '/v1/default/namespaces', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toContain('sign in again');
  });

  it('ends at its expiry', async () => {
    const { cookie } = await signIn(admin.client_id, admin.client_secret);
    now += 3601_000;
    try {
      expect((await inject({ method: 'GET', url: '/v1/config', headers: { cookie } })).statusCode).toBe(401);
      expect((await inject({ method: 'GET', url: '/ui/auth/session', headers: { cookie } })).json().signedIn).toBe(false);
    } finally {
      now -= 3601_000;
    }
  });
});

describe('sign-out', () => {
  it('needs the CSRF header, revokes the session server side and clears the cookie', async () => {
    const { cookie, csrf } = await signIn(admin.client_id, admin.client_secret);
    expect((await inject({ method: 'POST', url: '/ui/auth/logout', headers: { cookie } })).statusCode).toBe(403);
    const out = await inject({ method: 'POST', url: '/ui/auth/logout', headers: { cookie, 'x-lakegate-csrf': csrf } });
    expect(out.statusCode).toBe(204);
    expect(parseSetCookie(String(out.headers['set-cookie']))).toMatchObject({ name: 'lakegate_session', value: '', maxAge: 0 });
    // The old cookie value authenticates nothing any more, even if a browser kept it.
    expect((await inject({ method: 'GET', url: '/v1/config', headers: { cookie } })).statusCode).toBe(401);
    expect(cat.logs()).toContain('console.session.revoked');
  });
});

describe('the /ui surface', () => {
  it('serves the built app with a strict CSP, precompressed assets, and index.html for the app paths', async () => {
    const index = await inject({ method: 'GET', url: '/ui/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['x-frame-options']).toBe('DENY');
    // No inline script anywhere (the CSP forbids it) and no other origin.
    expect(index.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index.body).not.toMatch(/https?:\/\//);
    const deep = await inject({ method: 'GET', url: '/ui/catalog/default/ns/sales' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toBe(index.body);
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(index.body)![1]!;
    const gz = await inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.statusCode).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['cache-control']).toContain('immutable');
    expect((await inject({ method: 'GET', url: '/ui/assets/missing.js' })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: '/ui/../package.json' })).statusCode).not.toBe(200);
  });

  it('keeps the first load under 300 KB gzipped', () => {
    const report = JSON.parse(readFileSync(path.join(CONSOLE_DIST, 'bundle-size.json'), 'utf8')) as {
      firstLoadGzipBytes: number;
      budgetBytes: number;
      firstLoad: Record<string, unknown>;
    };
    expect(report.budgetBytes).toBe(300 * 1024);
    expect(report.firstLoadGzipBytes).toBeGreaterThan(10_000);
    expect(report.firstLoadGzipBytes).toBeLessThan(300 * 1024);
    expect(Object.keys(report.firstLoad)).toContain('index.html');
  });

  it('starts without a built console, says so, and answers 404 at /ui', async () => {
    const empty = tempDir();
    const bare = await startInProcess({ LAKEGATE_CONSOLE_DIR: empty.dir }, { auth: true });
    try {
      expect(bare.lakegate.consolePath).toBeUndefined();
      expect(bare.logs()).toContain('the web console is not built');
      expect((await bare.lakegate.app.inject({ method: 'GET', url: '/ui/' })).statusCode).toBe(404);
      // Sign-in still answers (an API-only deployment can use the session cookie with its own front end).
      expect((await bare.lakegate.app.inject({ method: 'GET', url: '/ui/auth/session' })).json()).toMatchObject({ signedIn: false });
    } finally {
      await bare.close();
      empty.cleanup();
    }
  });
});

describe('OIDC sign-in guards', () => {
  const issuer = 'http://127.0.0.1:9/realms/unreachable';
  const trusted = JSON.stringify([{ issuer, audience: 'lakegate' }]);

  it('refuses a provider that is not a trusted issuer at start', async () => {
    await expect(
      startInProcess({ LAKEGATE_CONSOLE_OIDC: JSON.stringify([{ issuer: 'https://idp.example/realms/x', 'client-id': 'c' }]) }, { auth: true }),
    ).rejects.toThrow(/not one of the trusted issuers/);
  });

  it('answers a callback that this browser did not start, or whose state was tampered with, with a code only', async () => {
    const oidc = await startInProcess(
      { LAKEGATE_TRUSTED_ISSUERS: trusted, LAKEGATE_CONSOLE_OIDC: JSON.stringify([{ issuer, 'client-id': 'lakegate-console', label: 'Test IdP' }]) },
      { auth: true },
    );
    try {
      const app = oidc.lakegate.app;
      expect((await app.inject({ method: 'GET', url: '/ui/auth/session' })).json().providers).toEqual([{ id: 0, label: 'Test IdP', issuer }]);
      const start = await app.inject({ method: 'GET', url: '/ui/auth/oidc/0' });
      expect(start.statusCode).toBe(302);
      expect(start.headers.location).toBe('/ui/?signin-error=ERR_OIDC_UNREACHABLE');
      const noCookie = await app.inject({ method: 'GET', url: '/ui/auth/callback?code=abc&state=xyz' });
      expect(noCookie.statusCode).toBe(302);
      expect(noCookie.headers.location).toBe('/ui/?signin-error=ERR_OIDC_STATE');
      const forged = await app.inject({
        method: 'GET',
        url: '/ui/auth/callback?code=abc&state=xyz',
        headers: { cookie: 'lakegate_oidc=v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      });
      expect(forged.headers.location).toBe('/ui/?signin-error=ERR_OIDC_STATE');
      expect(String(forged.headers['set-cookie'])).not.toContain('lakegate_session=');
      expect((await app.inject({ method: 'GET', url: '/ui/auth/oidc/7' })).headers.location).toBe('/ui/?signin-error=ERR_OIDC_UNKNOWN_PROVIDER');
    } finally {
      await oidc.close();
    }
  });
});
