import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { S3RequestSigner } from './s3-request-signer.js';
import { inspectS3Request } from './s3-sign-rules.js';
import { forgeCrc32 } from '../../../../../test/support/forge-crc32.js';

const aws = { bucket: 'lake', region: 'eu-west-1' };
const minio = { bucket: 'lake', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };
const req = (method: string, uri: string, extra: { headers?: Record<string, string[]>; body?: string; region?: string } = {}) => ({
  method,
  uri,
  region: extra.region ?? 'eu-west-1',
  headers: extra.headers ?? {},
  body: extra.body,
});

describe('inspectS3Request', () => {
  it('reads AWS virtual-hosted and path-style requests, over https only', () => {
    expect(inspectS3Request(aws, req('GET', 'https://lake.s3.eu-west-1.amazonaws.com/wh/t/data/a%3Db.parquet'))).toMatchObject({
      access: 'read',
      operation: 'GetObject',
      locations: ['s3://lake/wh/t/data/a=b.parquet'],
    });
    expect(inspectS3Request(aws, req('HEAD', 'https://s3.eu-west-1.amazonaws.com/lake/wh/t/x'))).toMatchObject({
      operation: 'HeadObject',
      locations: ['s3://lake/wh/t/x'],
    });
    expect(inspectS3Request(aws, req('GET', 'https://lake.s3.amazonaws.com/wh/t/x')).locations).toEqual(['s3://lake/wh/t/x']);
    expect(() => inspectS3Request(aws, req('GET', 'http://lake.s3.eu-west-1.amazonaws.com/wh/t/x'))).toThrow(/https only/);
    expect(() => inspectS3Request(aws, req('GET', 'https://other.s3.eu-west-1.amazonaws.com/wh/t/x'))).toThrow(/not the warehouse's storage endpoint/);
    expect(() => inspectS3Request(aws, req('GET', 'https://lake.s3.us-east-1.amazonaws.com/wh/t/x'))).toThrow(/not the warehouse's storage endpoint/);
    expect(() => inspectS3Request(aws, req('GET', 'https://lake.s3.eu-west-1.amazonaws.com.evil.example/wh/t/x'))).toThrow(
      /not the warehouse's storage endpoint/,
    );
  });

  it('classifies the operations an Iceberg FileIO uses, with their query parameters only', () => {
    const m = (method: string, target: string) => inspectS3Request(minio, req(method, `http://127.0.0.1:9000/lake/${target}`, { region: 'us-east-1' }));
    expect(m('GET', '?prefix=wh/t/&marker=wh/t/a')).toMatchObject({ access: 'read', operation: 'ListObjects', locations: ['s3://lake/wh/t/'] });
    expect(m('GET', 'wh/t/x?uploadId=u')).toMatchObject({ access: 'write', operation: 'ListParts' });
    expect(m('DELETE', 'wh/t/x?uploadId=u')).toMatchObject({ access: 'write', operation: 'AbortMultipartUpload' });
    expect(() => m('PUT', 'wh/t/x?partNumber=1')).toThrow(/needs partNumber and uploadId/);
    expect(() => m('POST', 'wh/t/x?restore')).toThrow(/only for multipart uploads/);
    expect(() => m('GET', 'wh/t/x?torrent')).toThrow(/query parameter torrent is not signed/);
    expect(m('GET', 'wh/t/x?X-Amz-Expires=60')).toMatchObject({ presignSeconds: 60 });
    expect(() => m('GET', 'wh/t/x?X-Amz-Expires=0')).toThrow(/1\.\.900/);
    // A presigned write would let its holder add any header (an ACL): only reads are presigned.
    expect(() => m('PUT', 'wh/t/x?X-Amz-Expires=60')).toThrow(/PutObject is not presigned/);
  });

  it('checks every segment of a key: no "." or ".." segment, no empty one but a trailing "/"', () => {
    const get = (key: string) => inspectS3Request(minio, req('GET', `http://127.0.0.1:9000/lake/${key}`, { region: 'us-east-1' }));
    for (const key of ['wh/t/x', 'wh/t/.x', 'wh/t/x.', 'wh/t/...', 'wh/t/a..b', 'wh/t/..x/y', 'x', '.a', 'a/', 'wh/t/%2Ex'])
      expect(get(key).locations, key).toEqual([`s3://lake/${decodeURIComponent(key)}`]);
    for (const key of ['.', '..', './x', '../x', 'wh/./x', 'wh/../x', 'wh/t/.', 'wh/t/..', 'wh/t/%2E%2E/x', 'wh/t/..%2F'])
      expect(() => get(key), key).toThrow(/"\." or "\.\." segment|encodes a slash/);
    for (const key of ['wh//x', 'wh/t//', '/x']) expect(() => get(key), key).toThrow(/empty segment/);
    // A listing's prefix is checked the same way (a trailing "/" is the usual prefix).
    expect(get('?prefix=wh/t/').locations).toEqual(['s3://lake/wh/t/']);
    expect(() => get('?prefix=wh/../t/')).toThrow(/"\." or "\.\." segment/);
  });

  it('refuses headers that would make an object public, redirect it or lock it', () => {
    for (const header of ['x-amz-acl', 'x-amz-grant-read', 'x-amz-website-redirect-location', 'x-amz-object-lock-mode', 'x-amz-bypass-governance-retention']) {
      expect(
        () => inspectS3Request(minio, req('PUT', 'http://127.0.0.1:9000/lake/wh/t/x', { region: 'us-east-1', headers: { [header]: ['v'] } })),
        header,
      ).toThrow(/is not signed/);
    }
    // Storage class and tags (S3FileIO's s3.write.storage-class, s3.write.tags.*) are the writer's to choose.
    expect(
      inspectS3Request(
        minio,
        req('PUT', 'http://127.0.0.1:9000/lake/wh/t/x', { region: 'us-east-1', headers: { 'x-amz-storage-class': ['STANDARD'], 'x-amz-tagging': ['a=b'] } }),
      ).operation,
    ).toBe('PutObject');
  });

  it('binds a DeleteObjects body by its CRC32 as well, and refuses XML that could hide keys', () => {
    const body = '<Delete><Object><Key>wh/t/a&amp;b</Key></Object></Delete>';
    const b = Buffer.alloc(4);
    b.writeUInt32BE(crc32(Buffer.from(body)) >>> 0);
    const ok = inspectS3Request(
      aws,
      req('POST', 'https://lake.s3.eu-west-1.amazonaws.com/?delete', { body, headers: { 'x-amz-checksum-crc32': [b.toString('base64')] } }),
    );
    expect(ok).toMatchObject({ access: 'write', operation: 'DeleteObjects', locations: ['s3://lake/wh/t/a&b'] });
    const hidden = '<!DOCTYPE d [<!ENTITY k "wh/other">]><Delete><Object><Key>wh/t/a</Key></Object></Delete>';
    const sha = createHash('sha256').update(hidden).digest('hex');
    expect(() =>
      inspectS3Request(aws, req('POST', 'https://lake.s3.eu-west-1.amazonaws.com/?delete', { body: hidden, headers: { 'x-amz-content-sha256': [sha] } })),
    ).toThrow(/not a plain list of keys/);
  });
});

const crc32b64 = (s: string | Buffer) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(Buffer.from(s)) >>> 0);
  return b.toString('base64');
};
const deleteReq = (body: string, headers: Record<string, string[]>) => req('POST', 'https://lake.s3.eu-west-1.amazonaws.com/?delete', { body, headers });

describe('DeleteObjects bodies (review)', () => {
  it('signs DeleteObjects for AWS S3 only: MinIO deletes whatever body is sent under the signature, whichever digest was signed', () => {
    const body = '<Delete><Object><Key>wh/t/a</Key></Object></Delete>';
    const md5 = createHash('md5').update(body).digest('base64');
    expect(() =>
      inspectS3Request(minio, req('POST', 'http://127.0.0.1:9000/lake?delete', { region: 'us-east-1', body, headers: { 'content-md5': [md5] } })),
    ).toThrow(/AWS S3 only/);
    expect(inspectS3Request(aws, deleteReq(body, { 'content-md5': [md5] })).locations).toEqual(['s3://lake/wh/t/a']);
  });

  it('reads no key an XML reader matching by local name would read otherwise (a prefixed s3:Key, a comment, a PI), and refuses references to no character', () => {
    const sha = (s: string) => ({ 'x-amz-content-sha256': [createHash('sha256').update(s).digest('hex')] });
    const bodies = [
      // Go's encoding/xml (MinIO) matches a field tagged "Key" by local name: <s3:Key> is a Key to it.
      '<Delete><Object><Key>wh/t/a</Key></Object><Object><s3:Key xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">wh/other/x</s3:Key></Object></Delete>',
      '<Delete><Object><Key>wh/t/a</Key></Object><s3:Object xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><Key>wh/other/x</Key></s3:Object></Delete>',
      '<Delete><Object><Key>wh/t/a</Key></Object><!-- --><Object><Key>wh/t/b</Key></Object></Delete>',
      '<Delete><Object><Key>wh/t/a</Key></Object><?pi x?></Delete>',
      '<Delete><Object><Key>wh/t/a</Key><Key/></Object></Delete>',
    ];
    for (const body of bodies) expect(() => inspectS3Request(aws, deleteReq(body, sha(body))), body).toThrow(/not a plain list of keys/);
    // A reference past U+10FFFF threw a RangeError (a 500) instead of a refusal.
    for (const ref of ['&#99999999;', '&#xD800;', '&#x110000;', '&ent;']) {
      const body = `<Delete><Object><Key>wh/t/${ref}</Key></Object></Delete>`;
      expect(() => inspectS3Request(aws, deleteReq(body, sha(body))), ref).toThrow(/Remote signing refused/);
    }
    const declared =
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>wh/t/a</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>';
    expect(inspectS3Request(aws, deleteReq(declared, sha(declared))).locations).toEqual(['s3://lake/wh/t/a']);
  });

  it('binds a body sent with a CRC32 only by the SHA-256 it signs: another body of the same CRC32, deleting any key, is forged in microseconds', async () => {
    const inside = '<Delete><Object><Key>wh/t/data/old-1.parquet</Key></Object></Delete>';
    const template = Buffer.from(`<Delete><Object><Key>wh/other/secret.parquet</Key></Object><Object><Key>wh/t/${'a'.repeat(64)}</Key></Object></Delete>`);
    const start = template.indexOf('wh/t/') + 5;
    const forged = forgeCrc32(
      template,
      [...Array(64).keys()].map((i) => start + i),
      0x03,
      crc32(Buffer.from(inside)) >>> 0,
    );
    expect(crc32b64(forged)).toBe(crc32b64(inside));
    expect(forged.toString()).toContain('<Key>wh/other/secret.parquet</Key>');

    const signer = new S3RequestSigner({
      ...aws,
      pathStyle: false,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    const inspected = signer.inspect(deleteReq(inside, { 'x-amz-checksum-crc32': [crc32b64(inside)] }));
    const signed = await signer.sign(inspected, new Date('2026-11-25T12:00:00Z'));
    // S3 checks the body against the signed SHA-256, so the forged body is refused under this signature.
    expect(signed.headers['x-amz-content-sha256']).toEqual([createHash('sha256').update(inside).digest('hex')]);
    expect(signed.headers.Authorization![0]).toContain('x-amz-content-sha256');
    // With the payload declared unsigned, nothing but the CRC32 would bind the body: refused.
    expect(() => signer.inspect(deleteReq(inside, { 'x-amz-checksum-crc32': [crc32b64(inside)], 'x-amz-content-sha256': ['UNSIGNED-PAYLOAD'] }))).toThrow(
      /does not match/,
    );
    // AWS S3 refuses unsigned x-amz-* headers itself: its PutObject is answered as sent, x-amz-copy-source not pinned.
    const put = await signer.sign(signer.inspect(req('PUT', 'https://lake.s3.eu-west-1.amazonaws.com/wh/data/a.parquet')), new Date('2026-11-25T12:00:00Z'));
    expect(put.uri).toBe('https://lake.s3.eu-west-1.amazonaws.com/wh/data/a.parquet');
    expect(put.headers.Authorization![0]).not.toContain('x-amz-copy-source');
    // Elsewhere (MinIO) it is signed empty and answered in the query (test/interop/remote-signing-copy.test.ts).
    const onMinio = new S3RequestSigner({
      ...minio,
      pathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    const pinned = await onMinio.sign(
      onMinio.inspect(req('PUT', 'http://127.0.0.1:9000/lake/wh/data/a.parquet', { region: 'us-east-1' })),
      new Date('2026-11-25T12:00:00Z'),
    );
    expect(pinned.uri).toBe(
      'http://127.0.0.1:9000/lake/wh/data/a.parquet?x-amz-copy-source=&x-amz-object-lock-mode=&x-amz-object-lock-retain-until-date=&x-amz-object-lock-legal-hold=&x-amz-tagging=',
    );
    expect(pinned.headers.Authorization![0]).toMatch(/SignedHeaders=[^,]*x-amz-copy-source/);
  });
});

describe('S3RequestSigner on a store other than AWS S3', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const at = new Date('2026-11-25T12:00:00Z');
  const m = (method: string, target: string, headers: Record<string, string[]> = {}) =>
    req(method, `http://127.0.0.1:9000/lake/${target}`, { region: 'us-east-1', headers });

  it('pins x-amz-tagging on PutObject and CreateMultipartUpload unless the client asks to sign a tagging of its own', async () => {
    const signer = new S3RequestSigner({ ...minio, pathStyle: true, credentials });
    const create = await signer.sign(signer.inspect(m('POST', 'wh/t/a.parquet?uploads')), at);
    expect(create.uri).toBe(
      'http://127.0.0.1:9000/lake/wh/t/a.parquet?uploads&x-amz-object-lock-mode=&x-amz-object-lock-retain-until-date=&x-amz-object-lock-legal-hold=&x-amz-tagging=',
    );
    expect(create.headers.Authorization![0]).toMatch(/SignedHeaders=[^,]*x-amz-tagging/);
    // Iceberg's s3.write.tags.*: the tagging sent is signed as sent, and not pinned empty.
    const tagged = await signer.sign(signer.inspect(m('PUT', 'wh/t/b.parquet', { 'x-amz-tagging': ['team=a'] })), at);
    expect(tagged.uri).toBe(
      'http://127.0.0.1:9000/lake/wh/t/b.parquet?x-amz-copy-source=&x-amz-object-lock-mode=&x-amz-object-lock-retain-until-date=&x-amz-object-lock-legal-hold=',
    );
    expect(tagged.headers.Authorization![0]).toMatch(/SignedHeaders=[^,]*x-amz-tagging/);
    // Reads, deletes and presigned reads carry no pin.
    expect((await signer.sign(signer.inspect(m('GET', 'wh/t/b.parquet')), at)).uri).toBe('http://127.0.0.1:9000/lake/wh/t/b.parquet');
    expect((await signer.sign(signer.inspect(m('DELETE', 'wh/t/b.parquet')), at)).uri).toBe('http://127.0.0.1:9000/lake/wh/t/b.parquet');
  });

  it('with signing-header-guard: refuse, signs no write a store could extend with unsigned headers, and everything else as before', async () => {
    const signer = new S3RequestSigner({ ...minio, pathStyle: true, credentials, headerGuard: 'refuse' });
    expect(() => signer.inspect(m('PUT', 'wh/t/a.parquet'))).toThrow(/PutObject is not signed for this storage .*signing-header-guard is refuse/);
    expect(() => signer.inspect(m('PUT', 'wh/t/a.parquet?partNumber=1&uploadId=u'))).toThrow(/UploadPart is not signed/);
    expect(() => signer.inspect(m('POST', 'wh/t/a.parquet?uploads'))).toThrow(/CreateMultipartUpload is not signed/);
    for (const [method, target] of [
      ['GET', 'wh/t/a.parquet'],
      ['HEAD', 'wh/t/a.parquet'],
      ['DELETE', 'wh/t/a.parquet'],
      ['POST', 'wh/t/a.parquet?uploadId=u'],
      ['GET', '?list-type=2&prefix=wh/t/'],
    ] as const) {
      expect((await signer.sign(signer.inspect(m(method, target)), at)).uri, `${method} ${target}`).not.toContain('x-amz-copy-source');
    }
    // AWS S3 refuses unsigned x-amz-* headers itself: the guard does not apply there.
    const onAws = new S3RequestSigner({ ...aws, pathStyle: false, credentials, headerGuard: 'refuse' });
    expect(onAws.inspect(req('PUT', 'https://lake.s3.eu-west-1.amazonaws.com/wh/t/a.parquet')).operation).toBe('PutObject');
  });
});

describe('header names a client chose', () => {
  it('signs headers named like Object members (__proto__, constructor, toString) as sent, none dropped or inherited', async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const signer = new S3RequestSigner({ ...aws, pathStyle: false, credentials });
    const headers = JSON.parse('{"__proto__":["a"],"constructor":["b"],"tostring":["c"]}') as Record<string, string[]>;
    const signed = signer.sign(
      signer.inspect(req('GET', 'https://lake.s3.eu-west-1.amazonaws.com/wh/t/a.parquet', { headers })),
      new Date('2026-11-25T12:00:00Z'),
    );
    const authorization = (signed instanceof Promise ? await signed : signed).headers.Authorization![0]!;
    expect(authorization).toMatch(/SignedHeaders=__proto__;constructor;host;tostring;x-amz-content-sha256;x-amz-date,/);
  });
});

describe('URIs read in one pass or by the general form', () => {
  it('refuses a path or query with characters to encode with its own reason, and reads either case of the scheme', () => {
    const at = (uri: string) => () => inspectS3Request(minio, req('GET', uri, { region: 'us-east-1' }));
    expect(at('http://127.0.0.1:9000/lake/wh/t/a"b')).toThrow(/the path has characters that must be percent-encoded/);
    expect(at('http://127.0.0.1:9000/lake/wh/t/a b')).toThrow(/the path has characters that must be percent-encoded/);
    expect(at('http://127.0.0.1:9000/lake/wh/t/a\\b')).toThrow(/the path has characters that must be percent-encoded/);
    expect(at('http://127.0.0.1:9000/lake/?list-type=2&prefix=wh/t/"')).toThrow(/the query has characters that must be percent-encoded/);
    expect(at('http://127.0.0.1:9000/lake/?list-type=2&prefix=wh/t/ x')).toThrow(/the query has characters that must be percent-encoded/);
    expect(at('http://127.0.0.1:9000/lake/wh/t/a.parquet#frag')).toThrow(/absolute http\(s\) URI without a fragment/);
    for (const scheme of ['http', 'HTTP', 'Http'])
      expect(inspectS3Request(minio, req('GET', `${scheme}://127.0.0.1:9000/lake/wh/t/a.parquet`, { region: 'us-east-1' })).locations).toEqual([
        's3://lake/wh/t/a.parquet',
      ]);
    expect(inspectS3Request(minio, req('GET', 'http://127.0.0.1:9000/lake/?list-type=2&prefix=wh/t/', { region: 'us-east-1' })).operation).toBe(
      'ListObjectsV2',
    );
  });
});
