/**
 * A real Trino 476 (scripts/peers/trino.sh: one node, Iceberg connector, Iceberg 1.9.1 inside) on a
 * Lakegate warehouse in MinIO. Trino holds no storage keys: its native S3 file system only gets the
 * credentials Lakegate vends in each table's config. Trino is the run's shared one (test/support/trino.ts: started
 * once per Vitest process); this file adds three catalogs on the same warehouse (CREATE CATALOG), each with its own
 * engine principal, and tests Trino without access control: its OPA plugin's forwarder answers like Trino's default
 * allow-all while this file runs (the OPA-tested behaviour is trino-opa.test.ts's, on Lakegate's endpoints):
 *   lake        session NONE  engine identity (every call is the engine);
 *   lake_user   session USER  per-user sessions through an engine marked `assert-identity` that may act
 *                             for alice and bob: Trino signs nothing, it sends an unsigned JWT naming the
 *                             Trino user, exchanged (RFC 8693) with the engine's token as actor;
 *   lake_plain  session USER  the same through an engine NOT marked assert-identity (refused).
 * Who made each call is read from the server's request log (`actor`) and the audit trail. Authorization is
 * deny by default: the `lake` engine holds grants on the warehouse; a USER session is authorized as its user
 * (alice in role trino-analysts, bob without grants, then a reader), never as the engine.
 *
 * Found from Trino 476's source (io.trino.plugin.iceberg.catalog.rest) and shown here:
 *  - Trino never refreshes vended credentials: IcebergRestCatalogFileSystemFactory copies
 *    s3.access-key-id / s3.secret-access-key / s3.session-token from the table config into a static
 *    identity and ignores s3.session-token-expires-at-ms and the refresh endpoint (Trino passes its own
 *    FileIO builder to RESTSessionCatalog, so Iceberg's VendedCredentialsProvider is never built). A
 *    query keeps the credentials of the table load it started with; the next query loads anew.
 *  - In session NONE Trino hands the catalog's `credential` to every call in a session context with a
 *    random id, so Iceberg's OAuth2Manager fetches a new client-credentials token for almost every call.
 *  - Trino derives table locations from the schema's `location` property and stage-creates there (Lakegate shows
 *    a default location for a namespace that has none), and probes for a view of the name before it loads a
 *    table (Lakegate answers that probe 404 to a user who may see the table): both tested below.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, grant, READ_ONLY, READ_WRITE_ALL, revoke } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { auditTrail, describeRequests, type LoggedRequest, requestsDuring } from '../support/request-log.js';
import { clientToken, type CreatedPrincipal, createPrincipal, grantTo, type ServerProcess, startServer } from '../support/server-process.js';
import { ensureTrinoDist, lakegateCatalog, startTrino, type Trino, TrinoQueryError } from '../support/trino.js';

const BUCKET = 'lakegate-trino';
const ROOT = `s3://${BUCKET}/wh`;
/** Vended credentials are reported to expire this soon (they really live 900 s, the warehouse's profile). */
const REPORTED_LIFETIME_SECONDS = 1;
/** The issuer Lakegate records for users an `assert-identity` engine names (Trino's unsigned subject tokens). */
const ASSERTED = 'asserted';

let minio: Minio;
let server: ServerProcess;
let send: Send;
let trino: Trino;
let engine: CreatedPrincipal;
let asserting: CreatedPrincipal;
let plain: CreatedPrincipal;

beforeAll(async () => {
  const distSeconds = await ensureTrinoDist();
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS: String(REPORTED_LIFETIME_SECONDS) } });
  send = httpSender(server.url, await server.token());
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  engine = await createPrincipal(server, 'trino-engine');
  // Deny by default: the engine-identity catalog's principal may do everything in the warehouse.
  await grantTo(server, engine.id, READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
  asserting = await createPrincipal(server, 'trino-user-mode', { users: ['alice', 'bob'], 'assert-identity': true });
  plain = await createPrincipal(server, 'trino-not-asserting', { users: ['alice', 'bob'] });
  const common = { lakegateUrl: server.url, warehouse: 'lake', s3Endpoint: minio.endpoint };
  trino = await startTrino();
  for (const catalog of [
    lakegateCatalog({ ...common, name: 'lake', credential: engine.credential }),
    lakegateCatalog({ ...common, name: 'lake_user', credential: asserting.credential, session: 'USER' }),
    lakegateCatalog({ ...common, name: 'lake_plain', credential: plain.credential, session: 'USER' }),
  ])
    await trino.addCatalog(catalog);
  console.info(
    `trino: dist ready in ${distSeconds.toFixed(1)}s, server ${trino.reused ? "reused (the run's, started by an earlier file)" : `started in ${trino.startSeconds.toFixed(1)}s`}`,
  );
});
afterAll(async () => {
  await trino?.release();
  await server?.stop();
  await minio?.stop();
});

/** Runs SQL as a Trino user on a catalog and returns the rows and the catalog requests it caused. */
async function sql(user: string, catalog: string, statement: string) {
  const { result, requests } = await requestsDuring(server, () => trino.as(user, catalog).run(statement));
  return { rows: result, requests };
}

/** The Trino error of a statement that must fail (and the requests it caused). */
async function failing(user: string, catalog: string, statement: string) {
  const { result, requests } = await requestsDuring(server, () =>
    trino
      .as(user, catalog)
      .run(statement)
      .then(
        () => undefined,
        (e: unknown) => e,
      ),
  );
  expect(result, `${statement} should fail`).toBeInstanceOf(TrinoQueryError);
  return { error: result as TrinoQueryError, requests };
}

const TOKENS = '/v1/oauth/tokens';
const catalogCalls = (requests: LoggedRequest[]) => requests.filter((r) => r.path.startsWith('/v1/lake/'));
const tokenCalls = (requests: LoggedRequest[]) => requests.filter((r) => r.path === TOKENS);
const refreshes = (requests: LoggedRequest[]) => requests.filter((r) => r.method === 'GET' && r.path.endsWith('/credentials'));
const tables = (ns: string) => `/v1/lake/namespaces/${ns}/tables`;
const asEngine = (p: CreatedPrincipal) => `service:${p.id}`;
const asUser = (user: string, p: CreatedPrincipal) => `user:${user} via ${p.id}`;

/** What Trino's USER mode does, by hand: the engine's token, then an exchange of an unsigned JWT naming the user. */
async function delegatedToken(engineCredential: CreatedPrincipal, user: string): Promise<string> {
  const actor = await clientToken(server.url, engineCredential.credential);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const subject = `${b64({ alg: 'none' })}.${b64({ sub: user, iss: '476', user, source: 'lakegate-tests' })}.`;
  const res = await fetch(`${server.url}/v1/oauth/tokens`, {
    method: 'POST',
    // As Iceberg Java sends it: the engine's token authenticates the client (Bearer) and is the actor token.
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${actor}` },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subject,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      actor_token: actor,
      actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'catalog',
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function keys(prefix: string): Promise<string[]> {
  const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

describe('Trino 476 with engine identity (session NONE) and vended credentials only', () => {
  it('creates a schema and tables, inserts, runs a CTAS (stage-create + commit), reads back exactly, adds a column and drops', async () => {
    const all: LoggedRequest[] = [];
    const run = async (statement: string) => {
      const { rows, requests } = await sql('etl', 'lake', statement);
      all.push(...requests);
      return { rows, requests };
    };

    await run(`CREATE SCHEMA lake.etl WITH (location = '${ROOT}/etl')`);
    const create = await run('CREATE TABLE lake.etl.orders (id bigint, customer varchar, amount decimal(10,2), day date)');
    // Trino creates through a create-table transaction: stage-create, then the assert-create commit.
    const createCalls = catalogCalls(create.requests).map((r) => `${r.method} ${r.path}`);
    expect(createCalls).toEqual(expect.arrayContaining([`POST ${tables('etl')}`, `POST ${tables('etl')}/orders`]));
    expect(createCalls.indexOf(`POST ${tables('etl')}`)).toBeLessThan(createCalls.indexOf(`POST ${tables('etl')}/orders`));

    expect(
      (
        await run(
          "INSERT INTO lake.etl.orders VALUES (1, 'ada', 12.50, DATE '2026-01-01'), (2, 'bo', 3.25, DATE '2026-01-02'), (3, 'ada', 0.75, DATE '2026-01-03')",
        )
      ).rows,
    ).toEqual([[3]]);
    expect((await run('SELECT * FROM lake.etl.orders ORDER BY id')).rows).toEqual([
      [1, 'ada', '12.50', '2026-01-01'],
      [2, 'bo', '3.25', '2026-01-02'],
      [3, 'ada', '0.75', '2026-01-03'],
    ]);

    const ctas = await run('CREATE TABLE lake.etl.totals AS SELECT customer, sum(amount) AS total, count(*) AS n FROM lake.etl.orders GROUP BY customer');
    expect(ctas.rows).toEqual([[2]]);
    const ctasCalls = catalogCalls(ctas.requests);
    const stage = ctasCalls.findIndex((r) => r.method === 'POST' && r.path === tables('etl'));
    const commit = ctasCalls.findIndex((r) => r.method === 'POST' && r.path === `${tables('etl')}/totals`);
    expect(stage, describeRequests(ctas.requests).join('\n')).toBeGreaterThanOrEqual(0);
    expect(commit).toBeGreaterThan(stage);
    expect((await run('SELECT * FROM lake.etl.totals ORDER BY customer')).rows).toEqual([
      ['ada', '13.25', 2],
      ['bo', '3.25', 1],
    ]);

    await run('ALTER TABLE lake.etl.orders ADD COLUMN note varchar');
    await run("INSERT INTO lake.etl.orders VALUES (4, 'cy', 1.00, DATE '2026-01-04', 'late')");
    expect((await run('SELECT id, note FROM lake.etl.orders ORDER BY id')).rows).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, 'late'],
    ]);
    const loaded = await send('GET', `${tables('etl')}/orders`);
    expect(loaded.body.metadata.schemas.at(-1).fields.map((f: { name: string }) => f.name)).toEqual(['id', 'customer', 'amount', 'day', 'note']);

    // The data went to MinIO under the tables' own prefixes, written with vended credentials only.
    const totalsLocation: string = (await send('GET', `${tables('etl')}/totals`)).body.metadata.location;
    const totalsPrefix = `${totalsLocation.replace(`s3://${BUCKET}/`, '')}/`;
    expect((await keys(totalsPrefix)).some((k) => k.endsWith('.parquet'))).toBe(true);
    expect((await keys('wh/etl/orders-')).filter((k) => k.endsWith('.parquet')).length).toBeGreaterThanOrEqual(2);

    // DROP TABLE purges, softly (issue 39): the warehouse keeps dropped objects for 7 days and the engine does not hold
    // table:purge-immediately, so the table leaves the catalog at once and its files go when the retention ends.
    const drop = await run('DROP TABLE lake.etl.totals');
    expect(catalogCalls(drop.requests).map((r) => `${r.method} ${r.url} ${r.status}`)).toContain(`DELETE ${tables('etl')}/totals?purgeRequested=true 204`);
    expect((await send('GET', `${tables('etl')}/totals`)).status).toBe(404);
    expect((await keys(totalsPrefix)).some((k) => k.endsWith('.parquet'))).toBe(true);
    const dropped = (await send('GET', '/management/v1/warehouses/lake/dropped')).body.dropped as Array<{
      name: string;
      purge: boolean;
      'dropped-at-ms': number;
      'expires-at-ms': number;
      'dropped-by': string;
    }>;
    const totals = dropped.find((d) => d.name === 'totals');
    expect(totals, JSON.stringify(dropped)).toMatchObject({ purge: true });
    expect(totals!['expires-at-ms'] - totals!['dropped-at-ms']).toBe(7 * 24 * 3600_000);

    // Every catalog call was the engine; token requests all granted; never a credentials refresh.
    for (const r of catalogCalls(all)) expect(r.actor, `${r.method} ${r.url}`).toBe(asEngine(engine));
    for (const r of catalogCalls(all)) expect(r.status, `${r.method} ${r.url}`).toBeLessThan(500);
    expect(tokenCalls(all).every((r) => r.status === 200)).toBe(true);
    expect(refreshes(all)).toEqual([]);
    // Session NONE: a fresh client-credentials token for (almost) every call (see the file comment).
    console.info(`trino engine mode: ${catalogCalls(all).length} catalog calls, ${tokenCalls(all).length} token requests`);
    expect(tokenCalls(all).length).toBeGreaterThan(catalogCalls(all).length / 3);

    // No secret in either log: not the warehouse's keys, not the engine's, not a vended one.
    const vended = (await send('GET', `${tables('etl')}/orders`, undefined, { 'x-iceberg-access-delegation': 'vended-credentials' })).body.config;
    for (const log of [await server.settledOutput(), trino.log()]) {
      expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
      expect(log).not.toContain(engine.secret);
      expect(log).not.toContain(vended['s3.secret-access-key']);
      expect(log).not.toContain(vended['s3.session-token']);
    }
  });

  it('never refreshes vended credentials: a write outlives their reported expiry without a …/credentials call', async () => {
    await sql('etl', 'lake', 'CREATE TABLE lake.etl.events (id bigint, kind varchar)');
    const insert = await sql(
      'etl',
      'lake',
      "INSERT INTO lake.etl.events SELECT x * 1000 + y, 'gen' FROM UNNEST(sequence(1, 2000)) AS a(x) CROSS JOIN UNNEST(sequence(0, 999)) AS b(y)",
    );
    expect(insert.rows).toEqual([[2_000_000]]);
    // Every table load hands out credentials reported to expire 1 s later. Trino wrote its data file(s)
    // well after the last load that preceded them, and asked for no fresh credentials.
    const loads = catalogCalls(insert.requests).filter((r) => r.method === 'GET' && r.path === `${tables('etl')}/events`);
    const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'wh/etl/events-' }));
    const written = (listed.Contents ?? []).filter((o) => o.Key!.endsWith('.parquet')).map((o) => o.LastModified!.getTime());
    expect(written.length).toBeGreaterThanOrEqual(1);
    const lastWrite = Math.max(...written);
    const loadedBefore = loads.filter((r) => r.completedAt < lastWrite).map((r) => r.completedAt);
    expect(loadedBefore.length, describeRequests(insert.requests).join('\n')).toBeGreaterThanOrEqual(1);
    const heldMs = lastWrite - Math.max(...loadedBefore);
    const heap = await trino.heap();
    console.info(`trino heap after a 2M-row INSERT: ${heap.usedMB} of ${heap.maxMB} MB`);
    console.info(
      `trino INSERT: last data file written ${heldMs} ms after the last table load before it (reported lifetime ${REPORTED_LIFETIME_SECONDS * 1000} ms); refreshes: ${refreshes(insert.requests).length}`,
    );
    expect(heldMs).toBeGreaterThan(REPORTED_LIFETIME_SECONDS * 1000);
    expect(refreshes(insert.requests)).toEqual([]);
    expect((await sql('etl', 'lake', 'SELECT count(*), sum(id) FROM lake.etl.events')).rows).toEqual([[2_000_000, 2_001_999_000_000]]);
  });

  it('creates tables in a schema made without a location, at a default location the catalog shows', async () => {
    // Lakegate's loadNamespace shows `location` (<warehouse root>/<schema>) when the schema has none: Trino derives
    // the table location from it and stage-creates there, instead of creating at a location Lakegate then fills.
    await sql('etl', 'lake', 'CREATE SCHEMA lake.noloc');
    const created = await sql('etl', 'lake', 'CREATE TABLE lake.noloc.t (id bigint)');
    expect(catalogCalls(created.requests).some((r) => r.method === 'POST' && r.path === tables('noloc') && r.status === 200)).toBe(true);
    await sql('etl', 'lake', 'INSERT INTO lake.noloc.t VALUES (7)');
    expect((await sql('etl', 'lake', 'SELECT id FROM lake.noloc.t')).rows).toEqual([[7]]);
    const table = await send('GET', `${tables('noloc')}/t`);
    expect(table.body.metadata.location).toMatch(/^s3:\/\/lakegate-trino\/wh\/noloc\/t-/);
  });
});

describe("Trino's per-user sessions (iceberg.rest-catalog.session=USER)", () => {
  beforeAll(async () => {
    await sql('etl', 'lake', `CREATE SCHEMA lake.sales WITH (location = '${ROOT}/sales')`);
    await sql('etl', 'lake', 'CREATE TABLE lake.sales.orders (id bigint, region varchar, amount bigint)');
    await sql('etl', 'lake', "INSERT INTO lake.sales.orders VALUES (1, 'eu', 10), (2, 'us', 20), (3, 'eu', 30)");
    // alice (as Trino asserts her: issuer "asserted") may work in `sales`; bob holds no grant. The USER-mode
    // engines themselves hold none either: a user session is authorized as its user, never as the engine.
    await addMember(send, 'trino-analysts', { kind: 'user', name: 'alice', issuer: ASSERTED });
    await grant(send, 'trino-analysts', READ_WRITE_ALL, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  });

  it('runs alice as user:alice via the assert-identity engine once the session exists; before it, a token and the config as the engine', async () => {
    // alice's first query on lake_user is the catalog's first use: this shows everything Trino does before the session.
    const first = await sql('alice', 'lake_user', "SELECT id, amount FROM lake_user.sales.orders WHERE region = 'eu' ORDER BY id");
    expect(first.rows).toEqual([
      [1, 10],
      [3, 30],
    ]);
    const exchange = first.requests.findIndex((r) => r.path === '/v1/config') + 1;
    const before = first.requests.slice(0, exchange);
    console.info(
      `trino USER mode, before alice's session:\n${describeRequests(before).join('\n')}\nthen:\n${describeRequests(first.requests.slice(exchange)).join('\n')}`,
    );
    expect(before.map((r) => `${r.method} ${r.url} ${r.status} ${r.actor ?? '-'}`)).toEqual([
      `POST ${TOKENS} 200 -`, // client credentials of the engine (the catalog's own session)
      `GET /v1/config?warehouse=lake 200 ${asEngine(asserting)}`,
    ]);
    // Then the RFC 8693 exchange of Trino's unsigned JWT naming alice, the engine's token as actor.
    expect(first.requests[exchange]).toMatchObject({ method: 'POST', path: TOKENS, status: 200 });
    const after = first.requests.slice(exchange + 1);
    expect(catalogCalls(after).length).toBeGreaterThanOrEqual(2);
    for (const r of after) expect(r.actor, `${r.method} ${r.url}`).toBe(asUser('alice', asserting));

    const audit = await auditTrail(server);
    expect(audit.find((e) => e.type === 'token.delegated' && e.actor === `user:alice via ${asEngine(asserting)}`)?.detail).toMatchObject({
      how: 'asserted',
      subjectIssuer: 'asserted',
      scope: 'catalog',
    });

    // alice's CTAS (stage-create + commit) and her reading it back: all as alice, on the cached session.
    const ctas = await sql('alice', 'lake_user', "CREATE TABLE lake_user.sales.alice_eu AS SELECT id, amount FROM lake_user.sales.orders WHERE region = 'eu'");
    expect(ctas.rows).toEqual([[2]]);
    expect(tokenCalls(ctas.requests)).toEqual([]);
    const ctasCalls = catalogCalls(ctas.requests);
    expect(ctasCalls.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining([`POST ${tables('sales')}`, `POST ${tables('sales')}/alice_eu`]));
    for (const r of ctasCalls) expect(r.actor, `${r.method} ${r.url}`).toBe(asUser('alice', asserting));
    const back = await sql('alice', 'lake_user', 'SELECT * FROM lake_user.sales.alice_eu ORDER BY id');
    expect(back.rows).toEqual([
      [1, 10],
      [3, 30],
    ]);
    for (const r of back.requests) expect(r.actor).toBe(asUser('alice', asserting));
    expect(refreshes([...first.requests, ...ctas.requests, ...back.requests])).toEqual([]);
  });

  it("bob holds no grants: his session starts (one more exchange) but Lakegate's 403 fails his query", async () => {
    const { error, requests } = await failing('bob', 'lake_user', 'SELECT count(*) FROM lake_user.sales.orders');
    console.info(`trino, bob without grants: ${error.message}\n  ${error.causes.join('\n  ')}\n${describeRequests(requests).join('\n')}`);
    expect(tokenCalls(requests).map((r) => r.status)).toEqual([200]);
    const calls = catalogCalls(requests);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const r of calls) expect(r).toMatchObject({ status: 403, actor: asUser('bob', asserting) });
    expect(error.errorName).toBe('ICEBERG_CATALOG_ERROR');
    expect(error.causes.some((c) => c.startsWith('org.apache.iceberg.exceptions.ForbiddenException: Forbidden: '))).toBe(true);
  });

  it('credentials follow the user: bob as a reader reads, and MinIO refuses his write with the read-only credentials he was vended', async () => {
    await addMember(send, 'trino-readers', { kind: 'user', name: 'bob', issuer: ASSERTED });
    await grant(send, 'trino-readers', READ_ONLY, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
    expect((await sql('bob', 'lake_user', 'SELECT count(*), sum(amount) FROM lake_user.sales.orders')).rows).toEqual([[3, 60]]);

    const before = (await keys('wh/sales/orders-')).length;
    const { error, requests } = await failing('bob', 'lake_user', "INSERT INTO lake_user.sales.orders VALUES (9, 'eu', 90)");
    console.info(`trino, bob's INSERT as a reader: ${error.message}\n  ${error.causes.slice(0, 4).join('\n  ')}\n${describeRequests(requests).join('\n')}`);
    // Lakegate loaded the table for him (read-only credentials); the data file PUT was refused by MinIO.
    expect(catalogCalls(requests).some((r) => r.method === 'GET' && r.path === `${tables('sales')}/orders` && r.status === 200)).toBe(true);
    expect(error.errorName).toBe('HIVE_WRITER_CLOSE_ERROR');
    expect(error.causes.join('\n')).toMatch(/S3Exception: Access Denied\. \(Service: S3, Status Code: 403/);
    // Nothing was committed and no file landed.
    expect(catalogCalls(requests).filter((r) => r.method === 'POST' && r.path === `${tables('sales')}/orders`)).toEqual([]);
    expect((await keys('wh/sales/orders-')).length).toBe(before);
    for (const r of catalogCalls(requests)) expect(r.actor).toBe(asUser('bob', asserting));
  });

  it('refuses a Trino user the engine may not act for: invalid_request, audited, nothing runs as that user', async () => {
    const { error, requests } = await failing('mallory', 'lake_user', 'SELECT count(*) FROM lake_user.sales.orders');
    expect(error.errorName).toBe('ICEBERG_CATALOG_ERROR');
    expect(error.failure).toBe("Failed to load view 'orders'");
    expect(error.causes).toContain(
      'org.apache.iceberg.exceptions.BadRequestException: Malformed request: invalid_request: the actor is not allowed to act for this subject',
    );
    expect(tokenCalls(requests).map((r) => r.status)).toEqual([400]);
    expect(catalogCalls(requests)).toEqual([]);
    const denied = (await auditTrail(server)).find((e) => e.type === 'token.delegation.denied' && e.actor === asEngine(asserting));
    expect(denied?.detail).toMatchObject({ subject: 'mallory', how: 'asserted' });
  });

  it('refuses USER mode through an engine not marked assert-identity, even for users it may act for', async () => {
    const { error, requests } = await failing('alice', 'lake_plain', 'SELECT count(*) FROM lake_plain.sales.orders');
    console.info(`trino USER mode through a non-asserting engine: ${error.message}\n  ${error.causes.join('\n  ')}`);
    expect(error.errorName).toBe('ICEBERG_CATALOG_ERROR');
    expect(error.causes).toContain(
      'org.apache.iceberg.exceptions.BadRequestException: Malformed request: invalid_request: unsigned subject tokens are not accepted from this actor',
    );
    // The engine's own client-credentials grant and its config call succeed; the exchange is refused.
    expect(requests.map((r) => `${r.method} ${r.url} ${r.status} ${r.actor ?? '-'}`)).toEqual([
      `POST ${TOKENS} 200 -`,
      `GET /v1/config?warehouse=lake 200 ${asEngine(plain)}`,
      `POST ${TOKENS} 400 -`,
    ]);
    // Audited like any refused delegation (the subject is the name Trino asserted).
    const denied = (await auditTrail(server)).find((e) => e.type === 'token.delegation.denied' && e.actor === asEngine(plain));
    expect(denied?.detail).toMatchObject({ subject: 'alice', how: 'asserted' });
    expect(await server.settledOutput()).not.toContain(plain.secret);
  });

  it("a grant revoked mid-session ends alice's access at her next query, cleanly (but not to the table she created)", async () => {
    expect((await sql('alice', 'lake_user', 'SELECT count(*) FROM lake_user.sales.orders')).rows).toEqual([[3]]);
    expect((await sql('alice', 'lake_user', 'SELECT count(*) FROM lake_user.sales.alice_eu')).rows).toEqual([[2]]);
    await revoke(send, 'trino-analysts', READ_WRITE_ALL, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
    // The creator owns what she created (access.creator-owns, on by default): her CTAS table stays hers.
    expect((await sql('alice', 'lake_user', 'SELECT count(*) FROM lake_user.sales.alice_eu')).rows).toEqual([[2]]);
    const { error, requests } = await failing('alice', 'lake_user', 'SELECT count(*) FROM lake_user.sales.orders');
    // Her session (token) is still valid: no new exchange; the catalog refuses the call itself.
    expect(tokenCalls(requests)).toEqual([]);
    expect(catalogCalls(requests).map((r) => `${r.status} ${r.actor}`)).toEqual([`403 ${asUser('alice', asserting)}`]);
    expect(error.errorName).toBe('ICEBERG_CATALOG_ERROR');
    expect(error.causes.some((c) => c.startsWith('org.apache.iceberg.exceptions.ForbiddenException: Forbidden: Not allowed: '))).toBe(true);
    // Trino itself is fine: the engine-identity catalog still works.
    expect((await sql('etl', 'lake', 'SELECT count(*) FROM lake.sales.orders')).rows).toEqual([[3]]);
  });

  it("lets a user holding a grant on the table alone query it: Trino's view probe before the table load is a plain miss", async () => {
    // Trino asks for a view of the name before loading the table. Lakegate answers a missing view 404 to a caller who
    // may see the table of that name (otherwise 403, so that names do not leak).
    await revoke(send, 'trino-readers', READ_ONLY, { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
    await grant(send, 'trino-readers', ['table:read-data'], { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'orders' });
    const { rows, requests } = await sql('bob', 'lake_user', 'SELECT count(*) FROM lake_user.sales.orders');
    expect(rows).toEqual([[3]]);
    expect(catalogCalls(requests).map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('GET /v1/lake/namespaces/sales/views/orders 404');
    // A name that is nothing he may see still gets 403.
    const other = await failing('bob', 'lake_user', 'SELECT count(*) FROM lake_user.sales.secret_table');
    expect(catalogCalls(other.requests).map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('GET /v1/lake/namespaces/sales/views/secret_table 403');
  });
});
