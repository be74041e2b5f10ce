/**
 * A writer's vended credentials cannot tamper with the policy-enforced files restricted readers get (issue 53), on a
 * real S3 (MinIO, which evaluates STS session policies): PyIceberg 0.12 writes a table, a row filter restricts the
 * analyst, whose server-side plan has the catalog write derived files under `<table>/_lakegate/policy/<version>/`. The
 * writer's credentials from loadTable (vended-credentials, read-write on the table's prefix) are refused
 * (AccessDenied) a PUT of a new file there, an overwrite, a copy into that folder and a multipart upload of a derived file, and a
 * DELETE of one; they still read it, and still write and delete data files of the table. The analyst then reads the
 * same rows from the same files (docs/security.md).
 */
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpSender } from '../support/iceberg-http.js';
import { type PyIcebergPolicyPeer, startPyIcebergPolicyPeer } from '../support/pyiceberg-policy-peer.js';

const NAME = 'derivedseal';
const BUCKET = `lakegate-${NAME}`;
const POLICIES = `/management/v1/warehouses/lake/namespaces/crm/tables/${NAME}/policies`;
const denied = { name: 'AccessDenied' };
let peer: PyIcebergPolicyPeer;

beforeAll(async () => {
  peer = await startPyIcebergPolicyPeer(NAME, 'write-plain');
}, 10 * 60_000);
afterAll(async () => peer?.stop());

it(
  "refuses the writer's vended credentials every write under _lakegate/policy/, and the analyst still reads its derived files",
  async () => {
    const created = await peer.admin('POST', POLICIES, { kind: 'row-filter', roles: [peer.analystRole], filter: { type: 'eq', term: 'region', value: 'eu' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const before = await peer.readAll<unknown[]>();
    const derived = before.analyst!.files;
    expect(derived.length).toBeGreaterThan(0);
    for (const f of derived) expect(f).toMatch(new RegExp(`^s3://${BUCKET}/.*/_lakegate/policy/[A-Za-z0-9_-]{22}/[^/]+\\.parquet$`));
    expect(before.analyst!.rows.length).toBeGreaterThan(0);
    expect(before.analyst!.rows.length).toBeLessThan(before.writer!.rows.length);

    // The writer's table-wide credentials, as any engine gets them from loadTable.
    const loaded = await httpSender(peer.server.url, peer.tokens.writer)('GET', `/v1/lake/namespaces/crm/tables/${NAME}`, undefined, {
      'x-iceberg-access-delegation': 'vended-credentials',
    });
    expect(loaded.status).toBe(200);
    const c = loaded.body['storage-credentials'][0].config as Record<string, string>;
    const s3 = new S3Client({
      endpoint: c['s3.endpoint'],
      region: c['client.region'],
      forcePathStyle: true,
      credentials: { accessKeyId: c['s3.access-key-id']!, secretAccessKey: c['s3.secret-access-key']!, sessionToken: c['s3.session-token']! },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const table = (loaded.body.metadata.location as string).replace(`s3://${BUCKET}/`, '');
    const key = derived[0]!.replace(`s3://${BUCKET}/`, '');
    expect(key.startsWith(`${table}/_lakegate/policy/`)).toBe(true);
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    const etag = async () => (await peer.minio.root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ETag;
    const original = await etag();

    // Planting a file (by PUT or by copy), overwriting a derived file, a multipart upload of one, deleting one: refused.
    const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'forged rows' }));
    await expect(put(`${folder}planted-0.0123abcd.parquet`)).rejects.toMatchObject(denied);
    await expect(put(key)).rejects.toMatchObject(denied);
    await expect(put(`${table}/_lakegate/policy/another-version/x.parquet`)).rejects.toMatchObject(denied);
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: `${folder}copied-0.0123abcd.parquet`, CopySource: `${BUCKET}/${key}` })),
    ).rejects.toMatchObject(denied);
    await expect(s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject(denied);
    await expect(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject(denied);
    expect(await etag()).toBe(original);

    // Reads of it stay as they were, and the rest of the table stays writable.
    expect((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).ETag).toBe(original);
    await put(`${table}/data/extra-writer-file.parquet`);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${table}/data/extra-writer-file.parquet` }));

    // The analyst reads exactly what it read before, from the same derived files.
    const after = await peer.readAll<unknown[]>();
    expect(after.analyst!.files).toEqual(derived);
    expect(after.analyst!.rows).toEqual(before.analyst!.rows);
  },
  10 * 60_000,
);
