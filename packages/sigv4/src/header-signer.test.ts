/**
 * HeaderSigner against SignatureV4 (through signRequest, which the AWS vectors hold to the spec): on random S3
 * requests (methods, raw paths, query pairs with reserved and non-ASCII characters and repeated names, headers with
 * folded whitespace, unsignable and regenerated headers, dates across days) both produce the same Authorization.
 */
import { describe, expect, it } from 'vitest';
import { HeaderSigner, PreparedQuery } from './header-signer.js';
import { signRequest } from './sign.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('HeaderSigner', () => {
  it('signs exactly as SignatureV4 (uriEscapePath false, applyChecksum false) on 500 random requests', async () => {
    const r = rng(36);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const chars = ['a', 'Z', '0', '-', '_', '.', '~', ' ', '+', '=', '&', '/', '*', "'", '(', '!', 'é', '€', '%', '😀'];
    const word = (n: number) => Array.from({ length: 1 + Math.floor(r() * n) }, () => pick(chars)).join('');
    for (let i = 0; i < 500; i++) {
      const region = pick(['us-east-1', 'eu-west-1']);
      const signer = new HeaderSigner({ service: 's3', region, credentials });
      const method = pick(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
      const path = `/bucket/${encodeURIComponent(word(12)).replace(/%2F/g, '/')}/${pick(['a%3Db.parquet', 'x', 'd%20e', ''])}`;
      const query: Array<[string, string]> = Array.from({ length: Math.floor(r() * 4) }, () => [
        pick(['uploads', 'partNumber', 'uploadId', 'prefix', 'x-amz-tagging', word(4)]),
        pick(['', '1', word(6)]),
      ]);
      const headers: Record<string, string> = { host: pick(['127.0.0.1:9000', 'bucket.s3.eu-west-1.amazonaws.com']) };
      for (const name of [
        'content-type',
        'x-amz-copy-source',
        'x-amz-tagging',
        'cache-control',
        'user-agent',
        'date',
        'x-amz-date',
        'proxy-foo',
        'x-amz-meta-a',
        'content-md5',
        'expect',
      ]) {
        if (r() < 0.4) headers[name] = pick(['', 'v', '  a \t b  ', 'a\r\nb', word(5), 'text/plain; charset=utf-8']);
      }
      const payloadHash = pick(['UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']);
      if (r() < 0.7) headers['x-amz-content-sha256'] = payloadHash;
      const signingDate = new Date(Date.UTC(2026, 10, 25 + Math.floor(r() * 3), Math.floor(r() * 24), 0, 0, Math.floor(r() * 1000)));
      const url = `${path}${query.length ? `?${query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&')}` : ''}`;
      const expected = await signRequest(
        { method, url, headers },
        { service: 's3', region, credentials, signingDate, uriEscapePath: false, applyChecksum: false },
      );
      // SignatureV4 reads the payload hash from x-amz-content-sha256, else hashes the (absent) body.
      const hash = headers['x-amz-content-sha256'] ?? 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
      const got = signer.sign({ method, path, query, headers, payloadHash: hash }, signingDate);
      expect(got.authorization, `${method} ${url} ${JSON.stringify(headers)}`).toBe(expected.headers.authorization);
      expect(got.amzDate).toBe(expected.headers['x-amz-date']);
      // The same query canonicalized once signs the same.
      expect(signer.sign({ method, path, query: new PreparedQuery(query), headers, payloadHash: hash }, signingDate).authorization).toBe(
        expected.headers.authorization,
      );
    }
  });

  it('keeps one derived key per day and refuses a service or region SigV4 cannot scope', () => {
    const signer = new HeaderSigner({ service: 's3', region: 'us-east-1', credentials });
    const input = { method: 'GET', path: '/b/k', query: [], headers: { host: 'h' }, payloadHash: 'UNSIGNED-PAYLOAD' };
    const a = signer.sign(input, new Date('2026-11-25T23:59:59Z'));
    const b = signer.sign(input, new Date('2026-11-26T00:00:00Z'));
    expect(a.authorization).toContain('/20261125/us-east-1/s3/aws4_request');
    expect(b.authorization).toContain('/20261126/us-east-1/s3/aws4_request');
    expect(() => new HeaderSigner({ service: 's3', region: 'us east', credentials })).toThrow(TypeError);
  });

  it('orders a name before a longer name it begins, and a repeated name by value, as SignatureV4 does; one date per second', async () => {
    const signer = new HeaderSigner({ service: 's3', region: 'us-east-1', credentials });
    const query: Array<[string, string]> = [
      ['a-b', '1'],
      ['a', 'z'],
      ['a', ''],
      ['a.c', '0'],
      ['A', 'x'],
      ['a', 'b c'],
    ];
    const url = `/b/k?${query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&')}`;
    for (const at of ['2026-11-25T12:00:00.000Z', '2026-11-25T12:00:00.999Z', '2026-11-25T12:00:01.000Z']) {
      const signingDate = new Date(at);
      const expected = await signRequest(
        { method: 'GET', url, headers: { host: 'h' } },
        { service: 's3', region: 'us-east-1', credentials, signingDate, uriEscapePath: false, applyChecksum: false },
      );
      const got = signer.sign(
        { method: 'GET', path: '/b/k', query, headers: { host: 'h' }, payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
        signingDate,
      );
      expect(got.authorization).toBe(expected.headers.authorization);
      expect(got.amzDate).toBe(expected.headers['x-amz-date']);
    }
    expect(() => signer.sign({ method: 'GET', path: '/b/k', query: [], headers: { host: 'h' }, payloadHash: 'x' }, new Date(Number.NaN))).toThrow(RangeError);
  });
});
