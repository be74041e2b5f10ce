/** verifySigV4 beyond the suite: malformed input, payload hashes, presigned rules, caller bugs. */
import { escapeUri, HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { detectSigV4 } from './detect.js';
import { nodeSha256 } from './hash.js';
import { presignRequest, signRequest, type SignRequestOptions } from './sign.js';
import type { SigV4Request, SigV4Result } from './types.js';
import { verifySigV4 } from './verify.js';
import { recordingSha256, vectorOptions, withHeader } from './vectors/harness.js';
import { VECTOR_CONTEXT as C } from './vectors/types.js';

const credentials = { accessKeyId: C.accessKeyId, secretAccessKey: C.secretAccessKey };
const signing: SignRequestOptions = { service: C.service, region: C.region, credentials, signingDate: C.signingDate };
const get: SigV4Request = { method: 'GET', url: '/v1/namespaces?pageSize=10', headers: { host: 'catalog.example.com' } };
const post: SigV4Request = {
  method: 'POST',
  url: '/v1/namespaces',
  headers: { host: 'catalog.example.com', 'content-type': 'application/json' },
  body: new TextEncoder().encode('{"namespace":["a"]}'),
};

const code = (r: SigV4Result<unknown>) => (r.ok ? 'ok' : r.code);
const verify = (request: SigV4Request, over: Parameters<typeof vectorOptions>[0] = {}) => verifySigV4(request, vectorOptions(over)).then(code);
const setAuth = (r: SigV4Request, f: (auth: string) => string) => withHeader(r, 'authorization', f(r.headers.authorization as string));

describe('header auth', () => {
  it('round-trips signRequest with and without x-amz-content-sha256, and with a session token', async () => {
    expect(await verify(await signRequest(get, signing))).toBe('ok');
    expect(await verify(await signRequest(post, signing))).toBe('ok');
    expect(await verify(await signRequest(post, { ...signing, applyChecksum: false }))).toBe('ok');
    const withToken = await signRequest(post, { ...signing, credentials: { ...credentials, sessionToken: 'tok' } });
    expect(withToken.headers['x-amz-security-token']).toBe('tok');
    expect(await verify(withToken)).toBe('ok');
  });

  it('treats a repeated header like its values joined with ","', async () => {
    const signed = await signRequest({ ...get, headers: { ...get.headers, 'x-custom': 'a,b' } }, signing);
    expect(await verify({ ...signed, headers: { ...signed.headers, 'x-custom': ['a', ' b '] } })).toBe('ok');
    // Node's req.headers joins repeats with ", ", which is another value: pass req.headersDistinct.
    expect(await verify({ ...signed, headers: { ...signed.headers, 'x-custom': 'a, b' } })).toBe('ERR_SIGV4_SIGNATURE');
  });

  it('rejects a changed method, path or query', async () => {
    const signed = await signRequest(get, signing);
    expect(await verify({ ...signed, method: 'DELETE' })).toBe('ERR_SIGV4_SIGNATURE');
    expect(await verify({ ...signed, url: '/v1/namespaces/x?pageSize=10' })).toBe('ERR_SIGV4_SIGNATURE');
    expect(await verify({ ...signed, url: '/v1/namespaces?pageSize=11' })).toBe('ERR_SIGV4_SIGNATURE');
    expect(await verify({ ...signed, url: '/v1/namespaces?pageSize=10&extra=1' })).toBe('ERR_SIGV4_SIGNATURE');
  });

  it.each([
    ['another algorithm', (a: string) => a.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256')],
    ['a repeated Credential', (a: string) => `${a}, Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request`],
    ['a repeated Signature', (a: string) => `${a}, Signature=${'0'.repeat(64)}`],
    ['an unknown parameter', (a: string) => `${a}, Foo=bar`],
    ['a missing Signature', (a: string) => a.replace(/, Signature=.*$/, '')],
    ['an empty SignedHeaders', (a: string) => a.replace(/SignedHeaders=[^,]*/, 'SignedHeaders=')],
    ['an uppercase signature', (a: string) => a.replace(/Signature=(.*)$/, (_, s: string) => `Signature=${s.toUpperCase()}`)],
    ['a short signature', (a: string) => a.slice(0, -1)],
    ['unsorted SignedHeaders', (a: string) => a.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=x-amz-date;host')],
    ['repeated SignedHeaders', (a: string) => a.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=host;host;x-amz-date')],
    ['uppercase SignedHeaders', (a: string) => a.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=Host;x-amz-date')],
    ['host not signed', (a: string) => a.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=x-amz-date')],
    ['x-amz-date not signed', (a: string) => a.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=host')],
    ['date signed', (a: string) => a.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=date;host;x-amz-date')],
    ['a signed header that was not sent', (a: string) => a.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=host;x-amz-date;x-missing')],
    ['a four-part Credential', (a: string) => a.replace('/aws4_request', '')],
    ['a Credential with an empty part', (a: string) => a.replace('/us-east-1/', '//')],
    ['a Credential date that is not a date', (a: string) => a.replace('/20150830/', '/2015083X/')],
  ])('rejects an Authorization header with %s as malformed', async (_, change) => {
    const signed = await signRequest(get, { ...signing, applyChecksum: false });
    expect(await verify(setAuth(signed, change))).toBe('ERR_SIGV4_MALFORMED');
  });

  it('rejects a bad or missing X-Amz-Date as malformed', async () => {
    const signed = await signRequest(get, signing);
    expect(await verify(withHeader(signed, 'x-amz-date', undefined))).toBe('ERR_SIGV4_MALFORMED');
    expect(await verify(withHeader(signed, 'x-amz-date', '20151332T123600Z'))).toBe('ERR_SIGV4_MALFORMED');
    expect(await verify(withHeader(signed, 'x-amz-date', '2015-08-30T12:36:00Z'))).toBe('ERR_SIGV4_MALFORMED');
    expect(await verify({ ...signed, headers: { ...signed.headers, 'x-amz-date': ['20150830T123600Z', '20150830T123600Z'] } })).toBe('ERR_SIGV4_MALFORMED');
    expect(await verify({ ...signed, headers: { ...signed.headers, authorization: [signed.headers.authorization!, 'Bearer x'] } })).toBe('ERR_SIGV4_MALFORMED');
  });

  it('checks the credential scope date and terminator', async () => {
    const signed = await signRequest(get, signing);
    expect(await verify(setAuth(signed, (a) => a.replace('/20150830/', '/20150831/')))).toBe('ERR_SIGV4_SCOPE');
    expect(await verify(setAuth(signed, (a) => a.replace('/aws4_request', '/aws5_request')))).toBe('ERR_SIGV4_SCOPE');
  });

  it('hands lookupSecret the key id, and reports an unknown key', async () => {
    const seen: string[] = [];
    const lookupSecret = async (id: string) => (seen.push(id), undefined);
    const signed = await signRequest(get, { ...signing, credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 's' } });
    expect(await verify(signed, { lookupSecret })).toBe('ERR_SIGV4_UNKNOWN_KEY');
    expect(seen).toEqual(['AKIDOTHER']);
  });

  it('rejects a request carrying both an Authorization header and presigned parameters', async () => {
    const signed = await signRequest(get, signing);
    expect(await verify({ ...signed, url: `${signed.url}&X-Amz-Signature=${'0'.repeat(64)}` })).toBe('ERR_SIGV4_MALFORMED');
  });

  it('rejects requests with no SigV4 credentials, bad percent-encoding or an absolute-form target', async () => {
    expect(await verify({ ...get, headers: { ...get.headers, authorization: 'Bearer abc' } })).toBe('ERR_SIGV4_MALFORMED');
    const signed = await signRequest(get, signing);
    expect(await verify({ ...signed, url: '/v1/namespaces?pageSize=%zz' })).toBe('ERR_SIGV4_MALFORMED');
    expect(await verify({ ...signed, url: 'http://catalog.example.com/v1/namespaces?pageSize=10' })).toBe('ERR_SIGV4_MALFORMED');
  });
});

describe('payload hash', () => {
  it('rejects a body that does not match x-amz-content-sha256', async () => {
    const signed = await signRequest(post, signing);
    expect(await verify({ ...signed, body: '{"namespace":["b"]}' })).toBe('ERR_SIGV4_PAYLOAD_HASH');
  });

  it('hashes the body itself when x-amz-content-sha256 is absent', async () => {
    const signed = await signRequest(post, { ...signing, applyChecksum: false });
    expect(signed.headers['x-amz-content-sha256']).toBeUndefined();
    expect(await verify({ ...signed, body: '{"namespace":["a"]}' })).toBe('ok');
    expect(await verify({ ...signed, body: '{"namespace":["b"]}' })).toBe('ERR_SIGV4_SIGNATURE');
    expect(await verify({ ...signed, body: undefined })).toBe('ERR_SIGV4_SIGNATURE');
  });

  it('accepts UNSIGNED-PAYLOAD unless told not to', async () => {
    const signed = await signRequest({ ...post, headers: { ...post.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, signing);
    expect(await verify({ ...signed, body: 'anything' })).toBe('ok');
    expect(await verify(signed, { allowUnsignedPayload: false })).toBe('ERR_SIGV4_PAYLOAD_HASH');
  });

  it('rejects streaming and other unknown payload modes, and an unsigned x-amz-content-sha256', async () => {
    const streaming = await signRequest({ ...post, headers: { ...post.headers, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' } }, signing);
    expect(await verify(streaming)).toBe('ERR_SIGV4_MALFORMED');
    const unsigned = await signRequest(post, { ...signing, applyChecksum: false });
    const bodyHash = 'f'.repeat(64);
    expect(await verify(withHeader(unsigned, 'x-amz-content-sha256', bodyHash))).toBe('ERR_SIGV4_MALFORMED');
  });

  it('hashes with the injected sha256', async () => {
    const hashed: string[] = [];
    const signed = await signRequest(post, signing);
    expect(await verify(signed, { sha256: recordingSha256(hashed) })).toBe('ok');
    expect(hashed).toContain('{"namespace":["a"]}');
    expect(hashed.some((h) => h.startsWith('POST\n/v1/namespaces\n\ncontent-type:application/json\n'))).toBe(true);
  });
});

describe('presigned', () => {
  const presign = (r: SigV4Request, over: Partial<Parameters<typeof presignRequest>[1]> = {}) => presignRequest(r, { ...signing, expiresIn: 900, ...over });

  it('round-trips presignRequest (body hash, UNSIGNED-PAYLOAD, session token)', async () => {
    expect(await verify(await presign(get))).toBe('ok');
    const token = await presign(get, { credentials: { ...credentials, sessionToken: 'tok/+=' } });
    expect(token.url).toContain('X-Amz-Security-Token=tok%2F%2B%3D');
    expect(await verify(token)).toBe('ok');
    // S3 style: the presigner puts X-Amz-Content-Sha256=UNSIGNED-PAYLOAD into the query.
    const s3 = await presign({ ...post, headers: { ...post.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    expect(s3.url).toContain('UNSIGNED-PAYLOAD');
    expect(await verify({ ...s3, body: 'any body' })).toBe('ok');
    expect(await verify(s3, { allowUnsignedPayload: false })).toBe('ERR_SIGV4_PAYLOAD_HASH');
  });

  it('accepts a presigned URL signed over UNSIGNED-PAYLOAD without saying so (as S3 presigners do), unless told not to', async () => {
    const signer = new SignatureV4({ ...signing, sha256: nodeSha256 });
    const keepOut = new Set(['x-amz-content-sha256']);
    const http = new HttpRequest({ method: 'PUT', path: '/bucket/key', headers: { host: 'catalog.example.com', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    const signed = await signer.presign(http, { signingDate: C.signingDate, expiresIn: 900, unhoistableHeaders: keepOut, unsignableHeaders: keepOut });
    const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${escapeUri(k)}=${escapeUri(String(v))}`);
    const request: SigV4Request = { method: 'PUT', url: `/bucket/key?${query.join('&')}`, headers: { host: 'catalog.example.com' }, body: 'any body' };
    expect(request.url).not.toContain('UNSIGNED-PAYLOAD');
    expect(await verify(request)).toBe('ok');
    expect(await verify(request, { allowUnsignedPayload: false })).toBe('ERR_SIGV4_SIGNATURE');
  });

  it('enforces expiry and future dates', async () => {
    const signed = await presign(get);
    const at = (s: number) => () => new Date(C.signingDate.getTime() + s * 1000);
    expect(await verify(signed, { now: at(900) })).toBe('ok');
    expect(await verify(signed, { now: at(901) })).toBe('ERR_SIGV4_EXPIRED');
    expect(await verify(signed, { now: at(-901) })).toBe('ERR_SIGV4_SKEW');
  });

  it.each([
    ['X-Amz-Expires=0', (u: string) => u.replace('X-Amz-Expires=900', 'X-Amz-Expires=0')],
    ['X-Amz-Expires over a week', (u: string) => u.replace('X-Amz-Expires=900', 'X-Amz-Expires=604801')],
    ['X-Amz-Expires with a leading zero', (u: string) => u.replace('X-Amz-Expires=900', 'X-Amz-Expires=0900')],
    ['a repeated X-Amz-Credential', (u: string) => `${u}&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request`],
    ['a repeated X-Amz-Signature', (u: string) => `${u}&X-Amz-Signature=${'0'.repeat(64)}`],
    ['a lowercase parameter name', (u: string) => u.replace('X-Amz-Credential=', 'x-amz-credential=')],
    ['no X-Amz-SignedHeaders', (u: string) => u.replace(/&X-Amz-SignedHeaders=[^&]*/, '')],
    ['no X-Amz-Date', (u: string) => u.replace(/&X-Amz-Date=[^&]*/, '')],
    ['another algorithm', (u: string) => u.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256')],
    ['x-amz-date as a signed header', (u: string) => u.replace('X-Amz-SignedHeaders=host', 'X-Amz-SignedHeaders=host%3Bx-amz-date')],
  ])('rejects %s as malformed', async (_, change) => {
    const signed = await presign(get);
    const request = { ...signed, url: change(signed.url), headers: { ...signed.headers, 'x-amz-date': '20150830T123600Z' } };
    expect(await verify(request)).toBe('ERR_SIGV4_MALFORMED');
  });

  it('rejects a presigned URL that also carries an Authorization header', async () => {
    const signed = await presign(get);
    expect(await verify({ ...signed, headers: { ...signed.headers, authorization: 'Bearer x' } })).toBe('ERR_SIGV4_MALFORMED');
  });

  it('verifies signed x-amz-* headers that stayed headers', async () => {
    const headers = { ...get.headers, 'x-amz-meta-a': '1' };
    const hoisted = await presign({ ...get, headers });
    expect(hoisted.url).toContain('x-amz-meta-a=1');
    expect(await verify(hoisted)).toBe('ok');
    const kept = await presign({ ...get, headers }, { unhoistableHeaders: new Set(['x-amz-meta-a']) });
    expect(kept.url).toContain('X-Amz-SignedHeaders=host%3Bx-amz-meta-a');
    expect(await verify(kept)).toBe('ok');
    expect(await verify(withHeader(kept, 'x-amz-meta-a', '2'))).toBe('ERR_SIGV4_SIGNATURE');
  });
});

describe('S3-style paths (uriEscapePath: false)', () => {
  const s3 = { ...get, url: '/bucket/a//b%20c/./d.txt?x-id=GetObject' };

  it('verifies only with the same setting the signer used', async () => {
    const signedS3 = await signRequest(s3, { ...signing, uriEscapePath: false });
    expect(await verify(signedS3, { uriEscapePath: false })).toBe('ok');
    expect(await verify(signedS3)).toBe('ERR_SIGV4_SIGNATURE');
    const signedDefault = await signRequest(s3, signing);
    expect(await verify(signedDefault)).toBe('ok');
    expect(await verify(signedDefault, { uriEscapePath: false })).toBe('ERR_SIGV4_SIGNATURE');
  });
});

describe('caller bugs throw TypeError', () => {
  const good = vectorOptions();
  it.each([
    ['no service', { ...good, service: '' }],
    ['a region with a slash', { ...good, region: 'us/east' }],
    ['no clock', { ...good, now: undefined }],
    ['no lookupSecret', { ...good, lookupSecret: 'x' }],
    ['a negative skew', { ...good, clockSkewMs: -1 }],
    ['a non-boolean uriEscapePath', { ...good, uriEscapePath: 'false' }],
  ])('options with %s', async (_, options) => {
    await expect(verifySigV4(get, options as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('a bad request object, clock or secret', async () => {
    const signed = await signRequest(get, signing);
    await expect(verifySigV4({ ...signed, body: 42 } as never, good)).rejects.toBeInstanceOf(TypeError);
    await expect(verifySigV4({ ...signed, headers: { host: 1 } } as never, good)).rejects.toBeInstanceOf(TypeError);
    await expect(verifySigV4(signed, { ...good, now: () => new Date('nope') })).rejects.toBeInstanceOf(TypeError);
    await expect(verifySigV4(signed, { ...good, lookupSecret: async () => ({ secretAccessKey: 1 }) as never })).rejects.toBeInstanceOf(TypeError);
    await expect(signRequest({ ...get, headers: {} }, signing)).rejects.toBeInstanceOf(TypeError);
  });

  it('lets lookupSecret errors through', async () => {
    const signed = await signRequest(get, signing);
    const boom = new Error('db down');
    await expect(verifySigV4(signed, { ...good, lookupSecret: async () => Promise.reject(boom) })).rejects.toBe(boom);
  });
});

describe('detectSigV4', () => {
  it('tells header, presigned and not-mine apart without throwing', () => {
    expect(detectSigV4({ url: '/', headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=x' } })).toBe('header');
    expect(detectSigV4({ url: '/', headers: { authorization: 'AWS4-ECDSA-P256-SHA256 x' } })).toBe('header');
    expect(detectSigV4({ url: '/?X-Amz-Signature=abc', headers: {} })).toBe('presigned');
    expect(detectSigV4({ url: '/?x-amz-credential', headers: {} })).toBe('presigned');
    expect(detectSigV4({ url: '/?a=%zz', headers: { authorization: 'Bearer t' } })).toBeUndefined();
    expect(detectSigV4({ url: '/', headers: {} })).toBeUndefined();
  });
});
