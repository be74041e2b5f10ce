/**
 * Error statuses of every Iceberg REST operation against the responses the 1.11.0 OpenAPI document declares for it,
 * generated from one table: (operation, request, who asks) → expected status. Each row checks the status, that the
 * document declares it for that operation, and the Iceberg error model ({error:{message,type,code}}, code = status).
 * Every operation also gets a row without a token (401).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declared } from '../support/iceberg-spec-responses.js';
import { simpleSchema, sqlView } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { clientToken } from '../support/oauth.js';

type Method = 'GET' | 'POST' | 'DELETE' | 'HEAD';
type Who = 'admin' | 'nobody' | 'anonymous';
interface Row {
  op: string;
  what: string;
  method: Method;
  url: string;
  /** A function for bodies that need what the setup created. */
  body?: unknown;
  who?: Who;
  status: number;
}

const P = '/v1/default';
const NS = `${P}/namespaces/sc`;
const T = `${NS}/tables`;
const V = `${NS}/views`;
const view = (name: string) => sqlView(name, ['sc'], 'select 1', { properties: {} });
const id = (name: string, namespace = ['sc']) => ({ namespace, name });

const ROWS: Row[] = [
  { op: 'getConfig', what: 'unknown warehouse', method: 'GET', url: '/v1/config?warehouse=nope', status: 404 },
  { op: 'listNamespaces', what: 'unknown parent', method: 'GET', url: `${P}/namespaces?parent=nope`, status: 404 },
  { op: 'listNamespaces', what: 'pageSize 0', method: 'GET', url: `${P}/namespaces?pageSize=0`, status: 400 },
  { op: 'listNamespaces', what: 'a page token it never issued', method: 'GET', url: `${P}/namespaces?pageToken=%%%`, status: 400 },
  { op: 'createNamespace', what: 'no namespace', method: 'POST', url: `${P}/namespaces`, body: {}, status: 400 },
  { op: 'createNamespace', what: 'existing', method: 'POST', url: `${P}/namespaces`, body: { namespace: ['sc'] }, status: 409 },
  { op: 'createNamespace', what: 'without the privilege', method: 'POST', url: `${P}/namespaces`, body: { namespace: ['denied'] }, who: 'nobody', status: 403 },
  { op: 'loadNamespaceMetadata', what: 'missing', method: 'GET', url: `${P}/namespaces/nope`, status: 404 },
  { op: 'namespaceExists', what: 'missing', method: 'HEAD', url: `${P}/namespaces/nope`, status: 404 },
  { op: 'dropNamespace', what: 'missing', method: 'DELETE', url: `${P}/namespaces/nope`, status: 404 },
  { op: 'dropNamespace', what: 'not empty', method: 'DELETE', url: NS, status: 409 },
  {
    op: 'updateProperties',
    what: 'a key in both removals and updates',
    method: 'POST',
    url: `${NS}/properties`,
    body: { removals: ['a'], updates: { a: '1' } },
    status: 422,
  },
  { op: 'updateProperties', what: 'removals not a list', method: 'POST', url: `${NS}/properties`, body: { removals: 'a', updates: {} }, status: 400 },
  {
    op: 'updateProperties',
    what: 'missing namespace',
    method: 'POST',
    url: `${P}/namespaces/nope/properties`,
    body: { removals: [], updates: {} },
    status: 404,
  },
  { op: 'listTables', what: 'missing namespace', method: 'GET', url: `${P}/namespaces/nope/tables`, status: 404 },
  { op: 'createTable', what: 'no schema', method: 'POST', url: T, body: { name: 'x' }, status: 400 },
  { op: 'createTable', what: 'missing namespace', method: 'POST', url: `${P}/namespaces/nope/tables`, body: { name: 'x', schema: simpleSchema }, status: 404 },
  { op: 'createTable', what: 'existing', method: 'POST', url: T, body: { name: 't', schema: simpleSchema }, status: 409 },
  { op: 'registerTable', what: 'no metadata-location', method: 'POST', url: `${NS}/register`, body: { name: 'r' }, status: 400 },
  {
    op: 'registerTable',
    what: 'missing namespace',
    method: 'POST',
    url: `${P}/namespaces/nope/register`,
    body: () => ({ name: 'r', 'metadata-location': tMetadata }),
    status: 404,
  },
  { op: 'registerTable', what: 'existing', method: 'POST', url: `${NS}/register`, body: () => ({ name: 't2', 'metadata-location': tMetadata }), status: 409 },
  { op: 'loadTable', what: 'missing', method: 'GET', url: `${T}/nope`, status: 404 },
  { op: 'loadTable', what: 'snapshots=bad', method: 'GET', url: `${T}/t?snapshots=bad`, status: 400 },
  { op: 'updateTable', what: 'missing', method: 'POST', url: `${T}/nope`, body: { requirements: [], updates: [] }, status: 404 },
  {
    op: 'updateTable',
    what: 'a failed requirement',
    method: 'POST',
    url: `${T}/t`,
    body: { requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [] },
    status: 409,
  },
  {
    op: 'updateTable',
    what: 'an unknown update',
    method: 'POST',
    url: `${T}/t`,
    body: { requirements: [], updates: [{ action: 'no-such-action' }] },
    status: 400,
  },
  { op: 'dropTable', what: 'missing', method: 'DELETE', url: `${T}/nope`, status: 404 },
  { op: 'tableExists', what: 'missing', method: 'HEAD', url: `${T}/nope`, status: 404 },
  { op: 'loadCredentials', what: 'missing', method: 'GET', url: `${T}/nope/credentials`, status: 404 },
  { op: 'renameTable', what: 'missing source', method: 'POST', url: `${P}/tables/rename`, body: { source: id('nope'), destination: id('nope2') }, status: 404 },
  { op: 'renameTable', what: 'existing destination', method: 'POST', url: `${P}/tables/rename`, body: { source: id('t'), destination: id('t2') }, status: 409 },
  { op: 'renameTable', what: 'no source', method: 'POST', url: `${P}/tables/rename`, body: { destination: id('t3') }, status: 400 },
  { op: 'reportMetrics', what: 'missing table', method: 'POST', url: `${T}/nope/metrics`, body: { 'report-type': 'commit-report' }, status: 404 },
  {
    op: 'commitTransaction',
    what: 'a missing table',
    method: 'POST',
    url: `${P}/transactions/commit`,
    body: { 'table-changes': [{ identifier: id('nope'), requirements: [], updates: [] }] },
    status: 404,
  },
  {
    op: 'commitTransaction',
    what: 'a failed requirement',
    method: 'POST',
    url: `${P}/transactions/commit`,
    body: {
      'table-changes': [{ identifier: id('t'), requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [] }],
    },
    status: 409,
  },
  { op: 'commitTransaction', what: 'no table-changes', method: 'POST', url: `${P}/transactions/commit`, body: {}, status: 400 },
  { op: 'listViews', what: 'missing namespace', method: 'GET', url: `${P}/namespaces/nope/views`, status: 404 },
  { op: 'createView', what: 'missing namespace', method: 'POST', url: `${P}/namespaces/nope/views`, body: view('x'), status: 404 },
  { op: 'createView', what: 'existing', method: 'POST', url: V, body: view('v'), status: 409 },
  { op: 'createView', what: 'no view-version', method: 'POST', url: V, body: { name: 'x', schema: simpleSchema }, status: 400 },
  { op: 'loadView', what: 'missing', method: 'GET', url: `${V}/nope`, status: 404 },
  { op: 'replaceView', what: 'missing', method: 'POST', url: `${V}/nope`, body: { requirements: [], updates: [] }, status: 404 },
  { op: 'dropView', what: 'missing', method: 'DELETE', url: `${V}/nope`, status: 404 },
  { op: 'viewExists', what: 'missing', method: 'HEAD', url: `${V}/nope`, status: 404 },
  { op: 'renameView', what: 'missing source', method: 'POST', url: `${P}/views/rename`, body: { source: id('nope'), destination: id('nope2') }, status: 404 },
  { op: 'renameView', what: 'existing destination', method: 'POST', url: `${P}/views/rename`, body: { source: id('v'), destination: id('v2') }, status: 409 },
];

// One request per operation without a token: 401 everywhere.
const UNAUTHENTICATED: Row[] = [...new Map(ROWS.map((r) => [r.op, { ...r, what: 'no token', who: 'anonymous' as Who, status: 401 }])).values()];

let cat: TestCatalog;
/** The metadata file of table sc.t. */
let tMetadata = '';
const tokens: Record<Who, string | undefined> = { admin: undefined, nobody: undefined, anonymous: undefined };

async function send(row: Row) {
  const token = tokens[row.who ?? 'admin'];
  const body = typeof row.body === 'function' ? (row.body as () => unknown)() : row.body;
  return cat.lakegate.app.inject({
    method: row.method,
    url: row.url,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const a = cat.admin();
  tokens.admin = (await clientToken(cat.lakegate.app, a.client_id, a.client_secret)).access_token;
  const p = await cat.lakegate.principals.create('status-nobody');
  tokens.nobody = (await clientToken(cat.lakegate.app, p.clientId, p.clientSecret)).access_token;
  const setup: Row[] = [
    { op: 'createNamespace', what: '', method: 'POST', url: `${P}/namespaces`, body: { namespace: ['sc'] }, status: 200 },
    { op: 'createTable', what: '', method: 'POST', url: T, body: { name: 't', schema: simpleSchema }, status: 200 },
    { op: 'createTable', what: '', method: 'POST', url: T, body: { name: 't2', schema: simpleSchema }, status: 200 },
    { op: 'createView', what: '', method: 'POST', url: V, body: view('v'), status: 200 },
    { op: 'createView', what: '', method: 'POST', url: V, body: view('v2'), status: 200 },
  ];
  for (const row of setup) expect((await send(row)).statusCode, row.url).toBe(200);
  tMetadata = (await send({ op: 'loadTable', what: '', method: 'GET', url: `${T}/t`, status: 200 })).json()['metadata-location'];
});
afterAll(async () => cat?.close());

describe('Iceberg REST error statuses (1.11.0 document)', () => {
  it.each([...ROWS, ...UNAUTHENTICATED].map((r) => [`${r.op}: ${r.what} → ${r.status}`, r] as const))('%s', async (_name, row) => {
    expect(declared(row.op, row.status), `${row.status} is not declared for ${row.op}`).toBe(true);
    const res = await send(row);
    expect(res.statusCode, res.body).toBe(row.status);
    if (row.method === 'HEAD') return;
    const body = res.json();
    expect(body.error.code).toBe(row.status);
    expect(typeof body.error.type).toBe('string');
    expect(typeof body.error.message).toBe('string');
  });
});
