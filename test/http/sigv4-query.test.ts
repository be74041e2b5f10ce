/**
 * SigV4 signatures cover the query as the routes read it: Fastify takes "+"
 * in a query as a space, so a request signed over a space (botocore, and
 * PyIceberg through it, sign `?warehouse=a+b` as `a%20b`) verifies when sent
 * with "+", and a signature over a literal plus does not stretch to a "+"
 * that the routes would read as a space.
 */
import { signRequest } from '@lakegate/sigv4';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let credentials: { accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const admin = cat.admin();
  const token = (
    await cat.lakegate.app.inject({
      method: 'POST',
      url: '/v1/oauth/tokens',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret }).toString(),
    })
  ).json().access_token as string;
  const principal = await cat.lakegate.principals.create('query-signer');
  // Signed requests below may see the warehouse's namespaces (a missing one is then "not found", not "forbidden").
  await grantPrincipal(bearerSender(cat.lakegate.app, token), principal.clientId, ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
  const key = (
    await cat.lakegate.app.inject({
      method: 'POST',
      url: `/management/v1/principals/${principal.clientId}/access-keys`,
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  credentials = { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] };
});
afterAll(async () => cat.close());

/** Signs `signedUrl` (SignatureV4 encodes a space as %20 and a plus as %2B) and sends `sentUrl` with that signature. */
async function status(signedUrl: string, sentUrl: string): Promise<number> {
  const signed = await signRequest(
    { method: 'GET', url: signedUrl, headers: { host: 'localhost:80' } },
    { service: 'execute-api', region: 'us-east-1', credentials, signingDate: new Date() },
  );
  return (await cat.lakegate.app.inject({ method: 'GET', url: sentUrl, headers: signed.headers })).statusCode;
}

it('accepts "+" in the query for a space that was signed', async () => {
  expect(await status('/v1/config?warehouse=default&note=a%20b', '/v1/config?warehouse=default&note=a+b')).toBe(200);
  expect(await status('/v1/config?warehouse=default&note=a%20b', '/v1/config?warehouse=default&note=a%20b')).toBe(200);
});

it('accepts a plus sent as %2B, and refuses a signed plus sent as "+" (the routes would read a space)', async () => {
  expect(await status('/v1/config?warehouse=default&note=a%2Bb', '/v1/config?warehouse=default&note=a%2Bb')).toBe(200);
  expect(await status('/v1/config?warehouse=default&note=a%2Bb', '/v1/config?warehouse=default&note=a+b')).toBe(401);
});

it('leaves "+" in the path alone', async () => {
  expect(await status('/v1/default/namespaces/a+b', '/v1/default/namespaces/a+b')).toBe(404);
  expect(await status('/v1/default/namespaces/a%20b', '/v1/default/namespaces/a+b')).toBe(401);
});
