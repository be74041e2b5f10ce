/**
 * The wire contract of @lakegate/protocol against the server as it runs today: the operations it describes
 * are the routes the server registers (and the endpoints it advertises), and a scenario touching every
 * operation sends requests that validate and gets answers that validate (success bodies against the
 * operation's response schema, errors against the surface's envelope), 63-bit snapshot ids included.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthTokenResponse, OPERATIONS, SURFACE_MOUNTS, buildOpenApiDocument, icebergEndpoints, routePath } from '@lakegate/protocol';
import { RequestValidation } from '@lakegate/protocol/validation';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { ICEBERG_ENDPOINTS } from '../../packages/server/src/http/routes/iceberg/endpoints.js';
import { type ContractExchange, contractSender } from '../support/contract-sender.js';
import { ADD_ONE_FUNCTION, appendUpdates, simpleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { lanceManifest } from '../support/lance-manifests.js';

let cat: TestCatalog;
let token: string;
let send: Send;
const log: ContractExchange[] = [];

const tokenRequest = (form: Record<string, string>) =>
  cat.lakegate.app.inject({
    method: 'POST',
    url: '/v1/oauth/tokens',
    payload: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const admin = cat.admin();
  const issued = await tokenRequest({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret });
  expect(issued.statusCode).toBe(200);
  const body = issued.json();
  expect(new RequestValidation().compile(OAuthTokenResponse, 'body')(body)).toBe(true);
  token = body.access_token;
  send = contractSender(cat.lakegate.app, log, () => ({ authorization: `Bearer ${token}` }));
});
afterAll(async () => cat?.close());

describe('operations and routes', () => {
  it('every operation of the contract is a route (and every route is an operation: see the next test)', () => {
    const app = cat.lakegate.app;
    for (const op of OPERATIONS)
      expect(app.hasRoute({ method: op.method, url: `${SURFACE_MOUNTS[op.surface]}${routePath(op)}` }), `${op.method} ${op.path}`).toBe(true);
    expect(app.hasRoute({ method: 'GET', url: '/v1/:prefix/nothing' })).toBe(false);
  });

  it('a route that is not an operation of its surface stops the server from starting', async () => {
    const { default: Fastify } = await import('fastify');
    const { useContract } = await import('../../packages/server/src/http/plugins/contract.js');
    const surface = (register: (app: import('fastify').FastifyInstance) => void) => async () => {
      const app = Fastify();
      await app.register(async (inner) => {
        useContract(inner, 'iceberg');
        register(inner);
      });
      await app.ready();
      await app.close();
    };
    await expect(surface((a) => a.get('/x', async () => ({})))()).rejects.toThrow(/not an operation of the wire contract/);
    await expect(surface((a) => a.get('/x', { schema: { operationId: 'listRoles' } }, async () => ({})))()).rejects.toThrow(
      /not an operation of the iceberg surface/,
    );
    await expect(surface((a) => a.get('/x', { schema: { hide: true } }, async () => ({})))()).resolves.toBeUndefined();
  });

  it('the served OpenAPI document is the one the contract generates', async () => {
    const served = await cat.lakegate.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(served.statusCode).toBe(200);
    expect(served.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(served.json().paths['/v1/{prefix}/namespaces/{namespace}/tables/{table}'].post.requestBody).toBeDefined();
    expect(Object.keys(served.json().components.securitySchemes).length).toBeGreaterThan(0);
  });

  it("derive the server's advertised Iceberg endpoints", () => {
    expect([...icebergEndpoints()].sort()).toEqual([...ICEBERG_ENDPOINTS].sort());
  });

  it('and the generated document describes each of them', () => {
    const doc = buildOpenApiDocument();
    for (const op of OPERATIONS) expect(doc.paths[op.path]?.[op.method.toLowerCase()], op.operationId).toBeDefined();
  });
});

describe('a scenario over every operation', () => {
  const ns = '/v1/default/namespaces';
  const L = '/lance/default/v1';
  const view = (sql: string, version = 1) => ({
    'version-id': version,
    'timestamp-ms': Date.now(),
    'schema-id': 0,
    summary: { 'engine-name': 'contract' },
    'default-namespace': ['c'],
    representations: [{ type: 'sql', sql, dialect: 'spark' }],
  });
  const ok = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const r = await send(method, path, body, headers);
    expect(r.status, `${method} ${path}: ${stringifyJson(r.body ?? null)}`).toBeLessThan(400);
    return r;
  };

  it('Iceberg: config, namespaces, tables, commits with 63-bit ids, transactions, credentials, metrics, views', async () => {
    await ok('GET', '/v1/config?warehouse=default');
    await ok('POST', ns, { namespace: ['c'], properties: { owner: 'contract' } });
    await ok('POST', ns, { namespace: ['c', 'sub'] });
    await ok('GET', `${ns}?pageSize=1&pageToken=`);
    await ok('GET', `${ns}?parent=c`);
    await ok('HEAD', `${ns}/c`);
    await ok('GET', `${ns}/c`);
    await ok('POST', `${ns}/c/properties`, { updates: { a: '1' }, removals: ['nope'] });

    const created = await ok(
      'POST',
      `${ns}/c/tables`,
      { name: 't', schema: simpleSchema, properties: { 'format-version': '2' } },
      { 'x-iceberg-access-delegation': 'vended-credentials' },
    );
    await ok('POST', `${ns}/c/tables`, { name: 'staged', schema: simpleSchema, 'stage-create': true });
    await ok('GET', `${ns}/c/tables?pageSize=10`);
    await ok('HEAD', `${ns}/c/tables/t`);
    const append = appendUpdates(created.body.metadata);
    const committed = await ok('POST', `${ns}/c/tables/t`, {
      identifier: { namespace: ['c'], name: 't' },
      requirements: append.requirements,
      updates: append.updates,
    });
    expect(committed.body.metadata['current-snapshot-id']).toBe(append.snapshotId);
    expect(typeof append.snapshotId).toBe('bigint');
    const loaded = await ok('GET', `${ns}/c/tables/t?snapshots=refs`);
    expect((await send('GET', `${ns}/c/tables/t?snapshots=refs`, undefined, { 'if-none-match': loaded.headers['etag']! })).status).toBe(304);
    await ok('GET', `${ns}/c/tables/t/credentials`);
    // Scan planning: a table without snapshots plans to nothing; t's manifest list was never written (422, planning.test.ts has the rest).
    await ok('POST', `${ns}/c/tables`, { name: 'p', schema: simpleSchema });
    const planned = await ok('POST', `${ns}/c/tables/p/plan`, { filter: { type: 'gt', term: 'id', value: 1 }, 'stats-fields': ['id'] });
    expect(planned.body).toMatchObject({ status: 'completed', 'file-scan-tasks': [] });
    await ok('GET', `${ns}/c/tables/p/plan/${planned.body['plan-id']}`);
    expect((await send('DELETE', `${ns}/c/tables/p/plan/${planned.body['plan-id']}`)).status).toBe(204);
    expect((await send('POST', `${ns}/c/tables/p/tasks`, { 'plan-task': 'pt1.forged' })).status).toBe(404);
    expect((await send('POST', `${ns}/c/tables/t/plan`, {})).status).toBe(422);
    // A file warehouse signs nothing: the refusal is in the Iceberg error model (signatures: test/http/remote-signing.test.ts).
    expect(
      (
        await send('POST', `${ns}/c/tables/t/sign`, {
          region: 'us-east-1',
          uri: 'http://127.0.0.1:9/b/k',
          method: 'GET',
          headers: { 'user-agent': ['contract'] },
        })
      ).status,
    ).toBe(403);
    expect(
      (await send('POST', '/v1/aws/s3/sign', { region: 'us-east-1', uri: 'http://127.0.0.1:9/b/k', method: 'GET', headers: { 'user-agent': ['contract'] } }))
        .status,
    ).toBe(403);
    await ok('POST', `${ns}/c/tables/t/metrics`, {
      'report-type': 'commit-report',
      'table-name': 'c.t',
      'snapshot-id': append.snapshotId,
      'sequence-number': 1,
      operation: 'append',
      metrics: { 'added-data-files': { unit: 'count', value: 1 }, 'total-duration': { 'time-unit': 'nanoseconds', count: 1, 'total-duration': 5 } },
    });
    await ok('POST', `${ns}/c/tables`, { name: 'u', schema: simpleSchema });
    await ok('POST', '/v1/default/transactions/commit', {
      'table-changes': [
        { identifier: { namespace: ['c'], name: 't' }, requirements: [], updates: [{ action: 'set-properties', updates: { x: '1' } }] },
        { identifier: { namespace: ['c'], name: 'u' }, updates: [{ action: 'set-properties', updates: { y: '1' } }] },
      ],
    });
    await ok('POST', '/v1/default/tables/rename', { source: { namespace: ['c'], name: 'u' }, destination: { namespace: ['c', 'sub'], name: 'u' } });
    const unregistered = await ok('POST', `${ns}/c/tables/t/unregister`);
    await ok('POST', `${ns}/c/register`, { name: 't', 'metadata-location': unregistered.body['metadata-location'] });
    await ok('DELETE', `${ns}/c/tables/t?purgeRequested=True`);
    await ok('DELETE', `${ns}/c%1Fsub/tables/u`);

    const v = await ok('POST', `${ns}/c/views`, { name: 'v', schema: simpleSchema, 'view-version': view('select 1') });
    await ok('GET', `${ns}/c/views`);
    await ok('HEAD', `${ns}/c/views/v`);
    await ok('GET', `${ns}/c/views/v`);
    // Catalog-supplied labels (apache/iceberg#15750): loadView answers them once set.
    const viewLabels = '/management/v1/warehouses/default/namespaces/c/views/v/labels';
    await ok('PUT', viewLabels, { 'object-labels': { owner: 'sales' }, fields: [{ 'field-id': 1, labels: { pii: 'none' } }] });
    await ok('GET', viewLabels);
    expect((await ok('GET', `${ns}/c/views/v`)).body.labels).toEqual({
      'object-labels': { owner: 'sales' },
      fields: [{ 'field-id': 1, labels: { pii: 'none' } }],
    });
    await ok('DELETE', viewLabels);
    // Row-filter and column-mask policies of the view (docs/authorization.md, "Policies on views").
    const viewPolicies = '/management/v1/warehouses/default/namespaces/c/views/v/policies';
    const viewPolicy = await ok('POST', viewPolicies, { kind: 'column-mask', roles: ['admin'], masks: [{ column: 'data', action: 'replace-with-null' }] });
    await ok('GET', viewPolicies);
    await ok('GET', `${viewPolicies}/${viewPolicy.body.id}`);
    await ok('PUT', `${viewPolicies}/${viewPolicy.body.id}`, {
      roles: ['admin'],
      masks: [{ 'field-id': 2, action: 'mask-to-fixed-value', value: 'x' }],
      version: 1,
    });
    await ok('GET', '/management/v1/warehouses/default/namespaces/c/views/v/effective-policy');
    await ok('DELETE', `${viewPolicies}/${viewPolicy.body.id}`);
    await ok('POST', `${ns}/c/views/v`, {
      requirements: [{ type: 'assert-view-uuid', uuid: v.body.metadata['view-uuid'] }],
      updates: [
        { action: 'add-view-version', 'view-version': view('select 2', 2) },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
    });
    await ok('POST', '/v1/default/views/rename', { source: { namespace: ['c'], name: 'v' }, destination: { namespace: ['c'], name: 'w' } });
    const w = await ok('GET', `${ns}/c/views/w`);
    await ok('DELETE', `${ns}/c/views/w`);
    await ok('POST', `${ns}/c/register-view`, { name: 'w', 'metadata-location': w.body['metadata-location'] });
    await ok('DELETE', `${ns}/c/views/w`);
    await ok('DELETE', `${ns}/c%1Fsub`);
  });

  it('Lance: namespaces and table metadata', async () => {
    await ok('POST', `${L}/namespace/ln/create`, { id: ['ln'], properties: { a: '1' } });
    await ok('GET', `${L}/namespace/%24/list?limit=10`);
    await ok('POST', `${L}/namespace/ln/describe`, { id: ['ln'] });
    await ok('POST', `${L}/namespace/ln/exists`);
    await ok('POST', `${L}/table/ln%24a/declare`, { id: ['ln', 'a'], vend_credentials: true });
    const declared = await ok('POST', `${L}/table/ln%24b/create-empty`, { id: ['ln', 'b'] });
    const versions = path.join(fileURLToPath(declared.body.location as string), '_versions');
    mkdirSync(versions, { recursive: true });
    writeFileSync(path.join(versions, '1.manifest-contract'), lanceManifest(1));
    await ok('POST', `${L}/table/ln%24b/version/create`, {
      id: ['ln', 'b'],
      version: 1,
      manifest_path: path.join(versions, '1.manifest-contract').slice(1),
      naming_scheme: 'V2',
    });
    await ok('POST', `${L}/table/ln%24b/version/list?descending=true&limit=1`);
    await ok('POST', `${L}/table/ln%24b/version/describe`, { id: ['ln', 'b'], version: 1 });
    await ok('POST', `${L}/table/ln%24b/restore`, { id: ['ln', 'b'], version: 1 });
    writeFileSync(path.join(versions, '3.manifest-batch'), lanceManifest(3));
    await ok('POST', `${L}/table/version/batch-create`, {
      entries: [{ id: ['ln', 'b'], version: 3, manifest_path: path.join(versions, '3.manifest-batch').slice(1) }],
    });
    const onDev = path.join(versions, '..', 'tree', 'dev', '_versions');
    mkdirSync(onDev, { recursive: true });
    writeFileSync(path.join(onDev, '1.manifest-dev'), lanceManifest(1));
    await ok('POST', `${L}/table/ln%24b/version/create`, { version: 1, branch: 'dev', manifest_path: path.join(onDev, '1.manifest-dev').slice(1) });
    await ok('POST', `${L}/table/ln%24b/branches/list?limit=10`);
    await ok('POST', `${L}/table/ln%24b/branches/delete`, { id: ['ln', 'b'], name: 'dev' });
    await ok('POST', `${L}/table/ln%24b/version/delete`, { id: ['ln', 'b'], ranges: [{ start_version: 0, end_version: -1 }] });
    await ok('POST', `${L}/table/ln%24b/rename`, { id: ['ln', 'b'], new_table_name: 'b2' });
    await ok('POST', `${L}/table/ln%24b2/rename`, { new_table_name: 'b' });
    await ok('GET', `${L}/namespace/ln/table/list`);
    await ok('GET', `${L}/table?limit=10&include_declared=true`);
    await ok('POST', `${L}/table/ln%24a/describe?with_table_uri=true`, { id: ['ln', 'a'] });
    await ok('POST', `${L}/table/ln%24a/exists`, {});
    const gone = await ok('POST', `${L}/table/ln%24a/deregister`, { id: ['ln', 'a'] });
    await ok('POST', `${L}/table/ln%24a/register`, { id: ['ln', 'a'], location: gone.body.location });
    // CreateTable with data: the catalog writes version 1 through LanceDB (issue 58).
    const rows = tableToIPC(tableFromArrays({ id: Int32Array.from([1, 2]) }), 'stream');
    expect((await ok('POST', `${L}/table/ln%24c/create?mode=create`, rows)).body).toMatchObject({ version: 1 });
    // UpdateFieldMetadata: the catalog commits version 2 through LanceDB.
    expect((await ok('POST', `${L}/table/ln%24c/update_field_metadata`, { updates: [{ path: 'id', metadata: { k: 'v' } }] })).body).toEqual({
      version: 2,
      fields: { id: { k: 'v' } },
    });
    // CreateTableBranch: the catalog's LanceDB creates the branch from version 1 and commits its first version.
    expect((await ok('POST', `${L}/table/ln%24c/branches/create`, { id: ['ln', 'c'], name: 'exp', from_version: 1 })).body).toEqual({});
    // AlterTableAddColumns: the catalog's LanceDB declares a computed column as version 3 of main.
    expect((await ok('POST', `${L}/table/ln%24c/add_columns`, { new_columns: [{ name: 'twice', computed: 'id * 2' }] })).body).toEqual({ version: 3 });
    // DescribeTable with load_detailed_metadata: the catalog's LanceDB opens version 3 for its JSON Arrow schema, and
    // the catalog reads its stats and the table metadata (none set) from the version's manifest.
    expect((await ok('POST', `${L}/table/ln%24c/describe`, { load_detailed_metadata: true })).body).toMatchObject({
      table: 'c',
      namespace: ['ln'],
      version: 3,
      schema: { fields: [{ name: 'id', nullable: false, type: { type: 'int32' } }, { name: 'twice' }] },
      stats: { num_deleted_rows: 0, num_fragments: 1 },
      metadata: {},
    });
    // The tag operations: the catalog's LanceDB writes and reads the dataset's _refs/tags/.
    expect((await ok('POST', `${L}/table/ln%24c/tags/create`, { id: ['ln', 'c'], tag: 'one', version: 1 })).body).toEqual({});
    expect((await ok('POST', `${L}/table/ln%24c/tags/update`, { tag: 'one', version: 2 })).body).toEqual({});
    expect((await ok('POST', `${L}/table/ln%24c/tags/list?limit=10`)).body.tags).toMatchObject({ one: { version: 2 } });
    expect((await ok('POST', `${L}/table/ln%24c/tags/version`, { tag: 'one' })).body).toEqual({ version: 2 });
    expect((await ok('POST', `${L}/table/ln%24c/tags/delete`, { tag: 'one' })).body).toEqual({});
    // CreateMaterializedView: the definition stored on a declared table (version 0); refresh and backfill need an
    // engine, so their exchanges are the 406 (code 0) in the Lance envelope, after the view and table are found.
    const schema = Buffer.from('arrow schema').toString('base64');
    expect(
      (await ok('POST', `${L}/materialized_view/ln%24mv/create`, { id: ['ln', 'mv'], kind: 'query', source_query: 'SELECT 1', output_schema: schema })).status,
    ).toBe(201);
    expect((await send('POST', `${L}/materialized_view/ln%24mv/refresh`, { src_version: 1 })).status).toBe(406);
    expect((await send('POST', `${L}/table/ln%24c/backfill_column`, { column: 'id' })).status).toBe(406);
    await ok('POST', `${L}/table/ln%24mv/drop`);
    await ok('POST', `${L}/table/ln%24c/drop`);
    await ok('POST', `${L}/table/ln%24a/drop`, { id: ['ln', 'a'] });
    await ok('POST', `${L}/table/ln%24b/drop`);
    await ok('POST', `${L}/namespace/ln/drop`, { id: ['ln'] });
  });

  it('management: principals, keys, warehouses, metrics reports, roles, grants, explain, audit', async () => {
    await ok('GET', '/management/v1/principals');
    const p = await ok('POST', '/management/v1/principals', { name: 'engine', delegation: { users: ['alice'] } });
    const id = p.body['client-id'] as string;
    await ok('POST', `/management/v1/principals/${id}/rotate-secret`);
    await ok('PUT', `/management/v1/principals/${id}/delegation`, { users: ['alice'], groups: [], 'assert-identity': true });
    await ok('PUT', `/management/v1/principals/${id}/delegation`, { users: [{ issuer: 'asserted', name: 'bob' }, 'alice'], groups: [] });
    const accessKey = await ok('POST', `/management/v1/principals/${id}/access-keys`);
    await ok('GET', `/management/v1/principals/${id}/access-keys`);
    await ok('DELETE', `/management/v1/principals/${id}/access-keys/${accessKey.body['access-key-id']}`);
    const key = await ok('POST', `/management/v1/principals/${id}/api-keys`, { name: 'ci', 'expires-in-seconds': 3600 });
    await ok('GET', `/management/v1/principals/${id}/api-keys`);
    await ok('DELETE', `/management/v1/api-keys/${key.body['key-id']}`);
    await ok('POST', `/management/v1/principals/${id}/revoke-tokens`);
    await ok('POST', `/management/v1/principals/${id}/disable`);
    await ok('POST', `/management/v1/principals/${id}/enable`);
    await ok('GET', '/management/v1/warehouses');
    await ok('POST', '/management/v1/warehouses', { name: 'second', 'storage-root': `file://${cat.dataDir}/second`, 'storage-profile': { type: 'file' } });
    const changed = await ok('POST', '/management/v1/warehouses/second/properties', {
      updates: { 'drop.retention-ms': '86400000', 'history.expire.min-snapshots-to-keep': '2' },
      removals: ['maintenance.interval-ms'],
    });
    expect(changed.body.properties).toMatchObject({ 'drop.retention-ms': '86400000', 'history.expire.min-snapshots-to-keep': '2' });
    expect((await ok('PUT', '/management/v1/warehouses/second/storage-profile', { 'storage-profile': { type: 'file' } })).body['storage-profile']).toEqual({
      type: 'file',
    });
    // A warehouse that is not federated has no remote to change: a 400 in the management error model (the contract
    // holds for the error answer too; the success path is test/http/federation-rotation.test.ts, with a real remote).
    const notFederated = await send('PUT', '/management/v1/warehouses/second/federation', { 'remove-federation-secret': true });
    expect(notFederated.status, stringifyJson(notFederated.body)).toBe(400);
    const noStatus = await send('GET', '/management/v1/warehouses/second/federation/status');
    expect(noStatus.status, stringifyJson(noStatus.body)).toBe(400);
    const noFailures = await send('GET', '/management/v1/warehouses/second/federation/failures?pageSize=10');
    expect(noFailures.status, stringifyJson(noFailures.body)).toBe(400);
    await ok('POST', '/v1/second/namespaces', { namespace: ['m'] });
    await ok('POST', '/v1/second/namespaces/m/tables', { name: 't', schema: simpleSchema });
    await ok('GET', '/management/v1/warehouses/second/namespaces/m/tables/t/metrics-reports?limit=5');
    await ok('DELETE', '/v1/second/namespaces/m/tables/t');
    const dropped = await ok('GET', '/management/v1/warehouses/second/dropped?pageSize=10');
    await ok('POST', `/management/v1/warehouses/second/dropped/${dropped.body.dropped[0].id}/undrop`, {});
    await ok('POST', '/management/v1/warehouses/second/namespaces/m/tables/t/maintenance', { 'dry-run': true, 'min-snapshots-to-keep': 1 });
    await ok('GET', '/management/v1/warehouses/second/namespaces/m/tables/t/maintenance');
    await ok('PUT', '/management/v1/tenants/acme/storage-grant', { roots: ['s3://acme-bucket'] });
    await ok('GET', '/management/v1/tenants/acme/storage-grant');

    await ok('POST', '/management/v1/roles', { name: 'analyst', description: 'reads' });
    await ok('GET', '/management/v1/roles');
    await ok('POST', '/management/v1/roles/analyst/members', { kind: 'principal', name: id });
    await ok('GET', '/management/v1/roles/analyst/members');
    const securable = { type: 'namespace', warehouse: 'second', namespace: ['m'] };
    await ok('POST', '/management/v1/grants', { role: 'analyst', privileges: ['table:read-data'], securable });
    await ok('GET', '/management/v1/roles/analyst');
    await ok('GET', '/management/v1/grants?role=analyst');
    await ok('GET', '/management/v1/grants?type=namespace&warehouse=second&namespace=m');
    await ok('POST', '/management/v1/explain', {
      subject: { kind: 'principal', name: id },
      privilege: 'table:read-data',
      securable: { ...securable, type: 'table', name: 't' },
    });
    // Row-filter and column-mask policies of the table (docs/authorization.md).
    const policies = '/management/v1/warehouses/second/namespaces/m/tables/t/policies';
    const policy = await ok('POST', policies, { kind: 'row-filter', roles: ['analyst'], filter: { type: 'gt', term: 'id', value: 9007199254740993n } });
    await ok('POST', policies, { kind: 'column-mask', roles: ['analyst'], masks: [{ column: 'data', action: 'mask-to-fixed-value', value: 'x' }] });
    await ok('GET', policies);
    await ok('GET', `${policies}/${policy.body.id}`);
    await ok('PUT', `${policies}/${policy.body.id}`, { roles: ['analyst'], filter: true, version: 1 });
    await ok('POST', '/management/v1/explain', {
      subject: { kind: 'principal', name: id },
      privilege: 'table:read-data',
      securable: { ...securable, type: 'table', name: 't' },
    });
    await ok('GET', '/management/v1/warehouses/second/namespaces/m/tables/t/effective-policy');
    await ok('DELETE', `${policies}/${policy.body.id}`);
    // Trusted policy enforcers of the warehouse (docs/authorization.md, "Engine-enforced policies").
    await ok('PUT', `/management/v1/warehouses/second/policy-enforcers/${id}`, { mechanism: 'trino-opa', 'trino-catalog': 'second' });
    await ok('GET', '/management/v1/warehouses/second/policy-enforcers');
    await ok('DELETE', `/management/v1/warehouses/second/policy-enforcers/${id}`);
    // Trino's OPA decision endpoints (the admin is no declared enforcer: every answer is a "no", in the answer's shape).
    const opa = (operation: string, extra: object) => ({ input: { context: { identity: { user: 'alice', groups: [] } }, action: { operation, ...extra } } });
    const tbl = { catalogName: 'second', schemaName: 'm', tableName: 't' };
    await ok('POST', '/management/v1/trino-opa/allow', opa('SelectFromColumns', { resource: { table: { ...tbl, columns: ['id'] } } }));
    await ok('POST', '/management/v1/trino-opa/batch', opa('FilterTables', { filterResources: [{ table: tbl }] }));
    await ok('POST', '/management/v1/trino-opa/row-filters', opa('GetRowFilters', { resource: { table: tbl } }));
    await ok(
      'POST',
      '/management/v1/trino-opa/column-mask',
      opa('GetColumnMask', { resource: { column: { ...tbl, columnName: 'id', columnType: 'bigint' } } }),
    );
    await ok(
      'POST',
      '/management/v1/trino-opa/batch-column-masks',
      opa('GetColumnMask', { filterResources: [{ column: { ...tbl, columnName: 'id', columnType: 'bigint' } }] }),
    );
    // Catalog-supplied labels of the table, on its load answer.
    const tableLabels = '/management/v1/warehouses/second/namespaces/m/tables/t/labels';
    await ok('PUT', tableLabels, { 'object-labels': { classification: 'internal' } });
    await ok('GET', tableLabels);
    expect((await ok('GET', '/v1/second/namespaces/m/tables/t')).body.labels).toEqual({ 'object-labels': { classification: 'internal' } });
    await ok('DELETE', tableLabels);
    // Functions (SQL UDFs): put through the management API, read on the Iceberg surface.
    const fn = '/management/v1/warehouses/second/namespaces/m/functions/add_one';
    const udf = ADD_ONE_FUNCTION;
    await ok('PUT', fn, udf);
    await ok('GET', fn);
    expect((await ok('GET', '/v1/second/namespaces/m/functions')).body.identifiers).toEqual([['m', 'add_one']]);
    expect((await ok('GET', '/v1/second/namespaces/m/functions/add_one')).body.metadata.definitions[0]['definition-id']).toBe('int');
    await ok('DELETE', fn);
    await ok('POST', '/management/v1/grants/revoke', { role: 'analyst', privilege: 'table:read-data', securable });
    await ok('POST', '/management/v1/roles/analyst/members/remove', { kind: 'principal', name: id });
    await ok('DELETE', '/management/v1/roles/analyst');
    await ok('GET', '/management/v1/audit?limit=5&decision=allow');
    await ok('GET', '/management/v1/events?warehouse=second&after=0&limit=5');
    const sink = await ok('POST', '/management/v1/warehouses/second/event-sinks', { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
    await ok('GET', '/management/v1/warehouses/second/event-sinks');
    await ok('GET', `/management/v1/warehouses/second/event-sinks/${(sink.body as { sink: { id: string } }).sink.id}`);
    await ok('DELETE', `/management/v1/warehouses/second/event-sinks/${(sink.body as { sink: { id: string } }).sink.id}`);
    // A tenant's events and sinks (roles, members, principals: docs/events.md "Tenant events").
    await ok('GET', '/management/v1/events?after=0&limit=5');
    const tenantSink = await ok('POST', '/management/v1/tenants/default/event-sinks', { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
    const tenantSinkId = (tenantSink.body as { sink: { id: string } }).sink.id;
    await ok('GET', '/management/v1/tenants/default/event-sinks');
    await ok('GET', `/management/v1/tenants/default/event-sinks/${tenantSinkId}`);
    await ok('DELETE', `/management/v1/tenants/default/event-sinks/${tenantSinkId}`);
  });

  it('OAuth discovery documents', async () => {
    await ok('GET', '/.well-known/oauth-authorization-server');
    await ok('GET', '/.well-known/jwks.json');
  });

  it('bad input: what the contract refuses, the server refuses too, in the surface envelope', async () => {
    const bad: Array<[string, string, unknown?]> = [
      ['POST', `${ns}`, { namespace: 'flat' }],
      ['POST', `${ns}/nope/tables/t`, { updates: [{ action: 'remove-snapshots', 'snapshot-ids': ['1'] }] }],
      ['GET', `${ns}?pageSize=ten`],
      ['POST', `${L}/namespace/x/create?delimiter=123456789`, {}],
      ['POST', '/management/v1/roles', { description: 'no name' }],
      ['POST', `${ns}/c/tables`, { name: 7, schema: { type: 'struct', fields: [] } }],
      ['POST', `${ns}/c/tables/t`, { updates: 'all of them' }],
      ['POST', `${ns}/c/tables/t`, { updates: [{ action: 'set-properties', updates: { k: 1 } }] }],
      ['POST', `${ns}/c/tables/t`, { requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 'x' }], updates: [] }],
      ['POST', '/v1/default/transactions/commit', { 'table-changes': { identifier: null } }],
      ['DELETE', `${ns}/c/tables/t?purgeRequested=maybe`],
      ['GET', `${ns}?pageSize=0`],
      ['POST', `${L}/table/ln%24a/describe?with_table_uri=yes`, {}],
      ['POST', `${L}/namespace/ln/create`, { properties: { a: 1 } }],
    ];
    for (const [method, path, body] of bad) {
      const before = log.length;
      const r = await send(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(log[before]!.requestIssues, `${method} ${path}`).not.toEqual([]);
      // Refused by the contract's schemas before any handler ran: the message names the part and field, never the value.
      const message = String(
        (r.body as { error?: { message?: string } | string }).error && typeof (r.body as { error: unknown }).error === 'object'
          ? (r.body as { error: { message: string } }).error.message
          : (r.body as { error: string }).error,
      );
      expect(message, `${method} ${path}`).toMatch(/^(body|query|params)\//);
      expect(message, `${method} ${path}`).not.toMatch(/all of them|maybe|yes/);
    }
  });

  it('null stands for absent only where Iceberg Java sends it (createTable location, partition-spec, write-order); null elsewhere is refused', async () => {
    // Not through `send`: the contract log holds requests to the letter of the document, which has no nulls here.
    const post = (url: string, payload: unknown) =>
      cat.lakegate.app.inject({
        method: 'POST',
        url,
        payload: JSON.stringify(payload),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const created = await post(`${ns}/c/tables`, {
      name: 'nulls',
      schema: simpleSchema,
      location: null,
      'partition-spec': null,
      'write-order': null,
      'stage-create': false,
      properties: {},
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().metadata['format-version']).toBe(2);
    for (const field of ['properties', 'stage-create']) {
      const refused = await post(`${ns}/c/tables`, { name: `nulls-${field}`, schema: simpleSchema, [field]: null });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toMatch(new RegExp(`^body/${field} `));
    }
    const noName = await post(`${ns}/c/tables`, { name: null, schema: simpleSchema });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.message).toMatch(/^body\/name /);
    const nestedRequired = await post(`${ns}/c/tables/nulls`, { updates: [{ action: 'set-properties', updates: null }] });
    expect(nestedRequired.statusCode).toBe(400);
    expect(nestedRequired.json().error.message).toMatch(/^body\/updates/);
  });

  it('every exchange held to the contract; every operation but the token endpoint covered', () => {
    const violations = log.filter((e) => e.responseIssues.length > 0 || (e.status < 400 && e.requestIssues.length > 0));
    expect(violations).toEqual([]);
    const covered = new Set(log.map((e) => e.operationId));
    // Form bodies: the token endpoint is checked in beforeAll; revocation and introspection in oauth-revocation.test.ts.
    const tokenEndpoints = ['getToken', 'issueToken', 'revokeToken', 'revokeToken2', 'introspectToken', 'introspectToken2'];
    expect(OPERATIONS.map((op) => op.operationId).filter((id) => !covered.has(id) && !tokenEndpoints.includes(id))).toEqual([]);
  });
});
