/**
 * No emulator validates GCS tokens or Credential Access Boundaries, so these
 * tests check the requests: a recorder on 127.0.0.1 plays both Google's OAuth
 * token endpoint (the service account key's token_uri points at it) and the
 * STS token-exchange endpoint (the profile's sts-endpoint), and records what
 * the vendor sends. No Google endpoint is contacted.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCatalogError } from '../../errors/catalog-error.js';
import { GcsDownscopedCredentialVendor, type ServiceAccountKey } from './gcs-downscoped-credential-vendor.js';

interface Recorded {
  path: string;
  contentType: string | undefined;
  form: Record<string, string>;
}

const SOURCE_TOKEN = 'ya29.source-token-never-vended';
const DOWNSCOPED_TOKEN = 'ya29.downscoped-token';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let server: Server;
let base: string;
let recorded: Recorded[] = [];
/** What the STS endpoint answers next. */
let stsAnswer: { status: number; body: unknown };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      recorded.push({ path: req.url ?? '', contentType: req.headers['content-type'], form: Object.fromEntries(new URLSearchParams(body)) });
      const answer =
        req.url === '/oauth2/token'
          ? { status: 200, body: { access_token: SOURCE_TOKEN, expires_in: 3600, token_type: 'Bearer' } }
          : req.url === '/sts/v1/token'
            ? stsAnswer
            : { status: 404, body: { error: 'not_found' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  recorded = [];
  stsAnswer = {
    status: 200,
    body: { access_token: DOWNSCOPED_TOKEN, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3599 },
  };
});

const key = (): ServiceAccountKey => ({
  type: 'service_account',
  client_email: 'lakegate@proj.iam.gserviceaccount.com',
  private_key: PRIVATE_KEY,
  private_key_id: 'kid-1',
  project_id: 'proj',
  token_uri: `${base}/oauth2/token`,
});

const vendor = () => new GcsDownscopedCredentialVendor({ bucket: 'lake', serviceAccountKey: key(), stsEndpoint: `${base}/sts/v1/token` });

describe('GcsDownscopedCredentialVendor', () => {
  it('exchanges a fresh source token for a token bounded to the table prefix, and returns it with its expiry', async () => {
    const before = Date.now();
    const vended = await vendor().vend({ location: 'gs://lake/wh/ns/t1', mode: 'read', principal: 'alice', lifetimeSeconds: 3600 });
    const after = Date.now();

    expect(recorded.map((r) => r.path)).toEqual(['/oauth2/token', '/sts/v1/token']);
    const [tokenRequest, exchange] = recorded;

    // The source credential: a JWT-bearer grant signed with the service account key.
    expect(tokenRequest!.form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const assertion = tokenRequest!.form.assertion!;
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'RS256' });
    // Signed with the key; the audience stays Google's token URL (google-auth-library fixes it).
    const { payload } = await jwtVerify(assertion, publicKey, { audience: 'https://oauth2.googleapis.com/token' });
    expect(payload).toMatchObject({ iss: 'lakegate@proj.iam.gserviceaccount.com', scope: 'https://www.googleapis.com/auth/cloud-platform' });

    // The token exchange (RFC 8693) with the Credential Access Boundary in `options`.
    expect(exchange!.contentType).toContain('application/x-www-form-urlencoded');
    expect(exchange!.form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: SOURCE_TOKEN,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(JSON.parse(exchange!.form.options!)).toEqual({
      accessBoundary: {
        accessBoundaryRules: [
          {
            availableResource: '//storage.googleapis.com/projects/_/buckets/lake',
            availablePermissions: ['inRole:roles/storage.objectViewer'],
            availabilityCondition: {
              title: 'lakegate read lake/wh/ns/t1/',
              expression:
                "resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t1/')" +
                " || api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('wh/ns/t1/')",
            },
          },
        ],
      },
    });

    // What the client gets: the downscoped token (never the source token) and the expiry STS gave.
    expect(vended.prefix).toBe('gs://lake/wh/ns/t1');
    expect(Object.keys(vended.config).sort()).toEqual(['gcs.oauth2.token', 'gcs.oauth2.token-expires-at']);
    expect(vended.config['gcs.oauth2.token']).toBe(DOWNSCOPED_TOKEN);
    expect(vended.expiresAtMs).toBeGreaterThanOrEqual(before + 3599_000);
    expect(vended.expiresAtMs).toBeLessThanOrEqual(after + 3599_000);
    expect(vended.config['gcs.oauth2.token-expires-at']).toBe(String(vended.expiresAtMs));
    expect(JSON.stringify(vended)).not.toContain(SOURCE_TOKEN);
  });

  it('read-write asks for objectAdmin; each vend starts from a fresh source token', async () => {
    const v = vendor();
    await v.vend({ location: 'gs://lake/wh/ns/t2', mode: 'read-write', principal: 'p', lifetimeSeconds: 900 });
    await v.vend({ location: 'gs://lake/wh/ns/t2', mode: 'read-write', principal: 'p', lifetimeSeconds: 900 });
    expect(recorded.map((r) => r.path)).toEqual(['/oauth2/token', '/sts/v1/token', '/oauth2/token', '/sts/v1/token']);
    // Rule 0 reads and lists; rule 1 writes, everywhere under the prefix but the catalog's _lakegate/ (issue 53).
    const rule = JSON.parse(recorded[1]!.form.options!).accessBoundary.accessBoundaryRules[1];
    expect(rule.availablePermissions).toEqual(['inRole:roles/storage.objectAdmin']);
    expect(rule.availabilityCondition.expression).toContain("!resource.name.startsWith('projects/_/buckets/lake/objects/wh/ns/t2/_lakegate/')");
  });

  it('maps a refused exchange to ERR_UNAVAILABLE without the source token or key', async () => {
    stsAnswer = { status: 400, body: { error: 'invalid_grant', error_description: `bad subject_token ${SOURCE_TOKEN}` } };
    const error = await vendor()
      .vend({ location: 'gs://lake/wh/t', mode: 'read', principal: 'p', lifetimeSeconds: 900 })
      .catch((e: unknown) => e);
    expect(isCatalogError(error) && error.code).toBe('ERR_UNAVAILABLE');
    const e = error as Error & { cause: Error };
    expect(e.message).toBe('storage credential service unavailable');
    expect(e.cause.message).toContain('invalid_grant');
    const everything = JSON.stringify({ message: e.message, stack: e.stack, cause: { ...e.cause, message: e.cause.message, stack: e.cause.stack } });
    expect(everything).not.toContain(SOURCE_TOKEN);
    expect(everything).not.toContain('PRIVATE KEY');
  });

  it('treats an answer without a token as unavailable', async () => {
    stsAnswer = { status: 200, body: { token_type: 'Bearer', expires_in: 3599 } };
    await expect(vendor().vend({ location: 'gs://lake/wh/t', mode: 'read', principal: 'p', lifetimeSeconds: 900 })).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
    });
  });

  it('validates before any request', async () => {
    for (const location of ['gs://other/wh/t', 'gs://lake', 'gs://lake/', "gs://lake/it's", 's3://lake/wh/t']) {
      await expect(vendor().vend({ location, mode: 'read', principal: 'p', lifetimeSeconds: 900 })).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    }
    await expect(vendor().vend({ location: 'gs://lake/t', mode: 'read', principal: 'p', lifetimeSeconds: 0 })).rejects.toThrow(TypeError);
    expect(recorded).toHaveLength(0);
  });

  it('refuses a key for another service account than the profile names', () => {
    expect(() => new GcsDownscopedCredentialVendor({ bucket: 'lake', serviceAccountKey: key(), serviceAccount: 'other@proj.iam.gserviceaccount.com' })).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION' }),
    );
  });
});
