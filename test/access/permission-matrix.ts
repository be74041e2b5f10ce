/**
 * The permission matrix: every privilege-guarded operation of both protocols
 * (and the management API's grant editing) × how the caller came to hold
 * the privilege → allowed or 403. Generated from one table (OPERATIONS ×
 * MODES) and run against each authorizer adapter with its own environment
 * (the built-in one in the unit project, OpenFGA in the interop project).
 *
 * Every case gets fresh objects and a fresh subject, so no grant of one case
 * can leak into another.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { type Member, type Securable, addMember, grant } from '../support/access.js';
import { ADD_ONE_FUNCTION, appendUpdates, simpleSchema, type Send, sqlViewVersion } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { lanceManifest } from '../support/lance-manifests.js';
import { type FakeS3, startFakeS3 } from '../support/fake-s3.js';
import { type LocalIdp, startLocalIdp } from '../support/local-idp.js';

const WH = 'default';
/** An S3 warehouse (on an in-process fake S3) for the operations a file warehouse does not serve: remote signing. */
const SIGNING_WH = 'signing';
let signingEndpoint = '';
const BASE = 'm';
const enc = (levels: string[]) => encodeURIComponent(levels.join('\u001f'));
const view = (sql: string, ns: string[]) => sqlViewVersion(ns, sql, { timestampMs: Date.now(), summary: { 'engine-name': 'matrix' } });

/** A one-definition function (SQL UDF) for the function rows. */
const FUNCTION = ADD_ONE_FUNCTION;

/** One case's objects: namespace m.cN with child eu, table t (+ t2), view v, Lance table ds. */
interface Fixture {
  n: number;
  /** The warehouse of the case's objects. */
  wh: string;
  ns: string[];
  child: string[];
  /** Filled by prepare. */
  data: Record<string, any>;
}

type Place = 'table' | 'table2' | 'view' | 'lance' | 'ns' | 'child' | 'base' | 'warehouse';
const securable = (f: Fixture, place: Place): Securable => {
  switch (place) {
    case 'warehouse':
      return { type: 'warehouse', warehouse: f.wh };
    case 'base':
      return { type: 'namespace', warehouse: f.wh, namespace: [BASE] };
    case 'ns':
      return { type: 'namespace', warehouse: f.wh, namespace: f.ns };
    case 'child':
      return { type: 'namespace', warehouse: f.wh, namespace: f.child };
    case 'table':
      return { type: 'table', warehouse: f.wh, namespace: f.ns, name: 't' };
    case 'table2':
      return { type: 'table', warehouse: f.wh, namespace: f.ns, name: 't2' };
    case 'lance':
      return { type: 'table', warehouse: f.wh, namespace: f.ns, name: 'ds' };
    case 'view':
      return { type: 'view', warehouse: f.wh, namespace: f.ns, name: 'v' };
  }
};

interface Operation {
  name: string;
  surface: 'iceberg' | 'lance' | 'management';
  /** Each privilege needed, where it is granted directly, and an ancestor it can be inherited from (none: no ancestor to test). */
  needs: Array<{ privilege: string; direct: Place; inherited?: Place }>;
  /** Objects the case needs, made by the admin. */
  objects: Array<'table' | 'table2' | 'view' | 'function' | 'lance' | 'lance-versioned' | 'lance-view' | 'child' | 'unregistered' | 'dropped'>;
  /** The warehouse the case runs in (default: the file warehouse). */
  wh?: string;
  request: (f: Fixture) => { method: string; url: string; body?: unknown };
  ok: number;
  /** A listing that filters instead of refusing: whether the case's object is in the answer (denied: still `ok`, not listed). */
  listed?: (f: Fixture, body: any) => boolean;
}

const T = (f: Fixture, name = 't') => `/v1/${f.wh}/namespaces/${enc(f.ns)}/tables/${name}`;
/** A sign request for an object inside the case's table t (path-style on the fake S3). */
const signBody = (f: Fixture, method: string) => ({
  region: 'us-east-1',
  uri: `${signingEndpoint}/${f.data.t.location.slice('s3://'.length)}/data/x.parquet`,
  method,
  headers: {},
});
const L = `/lance/${WH}/v1`;
/** A query view's definition (CreateMaterializedView). */
const MATERIALIZED_VIEW = { kind: 'query', source_query: 'SELECT 1', output_schema: Buffer.from('schema').toString('base64') };
const lid = (f: Fixture, ...rest: string[]) => encodeURIComponent([...f.ns, ...rest].join('$'));

const OPERATIONS: Operation[] = [
  // Iceberg namespaces
  {
    name: 'listNamespaces',
    surface: 'iceberg',
    needs: [{ privilege: 'namespace:list', direct: 'ns', inherited: 'base' }],
    objects: ['child'],
    request: (f) => ({ method: 'GET', url: `/v1/${WH}/namespaces?parent=${enc(f.ns)}` }),
    ok: 200,
  },
  {
    name: 'createNamespace',
    surface: 'iceberg',
    needs: [{ privilege: 'namespace:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({ method: 'POST', url: `/v1/${WH}/namespaces`, body: { namespace: [...f.ns, 'new'] } }),
    ok: 200,
  },
  {
    name: 'createNamespace (top level)',
    surface: 'iceberg',
    needs: [{ privilege: 'namespace:create', direct: 'warehouse' }],
    objects: [],
    request: (f) => ({ method: 'POST', url: `/v1/${WH}/namespaces`, body: { namespace: [`top${f.n}`] } }),
    ok: 200,
  },
  {
    name: 'loadNamespaceMetadata',
    surface: 'iceberg',
    needs: [{ privilege: 'namespace:list', direct: 'child', inherited: 'ns' }],
    objects: ['child'],
    request: (f) => ({ method: 'GET', url: `/v1/${WH}/namespaces/${enc(f.child)}` }),
    ok: 200,
  },
  {
    name: 'namespaceExists',
    surface: 'iceberg',
    needs: [{ privilege: 'namespace:list', direct: 'child', inherited: 'ns' }],
    objects: ['child'],
    request: (f) => ({ method: 'HEAD', url: `/v1/${WH}/namespaces/${enc(f.child)}` }),
    ok: 204,
  },
  {
    name: 'updateProperties',
    surface: 'iceberg',
    needs: [{ privilege: 'namespace:update-properties', direct: 'child', inherited: 'ns' }],
    objects: ['child'],
    request: (f) => ({ method: 'POST', url: `/v1/${WH}/namespaces/${enc(f.child)}/properties`, body: { updates: { owner: 'x' }, removals: [] } }),
    ok: 200,
  },
  {
    name: 'dropNamespace',
    surface: 'iceberg',
    needs: [{ privilege: 'namespace:drop', direct: 'child', inherited: 'ns' }],
    objects: ['child'],
    request: (f) => ({ method: 'DELETE', url: `/v1/${WH}/namespaces/${enc(f.child)}` }),
    ok: 204,
  },
  // Iceberg tables
  {
    name: 'listTables',
    surface: 'iceberg',
    needs: [{ privilege: 'table:list', direct: 'ns', inherited: 'base' }],
    objects: ['table'],
    request: (f) => ({ method: 'GET', url: `/v1/${WH}/namespaces/${enc(f.ns)}/tables` }),
    ok: 200,
  },
  {
    name: 'createTable',
    surface: 'iceberg',
    needs: [{ privilege: 'table:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({ method: 'POST', url: `/v1/${WH}/namespaces/${enc(f.ns)}/tables`, body: { name: 'created', schema: simpleSchema } }),
    ok: 200,
  },
  {
    name: 'createTable (stage-create)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({ method: 'POST', url: `/v1/${WH}/namespaces/${enc(f.ns)}/tables`, body: { name: 'staged', schema: simpleSchema, 'stage-create': true } }),
    ok: 200,
  },
  {
    name: 'loadTable',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-metadata', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'GET', url: T(f) }),
    ok: 200,
  },
  // Through a view (referenced-by): still the caller's own privilege on the table, never the view's (docs/authorization.md, "Access through a view").
  {
    name: 'loadTable (referenced-by a view)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-metadata', direct: 'table', inherited: 'ns' }],
    objects: ['table', 'view'],
    request: (f) => ({ method: 'GET', url: `${T(f)}?referenced-by=${enc([...f.ns, 'v'])}` }),
    ok: 200,
  },
  {
    name: 'tableExists',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-metadata', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'HEAD', url: T(f) }),
    ok: 204,
  },
  {
    name: 'updateTable (append)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:write-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => {
      const { snapshotId: _id, ...change } = appendUpdates(f.data.t);
      return { method: 'POST', url: T(f), body: change };
    },
    ok: 200,
  },
  {
    name: 'dropTable',
    surface: 'iceberg',
    needs: [{ privilege: 'table:drop', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'DELETE', url: T(f) }),
    ok: 204,
  },
  {
    name: 'dropTable (purge)',
    surface: 'iceberg',
    needs: [
      { privilege: 'table:drop', direct: 'table', inherited: 'ns' },
      { privilege: 'table:write-data', direct: 'table', inherited: 'ns' },
    ],
    objects: ['table'],
    request: (f) => ({ method: 'DELETE', url: `${T(f)}?purgeRequested=true` }),
    ok: 204,
  },
  {
    name: 'renameTable',
    surface: 'iceberg',
    needs: [
      { privilege: 'table:drop', direct: 'table', inherited: 'ns' },
      { privilege: 'table:create', direct: 'child', inherited: 'ns' },
    ],
    objects: ['table', 'child'],
    request: (f) => ({
      method: 'POST',
      url: `/v1/${WH}/tables/rename`,
      body: { source: { namespace: f.ns, name: 't' }, destination: { namespace: f.child, name: 'moved' } },
    }),
    ok: 204,
  },
  {
    name: 'registerTable',
    surface: 'iceberg',
    needs: [{ privilege: 'table:create', direct: 'ns', inherited: 'base' }],
    objects: ['unregistered'],
    request: (f) => ({ method: 'POST', url: `/v1/${WH}/namespaces/${enc(f.ns)}/register`, body: { name: 'reg', 'metadata-location': f.data.unregistered } }),
    ok: 200,
  },
  {
    name: 'unregisterTable',
    surface: 'iceberg',
    needs: [
      { privilege: 'table:drop', direct: 'table', inherited: 'ns' },
      { privilege: 'table:read-metadata', direct: 'table', inherited: 'ns' },
    ],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `${T(f)}/unregister` }),
    ok: 200,
  },
  {
    name: 'loadCredentials',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'GET', url: `${T(f)}/credentials` }),
    ok: 200,
  },
  // Scan planning: read-data on every call. A plan id or plan task is its owner's alone, so the case's subject (allowed) gets
  // 404 for ids it does not own; what the matrix checks is the gate before that: 403 without the privilege.
  {
    name: 'planTableScan',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `${T(f)}/plan`, body: {} }),
    ok: 200,
  },
  {
    name: 'fetchPlanningResult (not its plan)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'GET', url: `${T(f)}/plan/p${f.n}` }),
    ok: 404,
  },
  {
    name: 'cancelPlanning (not its plan)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'DELETE', url: `${T(f)}/plan/p${f.n}` }),
    ok: 404,
  },
  {
    name: 'fetchScanTasks (not its plan task)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `${T(f)}/tasks`, body: { 'plan-task': `pt1.forged${f.n}` } }),
    ok: 404,
  },
  {
    name: 'loadCredentials (referenced-by a view)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table', 'view'],
    request: (f) => ({ method: 'GET', url: `${T(f)}/credentials?referenced-by=${enc([...f.ns, 'v'])}` }),
    ok: 200,
  },
  {
    name: 'reportMetrics (scan)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:read-metadata', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `${T(f)}/metrics`, body: { 'report-type': 'scan-report', 'table-name': 't' } }),
    ok: 204,
  },
  {
    name: 'reportMetrics (commit)',
    surface: 'iceberg',
    needs: [{ privilege: 'table:write-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `${T(f)}/metrics`, body: { 'report-type': 'commit-report', 'table-name': 't' } }),
    ok: 204,
  },
  {
    name: 'commitTransaction (every table)',
    surface: 'iceberg',
    needs: [
      { privilege: 'table:write-data', direct: 'table', inherited: 'ns' },
      { privilege: 'table:write-data', direct: 'table2', inherited: 'ns' },
    ],
    objects: ['table', 'table2'],
    request: (f) => {
      const change = (name: string, metadata: unknown) => {
        const { snapshotId: _id, ...rest } = appendUpdates(metadata);
        return { identifier: { namespace: f.ns, name }, ...rest };
      };
      return { method: 'POST', url: `/v1/${WH}/transactions/commit`, body: { 'table-changes': [change('t', f.data.t), change('t2', f.data.t2)] } };
    },
    ok: 204,
  },
  // Iceberg views
  {
    name: 'listViews',
    surface: 'iceberg',
    needs: [{ privilege: 'view:list', direct: 'ns', inherited: 'base' }],
    objects: ['view'],
    request: (f) => ({ method: 'GET', url: `/v1/${WH}/namespaces/${enc(f.ns)}/views` }),
    ok: 200,
  },
  {
    name: 'createView',
    surface: 'iceberg',
    needs: [{ privilege: 'view:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({
      method: 'POST',
      url: `/v1/${WH}/namespaces/${enc(f.ns)}/views`,
      body: { name: 'nv', schema: simpleSchema, 'view-version': view('select 1', f.ns) },
    }),
    ok: 200,
  },
  {
    name: 'loadView',
    surface: 'iceberg',
    needs: [{ privilege: 'view:read', direct: 'view', inherited: 'ns' }],
    objects: ['view'],
    request: (f) => ({ method: 'GET', url: `/v1/${WH}/namespaces/${enc(f.ns)}/views/v` }),
    ok: 200,
  },
  {
    name: 'viewExists',
    surface: 'iceberg',
    needs: [{ privilege: 'view:read', direct: 'view', inherited: 'ns' }],
    objects: ['view'],
    request: (f) => ({ method: 'HEAD', url: `/v1/${WH}/namespaces/${enc(f.ns)}/views/v` }),
    ok: 204,
  },
  {
    name: 'replaceView',
    surface: 'iceberg',
    needs: [{ privilege: 'view:replace', direct: 'view', inherited: 'ns' }],
    objects: ['view'],
    request: (f) => ({
      method: 'POST',
      url: `/v1/${WH}/namespaces/${enc(f.ns)}/views/v`,
      body: {
        requirements: [],
        updates: [
          { action: 'add-view-version', 'view-version': { ...view('select 2', f.ns), 'version-id': 2 } },
          { action: 'set-current-view-version', 'view-version-id': -1 },
        ],
      },
    }),
    ok: 200,
  },
  // Functions (SQL UDFs): granted on their namespace or warehouse, like views' container grants
  {
    name: 'listFunctions',
    surface: 'iceberg',
    needs: [{ privilege: 'function:list', direct: 'ns', inherited: 'base' }],
    objects: ['function'],
    request: (f) => ({ method: 'GET', url: `/v1/${WH}/namespaces/${enc(f.ns)}/functions` }),
    ok: 200,
  },
  {
    name: 'loadFunction',
    surface: 'iceberg',
    needs: [{ privilege: 'function:read', direct: 'ns', inherited: 'base' }],
    objects: ['function'],
    request: (f) => ({ method: 'GET', url: `/v1/${WH}/namespaces/${enc(f.ns)}/functions/fn` }),
    ok: 200,
  },
  {
    name: 'getFunction',
    surface: 'management',
    needs: [{ privilege: 'function:read', direct: 'ns', inherited: 'base' }],
    objects: ['function'],
    request: (f) => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/functions/fn` }),
    ok: 200,
  },
  {
    name: 'putFunction (create)',
    surface: 'management',
    needs: [{ privilege: 'function:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({ method: 'PUT', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/functions/fn`, body: FUNCTION }),
    ok: 200,
  },
  {
    name: 'putFunction (replace)',
    surface: 'management',
    needs: [{ privilege: 'function:replace', direct: 'ns', inherited: 'base' }],
    objects: ['function'],
    request: (f) => ({ method: 'PUT', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/functions/fn`, body: FUNCTION }),
    ok: 200,
  },
  {
    name: 'dropFunction',
    surface: 'management',
    needs: [{ privilege: 'function:drop', direct: 'ns', inherited: 'base' }],
    objects: ['function'],
    request: (f) => ({ method: 'DELETE', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/functions/fn` }),
    ok: 204,
  },
  {
    name: 'dropView',
    surface: 'iceberg',
    needs: [{ privilege: 'view:drop', direct: 'view', inherited: 'ns' }],
    objects: ['view'],
    request: (f) => ({ method: 'DELETE', url: `/v1/${WH}/namespaces/${enc(f.ns)}/views/v` }),
    ok: 204,
  },
  {
    name: 'renameView',
    surface: 'iceberg',
    needs: [
      { privilege: 'view:drop', direct: 'view', inherited: 'ns' },
      { privilege: 'view:create', direct: 'child', inherited: 'ns' },
    ],
    objects: ['view', 'child'],
    request: (f) => ({
      method: 'POST',
      url: `/v1/${WH}/views/rename`,
      body: { source: { namespace: f.ns, name: 'v' }, destination: { namespace: f.child, name: 'moved' } },
    }),
    ok: 204,
  },
  // Remote signing (an S3 warehouse): reads need table:read-data, writes table:write-data
  {
    name: 'signRequest (GetObject)',
    surface: 'iceberg',
    wh: SIGNING_WH,
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `${T(f)}/sign`, body: signBody(f, 'GET') }),
    ok: 200,
  },
  {
    name: 'signRequest (PutObject)',
    surface: 'iceberg',
    wh: SIGNING_WH,
    needs: [{ privilege: 'table:write-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `${T(f)}/sign`, body: signBody(f, 'PUT') }),
    ok: 200,
  },
  // The unscoped default endpoint (sign-default.ts): the table is found from the key, then the same privileges
  {
    name: 'signRequestByLocation (GetObject)',
    surface: 'iceberg',
    wh: SIGNING_WH,
    needs: [{ privilege: 'table:read-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: '/v1/aws/s3/sign', body: signBody(f, 'GET') }),
    ok: 200,
  },
  {
    name: 'signRequestByLocation (PutObject)',
    surface: 'iceberg',
    wh: SIGNING_WH,
    needs: [{ privilege: 'table:write-data', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: '/v1/aws/s3/sign', body: signBody(f, 'PUT') }),
    ok: 200,
  },
  // Lance
  {
    name: 'lance ListNamespaces',
    surface: 'lance',
    needs: [{ privilege: 'namespace:list', direct: 'ns', inherited: 'base' }],
    objects: ['child'],
    request: (f) => ({ method: 'GET', url: `${L}/namespace/${lid(f)}/list` }),
    ok: 200,
  },
  {
    name: 'lance CreateNamespace',
    surface: 'lance',
    needs: [{ privilege: 'namespace:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({ method: 'POST', url: `${L}/namespace/${lid(f, 'new')}/create`, body: { id: [...f.ns, 'new'] } }),
    ok: 200,
  },
  {
    name: 'lance DescribeNamespace',
    surface: 'lance',
    needs: [{ privilege: 'namespace:list', direct: 'child', inherited: 'ns' }],
    objects: ['child'],
    request: (f) => ({ method: 'POST', url: `${L}/namespace/${lid(f, 'eu')}/describe`, body: { id: f.child } }),
    ok: 200,
  },
  {
    name: 'lance DropNamespace',
    surface: 'lance',
    needs: [{ privilege: 'namespace:drop', direct: 'child', inherited: 'ns' }],
    objects: ['child'],
    request: (f) => ({ method: 'POST', url: `${L}/namespace/${lid(f, 'eu')}/drop`, body: { id: f.child } }),
    ok: 200,
  },
  {
    name: 'lance ListTables',
    surface: 'lance',
    needs: [{ privilege: 'table:list', direct: 'ns', inherited: 'base' }],
    objects: ['lance'],
    request: (f) => ({ method: 'GET', url: `${L}/namespace/${lid(f)}/table/list` }),
    ok: 200,
  },
  {
    name: 'lance ListAllTables (filtered)',
    surface: 'lance',
    needs: [{ privilege: 'table:list', direct: 'ns', inherited: 'base' }],
    objects: ['lance'],
    request: () => ({ method: 'GET', url: `${L}/table` }),
    ok: 200,
    listed: (f, body) => (body.tables as string[]).includes([...f.ns, 'ds'].join('$')),
  },
  {
    name: 'lance DeclareTable',
    surface: 'lance',
    needs: [{ privilege: 'table:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'nd')}/declare`, body: { id: [...f.ns, 'nd'] } }),
    ok: 200,
  },
  {
    name: 'lance DescribeTable',
    surface: 'lance',
    needs: [{ privilege: 'table:read-metadata', direct: 'lance', inherited: 'ns' }],
    objects: ['lance'],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'ds')}/describe`, body: { id: [...f.ns, 'ds'] } }),
    ok: 200,
  },
  {
    name: 'lance TableExists',
    surface: 'lance',
    needs: [{ privilege: 'table:read-metadata', direct: 'lance', inherited: 'ns' }],
    objects: ['lance'],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'ds')}/exists`, body: { id: [...f.ns, 'ds'] } }),
    ok: 200,
  },
  {
    name: 'lance DropTable (deletes data)',
    surface: 'lance',
    needs: [
      { privilege: 'table:drop', direct: 'lance', inherited: 'ns' },
      { privilege: 'table:write-data', direct: 'lance', inherited: 'ns' },
    ],
    objects: ['lance'],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'ds')}/drop`, body: { id: [...f.ns, 'ds'] } }),
    ok: 200,
  },
  {
    name: 'lance DeregisterTable',
    surface: 'lance',
    needs: [
      { privilege: 'table:drop', direct: 'lance', inherited: 'ns' },
      { privilege: 'table:read-metadata', direct: 'lance', inherited: 'ns' },
    ],
    objects: ['lance'],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'ds')}/deregister`, body: { id: [...f.ns, 'ds'] } }),
    ok: 200,
  },
  // Lance managed versions (the table has version 1; a manifest for version 2 is staged) and rename
  ...(
    [
      ['CreateTableVersion', 'table:write-data', 'version/create', (f: Fixture) => ({ version: 2, manifest_path: f.data.staged })],
      ['ListTableVersions', 'table:read-metadata', 'version/list', () => ({})],
      ['DescribeTableVersion', 'table:read-metadata', 'version/describe', () => ({ version: 1 })],
      ['BatchDeleteTableVersions', 'table:write-data', 'version/delete', () => ({ ranges: [{ start_version: 0, end_version: -1 }] })],
      ['RestoreTable', 'table:write-data', 'restore', () => ({ version: 1 })],
      ['ListTableBranches', 'table:read-metadata', 'branches/list', () => ({})],
      ['DeleteTableBranch', 'table:write-data', 'branches/delete', () => ({ name: 'dev' })],
      // The tag operations: the catalog's LanceDB reads and writes the dataset's _refs/tags/ for the caller.
      ['ListTableTags', 'table:read-metadata', 'tags/list', () => ({})],
      ['CreateTableTag', 'table:write-data', 'tags/create', () => ({ tag: 'one', version: 1 })],
    ] as const
  ).map(([name, privilege, op, body]): Operation => ({
    name: `lance ${name}`,
    surface: 'lance',
    needs: [{ privilege, direct: 'lance', inherited: 'ns' }],
    objects: ['lance-versioned'],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'ds')}/${op}`, body: body(f) }),
    ok: 200,
  })),
  {
    name: 'lance BatchCreateTableVersions',
    surface: 'lance',
    needs: [{ privilege: 'table:write-data', direct: 'lance', inherited: 'ns' }],
    objects: ['lance-versioned'],
    request: (f) => ({
      method: 'POST',
      url: `${L}/table/version/batch-create`,
      body: { entries: [{ id: [...f.ns, 'ds'], version: 2, manifest_path: f.data.staged }] },
    }),
    ok: 200,
  },
  {
    name: 'lance CreateMaterializedView',
    surface: 'lance',
    needs: [{ privilege: 'table:create', direct: 'ns', inherited: 'base' }],
    objects: [],
    request: (f) => ({ method: 'POST', url: `${L}/materialized_view/${lid(f, 'nv')}/create`, body: MATERIALIZED_VIEW }),
    ok: 201,
  },
  // Refresh and backfill need an engine: whoever may write the view or table gets the 406 (code 0), anyone else the 403.
  {
    name: 'lance RefreshMaterializedView (not supported)',
    surface: 'lance',
    needs: [{ privilege: 'table:write-data', direct: 'lance', inherited: 'ns' }],
    objects: ['lance-view'],
    request: (f) => ({ method: 'POST', url: `${L}/materialized_view/${lid(f, 'ds')}/refresh`, body: {} }),
    ok: 406,
  },
  {
    name: 'lance AlterTableBackfillColumns (not supported)',
    surface: 'lance',
    needs: [{ privilege: 'table:write-data', direct: 'lance', inherited: 'ns' }],
    objects: ['lance'],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'ds')}/backfill_column`, body: { column: 'id' } }),
    ok: 406,
  },
  {
    name: 'lance RenameTable',
    surface: 'lance',
    needs: [
      { privilege: 'table:drop', direct: 'lance', inherited: 'ns' },
      { privilege: 'table:create', direct: 'child', inherited: 'ns' },
    ],
    objects: ['lance', 'child'],
    request: (f) => ({ method: 'POST', url: `${L}/table/${lid(f, 'ds')}/rename`, body: { new_table_name: 'moved', new_namespace_id: f.child } }),
    ok: 200,
  },
  // Management: editing grants on a securable
  {
    name: 'grant on a table (grants:manage)',
    surface: 'management',
    needs: [{ privilege: 'grants:manage', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({
      method: 'POST',
      url: '/management/v1/grants',
      body: { role: `target-${f.n}`, privileges: ['table:read-data'], securable: securable(f, 'table') },
    }),
    ok: 201,
  },
  // Management: a warehouse's event sinks (the pull API, GET /management/v1/events, never answers 403: it filters, test/http/events.test.ts)
  {
    name: 'createEventSink (warehouse:manage)',
    surface: 'management',
    needs: [{ privilege: 'warehouse:manage', direct: 'warehouse' }],
    objects: [],
    request: () => ({
      method: 'POST',
      url: `/management/v1/warehouses/${WH}/event-sinks`,
      body: { kind: 'webhook', config: { url: 'https://hooks.example.test/hook' } },
    }),
    ok: 201,
  },
  {
    name: 'listEventSinks (warehouse:manage)',
    surface: 'management',
    needs: [{ privilege: 'warehouse:manage', direct: 'warehouse' }],
    objects: [],
    request: () => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/event-sinks` }),
    ok: 200,
  },
  // Management: table maintenance on demand, and dropped (soft-deleted) objects of the warehouse
  {
    name: 'runTableMaintenance',
    surface: 'management',
    needs: [{ privilege: 'table:maintain', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'POST', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/tables/t/maintenance`, body: { 'dry-run': true } }),
    ok: 200,
  },
  {
    name: 'getTableMaintenance',
    surface: 'management',
    needs: [{ privilege: 'table:maintain', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/tables/t/maintenance` }),
    ok: 200,
  },
  {
    // The job of a Lance table whose versions the catalog manages (its action is optimize, docs/maintenance.md).
    name: 'getTableMaintenance (a Lance table)',
    surface: 'management',
    needs: [{ privilege: 'table:maintain', direct: 'lance', inherited: 'ns' }],
    objects: ['lance-versioned'],
    request: (f) => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/tables/ds/maintenance` }),
    ok: 200,
  },
  // Management: row-filter and column-mask policies (grants:manage on the table; the effective policy: read-metadata)
  {
    name: 'listTablePolicies',
    surface: 'management',
    needs: [{ privilege: 'grants:manage', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/tables/t/policies` }),
    ok: 200,
  },
  {
    name: 'createTablePolicy',
    surface: 'management',
    needs: [{ privilege: 'grants:manage', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({
      method: 'POST',
      url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/tables/t/policies`,
      body: { kind: 'row-filter', roles: ['admin'], filter: { type: 'not-null', term: 'id' } },
    }),
    ok: 201,
  },
  {
    name: 'getEffectivePolicy',
    surface: 'management',
    needs: [{ privilege: 'table:read-metadata', direct: 'table', inherited: 'ns' }],
    objects: ['table'],
    request: (f) => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/tables/t/effective-policy` }),
    ok: 200,
  },
  {
    name: 'listViewPolicies',
    surface: 'management',
    needs: [{ privilege: 'grants:manage', direct: 'view', inherited: 'ns' }],
    objects: ['view'],
    request: (f) => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/views/v/policies` }),
    ok: 200,
  },
  {
    name: 'createViewPolicy',
    surface: 'management',
    needs: [{ privilege: 'grants:manage', direct: 'view', inherited: 'ns' }],
    objects: ['view'],
    request: (f) => ({
      method: 'POST',
      url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/views/v/policies`,
      body: { kind: 'row-filter', roles: ['admin'], filter: { type: 'not-null', term: 'id' } },
    }),
    ok: 201,
  },
  {
    name: 'getViewEffectivePolicy',
    surface: 'management',
    needs: [{ privilege: 'view:read', direct: 'view', inherited: 'ns' }],
    objects: ['view'],
    request: (f) => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/views/v/effective-policy` }),
    ok: 200,
  },
  {
    name: 'listDroppedObjects',
    surface: 'management',
    needs: [{ privilege: 'warehouse:list-dropped', direct: 'warehouse' }],
    objects: [],
    request: () => ({ method: 'GET', url: `/management/v1/warehouses/${WH}/dropped` }),
    ok: 200,
  },
  {
    name: 'undropObject',
    surface: 'management',
    needs: [{ privilege: 'warehouse:undrop', direct: 'warehouse' }],
    objects: ['dropped'],
    request: (f) => ({ method: 'POST', url: `/management/v1/warehouses/${WH}/dropped/${f.data.dropped}/undrop`, body: {} }),
    ok: 200,
  },
];

type Mode = 'direct' | 'inherited' | 'idp-group' | 'delegated' | 'engine-only' | 'not-granted';
const GRANTED: Mode[] = ['direct', 'inherited', 'idp-group', 'delegated'];
const MODES: Mode[] = [...GRANTED, 'engine-only', 'not-granted'];

export function permissionMatrix(label: string, env: () => Record<string, string> = () => ({})): void {
  describe(`permission matrix (${label})`, () => {
    let cat: TestCatalog;
    let idp: LocalIdp;
    let admin: Send;
    let s3: FakeS3 | undefined;
    let counter = 0;

    const form = async (params: Record<string, string>, headers: Record<string, string> = {}) => {
      const res = await cat.lakegate.app.inject({
        method: 'POST',
        url: '/v1/oauth/tokens',
        payload: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
      if (res.statusCode !== 200) throw new Error(`token request: ${res.statusCode} ${res.body}`);
      return res.json().access_token as string;
    };
    const principalToken = async (name: string) => {
      const p = await cat.lakegate.principals.create(name);
      return { clientId: p.clientId, token: await form({ grant_type: 'client_credentials', client_id: p.clientId, client_secret: p.clientSecret }) };
    };
    // The engine authenticates with its own token as Bearer, as Iceberg Java and the SDK do.
    const delegate = async (userToken: string, engineToken: string) =>
      form(
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: userToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          actor_token: engineToken,
          actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        },
        { authorization: `Bearer ${engineToken}` },
      );

    beforeAll(async () => {
      idp = await startLocalIdp('matrix');
      cat = await startInProcess({ LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idp.trusted()]), ...env() }, { auth: true });
      const a = cat.admin();
      admin = bearerSender(cat.lakegate.app, await form({ grant_type: 'client_credentials', client_id: a.client_id, client_secret: a.client_secret }));
      expect((await admin('POST', `/v1/${WH}/namespaces`, { namespace: [BASE] })).status).toBe(200);
      s3 = await startFakeS3();
      signingEndpoint = s3.endpoint;
      const signing = await admin('POST', '/management/v1/warehouses', {
        name: SIGNING_WH,
        'storage-root': 's3://matrix/wh',
        'storage-profile': { type: 's3', bucket: 'matrix', region: 'us-east-1', endpoint: s3.endpoint, 'path-style-access': true, 'sts-enabled': false },
        'storage-secret': { 'access-key-id': 'matrix', 'secret-access-key': 'matrix-secret' },
      });
      expect(signing.status, stringifyJson(signing.body)).toBe(201);
      expect((await admin('POST', `/v1/${SIGNING_WH}/namespaces`, { namespace: [BASE] })).status).toBe(200);
    });
    afterAll(async () => {
      await s3?.close();
      await cat?.close();
      await idp?.close();
    });

    async function prepare(op: Operation): Promise<Fixture> {
      const n = ++counter;
      const f: Fixture = { n, wh: op.wh ?? WH, ns: [BASE, `c${n}`], child: [BASE, `c${n}`, 'eu'], data: {} };
      const must = async (res: Awaited<ReturnType<Send>>, what: string) => {
        if (res.status >= 300) throw new Error(`setup ${what}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      };
      await must(await admin('POST', `/v1/${f.wh}/namespaces`, { namespace: f.ns }), 'namespace');
      for (const o of op.objects) {
        if (o === 'child') await must(await admin('POST', `/v1/${WH}/namespaces`, { namespace: f.child }), 'child');
        if (o === 'table' || o === 'table2') {
          const name = o === 'table' ? 't' : 't2';
          f.data[name] = (await must(await admin('POST', `/v1/${f.wh}/namespaces/${enc(f.ns)}/tables`, { name, schema: simpleSchema }), name)).metadata;
        }
        if (o === 'view')
          await must(
            await admin('POST', `/v1/${WH}/namespaces/${enc(f.ns)}/views`, { name: 'v', schema: simpleSchema, 'view-version': view('select 1', f.ns) }),
            'view',
          );
        if (o === 'function') await must(await admin('PUT', `/management/v1/warehouses/${WH}/namespaces/${enc(f.ns)}/functions/fn`, FUNCTION), 'function');
        if (o === 'lance') await must(await admin('POST', `${L}/table/${lid(f, 'ds')}/declare`, { id: [...f.ns, 'ds'] }), 'lance table');
        if (o === 'lance-view') await must(await admin('POST', `${L}/materialized_view/${lid(f, 'ds')}/create`, MATERIALIZED_VIEW), 'materialized view');
        if (o === 'lance-versioned') {
          const { location } = await must(await admin('POST', `${L}/table/${lid(f, 'ds')}/declare`, { id: [...f.ns, 'ds'] }), 'lance table');
          // Staged manifests as Lance writes them (object-store paths: the file path without its leading "/"); well-formed, so RestoreTable can restore version 1.
          const staged = (name: string, version: number) => {
            const file = path.join(fileURLToPath(location as string), '_versions', name);
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, lanceManifest(version));
            return file.slice(1);
          };
          await must(
            await admin('POST', `${L}/table/${lid(f, 'ds')}/version/create`, { version: 1, manifest_path: staged('1.manifest-setup', 1) }),
            'lance version 1',
          );
          f.data.staged = staged('2.manifest-case', 2);
          // A branch "dev" (its first version committed as Lance commits a branch it created) for the branch operations.
          const onDev = path.join(fileURLToPath(location as string), 'tree', 'dev', '_versions', '1.manifest-dev');
          mkdirSync(path.dirname(onDev), { recursive: true });
          writeFileSync(onDev, lanceManifest(1));
          await must(
            await admin('POST', `${L}/table/${lid(f, 'ds')}/version/create`, { version: 1, branch: 'dev', manifest_path: onDev.slice(1) }),
            'lance branch dev',
          );
        }
        if (o === 'dropped') {
          await must(await admin('POST', `/v1/${WH}/namespaces/${enc(f.ns)}/tables`, { name: 'gone', schema: simpleSchema }), 'table to drop');
          await must(await admin('DELETE', T(f, 'gone')), 'drop');
          const listed = (await must(await admin('GET', `/management/v1/warehouses/${WH}/dropped?pageSize=1000`), 'dropped')).dropped as Array<{
            id: string;
            namespace: string[];
          }>;
          f.data.dropped = listed.find((d) => d.namespace.join('.') === f.ns.join('.'))!.id;
        }
        if (o === 'unregistered') {
          const made = await must(
            await admin('POST', `/v1/${WH}/namespaces/${enc(f.ns)}/tables`, { name: 'gone', schema: simpleSchema }),
            'table to unregister',
          );
          await must(await admin('POST', `${T(f, 'gone')}/unregister`), 'unregister');
          f.data.unregistered = made['metadata-location'];
        }
      }
      if (op.surface === 'management') await must(await admin('POST', '/management/v1/roles', { name: `target-${n}` }), 'target role');
      return f;
    }

    /** The token to send, after giving the privileges the way the mode says. */
    async function subject(op: Operation, f: Fixture, mode: Mode): Promise<string> {
      const role = `r${f.n}`;
      const grantAll = async (where: 'direct' | 'inherited') => {
        for (const need of op.needs) await grant(admin, role, [need.privilege], securable(f, where === 'direct' ? need.direct : need.inherited!));
      };
      const user = `user${f.n}`;
      const group = `group${f.n}`;
      const member = (m: Member) => addMember(admin, role, m);
      switch (mode) {
        case 'direct':
        case 'inherited': {
          const p = await principalToken(`p${f.n}`);
          await member({ kind: 'principal', name: p.clientId });
          await grantAll(mode);
          return p.token;
        }
        case 'idp-group':
          await member({ kind: 'group', issuer: idp.issuer, name: group });
          await grantAll('direct');
          return idp.token(user, [group]);
        case 'delegated': {
          // The engine acts for the user; the user's grants decide, the engine holds none.
          await member({ kind: 'user', issuer: idp.issuer, name: user });
          await grantAll('direct');
          const engine = await principalToken(`engine${f.n}`);
          await cat.lakegate.principals.setDelegation(engine.clientId, { users: ['*'], groups: [], assertIdentity: false });
          return delegate(await idp.token(user), engine.token);
        }
        case 'engine-only': {
          // The engine holds the grants, the user it acts for does not: a delegated call is the user's.
          const engine = await principalToken(`engine${f.n}`);
          await cat.lakegate.principals.setDelegation(engine.clientId, { users: ['*'], groups: [], assertIdentity: false });
          await member({ kind: 'principal', name: engine.clientId });
          await grantAll('direct');
          return delegate(await idp.token(user), engine.token);
        }
        case 'not-granted':
          return (await principalToken(`p${f.n}`)).token;
      }
    }

    for (const op of OPERATIONS) {
      for (const mode of MODES) {
        if (mode === 'inherited' && op.needs.some((n) => n.inherited === undefined)) continue;
        const allowed = GRANTED.includes(mode);
        it(`${op.surface} ${op.name} · ${mode} → ${allowed ? 'allowed' : op.listed ? 'not listed' : '403'}`, async () => {
          const f = await prepare(op);
          const token = await subject(op, f, mode);
          const req = op.request(f);
          const res = await bearerSender(cat.lakegate.app, token)(req.method, req.url, req.body);
          if (op.listed) {
            expect(res.status, stringifyJson(res.body ?? null)).toBe(op.ok);
            expect(op.listed(f, res.body), stringifyJson(res.body ?? null)).toBe(allowed);
            return;
          }
          if (allowed) {
            expect(res.status, stringifyJson(res.body ?? null)).toBe(op.ok);
            return;
          }
          expect(res.status, stringifyJson(res.body ?? null)).toBe(403);
          if (op.surface === 'lance') expect(res.body).toMatchObject({ code: 15 });
          else if (req.method !== 'HEAD') expect(res.body.error.type).toBe('ForbiddenException');
        });
      }
      if (op.needs.length > 1) {
        it(`${op.surface} ${op.name} · only ${op.needs[0]!.privilege} → 403`, async () => {
          const f = await prepare(op);
          const p = await principalToken(`half${f.n}`);
          await addMember(admin, `half${f.n}`, { kind: 'principal', name: p.clientId });
          await grant(admin, `half${f.n}`, [op.needs[0]!.privilege], securable(f, op.needs[0]!.direct));
          const req = op.request(f);
          expect((await bearerSender(cat.lakegate.app, p.token)(req.method, req.url, req.body)).status).toBe(403);
        });
      }
    }

    it('records every denial in the audit trail with the caller, its act chain, the action and the object', async () => {
      const events = (await admin('GET', '/management/v1/audit?decision=deny&limit=1000')).body.events as Array<{
        type: string;
        actor: string;
        action?: string;
        object?: string;
        decision?: string;
      }>;
      const denied = events.filter((e) => e.type === 'access.denied');
      expect(denied.length).toBeGreaterThanOrEqual(OPERATIONS.filter((o) => !o.listed).length * 2);
      expect(denied.some((e) => / via engine/.test(e.actor) && e.actor.startsWith('user:user'))).toBe(true);
      expect(denied.every((e) => e.decision === 'deny' && e.action && (e.object?.startsWith(`${WH}/`) || e.object?.startsWith(`${SIGNING_WH}/`)))).toBe(true);
    });
  });
}
