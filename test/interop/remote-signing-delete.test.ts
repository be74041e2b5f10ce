/**
 * DeleteObjects through remote signing, on a real S3 (MinIO RELEASE.2025-09-07): MinIO deletes the keys of whatever
 * body is sent under a signature, whichever digest was signed (Content-MD5; x-amz-content-sha256 beside a checksum; a
 * CRC32 anyone can forge, being linear), and reads `<s3:Key>` as a Key (Go's encoding/xml matches by local name). A
 * signature for one table's keys would delete any key of the bucket, so the catalog signs no DeleteObjects there;
 * single deletes inside the table stay signed. The signature's premise is shown with MinIO's own key.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { signRequest } from '@lakegate/sigv4';
import { MINIO_ROOT, type Minio } from '../support/minio.js';
import { startMinioServer } from '../support/minio-server.js';
import type { ServerProcess } from '../support/server-process.js';
import { forgeCrc32 } from '../support/forge-crc32.js';

const BUCKET = 'lakegate-signing-delete';
let minio: Minio;
let server: ServerProcess;
let admin: Send;

beforeAll(async () => {
  ({ minio, server, admin } = await startMinioServer(BUCKET, { 'sts-enabled': false }));
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

const crc32b64 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b) >>> 0);
  return out.toString('base64');
};

const exists = (key: string) =>
  minio.root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    () => false,
  );

describe('DeleteObjects through remote signing, on MinIO', () => {
  it('is refused: MinIO deletes the keys of whatever body is sent under a signature, whichever digest was signed', async () => {
    expect((await admin('POST', '/v1/lake/namespaces', { namespace: ['del'] })).status).toBe(200);
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'x', type: 'long', required: false }] };
    const a = await admin('POST', '/v1/lake/namespaces/del/tables', { name: 'a', schema });
    const b = await admin('POST', '/v1/lake/namespaces/del/tables', { name: 'b', schema });
    const keyOf = (t: { body: { metadata: { location: string } } }) => t.body.metadata.location.slice(`s3://${BUCKET}/`.length);
    const mine = `${keyOf(a)}/data/old-1.parquet`;
    const theirs = `${keyOf(b)}/data/secret.parquet`;
    const put = (Key: string) => minio.root.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }));
    for (const key of [mine, theirs]) await put(key);
    const uri = `${minio.endpoint}/${BUCKET}?delete=`;
    const host = new URL(minio.endpoint).host;
    const inside = Buffer.from(`<Delete><Object><Key>${mine}</Key></Object></Delete>`);
    const other = Buffer.from(`<Delete><Object><Key>${theirs}</Key></Object></Delete>`);
    /** Signed with MinIO's own key as the catalog signed it (the headers sent, UNSIGNED-PAYLOAD when none), then sent with `body`. */
    const rootSigned = async (headers: Record<string, string>, body: Buffer) => {
      const all = { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-type': 'application/xml', ...headers };
      const signed = await signRequest(
        { method: 'POST', url: `/${BUCKET}?delete=`, headers: all },
        { service: 's3', region: 'us-east-1', credentials: MINIO_ROOT, signingDate: new Date(), uriEscapePath: false, applyChecksum: false },
      );
      return (await fetch(uri, { method: 'POST', headers: signed.headers, body })).status;
    };

    // Why: MinIO checks neither Content-MD5, nor x-amz-content-sha256 next to a checksum, nor a forged CRC32.
    expect(await rootSigned({ 'content-md5': createHash('md5').update(inside).digest('base64') }, other)).toBe(200);
    expect(await exists(theirs), 'another body under an MD5-bound signature').toBe(false);
    await put(theirs);
    const template = Buffer.from(`<Delete><Object><Key>${theirs}</Key></Object><Object><Key>${keyOf(a)}/${'a'.repeat(64)}</Key></Object></Delete>`);
    const start = template.indexOf('a'.repeat(64));
    const forged = forgeCrc32(
      template,
      [...Array(64).keys()].map((i) => start + i),
      0x03,
      crc32(inside) >>> 0,
    );
    expect(crc32b64(forged)).toBe(crc32b64(inside));
    const bySha = { 'x-amz-checksum-crc32': crc32b64(inside), 'x-amz-content-sha256': createHash('sha256').update(inside).digest('hex') };
    expect(await rootSigned(bySha, forged)).toBe(200);
    expect(await exists(theirs), 'a forged body under a CRC32- and SHA-256-bound signature').toBe(false);
    await put(theirs);

    // So the catalog signs no DeleteObjects for MinIO, whatever the body and its digests, audited with the reason.
    const sign = (body: Buffer, headers: Readonly<Record<string, readonly string[]>>) =>
      admin('POST', '/v1/lake/namespaces/del/tables/a/sign', { region: 'us-east-1', uri, method: 'POST', headers, body: body.toString() });
    const prefixed = Buffer.from(
      `<Delete><Object><Key>${mine}</Key></Object><Object><s3:Key xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">${theirs}</s3:Key></Object></Delete>`,
    );
    for (const [body, headers] of [
      [inside, { 'content-md5': [createHash('md5').update(inside).digest('base64')] }],
      [inside, { 'x-amz-checksum-crc32': [crc32b64(inside)] }],
      [inside, { 'x-amz-content-sha256': [createHash('sha256').update(inside).digest('hex')], 'x-amz-checksum-crc32': [crc32b64(inside)] }],
      [
        prefixed,
        { 'x-amz-content-sha256': [createHash('sha256').update(prefixed).digest('hex')], 'content-md5': [createHash('md5').update(prefixed).digest('base64')] },
      ],
    ] as const) {
      const refused = await sign(body, headers);
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.error.message).toMatch(/DeleteObjects is signed for AWS S3 only/);
    }
    // A single delete inside the table is signed, and MinIO takes it.
    const single = await admin('POST', '/v1/lake/namespaces/del/tables/a/sign', {
      region: 'us-east-1',
      uri: `${minio.endpoint}/${BUCKET}/${mine}`,
      method: 'DELETE',
      headers: {},
    });
    expect(single.status, JSON.stringify(single.body)).toBe(200);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(single.body.headers as Record<string, string[]>)) headers[k] = v.join(',');
    expect((await fetch(single.body.uri, { method: 'DELETE', headers })).status).toBe(204);
    expect(await exists(mine)).toBe(false);
    expect(await exists(theirs)).toBe(true);
    const log = await server.settledOutput();
    expect(log).toContain('DeleteObjects is signed for AWS S3 only');
    expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
  });
});
