/**
 * Trino 476 with its OPA access control pointed at Lakegate's decision endpoints (issue 54): one engine principal,
 * declared a trino-opa enforcer of the warehouse, serves per-user sessions (iceberg.rest-catalog.session=USER);
 * Trino asks Lakegate whether each user may run each statement, and for the user's row filter and column masks,
 * and enforces them itself on the original files (the engine's user sessions get table-wide vended credentials
 * because it is a declared enforcer). Shown: two users each see exactly their rows and masked values, the
 * unrestricted user sees everything, a user unknown to Lakegate gets nothing, and a policy change is followed by
 * the next query. The same users reading through another engine that is no enforcer (PyIceberg, server planning)
 * get the same rows and values from the catalog-enforced path. A user restricted only through a group of Trino's
 * file group provider (a role bound to the asserted group) sees the same rows and values as the role's user
 * member. A view created through Trino carries its own row filter and mask, which Trino applies to the user they
 * restrict (the table under it stays whole for that user). A row filter on a column "x.y" and a struct's field "a.b"
 * (person.a.b) is the same rows in Trino and through PyIceberg. A struct whose field names are upper- and mixed-case
 * (Person.Email) is masked field by field in Trino. The OPA and group provider plugins are taken from the full trino-server tarball once (scripts/peers/trino.sh
 * opa, groups). Trino is the run's shared one (test/support/trino.ts): this file adds its catalog (CREATE CATALOG),
 * sets its groups, and has the OPA plugin's forwarder send every decision to this file's Lakegate endpoints.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, grant, READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { clientToken, createPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';
import { ensureTrinoDist, lakegateCatalog, startTrino, type Trino, TrinoQueryError } from '../support/trino.js';

const BUCKET = 'lakegate-trino-opa';
const ASSERTED = 'asserted';
const POLICIES = '/management/v1/warehouses/lake/namespaces/sales/tables/customers/policies';

let minio: Minio;
let server: ServerProcess;
let send: Send;
let trino: Trino;
let apiKey: string;

const run = (user: string, statement: string) => trino.as(user, 'lake').run(statement);
const customers = (user: string) => run(user, 'SELECT id, region, email FROM lake.sales.customers ORDER BY id');

/**
 * The asserted users reading a table through another engine that is no enforcer (PyIceberg 0.12, server planning),
 * acting for them (RFC 8693, an unsigned subject as Trino's USER sessions send): its sessions get the
 * catalog-enforced path, derived files and no table-wide access. Each user's rows (dates in ISO form) and files.
 */
async function pyRead(table: string, users: string[]): Promise<Record<string, { rows: unknown[][]; files: string[] }>> {
  const other = await createPrincipal(server, `pyiceberg-engine-${table.replace(/\W/g, '-')}`, { users, 'assert-identity': true });
  const engineToken = await clientToken(server.url, other.credential);
  const unsigned = (sub: string) =>
    `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub, iat: Math.floor(Date.now() / 1000) })).toString('base64url')}.`;
  const userToken = async (user: string) => {
    const r = await fetch(`${server.url}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${engineToken}` },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: unsigned(user),
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        actor_token: engineToken,
        actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      }),
    });
    const body = (await r.json()) as { access_token?: string };
    expect(r.status, JSON.stringify(body)).toBe(200);
    return body.access_token!;
  };
  const venv = await runAsync('bash', [
    peerScript('python-venv.sh'),
    'pyiceberg-signing',
    'peers/python/requirements-signing.txt',
    'import pyiceberg, pyarrow, s3fs',
  ]);
  expect(venv.status, venv.stderr).toBe(0);
  const tokens = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await userToken(u)] as const)));
  const read = await runAsync(venv.stdout.trim().split('\n').at(-1)!.trim(), [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_policies.py')], {
    env: {
      ...process.env,
      MODE: 'read',
      POLICY_TABLE: table,
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: 'lake',
      S3_ENDPOINT: minio.endpoint,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      READER_TOKENS: JSON.stringify(tokens),
    },
    timeoutMs: 5 * 60_000,
  });
  expect(read.status, `${read.stdout}\n${read.stderr}`).toBe(0);
  return Object.fromEntries(
    read.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { step: string; rows: unknown[][]; files: string[] })
      .map((s) => [s.step, s]),
  );
}

beforeAll(async () => {
  await ensureTrinoDist();
  for (const plugin of ['opa', 'groups']) {
    const fetched = await runAsync('bash', [peerScript('trino.sh'), plugin], { env: process.env });
    expect(fetched.status, fetched.stderr).toBe(0);
  }
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'info' } });
  send = httpSender(server.url, await server.token());
  expect((await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET))).status).toBe(201);
  expect((await send('POST', '/v1/lake/namespaces', { namespace: ['sales'] })).status).toBe(200);
  const engine = await createPrincipal(server, 'trino-opa-engine', { users: ['alice', 'bob', 'etl', 'dave'], 'assert-identity': true });
  const key = await send('POST', `/management/v1/principals/${engine.id}/api-keys`, { name: 'trino-opa' });
  expect(key.status).toBe(201);
  expect((await send('PUT', `/management/v1/warehouses/lake/policy-enforcers/${engine.id}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' })).status).toBe(
    200,
  );
  await addMember(send, 'etl', { kind: 'user', name: 'etl', issuer: ASSERTED });
  await grant(send, 'etl', READ_WRITE_ALL, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  await addMember(send, 'eu-analysts', { kind: 'user', name: 'alice', issuer: ASSERTED });
  await grant(send, 'eu-analysts', READ_ONLY, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  await addMember(send, 'readers', { kind: 'user', name: 'bob', issuer: ASSERTED });
  await grant(send, 'readers', READ_ONLY, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  // dave: restricted through Trino's group eu-team only (the EU analysts' role is bound to it); his USER sessions
  // reach the Iceberg API without groups, so his read grant is his own (docs/authorization.md, "Groups").
  await addMember(send, 'eu-analysts', { kind: 'group', name: 'eu-team', issuer: ASSERTED });
  await addMember(send, 'dave-reads', { kind: 'user', name: 'dave', issuer: ASSERTED });
  await grant(send, 'dave-reads', READ_ONLY, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  const decisions = `${server.url}/management/v1/trino-opa`;
  apiKey = key.body['api-key'] as string;
  const q = `?api-key=${encodeURIComponent(apiKey)}`;
  trino = await startTrino();
  await trino.addCatalog(
    lakegateCatalog({ name: 'lake', lakegateUrl: server.url, warehouse: 'lake', credential: engine.credential, s3Endpoint: minio.endpoint, session: 'USER' }),
  );
  await trino.setGroups({ 'eu-team': ['dave', 'mallory'] });
  // From here on every decision of Trino's OPA plugin is this file's Lakegate's: /allow, /batch, /row-filters,
  // /column-mask and /batch-column-masks under `decisions`, with the engine's API key.
  trino.useOpa({ url: decisions, query: q });
  await run('etl', 'CREATE TABLE lake.sales.customers (id bigint, region varchar, email varchar)');
  await run('etl', "INSERT INTO lake.sales.customers VALUES (1, 'eu', 'ann.lee@x1.com'), (2, 'us', 'bob@y.org'), (3, NULL, 'c@z'), (4, 'eu', NULL)");
  expect((await send('POST', POLICIES, { kind: 'row-filter', roles: ['eu-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } })).status).toBe(201);
  expect((await send('POST', POLICIES, { kind: 'column-mask', roles: ['eu-analysts'], masks: [{ column: 'email', action: 'show-first-4' }] })).status).toBe(
    201,
  );
}, 600_000);
afterAll(async () => {
  await trino?.release();
  await server?.stop();
  await minio?.stop();
});

describe('Trino 476 enforcing Lakegate policies through its OPA access control', () => {
  it('shows each user exactly its rows and masked values; the unrestricted user everything', async () => {
    expect(await customers('alice')).toEqual([
      [1, 'eu', 'ann.xxxxxxxxxx'],
      [4, 'eu', null],
    ]);
    expect(await customers('bob')).toEqual([
      [1, 'eu', 'ann.lee@x1.com'],
      [2, 'us', 'bob@y.org'],
      [3, null, 'c@z'],
      [4, 'eu', null],
    ]);
    // dave gets the EU analysts' filter and mask through his Trino group alone.
    expect(await customers('dave')).toEqual(await customers('alice'));
    // A filter in the query cannot undo the policy's: it is applied on top.
    expect(await run('alice', "SELECT id FROM lake.sales.customers WHERE region = 'us' OR region IS NULL")).toEqual([]);
  }, 300_000);

  it('gives the same users the same rows and values through the catalog-enforced path (PyIceberg 0.12, server planning)', async () => {
    const steps = await pyRead('sales.customers', ['alice', 'bob']);
    expect(steps['read:alice']!.rows).toEqual(await customers('alice'));
    expect(steps['read:bob']!.rows).toEqual(await customers('bob'));
    // alice's plan named derived files only; bob (no policy) read the originals.
    expect(steps['read:alice']!.files.length).toBeGreaterThan(0);
    for (const f of steps['read:alice']!.files) expect(f).toContain('/_lakegate/policy/');
    for (const f of steps['read:bob']!.files) expect(f).not.toContain('/_lakegate/policy/');
  }, 600_000);

  it("masks a list's elements, a map's values and a whole list alike in Trino and in the catalog-enforced files (PyIceberg)", async () => {
    await run('etl', 'CREATE TABLE lake.sales.contacts (id bigint, emails array(varchar), attrs map(varchar, varchar), tags array(varchar), seen array(date))');
    await run(
      'etl',
      `INSERT INTO lake.sales.contacts VALUES
        (1, ARRAY['Ann.Lee@x1.com', NULL, 'a@b'], MAP(ARRAY['tier', 'note'], ARRAY['Gold', NULL]), ARRAY['vip'], ARRAY[DATE '2024-07-14', NULL]),
        (2, NULL, NULL, NULL, NULL),
        (3, CAST(ARRAY[] AS array(varchar)), MAP(), CAST(ARRAY[] AS array(varchar)), CAST(ARRAY[] AS array(date)))`,
    );
    const contactPolicies = '/management/v1/warehouses/lake/namespaces/sales/tables/contacts/policies';
    const created = await send('POST', contactPolicies, {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [
        { column: 'emails.element', action: 'show-first-4' },
        { column: 'attrs.value', action: 'sha-256-global' },
        { column: 'tags', action: 'replace-with-null' },
        { column: 'seen.element', action: 'truncate-to-month' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const contacts = (user: string) => run(user, 'SELECT id, emails, attrs, tags, seen FROM lake.sales.contacts ORDER BY id');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(await contacts('alice')).toEqual([
      [1, ['Ann.xxxxxxxxxx', null, 'a@b'], { tier: sha('Gold'), note: null }, null, ['2024-07-01', null]],
      [2, null, null, null, null],
      [3, [], {}, null, []],
    ]);
    expect((await contacts('bob'))[0]).toEqual([1, ['Ann.Lee@x1.com', null, 'a@b'], { tier: 'Gold', note: null }, ['vip'], ['2024-07-14', null]]);
    // PyIceberg answers a map as [key, value] pairs: as an object here, to compare.
    const steps = await pyRead('sales.contacts', ['alice', 'bob']);
    const asTrino = (rows: unknown[][]) =>
      rows.map((r) => r.map((v, i) => (i === 2 && Array.isArray(v) ? Object.fromEntries(v as Array<[string, unknown]>) : v)));
    expect(asTrino(steps['read:alice']!.rows)).toEqual(await contacts('alice'));
    expect(asTrino(steps['read:bob']!.rows)).toEqual(await contacts('bob'));
    for (const f of steps['read:alice']!.files) expect(f).toContain('/_lakegate/policy/');
  }, 600_000);

  it("masks fields inside structs (a struct column, a list of structs, a map's struct values) alike in Trino and in the catalog-enforced files (PyIceberg)", async () => {
    const [addr, phone, doc] = [
      'row(city varchar, "Zip ""Code""" varchar, geo row(lat double, lon double))',
      'row(kind varchar, number varchar)',
      'row(num varchar, issued date)',
    ];
    await run('etl', `CREATE TABLE lake.sales.people (id bigint, addr ${addr}, phones array(${phone}), docs map(varchar, ${doc}))`);
    await run(
      'etl',
      `INSERT INTO lake.sales.people VALUES
        (1, CAST(ROW('Paris', '75001', ROW(48.5, 2.25)) AS ${addr}), CAST(ARRAY[ROW('home', '5550123'), ROW('work', NULL), NULL] AS array(${phone})),
          CAST(MAP(ARRAY['passport', 'visa'], ARRAY[ROW('AB123', DATE '2019-05-06'), NULL]) AS map(varchar, ${doc}))),
        (2, NULL, NULL, NULL),
        (3, CAST(ROW(NULL, 'x', NULL) AS ${addr}), CAST(ARRAY[] AS array(${phone})), CAST(MAP() AS map(varchar, ${doc})))`,
    );
    const created = await send('POST', '/management/v1/warehouses/lake/namespaces/sales/tables/people/policies', {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [
        { column: 'addr.city', action: 'mask-alphanum' },
        { column: 'addr.geo', action: 'replace-with-null' },
        { column: 'phones.element.number', action: 'show-last-4' },
        { column: 'docs.value.num', action: 'sha-256-global' },
        { column: 'docs.value.issued', action: 'truncate-to-year' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Trino answers a row as its fields' values in order, a map as an object.
    const people = (user: string) => run(user, 'SELECT id, addr, phones, docs FROM lake.sales.people ORDER BY id');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(await people('alice')).toEqual([
      [1, ['Xxxxx', '75001', null], [['home', 'xxx0123'], ['work', null], null], { passport: [sha('AB123'), '2019-01-01'], visa: null }],
      [2, null, null, null],
      [3, [null, 'x', null], [], {}],
    ]);
    expect((await people('bob'))[0]).toEqual([
      1,
      ['Paris', '75001', [48.5, 2.25]],
      [['home', '5550123'], ['work', null], null],
      { passport: ['AB123', '2019-05-06'], visa: null },
    ]);
    // PyIceberg answers a struct as an object of its fields, a map as [key, value] pairs: as Trino's, to compare.
    const rowsOf = (v: unknown): unknown => (Array.isArray(v) ? v.map(rowsOf) : v !== null && typeof v === 'object' ? Object.values(v).map(rowsOf) : v);
    const asTrino = (rows: unknown[][]) =>
      rows.map((r) => r.map((v, i) => (i === 3 && Array.isArray(v) ? Object.fromEntries(v.map((e) => rowsOf(e) as [string, unknown])) : rowsOf(v))));
    const steps = await pyRead('sales.people', ['alice', 'bob']);
    // PyIceberg 0.12 reads a null list of structs, and a null map of struct values, as empty (apache/iceberg-python#3833;
    // bob's original files alike): Trino's null ones are compared as empty, the nulls checked in Trino's answers above.
    const asPyIceberg = (rows: unknown[][]) => rows.map((r) => r.map((v, i) => (v === null && i === 2 ? [] : v === null && i === 3 ? {} : v)));
    expect(asTrino(steps['read:alice']!.rows)).toEqual(asPyIceberg(await people('alice')));
    expect(asTrino(steps['read:bob']!.rows)).toEqual(asPyIceberg(await people('bob')));
    expect(steps['read:alice']!.files.length).toBeGreaterThan(0);
    for (const f of steps['read:alice']!.files) expect(f).toContain('/_lakegate/policy/');
    for (const f of steps['read:bob']!.files) expect(f).not.toContain('/_lakegate/policy/');
  }, 600_000);

  it('masks the fields of a struct whose field names are upper- and mixed-case (Person.Email, Person.BirthDate)', async () => {
    // Created through the REST API so that Iceberg holds the names as written (Trino's DDL lower-cases unquoted ones).
    const struct = (id: number, name: string, type: unknown) => ({ id, name, required: false, type });
    const schema = {
      type: 'struct',
      fields: [struct(1, 'id', 'long'), struct(2, 'Person', { type: 'struct', fields: [struct(3, 'Email', 'string'), struct(4, 'BirthDate', 'date')] })],
    };
    expect((await send('POST', '/v1/lake/namespaces/sales/tables', { name: 'members', schema })).status).toBe(200);
    await run('etl', "INSERT INTO lake.sales.members VALUES (1, ROW('Ann.Lee@x1.com', DATE '1990-07-14')), (2, NULL), (3, ROW(NULL, DATE '2001-02-03'))");
    const created = await send('POST', '/management/v1/warehouses/lake/namespaces/sales/tables/members/policies', {
      kind: 'column-mask',
      roles: ['eu-analysts'],
      masks: [
        { column: 'Person.Email', action: 'show-first-4' },
        { column: 'Person.BirthDate', action: 'truncate-to-year' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // The fields by name too (any case: Trino's names are case-insensitive), and the masked row's type is the column's.
    const members = (user: string) => run(user, 'SELECT id, Person, person.email, PERSON.BirthDate, typeof(person) FROM lake.sales.members ORDER BY id');
    const type = (await members('bob'))[0]![4];
    expect(await members('alice')).toEqual([
      [1, ['Ann.xxxxxxxxxx', '1990-01-01'], 'Ann.xxxxxxxxxx', '1990-01-01', type],
      [2, null, null, null, type],
      [3, [null, '2001-01-01'], null, '2001-01-01', type],
    ]);
    expect((await members('bob'))[0]).toEqual([1, ['Ann.Lee@x1.com', '1990-07-14'], 'Ann.Lee@x1.com', '1990-07-14', type]);
  }, 300_000);

  it('filters on a column "x.y" and a struct\'s field "a.b" (person.a.b) alike in Trino and in the catalog-enforced files (PyIceberg)', async () => {
    await run('etl', 'CREATE TABLE lake.sales.dotted (id bigint, "x.y" varchar, person row("a.b" varchar, c varchar))');
    await run(
      'etl',
      `INSERT INTO lake.sales.dotted VALUES (1, 'eu', ROW('keep', 'c1')), (2, 'us', ROW('drop', 'c2')), (3, 'eu', ROW('drop', 'c3')), (4, NULL, NULL), (5, 'us', ROW(NULL, 'c5'))`,
    );
    // Before 2026-11-29 the filter resolver split each name at its dots: this policy was a 400 ("cannot find field").
    const created = await send('POST', '/management/v1/warehouses/lake/namespaces/sales/tables/dotted/policies', {
      kind: 'row-filter',
      roles: ['eu-analysts'],
      filter: { type: 'or', left: { type: 'eq', term: 'person.a.b', value: 'keep' }, right: { type: 'eq', term: 'x.y', value: 'us' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const dotted = (user: string) => run(user, 'SELECT id, "x.y", person FROM lake.sales.dotted ORDER BY id');
    expect(await dotted('alice')).toEqual([
      [1, 'eu', ['keep', 'c1']],
      [2, 'us', ['drop', 'c2']],
      [5, 'us', [null, 'c5']],
    ]);
    expect(await dotted('bob')).toHaveLength(5);
    const steps = await pyRead('sales.dotted', ['alice']);
    const asTrino = (rows: unknown[][]) => rows.map((r) => r.map((v) => (v !== null && typeof v === 'object' ? Object.values(v) : v)));
    expect(asTrino(steps['read:alice']!.rows)).toEqual(await dotted('alice'));
    for (const f of steps['read:alice']!.files) expect(f).toContain('/_lakegate/policy/');
  }, 600_000);

  it('gives a user unknown to Lakegate nothing, whatever groups Trino gives it', async () => {
    const failed = await run('mallory', 'SELECT id FROM lake.sales.customers').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(TrinoQueryError);
    expect((failed as TrinoQueryError).errorName).toBe('PERMISSION_DENIED');
  }, 300_000);

  it('follows a policy change with the next query', async () => {
    const filter = ((await send('GET', POLICIES)).body.policies as Array<{ id: string; kind: string }>).find((p) => p.kind === 'row-filter')!;
    expect((await send('PUT', `${POLICIES}/${filter.id}`, { roles: ['eu-analysts'], filter: { type: 'not-eq', term: 'region', value: 'us' } })).status).toBe(
      200,
    );
    // Iceberg's not-eq admits nulls: row 3 (region NULL) now shows, as the catalog-enforced path shows it.
    expect((await customers('alice')).map((r) => r[0])).toEqual([1, 3, 4]);
  }, 300_000);

  it("enforces a view's own row filter and mask for a user they restrict (a view created through Trino)", async () => {
    await run('etl', 'CREATE VIEW lake.sales.customers_v AS SELECT id, region, email FROM lake.sales.customers');
    const viewPolicies = '/management/v1/warehouses/lake/namespaces/sales/views/customers_v/policies';
    // bob (no policy on the table) is restricted on the view: Iceberg's not-eq admits nulls.
    const filter = await send('POST', viewPolicies, { kind: 'row-filter', roles: ['readers'], filter: { type: 'not-eq', term: 'region', value: 'eu' } });
    expect(filter.status, JSON.stringify(filter.body)).toBe(201);
    const mask = await send('POST', viewPolicies, {
      kind: 'column-mask',
      roles: ['readers'],
      masks: [{ column: 'email', action: 'mask-to-fixed-value', value: 'hidden' }],
    });
    expect(mask.status, JSON.stringify(mask.body)).toBe(201);
    const view = (user: string) => run(user, 'SELECT id, region, email FROM lake.sales.customers_v ORDER BY id');
    expect(await view('bob')).toEqual([
      [2, 'us', 'hidden'],
      [3, null, 'hidden'],
    ]);
    // The view's policies narrow the view only: bob reads the table itself whole, and etl (unrestricted) the whole view.
    expect((await run('bob', 'SELECT id, email FROM lake.sales.customers ORDER BY id')).map((r) => r[1])).toEqual(['ann.lee@x1.com', 'bob@y.org', 'c@z', null]);
    expect((await view('etl')).map((r) => r[0])).toEqual([1, 2, 3, 4]);
  }, 300_000);

  it("keeps the engine's API key out of Lakegate's log (Trino 476's own startup log prints the OPA URIs, key included: docs/authorization.md)", async () => {
    expect(server.output()).not.toContain(apiKey);
    expect(server.output()).toContain('api-key=***');
    // The shared Trino's OPA URIs are its forwarder's (the key is this file's, given to the forwarder): Trino's log
    // shows the URIs it was started with, so a key in them would be there too.
    expect(trino.log()).toContain(trino.opaUris['opa.policy.uri']);
  }, 60_000);
});
