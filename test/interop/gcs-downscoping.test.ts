/**
 * GCS warehouses end to end against a recording stand-in for Google on
 * 127.0.0.1. No emulator validates tokens or Credential Access Boundaries,
 * so this checks what Lakegate sends and how it uses the answers: the
 * stand-in plays the OAuth token endpoint (the service account key's
 * token_uri), the STS token-exchange endpoint (the profile's sts-endpoint)
 * and the GCS JSON API (the profile's endpoint), with GCS's
 * ifGenerationMatch=0 semantics. No Google endpoint is contacted.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcsObjectStorage } from '../../packages/server/src/storage/gcs/gcs-object-storage.js';
import { serviceAccountClient, type ServiceAccountKey } from '../../packages/server/src/storage/gcs/gcs-downscoped-credential-vendor.js';
import { httpSender, type Send, simpleSchema } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { expectBoundedRead, expectBulkDelete, expectRangedRead } from '../support/object-storage-contract.js';

interface Recorded {
  method: string;
  url: URL;
  authorization: string | undefined;
  form: Record<string, string>;
  range: string | undefined;
}

/** A stand-in for Google's token endpoint, STS and the GCS JSON API, recording every request. */
class FakeGoogle {
  readonly objects = new Map<string, Buffer>();
  /** When each object was last written (GCS's `updated`); now when not set. */
  readonly updated = new Map<string, Date>();
  readonly recorded: Recorded[] = [];
  private server!: Server;
  private counter = 0;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Answers the request; every branch ends the response it returns. */
  private handle(req: IncomingMessage, body: Buffer, res: ServerResponse): ServerResponse {
    const url = new URL(req.url ?? '/', this.base);
    const form = req.headers['content-type']?.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body.toString())) : {};
    this.recorded.push({ method: req.method ?? '', url, authorization: req.headers.authorization, form, range: req.headers.range });
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const p = url.pathname;
    if (req.method === 'POST' && p === '/token') return json(200, { access_token: `source-${++this.counter}`, expires_in: 3600, token_type: 'Bearer' });
    if (req.method === 'POST' && p === '/v1/token') {
      return json(200, {
        access_token: `downscoped-${++this.counter}`,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 3599,
      });
    }
    if (!req.headers.authorization?.startsWith('Bearer source-')) return json(401, { error: { code: 401 } });
    let m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(p);
    if (req.method === 'POST' && m && url.searchParams.get('uploadType') === 'media') {
      const key = `${decodeURIComponent(m[1]!)}/${url.searchParams.get('name')}`;
      if (url.searchParams.get('ifGenerationMatch') === '0' && this.objects.has(key)) return json(412, { error: { code: 412, message: 'conditionNotMet' } });
      this.objects.set(key, body);
      this.updated.set(key, new Date());
      return json(200, { name: url.searchParams.get('name'), generation: '1' });
    }
    m = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(p);
    if (m) {
      const key = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
      const object = this.objects.get(key);
      if (!object) return json(404, { error: { code: 404 } });
      if (req.method === 'DELETE') {
        this.objects.delete(key);
        return res.writeHead(204).end();
      }
      if (url.searchParams.get('alt') === 'media') {
        // A Range as GCS answers it: 416 when it starts past the end, else 206 with what there is of it.
        const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
        if (!range) return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(object);
        const [from, to] = [Number(range[1]), Math.min(Number(range[2]), object.length - 1)];
        if (from >= object.length) return json(416, { error: { code: 416 } });
        const headers = { 'content-type': 'application/octet-stream', 'content-range': `bytes ${from}-${to}/${object.length}` };
        return res.writeHead(206, headers).end(object.subarray(from, to + 1));
      }
      return json(200, { name: decodeURIComponent(m[2]!), size: String(object.length) });
    }
    m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(p);
    if (req.method === 'GET' && m) {
      const bucket = decodeURIComponent(m[1]!);
      const prefix = url.searchParams.get('prefix') ?? '';
      // Pages of maxResults, in name order, with GCS's size (a string) and updated (RFC 3339).
      const all = [...this.objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).sort();
      const start = Number(url.searchParams.get('pageToken') ?? 0);
      const end = start + Number(url.searchParams.get('maxResults') ?? 1000);
      const items = all.slice(start, end).map((k) => ({
        name: k.slice(bucket.length + 1),
        size: String(this.objects.get(k)!.length),
        updated: (this.updated.get(k) ?? new Date()).toISOString(),
      }));
      return json(200, { items, ...(end < all.length ? { nextPageToken: String(end) } : {}) });
    }
    return json(404, { error: { code: 404 } });
  }
}

const google = new FakeGoogle();
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let key: ServiceAccountKey;

beforeAll(async () => {
  await google.start();
  key = {
    type: 'service_account',
    client_email: 'lakegate@proj.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    private_key_id: 'kid-1',
    project_id: 'proj',
    token_uri: `${google.base}/token`,
  };
});
afterAll(async () => {
  await google.stop();
});

describe('GcsObjectStorage', () => {
  const storage = () => new GcsObjectStorage({ bucket: 'lake', endpoint: google.base, auth: async () => serviceAccountClient(key) });

  it('uploads only when no object has the name, and refuses to overwrite', async () => {
    const s = storage();
    const uri = 'gs://lake/wh/os/metadata/00000-a b%c.metadata.json';
    await s.writeNew(uri, new TextEncoder().encode('{"v":1}'));
    await expect(s.writeNew(uri, new TextEncoder().encode('{"v":2}'))).rejects.toMatchObject({ code: 'ERR_STORAGE', message: `object already exists: ${uri}` });
    expect(new TextDecoder().decode(await s.read(uri, 1024))).toBe('{"v":1}');
    await expectBoundedRead(s, uri, new TextEncoder().encode('{"v":1}'));
    expect(google.objects.get('lake/wh/os/metadata/00000-a b%c.metadata.json')?.toString()).toBe('{"v":1}');
    const uploads = google.recorded.filter((r) => r.url.pathname.startsWith('/upload/'));
    expect(uploads).toHaveLength(2);
    for (const u of uploads) {
      expect(Object.fromEntries(u.url.searchParams)).toEqual({ uploadType: 'media', name: 'wh/os/metadata/00000-a b%c.metadata.json', ifGenerationMatch: '0' });
      expect(u.authorization).toMatch(/^Bearer source-/);
    }
  });

  it('reads a byte range alone with one ranged media GET, and refuses one past the end (the object-store contract)', async () => {
    const s = storage();
    const uri = 'gs://lake/wh/range/data/dv.puffin';
    await s.writeNew(uri, Buffer.from('PFA1 blobs PFA1'));
    const from = google.recorded.length;
    await expectRangedRead(s, uri, Buffer.from('PFA1 blobs PFA1'), 'gs://lake/wh/range/data/none.puffin');
    expect(google.recorded[from]!.url.searchParams.get('alt')).toBe('media');
    expect(google.recorded[from]!.range).toBe('bytes=2-4');
  });

  it('deleteMany: a DELETE each, every URI answered, another bucket refused (the object-store contract)', async () => {
    await expectBulkDelete(storage(), 'gs://lake/wh/bulk/t1', 'gs://other/wh/bulk/t1/x.parquet', 120);
  });

  it('reads, checks, deletes, and deletes a prefix without touching its siblings', async () => {
    const s = storage();
    for (const name of ['wh/p/t1/a', 'wh/p/t1/sub/b', 'wh/p/t10/c']) await s.writeNew(`gs://lake/${name}`, new Uint8Array([1]));
    expect(await s.exists('gs://lake/wh/p/t1/a')).toBe(true);
    expect(await s.exists('gs://lake/wh/p/missing')).toBe(false);
    await expect(s.read('gs://lake/wh/p/missing', 1024)).rejects.toMatchObject({ code: 'ERR_STORAGE', message: 'no such object: gs://lake/wh/p/missing' });
    await s.delete('gs://lake/wh/p/missing');
    expect(await s.deletePrefix('gs://lake/wh/p/t1')).toBe(2);
    expect(await s.exists('gs://lake/wh/p/t1/sub/b')).toBe(false);
    expect(await s.exists('gs://lake/wh/p/t10/c')).toBe(true);
    await expect(s.deletePrefix('gs://lake/')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(s.read('gs://other/wh/x', 1024)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  it('lists the objects under a directory prefix, page by page, with their size and time', async () => {
    const s = storage();
    await s.writeNew('gs://lake/wh/l/t1/a', new Uint8Array([1, 2, 3]));
    await s.writeNew('gs://lake/wh/l/t10/b', new Uint8Array([1]));
    // More than one page of 1000: placed straight into the stand-in.
    const old = new Date('2024-01-02T03:04:05.678Z');
    for (let i = 0; i < 1001; i++) {
      google.objects.set(`lake/wh/l/t1/data/${String(i).padStart(4, '0')}`, Buffer.from('xy'));
      google.updated.set(`lake/wh/l/t1/data/${String(i).padStart(4, '0')}`, old);
    }
    const listed = [];
    for await (const o of s.list('gs://lake/wh/l/t1')) listed.push(o);
    expect(listed).toHaveLength(1002);
    expect(listed.some((o) => o.uri.includes('/t10/'))).toBe(false);
    expect(listed.find((o) => o.uri === 'gs://lake/wh/l/t1/a')).toMatchObject({ bytes: 3 });
    expect(listed.find((o) => o.uri === 'gs://lake/wh/l/t1/data/1000')).toEqual({
      uri: 'gs://lake/wh/l/t1/data/1000',
      bytes: 2,
      lastModifiedMs: old.getTime(),
    });
    const pages = google.recorded.filter(
      (r) => r.method === 'GET' && r.url.pathname === '/storage/v1/b/lake/o' && r.url.searchParams.get('prefix') === 'wh/l/t1/',
    );
    expect(pages.map((r) => r.url.searchParams.get('pageToken'))).toEqual([null, '1000']);
    await expect(s.list('gs://lake/').next()).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });
});

describe('a Lakegate warehouse on GCS', () => {
  let server: ServerProcess;
  let send: Send;
  const profile = () => ({ type: 'gcs', bucket: 'lake', endpoint: google.base, 'sts-endpoint': `${google.base}/v1/token` });

  beforeAll(async () => {
    server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'info' } });
    send = httpSender(server.url, await server.token());
    const created = await send('POST', '/management/v1/warehouses', {
      name: 'gcs',
      'storage-root': 'gs://lake/wh',
      'storage-profile': { ...profile(), 'service-account': key.client_email },
      'storage-secret': { 'service-account-key': JSON.stringify(key) },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('PRIVATE KEY');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses secrets that are no service account key, or the key of another account', async () => {
    const notAKey = await send('POST', '/management/v1/warehouses', {
      name: 'bad1',
      'storage-root': 'gs://lake/bad',
      'storage-profile': profile(),
      'storage-secret': { 'service-account-key': '{"type":"authorized_user"}' },
    });
    expect(notAKey.status).toBe(400);
    const other = await send('POST', '/management/v1/warehouses', {
      name: 'bad2',
      'storage-root': 'gs://lake/bad',
      'storage-profile': { ...profile(), 'service-account': 'other@proj.iam.gserviceaccount.com' },
      'storage-secret': { 'service-account-key': JSON.stringify(key) },
    });
    expect(other.status).toBe(400);
  });

  it('writes table metadata to GCS and vends a token downscoped to the table on loadTable', async () => {
    expect((await send('POST', '/v1/gcs/namespaces', { namespace: ['ns'] })).status).toBe(200);
    const created = await send('POST', '/v1/gcs/namespaces/ns/tables', { name: 't', schema: simpleSchema });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const metadataLocation: string = created.body['metadata-location'];
    expect(metadataLocation).toMatch(/^gs:\/\/lake\/wh\/ns\/t-[^/]+\/metadata\//);
    expect(google.objects.has(metadataLocation.replace('gs://', ''))).toBe(true);

    const before = Date.now();
    const loaded = await send('GET', '/v1/gcs/namespaces/ns/tables/t', undefined, { 'x-iceberg-access-delegation': 'vended-credentials' });
    expect(loaded.status).toBe(200);
    const tableLocation: string = loaded.body.metadata.location;
    const [credential] = loaded.body['storage-credentials'];
    expect(credential.prefix).toBe(tableLocation);
    const config = credential.config as Record<string, string>;
    expect(Object.keys(config).sort()).toEqual([
      'gcs.oauth2.refresh-credentials-endpoint',
      'gcs.oauth2.token',
      'gcs.oauth2.token-expires-at',
      'gcs.service.host',
    ]);
    expect(config['gcs.oauth2.token']).toMatch(/^downscoped-/);
    expect(Number(config['gcs.oauth2.token-expires-at'])).toBeGreaterThanOrEqual(before + 3599_000);
    expect(config['gcs.service.host']).toBe(google.base);
    expect(config['gcs.oauth2.refresh-credentials-endpoint']).toBe('v1/gcs/namespaces/ns/tables/t/credentials');

    // The exchange that produced it: a token-exchange grant bounded to this table's prefix.
    const exchange = google.recorded.filter((r) => r.url.pathname === '/v1/token').at(-1)!;
    expect(exchange.form.grant_type).toBe('urn:ietf:params:oauth:grant-type:token-exchange');
    expect(exchange.form.subject_token).toMatch(/^source-/);
    const prefix = tableLocation.replace('gs://lake/', '');
    const [rule, write] = JSON.parse(exchange.form.options!).accessBoundary.accessBoundaryRules;
    expect(rule.availableResource).toBe('//storage.googleapis.com/projects/_/buckets/lake');
    expect(rule.availablePermissions).toEqual(['inRole:roles/storage.objectViewer']);
    expect(rule.availabilityCondition.expression).toBe(
      `resource.name.startsWith('projects/_/buckets/lake/objects/${prefix}/')` +
        ` || api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('${prefix}/')`,
    );
    // Writes: objectAdmin under the prefix, but never in the catalog's own _lakegate/ (issue 53).
    expect(write.availablePermissions).toEqual(['inRole:roles/storage.objectAdmin']);
    expect(write.availabilityCondition.expression).toBe(
      `resource.name.startsWith('projects/_/buckets/lake/objects/${prefix}/')` +
        ` && !resource.name.startsWith('projects/_/buckets/lake/objects/${prefix}/_lakegate/')`,
    );
    expect(JSON.stringify(loaded.body)).not.toContain(exchange.form.subject_token);
  });

  it('removes orphan files: a dry run lists the stray object older than the safety age, the run deletes it only', async () => {
    const created = await send('POST', '/v1/gcs/namespaces/ns/tables', { name: 'orphans', schema: simpleSchema });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const location: string = created.body.metadata.location;
    const key = (uri: string) => uri.replace('gs://', '');
    google.objects.set(key(`${location}/data/stray.parquet`), Buffer.from('failed write'));
    google.updated.set(key(`${location}/data/stray.parquet`), new Date(Date.now() - 7 * 86_400_000));
    google.objects.set(key(`${location}/data/fresh.parquet`), Buffer.from('in flight'));
    const url = '/management/v1/warehouses/gcs/namespaces/ns/tables/orphans/maintenance';
    const dry = await send('POST', url, { actions: ['remove-orphan-files'], 'dry-run': true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.files).toEqual([{ path: `${location}/data/stray.parquet`, kind: 'orphan', bytes: 12 }]);
    expect(google.objects.has(key(`${location}/data/stray.parquet`))).toBe(true);
    const done = await send('POST', url, { actions: ['remove-orphan-files'] });
    expect(done.body).toMatchObject({ 'deleted-files': 1, 'deleted-bytes': 12 });
    expect(google.objects.has(key(`${location}/data/stray.parquet`))).toBe(false);
    expect(google.objects.has(key(`${location}/data/fresh.parquet`))).toBe(true);
    expect(google.objects.has(key(created.body['metadata-location']))).toBe(true);
  });

  it('never writes the key or a token to the log', async () => {
    const log = await server.settledOutput();
    expect(log).not.toContain('PRIVATE KEY');
    expect(log).not.toMatch(/downscoped-\d|source-\d/);
  });
});
