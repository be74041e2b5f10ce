/**
 * The client's SigV4 provider signs through @lakegate/sigv4, so the official AWS vectors test the client's
 * signing path as they test the server's verifier: every vector a client request can express (a URL object
 * keeps its path and query, single-valued headers) gets the suite's exact Authorization header from
 * SigV4Auth.authenticate, and the server's verifySigV4 accepts what the client sent, also for query strings
 * with "+", spaces and repeated parameters (read with "+" as a space, as the server's authenticator does).
 */
import { describe, expect, it } from 'vitest';
import { type OutgoingRequest, SigV4Auth } from '@lakegate/client';
import { plusAsSpaceInQuery, verifySigV4 } from '@lakegate/sigv4';
import { signedHeaderNames, toRequest, vectorOptions } from '../../packages/sigv4/src/vectors/harness.js';
import { ALL_VECTORS, VECTOR_CONTEXT as C } from '../../packages/sigv4/src/vectors/index.js';
import type { SigV4TestVector } from '../../packages/sigv4/src/vectors/types.js';

const credentials = { accessKeyId: C.accessKeyId, secretAccessKey: C.secretAccessKey };
const SIGNING = new Set(['authorization', 'x-amz-date', 'host', 'x-amz-security-token', 'x-amz-content-sha256']);

/** The unsigned client request of a vector, or why a client cannot send it. */
function clientRequest(vector: SigV4TestVector): { request: OutgoingRequest; sessionToken?: string; applyChecksum: boolean } | string {
  const sent = vector.header;
  if (!sent) return 'no header form';
  if (!vector.uriEscapePath) return 'S3 path rules (the client signs for execute-api)';
  if (vector.expect?.header) return 'the token was added after signing';
  const entries = Object.entries(sent.headers);
  if (entries.some(([, v]) => typeof v !== 'string')) return 'a repeated header';
  const host = entries.find(([k]) => k.toLowerCase() === 'host')![1] as string;
  const url = new URL(`https://${host}${sent.url}`);
  if (`${url.pathname}${url.search}` !== sent.url) return 'a URL object normalizes the path or query';
  const headers: Record<string, string> = {};
  let sessionToken: string | undefined;
  for (const [name, value] of entries as Array<[string, string]>) {
    if (name.toLowerCase() === 'x-amz-security-token') sessionToken = value;
    else if (!SIGNING.has(name.toLowerCase())) headers[name] = value;
  }
  const request: OutgoingRequest = { method: sent.method, url, headers, ...(sent.body ? { body: sent.body as string } : {}) };
  return { request, ...(sessionToken ? { sessionToken } : {}), applyChecksum: signedHeaderNames(toRequest(sent)).includes('x-amz-content-sha256') };
}

const cases = ALL_VECTORS.map((vector) => ({ name: vector.name, vector, prepared: clientRequest(vector) }));
const usable = cases.filter((c): c is typeof c & { prepared: Exclude<ReturnType<typeof clientRequest>, string> } => typeof c.prepared !== 'string');

it('runs every official vector a client request can express through the client', () => {
  const skipped: Record<string, number> = {};
  for (const c of cases) if (typeof c.prepared === 'string') skipped[c.prepared] = (skipped[c.prepared] ?? 0) + 1;
  expect(cases.length).toBe(41);
  expect(usable.length).toBe(24);
  expect(skipped).toEqual({
    'S3 path rules (the client signs for execute-api)': 7,
    'a URL object normalizes the path or query': 7,
    'a repeated header': 2,
    'the token was added after signing': 1,
  });
});

describe.each(usable)('$name', ({ vector, prepared }) => {
  it("gets the suite's Authorization header from SigV4Auth, and the server's verifier accepts the request", async () => {
    const auth = new SigV4Auth({
      region: C.region,
      service: C.service,
      credentials: { ...credentials, ...(prepared.sessionToken ? { sessionToken: prepared.sessionToken } : {}) },
      now: () => C.signingDate,
      applyChecksum: prepared.applyChecksum,
    });
    const request: OutgoingRequest = { ...prepared.request, headers: { ...prepared.request.headers } };
    await auth.authenticate(request);
    const expected = Object.entries(vector.header!.headers).find(([k]) => k.toLowerCase() === 'authorization')![1];
    expect(request.headers['authorization']).toBe(expected);
    const received = {
      method: request.method,
      url: plusAsSpaceInQuery(`${request.url.pathname}${request.url.search}`),
      headers: { ...request.headers, host: request.url.host },
      ...(request.body ? { body: request.body } : {}),
    };
    expect(await verifySigV4(received, vectorOptions())).toMatchObject({ ok: true, accessKeyId: C.accessKeyId });
  });
});

describe('requests a catalog client sends', () => {
  const now = new Date('2026-01-02T03:04:05Z');
  const verify = (request: OutgoingRequest) =>
    verifySigV4(
      {
        method: request.method,
        url: plusAsSpaceInQuery(`${request.url.pathname}${request.url.search}`),
        headers: { ...request.headers, host: request.url.host },
        ...(request.body ? { body: request.body } : {}),
      },
      {
        service: 'execute-api',
        region: 'eu-west-1',
        now: () => now,
        lookupSecret: async (id) => (id === 'AKIDCLIENT' ? { secretAccessKey: 'client-secret', principal: 'p' } : undefined),
      },
    );

  it.each([
    ['a page token with "+" and a space', 'http://127.0.0.1:8181/v1/lake/namespaces?pageToken=a+b%20c&pageSize=10'],
    ['a repeated parameter and a unicode namespace', 'http://127.0.0.1:8181/v1/lake/namespaces/caf%C3%A9%1Fx/tables?b=2&a=1&a=0'],
    ['a Lance path id with "$" and "+"', 'http://127.0.0.1:8181/lance/lake/v1/table/sig+ns%24t/describe?delimiter=%24'],
  ])('verifies %s', async (_what, href) => {
    const auth = new SigV4Auth({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDCLIENT', secretAccessKey: 'client-secret', sessionToken: 'session' },
      now: () => now,
    });
    const request: OutgoingRequest = { method: 'POST', url: new URL(href), headers: { 'content-type': 'application/json' }, body: '{"id":["sig ns","t"]}' };
    await auth.authenticate(request);
    expect(request.headers['x-amz-security-token']).toBe('session');
    expect(request.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(await verify(request)).toMatchObject({ ok: true, accessKeyId: 'AKIDCLIENT' });
    expect(await verify({ ...request, body: '{"id":["other"]}' })).toMatchObject({ ok: false, code: 'ERR_SIGV4_PAYLOAD_HASH' });
  });

  it('keeps a delegate token in Original-Authorization and signs it', async () => {
    const auth = new SigV4Auth({
      region: 'eu-west-1',
      credentials: async () => ({ accessKeyId: 'AKIDCLIENT', secretAccessKey: 'client-secret' }),
      delegate: {
        async authenticate(r) {
          r.headers['authorization'] = 'Bearer t';
        },
      },
      now: () => now,
    });
    const request: OutgoingRequest = { method: 'GET', url: new URL('http://127.0.0.1:8181/v1/config'), headers: {} };
    await auth.authenticate(request);
    expect(request.headers['original-authorization']).toBe('Bearer t');
    expect(request.headers['authorization']).toMatch(/SignedHeaders=host;original-authorization;x-amz-content-sha256;x-amz-date,/);
    expect(await verify(request)).toMatchObject({ ok: true });
  });
});
