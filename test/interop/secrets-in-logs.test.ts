/**
 * Secrets and tokens never appear in logs or error messages. One real server
 * process at the most verbose log level (trace) goes through a full identity and
 * catalog run: client credentials (post and Basic), refresh, self-exchange and
 * delegation, a principal's secret and its rotation, SigV4 (header and presigned,
 * and with a wrong secret), API keys (used, tampered, revoked), failed logins,
 * tokens in query strings, vended S3 credentials and storage refresh tokens on a
 * MinIO warehouse (and the file warehouse, which vends nothing), tampered and
 * expired tokens, malformed bodies around a storage secret. Every secret used or
 * returned is collected; afterwards none may appear in the server's stdout/stderr
 * or in any error response body, and no 16-character piece of any JWT signature
 * may appear either.
 */
import { presignRequest, signRequest } from '@lakegate/sigv4';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, startMinio } from '../support/minio.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tampered } from '../support/tamper.js';

const BUCKET = 'lakegate-secrets';
// Short-lived access tokens so that one can expire during the run; every step fetches a fresh one.
const ACCESS_TOKEN_TTL_SECONDS = 5;
// The issuer's verifier accepts a token this long after its exp (clock tolerance).
const CLOCK_TOLERANCE_SECONDS = 30;
const REGION = 'us-east-1';
const SIGNING_NAME = 'execute-api';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

let minio: Minio;
let server: ServerProcess;

/** Every secret value the run used or was given, with a label that is safe to print. */
const secrets = new Map<string, string>();
/** Signatures of every JWT the run saw: not even a 16-character piece of one may be logged. */
const jwtSignatures: Array<{ label: string; signature: string }> = [];
/** Every 4xx/5xx response body of the run. */
const errorBodies: Array<{ what: string; status: number; body: string }> = [];
/** The routes the run called ("POST /v1/oauth/tokens"), to prove the log covers them. */
const called = new Set<string>();

function collect(label: string, value: unknown): string {
  expect(typeof value === 'string' && value.length >= 8, `${label} is a secret-looking string`).toBe(true);
  const s = value as string;
  secrets.set(s, label);
  const parts = s.split('.');
  if (parts.length === 3 && parts[2]!.length >= 16) jwtSignatures.push({ label, signature: parts[2]! });
  return s;
}

interface Reply {
  status: number;
  text: string;
  json: any;
}

async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: string; route?: string } = {}): Promise<Reply> {
  const res = await fetch(`${server.url}${path}`, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  called.add(`${method} ${init.route ?? path.split('?')[0]}`);
  if (res.status >= 400) errorBodies.push({ what: `${method} ${path.split('?')[0]}`, status: res.status, body: text });
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const form = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  call('POST', '/v1/oauth/tokens', {
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
const json = (token: string, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
  call(method, path, {
    headers: bearer(token, body === undefined ? extra : { 'content-type': 'application/json', ...extra }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function clientCredentials(label: string, clientId: string, clientSecret: string): Promise<{ access: string; refresh: string }> {
  const res = await form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'catalog' });
  expect(res.status, res.text).toBe(200);
  return { access: collect(`${label} access token`, res.json.access_token), refresh: collect(`${label} refresh token`, res.json.refresh_token) };
}

let admin: { id: string; secret: string };
const adminToken = async () => (await clientCredentials('admin', admin.id, admin.secret)).access;

beforeAll(async () => {
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({
    env: {
      LAKEGATE_LOG_LEVEL: 'trace',
      LAKEGATE_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
      LAKEGATE_SIGV4_SIGNING_NAME: SIGNING_NAME,
      LAKEGATE_SIGV4_REGION: REGION,
      // Refresh tokens too, so that their grant is part of what must never be logged.
      LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true',
    },
  });
  const i = server.credential.indexOf(':');
  admin = { id: server.credential.slice(0, i), secret: collect('admin client secret', server.credential.slice(i + 1)) };
  collect('MinIO root secret key (warehouse storage secret)', MINIO_ROOT.secretAccessKey);
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

it('never writes a secret or token to the log or into an error response', async () => {
  const host = new URL(server.url).host;

  // --- client credentials (post and Basic), refresh, self-exchange --------------------------------
  const first = await clientCredentials('admin', admin.id, admin.secret);
  const firstIssuedAt = Date.now();
  const basic = await form(
    { grant_type: 'client_credentials', scope: 'catalog' },
    { authorization: `Basic ${Buffer.from(`${admin.id}:${admin.secret}`).toString('base64')}` },
  );
  expect(basic.status).toBe(200);
  collect('admin access token (Basic)', basic.json.access_token);
  collect('admin refresh token (Basic)', basic.json.refresh_token);
  expect((await call('GET', '/v1/config', { headers: bearer(first.access) })).status).toBe(200);

  const refreshed = await form({ grant_type: 'refresh_token', refresh_token: first.refresh, client_id: admin.id, client_secret: admin.secret });
  expect(refreshed.status, refreshed.text).toBe(200);
  collect('refreshed access token', refreshed.json.access_token);
  collect('refreshed refresh token', refreshed.json.refresh_token);

  const self = await form(
    { grant_type: TOKEN_EXCHANGE, subject_token: refreshed.json.access_token, subject_token_type: ACCESS_TOKEN_TYPE, scope: 'catalog' },
    bearer(refreshed.json.access_token),
  );
  expect(self.status, self.text).toBe(200);
  collect('self-exchanged access token', self.json.access_token);

  // --- failed logins: wrong secrets (post, Basic), unknown client --------------------------------
  const wrongPost = collect('wrong admin secret (post)', tampered(admin.secret, { count: 4, fromEnd: 1 }));
  expect((await form({ grant_type: 'client_credentials', client_id: admin.id, client_secret: wrongPost })).status).toBe(401);
  const wrongBasic = collect('wrong admin secret (Basic)', 'basic-wrong-secret-5b9d1f0e7c');
  expect(
    (await form({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${admin.id}:${wrongBasic}`).toString('base64')}` })).status,
  ).toBe(401);
  const unknownSecret = collect('secret of an unknown client', 'unknown-client-secret-81c2e4a6f3');
  expect((await form({ grant_type: 'client_credentials', client_id: 'nobody-here', client_secret: unknownSecret })).status).toBe(401);
  const badRefresh = collect('tampered refresh token', tampered(first.refresh, { count: 6, fromEnd: 1 }));
  expect((await form({ grant_type: 'refresh_token', refresh_token: badRefresh, client_id: admin.id, client_secret: admin.secret })).status).toBe(400);

  // --- a principal's secret, its rotation, and delegation -----------------------------------------
  let token = await adminToken();
  const etlCreated = await json(token, 'POST', '/management/v1/principals', { name: 'etl' });
  expect(etlCreated.status, etlCreated.text).toBe(201);
  const etlId = etlCreated.json['client-id'] as string;
  const etlOldSecret = collect('etl secret before rotation', etlCreated.json['client-secret']);
  const etlOld = await clientCredentials('etl (old secret)', etlId, etlOldSecret);
  const rotated = await json(token, 'POST', `/management/v1/principals/${etlId}/rotate-secret`);
  expect(rotated.status, rotated.text).toBe(200);
  const etlSecret = collect('etl secret after rotation', rotated.json['client-secret']);
  expect((await form({ grant_type: 'client_credentials', client_id: etlId, client_secret: etlOldSecret })).status).toBe(401);
  const etl = await clientCredentials('etl', etlId, etlSecret);
  expect((await form({ grant_type: 'refresh_token', refresh_token: etlOld.refresh, client_id: etlId, client_secret: etlSecret })).status).toBe(400);
  // What etl does below (list and create namespaces, signed and with an API key) is granted: deny by default.
  await grantPrincipal(httpSender(server.url, token), etlId, ['namespace:list', 'namespace:create'], { type: 'warehouse', warehouse: 'default' });

  const engineCreated = await json(token, 'POST', '/management/v1/principals', { name: 'engine' });
  const engineId = engineCreated.json['client-id'] as string;
  const engine = await clientCredentials('engine', engineId, collect('engine secret', engineCreated.json['client-secret']));
  expect((await json(token, 'PUT', `/management/v1/principals/${engineId}/delegation`, { users: [etlId] })).status).toBe(200);
  const delegated = await form(
    {
      grant_type: TOKEN_EXCHANGE,
      subject_token: etl.access,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      actor_token: engine.access,
      actor_token_type: ACCESS_TOKEN_TYPE,
    },
    bearer(engine.access),
  );
  expect(delegated.status, delegated.text).toBe(200);
  expect((await call('GET', '/v1/config', { headers: bearer(collect('delegated access token', delegated.json.access_token)) })).status).toBe(200);
  // A refused delegation (the engine may not act for the admin) carries both tokens too.
  expect(
    (
      await form(
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: token,
          subject_token_type: ACCESS_TOKEN_TYPE,
          actor_token: engine.access,
          actor_token_type: ACCESS_TOKEN_TYPE,
        },
        bearer(engine.access),
      )
    ).status,
  ).toBe(400);

  // --- SigV4: header-signed GET and POST, presigned GET, wrong secret -------------------------------
  const keyCreated = await json(token, 'POST', `/management/v1/principals/${etlId}/access-keys`);
  expect(keyCreated.status, keyCreated.text).toBe(201);
  const accessKey = {
    accessKeyId: keyCreated.json['access-key-id'] as string,
    secretAccessKey: collect('access key secret', keyCreated.json['secret-access-key']),
  };
  const sigv4 = async (method: string, path: string, body: string | undefined, secretAccessKey: string) => {
    const signed = await signRequest(
      { method, url: path, headers: { host, ...(body ? { 'content-type': 'application/json' } : {}) }, body },
      { service: SIGNING_NAME, region: REGION, credentials: { accessKeyId: accessKey.accessKeyId, secretAccessKey }, signingDate: new Date() },
    );
    collect(`SigV4 signature of ${method} ${path}`, /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization!)![1]);
    const { host: _host, ...headers } = signed.headers;
    return call(method, path, { headers, body });
  };
  expect((await sigv4('GET', '/v1/default/namespaces', undefined, accessKey.secretAccessKey)).status).toBe(200);
  expect((await sigv4('POST', '/v1/default/namespaces', JSON.stringify({ namespace: ['signed'] }), accessKey.secretAccessKey)).status).toBe(200);
  const wrongSigV4Secret = collect('wrong SigV4 secret', `${accessKey.secretAccessKey.slice(0, -5)}Wr0ng`);
  const refused = await sigv4('GET', '/v1/default/namespaces', undefined, wrongSigV4Secret);
  expect(refused.status).toBe(401);
  expect(refused.json.error.message).toMatch(/signature does not match/);
  const presigned = await presignRequest(
    { method: 'GET', url: '/v1/default/namespaces', headers: { host } },
    { service: SIGNING_NAME, region: REGION, credentials: accessKey, signingDate: new Date(), expiresIn: 300 },
  );
  collect('presigned URL signature', /X-Amz-Signature=([0-9a-f]{64})/.exec(presigned.url)![1]);
  expect((await call('GET', presigned.url)).status).toBe(200);

  // --- API keys: used, tampered, revoked ----------------------------------------------------------
  const apiKeyCreated = await json(token, 'POST', `/management/v1/principals/${etlId}/api-keys`, { name: 'ci' });
  expect(apiKeyCreated.status, apiKeyCreated.text).toBe(201);
  const apiKey = collect('API key', apiKeyCreated.json['api-key']);
  expect((await call('GET', '/v1/default/namespaces', { headers: { 'x-api-key': apiKey } })).status).toBe(200);
  const tamperedApiKey = collect('tampered API key', tampered(apiKey, { count: 3, fromEnd: 1 }));
  expect((await call('GET', '/v1/default/namespaces', { headers: { 'x-api-key': tamperedApiKey } })).status).toBe(401);
  token = await adminToken();
  expect((await json(token, 'DELETE', `/management/v1/api-keys/${apiKeyCreated.json['key-id']}`)).status).toBe(204);
  const revoked = await call('GET', '/v1/default/namespaces', { headers: { 'x-api-key': apiKey } });
  expect(revoked.status).toBe(401);
  expect(revoked.json.error.message).toMatch(/revoked/);

  // --- tokens and secrets in query strings (clients misconfigured to send them there) --------------
  token = await adminToken();
  const inQuery = await call('GET', `/v1/config?access_token=${encodeURIComponent(token)}`, { route: '/v1/config' });
  expect(inQuery.status).toBe(401);
  const mixed = await call(
    'GET',
    `/v1/default/namespaces?token=${encodeURIComponent(etl.access)}&client_secret=${encodeURIComponent(etlSecret)}&api_key=${encodeURIComponent(apiKey)}`,
  );
  expect(mixed.status).toBe(401);

  // --- vended credentials: the file warehouse vends nothing, the MinIO warehouse vends S3 keys -----
  const delegation = { 'x-iceberg-access-delegation': 'vended-credentials' };
  expect((await json(token, 'POST', '/v1/default/namespaces', { namespace: ['files'] })).status).toBe(200);
  expect((await json(token, 'POST', '/v1/default/namespaces/files/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
  const fileLoad = await json(token, 'GET', '/v1/default/namespaces/files/tables/t', undefined, delegation);
  expect(fileLoad.status).toBe(200);
  expect(fileLoad.json['storage-credentials']).toBeUndefined();
  expect((await json(token, 'GET', '/v1/default/namespaces/files/tables/t/credentials')).json).toEqual({ 'storage-credentials': [] });

  const warehouse = await json(token, 'POST', '/management/v1/warehouses', {
    name: 'lake',
    'storage-root': `s3://${BUCKET}/wh`,
    'storage-profile': { type: 's3', bucket: BUCKET, region: 'us-east-1', endpoint: minio.endpoint, 'path-style-access': true },
    'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': MINIO_ROOT.secretAccessKey },
  });
  expect(warehouse.status, warehouse.text).toBe(201);
  // Bad input around the storage secret: 4xx, and the secret is not echoed (checked with every error body below).
  const badSecret = await json(token, 'POST', '/management/v1/warehouses', {
    name: 'lake2',
    'storage-root': `s3://${BUCKET}/wh2`,
    'storage-profile': { type: 's3', bucket: BUCKET, region: 'us-east-1', endpoint: minio.endpoint },
    'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': 42, extra: MINIO_ROOT.secretAccessKey },
  });
  expect(badSecret.status).toBe(400);
  const malformed = await call('POST', '/management/v1/warehouses', {
    headers: bearer(token, { 'content-type': 'application/json' }),
    body: `{"name":"lake3","storage-secret":{"secret-access-key":"${MINIO_ROOT.secretAccessKey}"`,
  });
  expect(malformed.status).toBe(400);

  // A warehouse whose storage secret MinIO refuses: the storage error is logged (with the SDK's error object) and
  // answered with a 5xx, and neither may carry the wrong secret.
  const wrongStorageSecret = collect('wrong storage secret key', 'wrong-minio-secret-4d7a9c2e51b8');
  expect(
    (
      await json(token, 'POST', '/management/v1/warehouses', {
        name: 'badlake',
        'storage-root': `s3://${BUCKET}/bad`,
        'storage-profile': { type: 's3', bucket: BUCKET, region: 'us-east-1', endpoint: minio.endpoint, 'path-style-access': true },
        'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': wrongStorageSecret },
      })
    ).status,
  ).toBe(201);
  expect((await json(token, 'POST', '/v1/badlake/namespaces', { namespace: ['v'] })).status).toBe(200);
  const storageFailure = await json(token, 'POST', '/v1/badlake/namespaces/v/tables', { name: 't', schema: simpleSchema }, delegation);
  expect(storageFailure.status, storageFailure.text).toBe(503);
  // Replacing a warehouse's storage profile and secret (issue 52): neither the new secret nor a refused one is logged or echoed.
  const replacedSecret = collect('replaced storage secret key', 'replaced-minio-secret-9b3e1f07c2d4');
  const badlakeProfile = {
    type: 's3',
    bucket: BUCKET,
    region: 'us-east-1',
    endpoint: minio.endpoint,
    'path-style-access': true,
    'credential-lifetime-seconds': 900,
  };
  const replaced = await json(token, 'PUT', '/management/v1/warehouses/badlake/storage-profile', {
    'storage-profile': badlakeProfile,
    'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': replacedSecret },
  });
  expect(replaced.status, replaced.text).toBe(200);
  const refusedReplace = await json(token, 'PUT', '/management/v1/warehouses/badlake/storage-profile', {
    'storage-profile': badlakeProfile,
    'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': 7, extra: replacedSecret },
  });
  expect(refusedReplace.status, refusedReplace.text).toBe(400);

  expect((await json(token, 'POST', '/v1/lake/namespaces', { namespace: ['v'] })).status).toBe(200);
  const created = await json(token, 'POST', '/v1/lake/namespaces/v/tables', { name: 't', schema: simpleSchema }, delegation);
  expect(created.status, created.text).toBe(200);
  const loaded = await json(token, 'GET', '/v1/lake/namespaces/v/tables/t', undefined, delegation);
  expect(loaded.status, loaded.text).toBe(200);
  const vendedSecrets = (credential: { config: Record<string, string>; 'storage-refresh-token': string }, label: string) => {
    collect(`${label} s3.access-key-id`, credential.config['s3.access-key-id']);
    collect(`${label} s3.secret-access-key`, credential.config['s3.secret-access-key']);
    collect(`${label} s3.session-token`, credential.config['s3.session-token']);
    return collect(`${label} storage-refresh-token`, credential['storage-refresh-token']);
  };
  vendedSecrets(created.json['storage-credentials'][0], 'vended on create');
  const refreshToken = vendedSecrets(loaded.json['storage-credentials'][0], 'vended on load');
  const credentialsPath = '/v1/lake/namespaces/v/tables/t/credentials';
  const viaToken = await json(token, 'GET', `${credentialsPath}?storageRefreshToken=${encodeURIComponent(refreshToken)}`);
  expect(viaToken.status, viaToken.text).toBe(200);
  vendedSecrets(viaToken.json['storage-credentials'][0], 'loadCredentials');
  const tamperedStorageToken = collect('tampered storage refresh token', tampered(refreshToken, { count: 6, fromEnd: 1 }));
  expect((await json(token, 'GET', `${credentialsPath}?storageRefreshToken=${encodeURIComponent(tamperedStorageToken)}`)).status).toBe(400);
  // The storage refresh token of another principal.
  const foreign = await call('GET', `${credentialsPath}?storageRefreshToken=${encodeURIComponent(refreshToken)}`, { headers: bearer(etl.access) });
  expect(foreign.status).toBe(400);

  // --- tampered and expired access tokens -----------------------------------------------------------
  const [h, p, s] = first.access.split('.') as [string, string, string];
  const tamperedSignature = collect('access token with a tampered signature', `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`);
  expect((await call('GET', '/v1/config', { headers: bearer(tamperedSignature) })).status).toBe(401);
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const tamperedPayload = collect(
    'access token with a tampered payload',
    `${h}.${Buffer.from(JSON.stringify({ ...payload, roles: ['admin', 'root'] })).toString('base64url')}.${s}`,
  );
  expect((await call('GET', '/v1/config', { headers: bearer(tamperedPayload) })).status).toBe(401);
  await new Promise((r) => setTimeout(r, Math.max(0, firstIssuedAt + (ACCESS_TOKEN_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS + 2) * 1000 - Date.now())));
  const expired = await call('GET', '/v1/config', { headers: bearer(first.access) });
  expect(expired.status).toBe(401);
  expect(expired.json.error.message).toMatch(/expired/);

  // ------------------------------------------------------------------------------------------------
  // The audit trail is a log too (kept in the database, served by the management API).
  const audit = await json(await adminToken(), 'GET', '/management/v1/audit?limit=1000');
  expect(audit.status).toBe(200);
  expect(audit.json.events.length).toBeGreaterThanOrEqual(15);
  const log = await server.settledOutput();
  // The run really collected what it claims, and the log really is the log of this run.
  expect(secrets.size).toBeGreaterThanOrEqual(40);
  expect(jwtSignatures.length).toBeGreaterThanOrEqual(25);
  expect(errorBodies.length).toBeGreaterThanOrEqual(17);
  expect(log.split('\n').length).toBeGreaterThan(120);
  const loggedRoutes = new Set<string>();
  for (const raw of log.split('\n')) {
    if (!raw.startsWith('{')) continue;
    const line = JSON.parse(raw) as { msg?: string; req?: { method: string; url: string } };
    // Both lines name the request: "incoming request" (written at debug and below) and "request completed".
    if ((line.msg === 'incoming request' || line.msg === 'request completed') && line.req) loggedRoutes.add(`${line.req.method} ${line.req.url.split('?')[0]}`);
  }
  expect([...called].filter((route) => !loggedRoutes.has(route))).toEqual([]);
  expect(called.size).toBeGreaterThanOrEqual(15);
  for (const expected of [
    '"msg":"authentication failed"',
    '"type":"auth.client.failed"',
    '"auth":"sigv4"',
    '"auth":"api-key"',
    // The delegated token acts for etl (the subject, a service principal) through the engine (act).
    `"actor":"service:${etlId} via ${engineId}"`,
    'storageRefreshToken=***',
    'access_token=***',
  ]) {
    expect(log.includes(expected), expected).toBe(true);
  }

  const leaksIn = (text: string): string[] => {
    const found: string[] = [];
    for (const [value, label] of secrets) {
      if (text.includes(value) || text.includes(encodeURIComponent(value))) found.push(label);
    }
    for (const { label, signature } of jwtSignatures) {
      for (let i = 0; i + 16 <= signature.length; i++) {
        if (text.includes(signature.slice(i, i + 16))) {
          found.push(`16 characters of the JWT signature of the ${label}`);
          break;
        }
      }
    }
    return found;
  };
  // The detector itself finds a value and a piece of a signature.
  expect(leaksIn(`x ${admin.secret} y`)).toContain('admin client secret');
  expect(leaksIn(`x${first.access.split('.')[2]!.slice(20, 36)}y`).some((l) => l.startsWith('16 characters'))).toBe(true);

  expect(leaksIn(log), 'secrets in the server log').toEqual([]);
  expect(leaksIn(audit.text), 'secrets in the audit trail').toEqual([]);
  expect(
    errorBodies.flatMap((e) => leaksIn(e.body).map((l) => `${e.what} (${e.status}): ${l}`)),
    'secrets in error responses',
  ).toEqual([]);
  // The one 5xx is the refused storage secret (503, ServiceUnavailableException); nothing else failed on the server side.
  expect(errorBodies.filter((e) => e.status >= 500).map((e) => `${e.what} ${e.status}`)).toEqual(['POST /v1/badlake/namespaces/v/tables 503']);
});
