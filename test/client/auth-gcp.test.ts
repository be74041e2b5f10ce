/**
 * The `gcp` provider with Google application-default credentials of type `external_account` (workload identity
 * federation): google-auth-library exchanges the subject token from a file at the STS `token_url`, here a recorder
 * on 127.0.0.1 standing in for sts.googleapis.com (no Google endpoint is contacted), and the SDK sends the resulting
 * access token as a bearer to a catalog stand-in that records it. Also `basic` on the same stand-in.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IcebergRestCatalog } from '@lakegate/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form: Record<string, string>;
}

const AUDIENCE = '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/lakegate/providers/ci';
const SUBJECT_TOKEN = 'subject-jwt-from-the-ci-system';
let recorded: Recorded[] = [];
let issued = 0;
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url!, 'http://127.0.0.1');
      const form = req.headers['content-type']?.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body)) : {};
      recorded.push({ method: req.method!, path: url.pathname, headers: req.headers, form });
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/v1/token') {
        issued++;
        res.end(
          JSON.stringify({
            access_token: `ya29.sts-token-${issued}`,
            issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
            token_type: 'Bearer',
            expires_in: 3600,
          }),
        );
      } else if (url.pathname === '/catalog/v1/config') {
        res.end(JSON.stringify({ defaults: {}, overrides: {} }));
      } else if (url.pathname === '/catalog/v1/namespaces') {
        res.end(JSON.stringify({ namespaces: [['gcp_ns']] }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: 'not found', type: 'NotFoundException', code: 404 } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-gcp-adc-'));
  writeFileSync(path.join(dir, 'subject.jwt'), SUBJECT_TOKEN);
  writeFileSync(
    path.join(dir, 'adc.json'),
    JSON.stringify({
      type: 'external_account',
      audience: AUDIENCE,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${base}/v1/token`,
      credential_source: { file: path.join(dir, 'subject.jwt') },
    }),
  );
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
});
afterEach(() => {
  vi.unstubAllEnvs();
  recorded = [];
});

describe('gcp (application-default credentials)', () => {
  it('exchanges the external account subject token at STS and sends the access token as bearer', async () => {
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', path.join(dir, 'adc.json'));
    const catalog = new IcebergRestCatalog({ uri: `${base}/catalog`, properties: { 'rest.auth.type': 'gcp' } });
    expect((await catalog.listNamespaces()).items).toEqual([['gcp_ns']]);
    await catalog.listNamespaces();

    const sts = recorded.filter((r) => r.path === '/v1/token');
    expect(sts).toHaveLength(1); // cached by google-auth-library across requests
    expect(sts[0]!.method).toBe('POST');
    expect(sts[0]!.form).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: AUDIENCE,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: SUBJECT_TOKEN,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    });
    const catalogCalls = recorded.filter((r) => r.path.startsWith('/catalog/'));
    expect(catalogCalls.map((r) => r.path)).toEqual(['/catalog/v1/config', '/catalog/v1/namespaces', '/catalog/v1/namespaces']);
    const sent = new Set(catalogCalls.map((r) => r.headers.authorization));
    expect([...sent]).toEqual([`Bearer ya29.sts-token-${issued}`]);
  });

  it('asks for the configured scopes, from gcp.auth.credentials-path', async () => {
    const catalog = new IcebergRestCatalog({
      uri: `${base}/catalog`,
      properties: {
        'rest.auth.type': 'google',
        'gcp.auth.credentials-path': path.join(dir, 'adc.json'),
        'gcp.auth.scopes': 'https://www.googleapis.com/auth/bigquery, https://www.googleapis.com/auth/devstorage.read_only',
      },
    });
    await catalog.listNamespaces();
    const sts = recorded.filter((r) => r.path === '/v1/token');
    expect(sts.map((r) => r.form.scope)).toEqual(['https://www.googleapis.com/auth/bigquery https://www.googleapis.com/auth/devstorage.read_only']);
    expect(recorded.filter((r) => r.path.startsWith('/catalog/')).every((r) => r.headers.authorization === `Bearer ya29.sts-token-${issued}`)).toBe(true);
  });
});

describe('basic', () => {
  it('sends rest.auth.basic.username and password as HTTP Basic', async () => {
    const catalog = new IcebergRestCatalog({
      uri: `${base}/catalog`,
      properties: { 'rest.auth.type': 'basic', 'rest.auth.basic.username': 'reader', 'rest.auth.basic.password': 'pä ss:word' },
    });
    await catalog.listNamespaces();
    const expected = `Basic ${Buffer.from('reader:pä ss:word', 'utf8').toString('base64')}`;
    expect(recorded.filter((r) => r.path.startsWith('/catalog/')).map((r) => r.headers.authorization)).toEqual([expected, expected]);
  });
});
