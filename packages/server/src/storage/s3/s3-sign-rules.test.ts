import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectS3Request } from './s3-sign-rules.js';

const aws = { bucket: 'lake', region: 'eu-west-1' };
const minio = { bucket: 'lake', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };
const req = (method: string, uri: string, extra: { headers?: Record<string, string[]>; body?: string; region?: string } = {}) => ({ method, uri, region: extra.region ?? 'eu-west-1', headers: extra.headers ?? {}, body: extra.body });

describe('inspectS3Request', () => {
  it('reads AWS virtual-hosted and path-style requests, over https only', () => {
    expect(inspectS3Request(aws, req('GET', 'https://lake.s3.eu-west-1.amazonaws.com/wh/t/data/a%3Db.parquet'))).toMatchObject({ access: 'read', operation: 'GetObject', locations: ['s3://lake/wh/t/data/a=b.parquet'] });
    expect(inspectS3Request(aws, req('HEAD', 'https://s3.eu-west-1.amazonaws.com/lake/wh/t/x'))).toMatchObject({ operation: 'HeadObject', locations: ['s3://lake/wh/t/x'] });
    expect(inspectS3Request(aws, req('GET', 'https://lake.s3.amazonaws.com/wh/t/x')).locations).toEqual(['s3://lake/wh/t/x']);
    expect(() => inspectS3Request(aws, req('GET', 'http://lake.s3.eu-west-1.amazonaws.com/wh/t/x'))).toThrow(/https only/);
    expect(() => inspectS3Request(aws, req('GET', 'https://other.s3.eu-west-1.amazonaws.com/wh/t/x'))).toThrow(/not the warehouse's storage endpoint/);
    expect(() => inspectS3Request(aws, req('GET', 'https://lake.s3.us-east-1.amazonaws.com/wh/t/x'))).toThrow(/not the warehouse's storage endpoint/);
    expect(() => inspectS3Request(aws, req('GET', 'https://lake.s3.eu-west-1.amazonaws.com.evil.example/wh/t/x'))).toThrow(/not the warehouse's storage endpoint/);
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

  it('refuses headers that would make an object public, redirect it or lock it', () => {
    for (const header of ['x-amz-acl', 'x-amz-grant-read', 'x-amz-website-redirect-location', 'x-amz-object-lock-mode', 'x-amz-bypass-governance-retention']) {
      expect(() => inspectS3Request(minio, req('PUT', 'http://127.0.0.1:9000/lake/wh/t/x', { region: 'us-east-1', headers: { [header]: ['v'] } })), header).toThrow(/is not signed/);
    }
    // Storage class and tags (S3FileIO's s3.write.storage-class, s3.write.tags.*) are the writer's to choose.
    expect(inspectS3Request(minio, req('PUT', 'http://127.0.0.1:9000/lake/wh/t/x', { region: 'us-east-1', headers: { 'x-amz-storage-class': ['STANDARD'], 'x-amz-tagging': ['a=b'] } })).operation).toBe('PutObject');
  });

  it('binds a DeleteObjects body by its CRC32 as well, and refuses XML that could hide keys', () => {
    const body = '<Delete><Object><Key>wh/t/a&amp;b</Key></Object></Delete>';
    const b = Buffer.alloc(4);
    b.writeUInt32BE(crc32(Buffer.from(body)) >>> 0);
    const ok = inspectS3Request(minio, req('POST', 'http://127.0.0.1:9000/lake?delete', { region: 'us-east-1', body, headers: { 'x-amz-checksum-crc32': [b.toString('base64')] } }));
    expect(ok).toMatchObject({ access: 'write', operation: 'DeleteObjects', locations: ['s3://lake/wh/t/a&b'] });
    const hidden = '<!DOCTYPE d [<!ENTITY k "wh/other">]><Delete><Object><Key>wh/t/a</Key></Object></Delete>';
    const sha = createHash('sha256').update(hidden).digest('hex');
    expect(() => inspectS3Request(minio, req('POST', 'http://127.0.0.1:9000/lake?delete', { region: 'us-east-1', body: hidden, headers: { 'x-amz-content-sha256': [sha] } }))).toThrow(/not a plain list of keys/);
  });
});
