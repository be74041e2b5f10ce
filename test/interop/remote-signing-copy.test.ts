/**
 * A signed PutObject turned into a copy, on a real S3 (MinIO RELEASE.2025-09-07): MinIO acts on x-amz-* headers the
 * signature does not cover, so a writer that added `x-amz-copy-source: /bucket/other/secret` to a PutObject signed
 * for its own table's key got a CopyObject reading any object of the bucket. The catalog now signs
 * x-amz-copy-source with an empty value delivered in the answered URI's query string (MinIO takes a signed header
 * the request lacks from there): the plain write still works, and an added copy source breaks the signature. The
 * object lock headers and x-amz-tagging, which MinIO also applies unsigned (tags drive lifecycle expiry and
 * tag-conditioned policies), are pinned the same way, on CreateMultipartUpload too; a tagging the client asks to have
 * signed (Iceberg's s3.write.tags.*) is signed as sent.
 */
import { GetObjectCommand, GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import type { Minio } from '../support/minio.js';
import { startMinioServer } from '../support/minio-server.js';
import type { ServerProcess } from '../support/server-process.js';

const BUCKET = 'lakegate-signing-copy';
let minio: Minio;
let server: ServerProcess;
let admin: Send;
let tableKey: string;

beforeAll(async () => {
  ({ minio, server, admin } = await startMinioServer(BUCKET, { 'sts-enabled': false }));
  expect((await admin('POST', '/v1/lake/namespaces', { namespace: ['raw'] })).status).toBe(200);
  const t = await admin(
    'POST',
    '/v1/lake/namespaces/raw/tables',
    { name: 't', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'x', type: 'long', required: false }] } },
    { 'x-iceberg-access-delegation': 'remote-signing' },
  );
  expect(t.status).toBe(200);
  tableKey = String(t.body.metadata.location).slice(`s3://${BUCKET}/`.length);
  // Another object of the bucket, outside the table: what the copy would read.
  await minio.root.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other/secret.txt', Body: 'the secret' }));
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

/** The catalog's signature for a PutObject of `key` (or another request on it), as an engine gets it. */
async function signPut(key: string, method = 'PUT', query = '', sent: Record<string, string> = {}): Promise<{ uri: string; headers: Record<string, string> }> {
  const asked = Object.fromEntries(Object.entries({ 'content-type': 'text/plain', ...sent }).map(([k, v]) => [k, [v]]));
  const signed = await admin('POST', '/v1/lake/namespaces/raw/tables/t/sign', {
    region: 'us-east-1',
    uri: `${minio.endpoint}/${BUCKET}/${key}${query}`,
    method,
    headers: asked,
  });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  const headers: Record<string, string> = { 'content-type': 'text/plain', ...sent };
  for (const [k, v] of Object.entries(signed.body.headers as Record<string, string[]>)) headers[k] = v.join(',');
  return { uri: signed.body.uri as string, headers };
}

const read = async (Key: string) => {
  try {
    return await (await minio.root.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToString();
  } catch (e) {
    return `missing: ${(e as Error).name}`;
  }
};

describe('a signed PutObject on MinIO', () => {
  it('still writes the object it was signed for', async () => {
    const key = `${tableKey}/data/plain.txt`;
    const { uri, headers } = await signPut(key);
    const put = await fetch(uri, { method: 'PUT', headers, body: 'plain bytes' });
    expect(put.status, await put.text()).toBe(200);
    expect(await read(key)).toBe('plain bytes');
  });

  it('is refused by MinIO when a copy source is added, so no other object is read', async () => {
    const key = `${tableKey}/data/stolen.txt`;
    const { uri, headers } = await signPut(key);
    const copy = await fetch(uri, { method: 'PUT', headers: { ...headers, 'x-amz-copy-source': `/${BUCKET}/other/secret.txt` }, body: '' });
    const answer = await copy.text();
    expect(answer).not.toContain('CopyObjectResult');
    expect(copy.status, answer).toBe(403);
    expect(answer).toContain('SignatureDoesNotMatch');
    expect(await read(key)).toMatch(/^missing: /);
    // Nor with the pinned query parameter taken off the URI.
    const bare = uri.replace(/([?&])x-amz-copy-source=&?/, '$1');
    const again = await fetch(bare, { method: 'PUT', headers: { ...headers, 'x-amz-copy-source': `/${BUCKET}/other/secret.txt` }, body: '' });
    expect(again.status, await again.text()).toBe(403);
    expect(await read(key)).toMatch(/^missing: /);
  });

  it('an UploadPart is refused as well when a copy source is added (UploadPartCopy), and still uploads plainly', async () => {
    const key = `${tableKey}/data/multipart.txt`;
    const create = await signPut(key, 'POST', '?uploads');
    const created = await fetch(create.uri, { method: 'POST', headers: create.headers });
    const xml = await created.text();
    expect(created.status, xml).toBe(200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(xml)![1]!;
    const part = await signPut(key, 'PUT', `?partNumber=1&uploadId=${encodeURIComponent(uploadId)}`);
    const copy = await fetch(part.uri, { method: 'PUT', headers: { ...part.headers, 'x-amz-copy-source': `/${BUCKET}/other/secret.txt` }, body: '' });
    const answer = await copy.text();
    expect(answer).not.toContain('CopyPartResult');
    expect(copy.status, answer).toBe(403);
    const plain = await fetch(part.uri, { method: 'PUT', headers: part.headers, body: 'part bytes' });
    expect(plain.status, await plain.text()).toBe(200);
  });

  it('is refused by MinIO when an object lock header is added, which MinIO would apply', async () => {
    const key = `${tableKey}/data/locked.txt`;
    const { uri, headers } = await signPut(key);
    const locked = await fetch(uri, { method: 'PUT', headers: { ...headers, 'x-amz-object-lock-legal-hold': 'ON' }, body: 'locked' });
    const answer = await locked.text();
    expect(locked.status, answer).toBe(403);
    expect(answer).toContain('SignatureDoesNotMatch');
    expect(await read(key)).toMatch(/^missing: /);
  });

  const tagsOf = async (Key: string) => (await minio.root.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key }))).TagSet ?? [];

  it('is refused by MinIO when x-amz-tagging is added, which MinIO would apply; the pinned write itself gets no tag', async () => {
    const key = `${tableKey}/data/tagged.txt`;
    const { uri, headers } = await signPut(key);
    const tagged = await fetch(uri, { method: 'PUT', headers: { ...headers, 'x-amz-tagging': 'retention=expire-now' }, body: 'tagged' });
    const answer = await tagged.text();
    expect(tagged.status, answer).toBe(403);
    expect(answer).toContain('SignatureDoesNotMatch');
    expect(await read(key)).toMatch(/^missing: /);
    // The same signature without the added header writes, and MinIO reads the empty pinned tagging as no tags.
    const plain = await fetch(uri, { method: 'PUT', headers, body: 'plain' });
    expect(plain.status, await plain.text()).toBe(200);
    expect(await tagsOf(key)).toEqual([]);
  });

  it('a CreateMultipartUpload is refused as well when x-amz-tagging is added (MinIO tags the completed object)', async () => {
    const key = `${tableKey}/data/tagged-multipart.txt`;
    const create = await signPut(key, 'POST', '?uploads');
    const tagged = await fetch(create.uri, { method: 'POST', headers: { ...create.headers, 'x-amz-tagging': 'retention=expire-now' } });
    const answer = await tagged.text();
    expect(tagged.status, answer).toBe(403);
    expect(answer).toContain('SignatureDoesNotMatch');
  });

  it('signs a tagging the client asks for (s3.write.tags.*) as sent, and MinIO applies exactly that', async () => {
    const key = `${tableKey}/data/asked-tags.txt`;
    const { uri, headers } = await signPut(key, 'PUT', '', { 'x-amz-tagging': 'team=a' });
    expect(uri).not.toContain('x-amz-tagging');
    const put = await fetch(uri, { method: 'PUT', headers, body: 'asked' });
    expect(put.status, await put.text()).toBe(200);
    expect(await tagsOf(key)).toEqual([{ Key: 'team', Value: 'a' }]);
    const other = await fetch(uri, { method: 'PUT', headers: { ...headers, 'x-amz-tagging': 'team=b' }, body: 'asked' });
    expect(other.status, await other.text()).toBe(403);
  });
});
