/**
 * Row-filter and column-mask policies on a Lance table (issue 53 on the Lance protocol), proven with LanceDB (npm
 * @lancedb/lancedb, its own Rust REST namespace client) against a real Lakegate process on MinIO, where LanceDB holds
 * no storage keys and reads with the storage_options DescribeTable vends only:
 *  - an unrestricted principal opens the table through the namespace and reads every row;
 *  - a principal a row filter (region = eu) and a column mask (email: mask-alphanum) bind opens the same table through
 *    the namespace and reads only the EU rows, each email masked exactly as the Iceberg path's mask function masks
 *    it (vectors kept, a vector search finding only admitted rows): it was answered a policy-derived dataset under
 *    the table's `_lakegate/policy/<version>/`;
 *  - that principal's credentials cannot read (nor list) the table's own files, nor write the derived dataset;
 *  - LanceDB Python (lancedb 0.40, pylance 14; peers/lance/requirements.txt), a second client with its own REST
 *    namespace implementation, opening the table as that principal reads the same rows with the same masked values,
 *    and pylance with the storage_options it was answered reads the derived dataset and is refused the table's own;
 *  - once a policy changes, the table's optimize (grace 0) deletes the superseded derived dataset's objects from MinIO
 *    and reports exactly those (each gone), while the live one stays whole and served;
 *  - on a table with a struct and a vector column, a mask of one struct field (by its dotted path) and of the whole
 *    vector (replace-with-null) give that principal the field hashed as the Iceberg path hashes it, its sibling and the
 *    struct's nulls as stored, and null vectors, which a LanceDB vector search finds nothing in (no error);
 *  - on a table LanceDB Python wrote (peers/lance/policy_elements.py) with a `list<string>`, a list of structs and a
 *    map, masks of `tags.element`, `people.element.email` and `attrs.value` give that principal's LanceDB (Python and
 *    Node) every element and value masked as the Iceberg path masks them, the lists' nulls, empty lists and null
 *    elements as stored, while an unrestricted principal reads the originals; a table with a large list (64-bit
 *    offsets) is refused a policy with a 400 saying why.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as lancedb from '@lancedb/lancedb';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { maskValue } from '../../packages/server/src/policy-files/masks.js';
import { READ_ONLY } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { clientToken, type CreatedPrincipal, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-lance-policies';
const POLICIES = '/management/v1/warehouses/plake/namespaces/hr/tables/people/policies';
let server: ServerProcess;
let minio: Minio;
let send: Send;
let everyone: CreatedPrincipal;
let analyst: CreatedPrincipal;
let python: string;

const people = [
  { id: 1, region: 'eu', email: 'ann@example.org', vector: [1, 0.5, -1] },
  { id: 2, region: 'us', email: 'bob@example.com', vector: [2, 0.5, -1] },
  { id: 3, region: 'eu', email: 'cy@example.net', vector: [3, 0.5, -1] },
  { id: 4, region: 'apac', email: 'di@example.io', vector: [4, 0.5, -1] },
];

const connect = async (who: CreatedPrincipal | 'admin') =>
  lancedb.connectNamespace('rest', {
    uri: `${server.url}/lance/plake`,
    headers: { Authorization: `Bearer ${who === 'admin' ? await server.token() : await clientToken(server.url, who.credential)}` },
  });

type Person = { id: number; region: string; email: string; vector: number[] };

async function readAs(who: CreatedPrincipal | 'admin'): Promise<Person[]> {
  const db = await connect(who);
  const table = await db.openTable('people', ['hr']);
  try {
    const rows = (await table.query().toArray()) as Array<{ id: number; region: string; email: string; vector: Iterable<number> }>;
    return rows.map((r) => ({ id: Number(r.id), region: r.region, email: r.email, vector: [...r.vector] })).sort((a, b) => a.id - b.id);
  } finally {
    table.close();
    db.close();
  }
}

beforeAll(async () => {
  python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
  server = await startServer();
  send = httpSender(server.url, await server.token());
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'plake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  everyone = await createGrantedPrincipal(server, 'lance-everyone', READ_ONLY, { type: 'warehouse', warehouse: 'plake' });
  analyst = await createGrantedPrincipal(server, 'lance-analyst', READ_ONLY, { type: 'warehouse', warehouse: 'plake' });
  const db = await connect('admin');
  await db.createNamespace(['hr']);
  (await db.createTable('people', people, ['hr'])).close();
  db.close();
}, 15 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

it('serves a restricted LanceDB reader a policy-derived dataset: admitted rows, masked values, no access to the original files', async () => {
  const role = `${analyst.id}-role`;
  expect((await send('POST', POLICIES, { kind: 'row-filter', roles: [role], filter: { type: 'eq', term: 'region', value: 'eu' } })).status).toBe(201);
  expect((await send('POST', POLICIES, { kind: 'column-mask', roles: [role], masks: [{ column: 'email', action: 'mask-alphanum' }] })).status).toBe(201);

  // Unrestricted callers (the admin, a plain reader) read the whole table.
  expect(await readAs('admin')).toEqual(people);
  expect(await readAs(everyone)).toEqual(people);

  // The restricted reader: only the EU rows, emails masked as the Iceberg path's mask function masks them.
  const masked = (email: string) => maskValue('mask-alphanum', email, { querySalt: new Uint8Array(32) }) as string;
  expect(await readAs(analyst)).toEqual([
    { id: 1, region: 'eu', email: masked('ann@example.org'), vector: [1, 0.5, -1] },
    { id: 3, region: 'eu', email: masked('cy@example.net'), vector: [3, 0.5, -1] },
  ]);
  // A vector search on the derived dataset finds only admitted rows.
  const db = await connect(analyst);
  const opened = await db.openTable('people', ['hr']);
  const nearest = (await opened.search([2, 0.5, -1]).limit(4).toArray()) as Array<{ id: number }>;
  expect(nearest.map((r) => Number(r.id)).sort()).toEqual([1, 3]);
  opened.close();
  db.close();

  // What it was answered: the derived dataset, and read-only credentials for its prefix only.
  const original = await send('POST', '/lance/plake/v1/table/hr%24people/describe', {});
  const analystSend = httpSender(server.url, await clientToken(server.url, analyst.credential));
  const derived = await analystSend('POST', '/lance/plake/v1/table/hr%24people/describe', {});
  expect(derived.status, JSON.stringify(derived.body)).toBe(200);
  const table = (original.body.location as string).replace(/\/+$/, '');
  expect(derived.body.location).toMatch(new RegExp(`^${table}/_lakegate/policy/[A-Za-z0-9_-]+/lance-v\\d+-[0-9a-f-]+\\.lance$`));
  expect(derived.body.managed_versioning).toBeUndefined();
  const options = derived.body.storage_options as Record<string, string>;
  const scoped = new S3Client({
    endpoint: options.aws_endpoint,
    region: options.aws_region,
    forcePathStyle: true,
    credentials: { accessKeyId: options.aws_access_key_id!, secretAccessKey: options.aws_secret_access_key!, sessionToken: options.aws_session_token! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  try {
    const tableKey = table.replace(`s3://${BUCKET}/`, '');
    const derivedKey = (derived.body.location as string).replace(`s3://${BUCKET}/`, '');
    const originals = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${tableKey}/data/` }));
    const dataFile = originals.Contents?.[0]?.Key;
    expect(dataFile).toBeDefined();
    await expect(scoped.send(new GetObjectCommand({ Bucket: BUCKET, Key: dataFile! }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(scoped.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${tableKey}/` }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // Its own dataset: listable and readable, never writable.
    const mine = await scoped.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${derivedKey}/` }));
    expect((mine.Contents ?? []).length).toBeGreaterThan(0);
    await expect(scoped.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${derivedKey}/data/extra.lance`, Body: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  } finally {
    scoped.destroy();
  }
  // A writer's own DescribeTable credentials (read-write on the table's prefix) cannot tamper with the derived dataset
  // (issue 53: the catalog folder `_lakegate/` is denied to every vended write), while the table's files stay writable.
  const writerOptions = original.body.storage_options as Record<string, string>;
  expect(writerOptions.aws_access_key_id).toBeDefined();
  const writerS3 = new S3Client({
    endpoint: writerOptions.aws_endpoint,
    region: writerOptions.aws_region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: writerOptions.aws_access_key_id!,
      secretAccessKey: writerOptions.aws_secret_access_key!,
      sessionToken: writerOptions.aws_session_token!,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  try {
    const tableKey = table.replace(`s3://${BUCKET}/`, '');
    const derivedKey = (derived.body.location as string).replace(`s3://${BUCKET}/`, '');
    const [first] = (await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${derivedKey}/data/` }))).Contents ?? [];
    expect(first?.Key).toBeDefined();
    const forged = (Key: string) => writerS3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'forged rows' }));
    await expect(forged(first!.Key!)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(forged(`${derivedKey}/data/planted.lance`)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(writerS3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: first!.Key! }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await forged(`${tableKey}/data/writer-extra.lance`);
    await minio.root.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${tableKey}/data/writer-extra.lance` }));
  } finally {
    writerS3.destroy();
  }
  expect(await readAs(analyst)).toEqual([
    { id: 1, region: 'eu', email: masked('ann@example.org'), vector: [1, 0.5, -1] },
    { id: 3, region: 'eu', email: masked('cy@example.net'), vector: [3, 0.5, -1] },
  ]);
  // The same dataset next time (derived once per table version and policy version).
  expect((await analystSend('POST', '/lance/plake/v1/table/hr%24people/describe', {})).body.location).toBe(derived.body.location);
  // With load_detailed_metadata the catalog opens that derived dataset on MinIO (read-only credentials for its prefix)
  // and answers its schema, never the table's own; the table's is answered to the unrestricted admin.
  const detailed = await analystSend('POST', '/lance/plake/v1/table/hr%24people/describe', { load_detailed_metadata: true });
  expect(detailed.status, JSON.stringify(detailed.body)).toBe(200);
  expect(detailed.body).toMatchObject({ location: derived.body.location, table: 'people', namespace: ['hr'] });
  const own = await send('POST', '/lance/plake/v1/table/hr%24people/describe', { load_detailed_metadata: true });
  expect(own.status, JSON.stringify(own.body)).toBe(200);
  const names = (b: Record<string, any>) => (b.schema.fields as { name: string }[]).map((f) => f.name);
  expect(names(detailed.body)).toEqual(names(own.body));
  // Its stats are the derived dataset's own, read from its manifest on MinIO, and so is its table metadata (none set).
  expect(detailed.body.metadata).toEqual({});
  expect(own.body.metadata).toEqual({});
  expect(detailed.body.stats).toMatchObject({ num_deleted_rows: 0 });
});

it(
  'serves LanceDB Python the same derived dataset: the same rows and masked values, its credentials refused on the original',
  async () => {
    // Policies from the test above (the analyst's row filter and mask), so the Node reader's answer is already known.
    const masked = (email: string) => maskValue('mask-alphanum', email, { querySalt: new Uint8Array(32) }) as string;
    const expected = [
      { id: 1, region: 'eu', email: masked('ann@example.org'), vector: [1, 0.5, -1] },
      { id: 3, region: 'eu', email: masked('cy@example.net'), vector: [3, 0.5, -1] },
    ];
    expect(await readAs(analyst)).toEqual(expected);
    const original = (await send('POST', '/lance/plake/v1/table/hr%24people/describe', {})).body.location as string;
    const token = await clientToken(server.url, analyst.credential);
    const script = path.join(REPO_ROOT, 'peers', 'lance', 'managed_versions.py');
    const res = await runAsync(python, [script, 'policy_read', `${server.url}/lance/plake`, token, 'hr', 'people', original], { timeoutMs: 5 * 60_000 });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {
      rows: unknown[];
      nearest: number[];
      location: string;
      derived: { ids?: number[]; error?: string };
      original: { ids?: number[]; error?: string };
    };
    expect(out.rows).toEqual(expected);
    expect(out.nearest).toEqual([1, 3]);
    expect(out.location).toMatch(/\/_lakegate\/policy\/[A-Za-z0-9_-]+\/lance-v\d+-[0-9a-f-]+\.lance$/);
    expect(out.derived).toEqual({ ids: [1, 3] });
    // pylance with the credentials it was answered: the table's own dataset is refused (never its rows).
    expect(out.original.ids).toBeUndefined();
    expect(out.original.error).toMatch(/403|AccessDenied|Forbidden|permission|denied/i);
  },
  10 * 60_000,
);

it(
  "removes the superseded derived dataset on MinIO through the table's optimize (grace 0), reporting exactly the objects it deleted; the live one stays",
  async () => {
    const analystSend = httpSender(server.url, await clientToken(server.url, analyst.credential));
    const describe = () => analystSend('POST', '/lance/plake/v1/table/hr%24people/describe', {});
    const old = (await describe()).body.location as string;
    // The mask changes (a new policy version): the next read is answered a new dataset, the old one is superseded.
    const listed = await send('GET', POLICIES);
    const mask = (listed.body.policies as Array<{ id: string; kind: string; version: number }>).find((p) => p.kind === 'column-mask')!;
    const role = `${analyst.id}-role`;
    const updated = await send('PUT', `${POLICIES}/${mask.id}`, {
      roles: [role],
      masks: [{ column: 'email', action: 'sha-256-global' }],
      version: mask.version,
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const current = (await describe()).body.location as string;
    expect(path.dirname(current)).not.toBe(path.dirname(old));
    const keys = async (location: string) =>
      ((await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${location.replace(`s3://${BUCKET}/`, '')}/` }))).Contents ?? []).map(
        (o) => o.Key!,
      );
    const oldKeys = await keys(old);
    const currentKeys = await keys(current);
    expect(oldKeys.length).toBeGreaterThan(0);

    const run = await send('POST', '/management/v1/warehouses/plake/namespaces/hr/tables/people/maintenance', {
      actions: ['optimize'],
      'orphan-older-than-ms': 0,
    });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const reported = (run.body.files as Array<{ path: string }>).map((f) => f.path.replace(`s3://${BUCKET}/`, ''));
    expect(run.body['deleted-files']).toBe(reported.length);
    expect(run.body['failed-files']).toEqual([]);
    // The old dataset's objects, all reported and all gone; its side file too.
    for (const k of oldKeys) expect(reported).toContain(k);
    expect(await keys(old)).toEqual([]);
    const oldSide = `${path.dirname(old.replace(`s3://${BUCKET}/`, ''))}/${path.basename(old).replace(/-[0-9a-f-]+\.lance$/, '.json')}`;
    expect(reported).toContain(oldSide);
    // Nothing reported that is still there, and the live dataset whole and served.
    for (const k of reported) await expect(minio.root.send(new GetObjectCommand({ Bucket: BUCKET, Key: k }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(await keys(current)).toEqual(expect.arrayContaining(currentKeys));
    expect((await describe()).body.location).toBe(current);
    expect((await readAs(analyst)).map((r) => r.id)).toEqual([1, 3]);
  },
  5 * 60_000,
);

it(
  'masks one field of a struct and nulls a vector column for a restricted LanceDB reader: the sibling kept, a vector search finding nothing',
  async () => {
    const staff = [
      { id: 1, contact: { email: 'ann@example.org', phone: '+1 555 0100' }, vector: [1, 0.5] },
      { id: 2, contact: { email: 'bob@example.com', phone: '+1 555 0101' }, vector: [2, 0.5] },
    ];
    const admin = await connect('admin');
    (await admin.createTable('staff', staff, ['hr'])).close();
    admin.close();
    const role = `${analyst.id}-role`;
    const staffPolicies = '/management/v1/warehouses/plake/namespaces/hr/tables/staff/policies';
    const mask = await send('POST', staffPolicies, {
      kind: 'column-mask',
      roles: [role],
      masks: [
        { column: 'contact.email', action: 'sha-256-global' },
        { column: 'vector', action: 'replace-with-null' },
      ],
    });
    expect(mask.status, JSON.stringify(mask.body)).toBe(201);
    const read = async (who: CreatedPrincipal) => {
      const db = await connect(who);
      const table = await db.openTable('staff', ['hr']);
      try {
        const rows = ((await table.query().toArray()) as Array<{ id: number; contact: { email: string; phone: string }; vector: Iterable<number> | null }>)
          .map((r) => ({ id: Number(r.id), contact: { email: r.contact.email, phone: r.contact.phone }, vector: r.vector === null ? null : [...r.vector] }))
          .sort((a, b) => a.id - b.id);
        const nearest = (await table.search([1, 0.5]).limit(2).toArray()) as unknown[];
        return { rows, nearest: nearest.length };
      } finally {
        table.close();
        db.close();
      }
    };
    // A reader no policy binds: the table as written.
    expect(await read(everyone)).toEqual({ rows: staff, nearest: 2 });
    const hash = (v: string) => maskValue('sha-256-global', v, { querySalt: new Uint8Array(32) }) as string;
    expect(await read(analyst)).toEqual({
      rows: staff.map((r) => ({ id: r.id, contact: { email: hash(r.contact.email), phone: r.contact.phone }, vector: null })),
      nearest: 0,
    });
  },
  5 * 60_000,
);

it(
  "masks list elements and map values for a restricted reader of a table LanceDB Python wrote: Alice's LanceDB (Python and Node) reads them masked, Bob's the originals; a table with a large list is refused a policy (400)",
  async () => {
    const token = await server.token();
    const py = async (scenario: string, who: string, name: string) => {
      const res = await runAsync(
        python,
        [path.join(REPO_ROOT, 'peers', 'lance', 'policy_elements.py'), scenario, `${server.url}/lance/plake`, who, 'hr', name],
        {
          timeoutMs: 5 * 60_000,
        },
      );
      expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
      return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { rows?: Array<Record<string, unknown>> };
    };
    await py('create', token, 'elements');
    const original = [
      { id: 1, tags: ['Ann-tag', null], people: [{ name: 'ann', email: 'ann@example.org' }, null], attrs: [['team', 'red-42']] },
      { id: 2, tags: [], people: null, attrs: null },
      { id: 3, tags: null, people: [{ name: 'cy', email: null }], attrs: [] },
      {
        id: 4,
        tags: ['bob.tag@x.org'],
        people: [],
        attrs: [
          ['team', 'blue-7'],
          ['seat', null],
        ],
      },
    ];
    const role = `${analyst.id}-role`;
    const policies = '/management/v1/warehouses/plake/namespaces/hr/tables/elements/policies';
    const mask = await send('POST', policies, {
      kind: 'column-mask',
      roles: [role],
      masks: [
        { column: 'tags.element', action: 'show-first-4' },
        { column: 'people.element.email', action: 'sha-256-global' },
        { column: 'attrs.value', action: 'mask-alphanum' },
      ],
    });
    expect(mask.status, JSON.stringify(mask.body)).toBe(201);
    const m = (action: Parameters<typeof maskValue>[0], v: string | null) => maskValue(action, v, { querySalt: new Uint8Array(32) });
    const masked = [
      {
        id: 1,
        tags: [m('show-first-4', 'Ann-tag'), null],
        people: [{ name: 'ann', email: m('sha-256-global', 'ann@example.org') }, null],
        attrs: [['team', m('mask-alphanum', 'red-42')]],
      },
      { id: 2, tags: [], people: null, attrs: null },
      { id: 3, tags: null, people: [{ name: 'cy', email: null }], attrs: [] },
      {
        id: 4,
        tags: [m('show-first-4', 'bob.tag@x.org')],
        people: [],
        attrs: [
          ['team', m('mask-alphanum', 'blue-7')],
          ['seat', null],
        ],
      },
    ];
    // Bob (no policy binds him) reads the table as written; Alice the elements and values masked, with LanceDB Python.
    expect((await py('read', await clientToken(server.url, everyone.credential), 'elements')).rows).toEqual(original);
    expect((await py('read', await clientToken(server.url, analyst.credential), 'elements')).rows).toEqual(masked);
    // And with LanceDB Node: the same masked values.
    const db = await connect(analyst);
    const table = await db.openTable('elements', ['hr']);
    try {
      const rows = ((await table.query().toArray()) as Array<Record<string, any>>)
        .map((r) => ({
          id: Number(r.id),
          tags: r.tags === null ? null : [...r.tags],
          people: r.people === null ? null : [...r.people].map((p) => (p === null ? null : { name: p.name, email: p.email })),
        }))
        .sort((a, b) => a.id - b.id);
      expect(rows).toEqual(masked.map(({ id, tags, people }) => ({ id, tags, people })));
    } finally {
      table.close();
      db.close();
    }

    // A large list (64-bit offsets), which the JavaScript Arrow library policy-derived reads go through cannot read.
    await py('create_large', token, 'bigs');
    const refused = await send('POST', '/management/v1/warehouses/plake/namespaces/hr/tables/bigs/policies', {
      kind: 'row-filter',
      roles: [role],
      filter: { type: 'gt', term: 'id', value: 0 },
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/holds a large list \(64-bit offsets\).*no row filter or column mask can be set on it/);
  },
  10 * 60_000,
);
