/**
 * Catalog-supplied labels (apache/iceberg#15750) and a client that predates them: PyIceberg 0.12 loads a labelled
 * table and a labelled view (its pydantic models ignore the unknown `labels` member), so setting labels changes
 * nothing for it. Iceberg Java 1.12, which parses them, is in spark-1-12.test.ts.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { simpleSchema } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { pyicebergPython } from '../support/peers.js';
import { runAsync } from '../support/temp.js';

let cat: TestCatalog;
let url: string;
const labels = { 'object-labels': { owner: 'team-sales' }, fields: [{ 'field-id': 1, labels: { pii: 'none' } }] };

const inject = async (method: 'POST' | 'PUT' | 'GET', path: string, payload?: unknown) => {
  const r = await cat.lakegate.app.inject({ method, url: path, ...(payload === undefined ? {} : { payload: payload as object }) });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};

beforeAll(async () => {
  cat = await startInProcess();
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as AddressInfo).port}`;
  await inject('POST', '/v1/default/namespaces', { namespace: ['lab'] });
  await inject('POST', '/v1/default/namespaces/lab/tables', { name: 't', schema: simpleSchema });
  await inject('POST', '/v1/default/namespaces/lab/views', {
    name: 'v',
    schema: simpleSchema,
    'view-version': {
      'version-id': 1,
      'timestamp-ms': 1,
      'schema-id': 0,
      summary: {},
      'default-namespace': ['lab'],
      representations: [{ type: 'sql', sql: 'select * from t', dialect: 'spark' }],
    },
    properties: {},
  });
  await inject('PUT', '/management/v1/warehouses/default/namespaces/lab/tables/t/labels', labels);
  await inject('PUT', '/management/v1/warehouses/default/namespaces/lab/views/v/labels', labels);
}, 120_000);
afterAll(async () => cat?.close());

it('PyIceberg 0.12 loads a labelled table and view as before', async () => {
  // The answers do carry labels: what PyIceberg reads is the labelled answer.
  expect((await inject('GET', '/v1/default/namespaces/lab/tables/t')).labels).toEqual(labels);
  expect((await inject('GET', '/v1/default/namespaces/lab/views/v')).labels).toEqual(labels);
  const script = [
    'import json, sys',
    'from pyiceberg.catalog.rest import RestCatalog',
    "c = RestCatalog('lakegate', uri=sys.argv[1], warehouse='default')",
    "t = c.load_table(('lab', 't'))",
    "v = c.load_view(('lab', 'v'))",
    "print(json.dumps({'table': str(t.metadata.table_uuid), 'fields': [f.name for f in t.schema().fields], 'view': str(v.metadata.view_uuid)}))",
  ].join('\n');
  const run = await runAsync(pyicebergPython(), ['-c', script, url], { timeoutMs: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { table: string; fields: string[]; view: string };
  const table = await inject('GET', '/v1/default/namespaces/lab/tables/t');
  expect(out.table).toBe(table.metadata['table-uuid']);
  expect(out.fields).toEqual(simpleSchema.fields.map((f: { name: string }) => f.name));
  expect(out.view).toBe((await inject('GET', '/v1/default/namespaces/lab/views/v')).metadata['view-uuid']);
});
