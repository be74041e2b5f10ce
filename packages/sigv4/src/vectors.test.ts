/**
 * The official AWS SigV4 test suites (./vectors) against verifySigV4: every
 * vector verifies with the suite's secret, SignatureV4 rebuilds the suite's
 * canonical request byte for byte, and changing one byte of the signature, a
 * signed header, the body, the date, the region or the service breaks it.
 */
import { describe, expect, it } from 'vitest';
import { presignRequest, signRequest } from './sign.js';
import type { SigV4Request } from './types.js';
import { verifySigV4 } from './verify.js';
import { flipSignature, headerKey, recordingSha256, signedHeaderNames, toRequest, vectorOptions, withHeader } from './vectors/harness.js';
import { ALL_VECTORS, AWS_C_AUTH_V4_NORMALIZE_PATH_VECTORS, VECTOR_CONTEXT as C } from './vectors/index.js';
import type { SignedVectorRequest, SigV4TestVector } from './vectors/types.js';

type Form = 'header' | 'presigned';
interface Case {
  label: string;
  vector: SigV4TestVector;
  form: Form;
  sent: SignedVectorRequest;
  /** The request that must verify (the one sent, or for post-sts-header-after the one that was signed). */
  request: SigV4Request;
}

const withoutToken = (r: SigV4Request): SigV4Request =>
  withHeader({ ...r, url: r.url.replace(/&X-Amz-Security-Token=[^&]*/, '') }, 'x-amz-security-token', undefined);

const cases: Case[] = ALL_VECTORS.flatMap((vector) =>
  (['header', 'presigned'] as const).flatMap((form) => {
    const sent = vector[form];
    if (!sent) return [];
    const request = vector.expect?.[form] ? withoutToken(toRequest(sent)) : toRequest(sent);
    return [{ label: `${vector.name} (${form})`, vector, form, sent, request }];
  }),
);

const opts = (c: Case, over: Parameters<typeof vectorOptions>[0] = {}) => vectorOptions({ uriEscapePath: c.vector.uriEscapePath, ...over });
const secondsLater = (s: number) => () => new Date(C.signingDate.getTime() + s * 1000);

it('covers both suites, header and presigned forms', () => {
  expect(ALL_VECTORS.length).toBe(41);
  expect(cases.filter((c) => c.form === 'presigned').length).toBe(38);
  expect(AWS_C_AUTH_V4_NORMALIZE_PATH_VECTORS.length).toBe(14);
});

describe.each(cases)('$label', (c) => {
  it('verifies with the suite secret', async () => {
    const result = await verifySigV4(c.request, opts(c));
    expect(result).toEqual({ ok: true, accessKeyId: C.accessKeyId, principal: { user: 'example' }, mode: c.form, signedAt: C.signingDate });
  });

  if (c.vector.expect?.[c.form]) {
    it(`rejects the request as sent with ${c.vector.expect[c.form]}`, async () => {
      const result = await verifySigV4(toRequest(c.sent), opts(c));
      expect(result).toMatchObject({ ok: false, code: c.vector.expect![c.form] });
    });
  }

  it('has SignatureV4 rebuild the suite canonical request exactly', async () => {
    const hashed: string[] = [];
    const result = await verifySigV4(c.request, opts(c, { sha256: recordingSha256(hashed) }));
    expect(result.ok).toBe(true);
    expect(hashed).toContain(c.sent.canonicalRequest);
  });

  it('rejects one changed signature digit', async () => {
    expect(await verifySigV4(flipSignature(c.request), opts(c))).toMatchObject({ ok: false, code: 'ERR_SIGV4_SIGNATURE' });
  });

  it('rejects a change to any signed header', async () => {
    for (const name of signedHeaderNames(c.request)) {
      const value = c.request.headers[headerKey(c.request, name)!];
      const changed = withHeader(c.request, name, `${Array.isArray(value) ? value.join(',') : value}x`);
      const expected = name === 'x-amz-date' || name === 'x-amz-content-sha256' ? 'ERR_SIGV4_MALFORMED' : 'ERR_SIGV4_SIGNATURE';
      expect(await verifySigV4(changed, opts(c)), name).toMatchObject({ ok: false, code: expected });
    }
  });

  it('rejects a changed body', async () => {
    const code = signedHeaderNames(c.request).includes('x-amz-content-sha256') ? 'ERR_SIGV4_PAYLOAD_HASH' : 'ERR_SIGV4_SIGNATURE';
    expect(await verifySigV4({ ...c.request, body: `${c.request.body as string}!` }, opts(c))).toMatchObject({ ok: false, code });
  });

  it('rejects a changed X-Amz-Date (same day, within the skew)', async () => {
    const request =
      c.form === 'header'
        ? withHeader(c.request, 'x-amz-date', '20150830T123601Z')
        : { ...c.request, url: c.request.url.replace('X-Amz-Date=20150830T123600Z', 'X-Amz-Date=20150830T123601Z') };
    expect(await verifySigV4(request, opts(c))).toMatchObject({ ok: false, code: 'ERR_SIGV4_SIGNATURE' });
  });

  it('accepts the clock at the edges of the skew and expiry, and rejects it beyond', async () => {
    const skew = 15 * 60;
    const lifetime = c.form === 'header' ? skew : C.expiresSeconds;
    const late = c.form === 'header' ? 'ERR_SIGV4_SKEW' : 'ERR_SIGV4_EXPIRED';
    expect((await verifySigV4(c.request, opts(c, { now: secondsLater(-skew) }))).ok).toBe(true);
    expect((await verifySigV4(c.request, opts(c, { now: secondsLater(lifetime) }))).ok).toBe(true);
    expect(await verifySigV4(c.request, opts(c, { now: secondsLater(-skew - 1) }))).toMatchObject({ ok: false, code: 'ERR_SIGV4_SKEW' });
    expect(await verifySigV4(c.request, opts(c, { now: secondsLater(lifetime + 1) }))).toMatchObject({ ok: false, code: late });
    expect(await verifySigV4(c.request, opts(c, { now: secondsLater(120), clockSkewMs: 60_000 }))).toMatchObject(
      c.form === 'header' ? { ok: false, code: 'ERR_SIGV4_SKEW' } : { ok: true },
    );
  });

  it('rejects another expected region or service, and another secret', async () => {
    expect(await verifySigV4(c.request, opts(c, { region: 'us-west-2' }))).toMatchObject({ ok: false, code: 'ERR_SIGV4_SCOPE' });
    expect(await verifySigV4(c.request, opts(c, { service: 'execute-api' }))).toMatchObject({ ok: false, code: 'ERR_SIGV4_SCOPE' });
    const otherSecret = async () => ({ secretAccessKey: `${C.secretAccessKey}x`, principal: { user: 'example' } });
    expect(await verifySigV4(c.request, opts(c, { lookupSecret: otherSecret }))).toMatchObject({ ok: false, code: 'ERR_SIGV4_SIGNATURE' });
    expect(await verifySigV4(c.request, opts(c, { lookupSecret: async () => undefined }))).toMatchObject({ ok: false, code: 'ERR_SIGV4_UNKNOWN_KEY' });
  });

  it('is what signRequest/presignRequest produce for the unsigned request', async () => {
    if (c.vector.expect?.[c.form]) return; // the token was added after signing
    const token = /X-Amz-Security-Token=([^&]*)/.exec(c.request.url)?.[1];
    const unsigned: SigV4Request = {
      ...c.request,
      url: c.request.url.replace(/[?&]X-Amz-[A-Za-z]+=[^&]*/g, '').replace(/^([^?&]*)&/, '$1?'),
      headers: withHeader(withHeader(withHeader(c.request, 'authorization', undefined), 'x-amz-date', undefined), 'x-amz-content-sha256', undefined).headers,
    };
    const common = {
      service: C.service,
      region: C.region,
      signingDate: C.signingDate,
      uriEscapePath: c.vector.uriEscapePath,
      applyChecksum: signedHeaderNames(c.request).includes('x-amz-content-sha256'),
    };
    const credentials = { accessKeyId: C.accessKeyId, secretAccessKey: C.secretAccessKey };
    if (c.form === 'header') {
      const signed = await signRequest(unsigned, { ...common, credentials });
      expect(signed.headers.authorization).toBe(c.request.headers[headerKey(c.request, 'authorization')!]);
    } else {
      const sessionToken = token === undefined ? undefined : decodeURIComponent(token);
      const signed = await presignRequest(unsigned, { ...common, credentials: { ...credentials, sessionToken }, expiresIn: C.expiresSeconds });
      expect(/X-Amz-Signature=([0-9a-f]{64})/.exec(signed.url)?.[1]).toBe(c.sent.signature);
      expect((await verifySigV4(signed, opts(c))).ok).toBe(true);
    }
  });
});

describe('path normalization follows SignatureV4 uriEscapePath', () => {
  it.each(AWS_C_AUTH_V4_NORMALIZE_PATH_VECTORS)('$name fails with the other setting', async (vector) => {
    for (const form of ['header', 'presigned'] as const) {
      const result = await verifySigV4(toRequest(vector[form]!), vectorOptions({ uriEscapePath: !vector.uriEscapePath }));
      expect(result, form).toMatchObject({ ok: false, code: 'ERR_SIGV4_SIGNATURE' });
    }
  });
});

describe('session tokens', () => {
  it.each(cases.filter((c) => c.vector.name.startsWith('get-vanilla-with-session-token') || c.vector.name === 'post-sts-header-before'))(
    '$label hands the token to lookupSecret',
    async (c) => {
      const seen: Array<string | undefined> = [];
      const result = await verifySigV4(
        c.request,
        opts(c, { lookupSecret: async (_id, ctx) => (seen.push(ctx.sessionToken), { secretAccessKey: C.secretAccessKey, principal: { user: 'x' } }) }),
      );
      expect(result.ok).toBe(true);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(/^(6e86291e|AQoDYXdzEPT)/);
    },
  );
});

it('never puts the secret, a signature or a session token into a failure message', async () => {
  const messages: string[] = [];
  for (const c of cases) {
    for (const request of [toRequest(c.sent), flipSignature(c.request), { ...c.request, body: 'tampered' }]) {
      for (const over of [{}, { region: 'eu-west-1' }, { now: secondsLater(99_999) }, { lookupSecret: async () => undefined }]) {
        const result = await verifySigV4(request, opts(c, over));
        if (!result.ok) messages.push(result.message);
      }
    }
  }
  expect(messages.length).toBeGreaterThan(200);
  const secrets = [C.secretAccessKey, ...cases.map((c) => c.sent.signature), '6e86291e8372ff2a', 'AQoDYXdzEPT'];
  for (const m of messages) for (const s of secrets) expect(m).not.toContain(s);
});
