/**
 * A minimal in-memory S3 and STS on a free loopback port, for in-process tests of what the catalog vends and
 * deletes without a real MinIO: objects (PUT with If-None-Match, GET, HEAD, DELETE, ListObjectsV2, DeleteObjects)
 * and AssumeRole, whose session policies it records. It enforces nothing: tests read the policies it was sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SessionPolicy {
  Statement: Array<{ Effect: string; Action: string[]; Resource: string[]; Condition?: Record<string, Record<string, string[]>> }>;
}

export interface FakeS3 {
  endpoint: string;
  /** Every session policy AssumeRole was called with, oldest first. */
  policies: SessionPolicy[];
  /** The stored objects, as bucket/key. */
  keys(): string[];
  put(bucket: string, key: string, body: string): void;
  /**
   * Makes DeleteObjects refuse keys, as S3 answers per key in its <Error> elements: `refuse` gets the key and how many
   * times it was sent before, and returns an error code (the key is kept) or undefined (it is deleted).
   */
  refuseDeletes(refuse: (key: string, attempt: number) => string | undefined): void;
  /** DeleteObjects requests received, with how many keys each. */
  deleteRequests: number[];
  close(): Promise<void>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export interface FakeS3Options {
  /**
   * The secret key of the n-th AssumeRole's credentials (default `SK`, short): a test that looks for a vended secret
   * in logs or audit records gives each a long, distinct one.
   */
  secretKey?: (n: number) => string;
}

export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  const secretKey = options.secretKey ?? (() => 'SK');
  const objects = new Map<string, Buffer>();
  const policies: SessionPolicy[] = [];
  let refuse: ((key: string, attempt: number) => string | undefined) | undefined;
  const attempts = new Map<string, number>();
  const deleteRequests: number[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/') {
      const form = new URLSearchParams(body.toString());
      if (form.get('Action') === 'AssumeRole') {
        policies.push(JSON.parse(form.get('Policy') ?? 'null') as SessionPolicy);
        const expiration = new Date(Date.now() + 3_600_000).toISOString();
        res.setHeader('content-type', 'text/xml');
        res.end(
          `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>AK${policies.length}</AccessKeyId><SecretAccessKey>${xml(secretKey(policies.length))}</SecretAccessKey>` +
            `<SessionToken>ST${policies.length}</SessionToken><Expiration>${expiration}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
        );
        return;
      }
    }
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const id = `${bucket}/${key}`;
    res.setHeader('content-type', 'application/xml');
    if (req.method === 'PUT') {
      if (req.headers['if-none-match'] === '*' && objects.has(id)) {
        res.statusCode = 412;
        res.end('<Error><Code>PreconditionFailed</Code></Error>');
        return;
      }
      objects.set(id, body);
      res.setHeader('etag', '"0"');
      res.end();
    } else if ((req.method === 'GET' || req.method === 'HEAD') && key !== '') {
      const object = objects.get(id);
      if (!object) {
        res.statusCode = 404;
        res.end(req.method === 'GET' ? '<Error><Code>NoSuchKey</Code></Error>' : undefined);
        return;
      }
      res.setHeader('content-length', object.length);
      res.end(req.method === 'GET' ? object : undefined);
    } else if (req.method === 'DELETE') {
      objects.delete(id);
      res.statusCode = 204;
      res.end();
    } else if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
      const prefix = `${bucket}/${url.searchParams.get('prefix') ?? ''}`;
      const contents = [...objects.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => `<Contents><Key>${xml(k.slice(bucket.length + 1))}</Key><Size>1</Size></Contents>`);
      res.end(`<ListBucketResult><Name>${bucket}</Name><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`);
    } else if (req.method === 'POST' && url.searchParams.has('delete')) {
      const errors: string[] = [];
      const keys = [...body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unxml(m[1]!));
      deleteRequests.push(keys.length);
      for (const k of keys) {
        const attempt = attempts.get(k) ?? 0;
        attempts.set(k, attempt + 1);
        const code = refuse?.(k, attempt);
        if (code === undefined) objects.delete(`${bucket}/${k}`);
        else errors.push(`<Error><Key>${xml(k)}</Key><Code>${code}</Code><Message>refused</Message></Error>`);
      }
      res.end(`<DeleteResult>${errors.join('')}</DeleteResult>`);
    } else {
      res.statusCode = 400;
      res.end(`<Error><Code>NotImplemented</Code><Message>${xml(`${req.method} ${req.url}`)}</Message></Error>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    policies,
    keys: () => [...objects.keys()],
    put: (bucket, key, body) => void objects.set(`${bucket}/${key}`, Buffer.from(body)),
    refuseDeletes: (fn) => {
      refuse = fn;
    },
    deleteRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
