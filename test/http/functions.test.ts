/**
 * Functions (SQL UDFs, apache/iceberg#15180, issue 58) in-process: an administrator puts a function's metadata through
 * the management API; listFunctions and loadFunction answer it in the spec's shapes to callers holding the function
 * grants on the namespace (like views), and refuse the others (403, audited). /v1/config advertises both endpoints.
 * Bad metadata is a 400 saying which field; an unknown function is a 404 NoSuchFunctionException. Each change is
 * audited and a change event of the warehouse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grantPrincipal } from '../support/access.js';
import { type FakeS3 } from '../support/fake-s3.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { signedInPrincipal, grantedPrincipal } from '../support/principals.js';
import { startS3Catalog } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let s3: FakeS3;
let admin: Send;
let reader: { id: string; send: Send };
let lister: { id: string; send: Send };
let stranger: { id: string; send: Send };

const FN = '/management/v1/warehouses/lake/namespaces/sales/functions';
const UUID = '5c8f1d2e-3a4b-4c6d-8e9f-0a1b2c3d4e5f';

/** The spec's example shape: two overloads of add_one, spark and trino bodies. */
const addOne = {
  'function-uuid': UUID,
  'format-version': 1,
  definitions: [
    {
      'definition-id': 'int',
      parameters: [{ name: 'x', type: 'int', doc: 'the input' }],
      'return-type': 'int',
      'function-type': 'udf',
      versions: [
        {
          'version-id': 1,
          deterministic: true,
          representations: [
            { type: 'sql', dialect: 'spark', sql: 'x + 1' },
            { type: 'sql', dialect: 'trino', sql: 'x + 1' },
          ],
          'timestamp-ms': 1_700_000_000_000,
        },
      ],
      'current-version-id': 1,
    },
    {
      'definition-id': 'decimal(9,2)',
      'specific-name': 'add_one_decimal',
      parameters: [{ name: 'x', type: 'decimal(9,2)' }],
      'return-type': 'decimal(10,2)',
      'function-type': 'udf',
      versions: [{ 'version-id': 1, representations: [{ type: 'sql', dialect: 'spark', sql: 'x + 1' }], 'timestamp-ms': 1_700_000_000_000 }],
      'current-version-id': 1,
    },
  ],
  'definition-log': [
    {
      'timestamp-ms': 1_700_000_000_000,
      'definition-versions': [
        { 'definition-id': 'int', 'version-id': 1 },
        { 'definition-id': 'decimal(9,2)', 'version-id': 1 },
      ],
    },
  ],
  properties: { owner: 'team-sales' },
  doc: 'adds one',
};

const tableFn = {
  'format-version': 1,
  definitions: [
    {
      'definition-id': 'string',
      parameters: [{ name: 'region', type: 'string' }],
      'return-type': {
        type: 'struct',
        fields: [
          { name: 'id', type: 'long' },
          { name: 'tags', type: { type: 'list', element: 'string' } },
        ],
      },
      'function-type': 'udtf',
      versions: [
        { 'version-id': 3, representations: [{ type: 'sql', dialect: 'spark', sql: 'select id, tags from orders where region = region' }], 'timestamp-ms': 5 },
      ],
      'current-version-id': 3,
    },
  ],
};

beforeAll(async () => {
  ({ s3, cat, admin } = await startS3Catalog(['sales', 'hr']));
  reader = await signedInPrincipal(cat, 'fn-reader');
  lister = await signedInPrincipal(cat, 'fn-lister');
  stranger = await signedInPrincipal(cat, 'fn-stranger');
  await grantPrincipal(admin, reader.id, ['function:read', 'function:list'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  await grantPrincipal(admin, lister.id, ['function:list'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
  await grantPrincipal(admin, stranger.id, ['table:read-metadata', 'view:read'], { type: 'namespace', warehouse: 'lake', namespace: ['sales'] });
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('the Iceberg surface', () => {
  it('advertises listFunctions and loadFunction in /v1/config', async () => {
    const config = await admin('GET', '/v1/config?warehouse=lake');
    expect(config.status).toBe(200);
    expect(config.body.endpoints).toEqual(
      expect.arrayContaining(['GET /v1/{prefix}/namespaces/{namespace}/functions', 'GET /v1/{prefix}/namespaces/{namespace}/functions/{function}']),
    );
  });

  it('lists no functions in a namespace without any, and answers 404 NoSuchFunctionException for one that is not there', async () => {
    expect((await reader.send('GET', '/v1/lake/namespaces/sales/functions')).body).toEqual({ identifiers: [], 'next-page-token': null });
    const missing = await reader.send('GET', '/v1/lake/namespaces/sales/functions/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: 'NoSuchFunctionException', code: 404 });
    const noNamespace = await admin('GET', '/v1/lake/namespaces/nowhere/functions');
    expect(noNamespace.status).toBe(404);
    expect(noNamespace.body.error.type).toBe('NoSuchNamespaceException');
  });

  it('answers what an administrator put: the whole metadata, every overload, in the spec shape', async () => {
    const put = await admin('PUT', `${FN}/add_one`, addOne);
    expect(put.status, stringifyJson(put.body)).toBe(200);
    expect(put.body).toEqual({ metadata: addOne });
    const loaded = await reader.send('GET', '/v1/lake/namespaces/sales/functions/add_one');
    expect(loaded.status).toBe(200);
    expect(loaded.body).toEqual({ metadata: addOne });
    expect(loaded.body).not.toHaveProperty('metadata-location');
    // function-uuid and definition-log may be left out: the catalog fills them in.
    const udtf = await admin('PUT', `${FN}/orders_in`, tableFn);
    expect(udtf.status, stringifyJson(udtf.body)).toBe(200);
    expect(udtf.body.metadata['function-uuid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(udtf.body.metadata['definition-log']).toEqual([
      { 'timestamp-ms': expect.any(Number), 'definition-versions': [{ 'definition-id': 'string', 'version-id': 3 }] },
    ]);
    expect((await reader.send('GET', '/v1/lake/namespaces/sales/functions/orders_in')).body).toEqual(udtf.body);
  });

  it('lists the namespace functions as level lists, in name order, page by page', async () => {
    expect((await admin('PUT', `${FN}/Zeta`, tableFn)).status).toBe(200);
    const all = await lister.send('GET', '/v1/lake/namespaces/sales/functions');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      identifiers: [
        ['sales', 'Zeta'],
        ['sales', 'add_one'],
        ['sales', 'orders_in'],
      ],
      'next-page-token': null,
    });
    const first = await lister.send('GET', '/v1/lake/namespaces/sales/functions?pageToken=&pageSize=2');
    expect(first.body.identifiers).toEqual([
      ['sales', 'Zeta'],
      ['sales', 'add_one'],
    ]);
    expect(first.body['next-page-token']).toBeTypeOf('string');
    const second = await lister.send('GET', `/v1/lake/namespaces/sales/functions?pageToken=${encodeURIComponent(first.body['next-page-token'])}&pageSize=2`);
    expect(second.body).toEqual({ identifiers: [['sales', 'orders_in']], 'next-page-token': null });
    expect((await lister.send('GET', '/v1/lake/namespaces/sales/functions?pageToken=forged')).status).toBe(400);
    // Another namespace's functions are its own.
    expect((await admin('GET', '/v1/lake/namespaces/hr/functions')).body.identifiers).toEqual([]);
  });

  it('is authorized like views: function:read to load, function:list to list; others get 403, audited', async () => {
    expect((await lister.send('GET', '/v1/lake/namespaces/sales/functions/add_one')).status).toBe(403);
    const denied = await stranger.send('GET', '/v1/lake/namespaces/sales/functions/add_one');
    expect(denied.status).toBe(403);
    expect(denied.body.error.type).toBe('ForbiddenException');
    expect((await stranger.send('GET', '/v1/lake/namespaces/sales/functions')).status).toBe(403);
    // A grant on another namespace does not reach this one.
    expect((await reader.send('GET', '/v1/lake/namespaces/hr/functions')).status).toBe(403);
    // Reading does not let one write.
    expect((await reader.send('PUT', `${FN}/mine`, tableFn)).status).toBe(403);
    expect((await reader.send('DELETE', `${FN}/add_one`)).status).toBe(403);
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?limit=500')).body);
    expect(audit).toContain('function:read');
    expect(audit).toContain('function.created');
  });
});

describe('the management surface', () => {
  it('replaces a function whole, keeping its uuid when the new metadata leaves it out; reading it needs function:read', async () => {
    const { 'function-uuid': _uuid, ...withoutUuid } = addOne;
    const next = { ...withoutUuid, doc: 'adds one, again', definitions: [addOne.definitions[0]], 'definition-log': [addOne['definition-log'][0]] };
    const put = await admin('PUT', `${FN}/add_one`, next);
    expect(put.status, stringifyJson(put.body)).toBe(200);
    expect(put.body.metadata).toEqual({ ...next, 'function-uuid': UUID });
    expect((await reader.send('GET', `${FN}/add_one`)).body).toEqual(put.body);
    expect((await stranger.send('GET', `${FN}/add_one`)).status).toBe(403);
  });

  it('creating and replacing need function:create and function:replace on the namespace', async () => {
    const writer = await grantedPrincipal(cat, admin, 'fn-writer', ['function:create'], { type: 'namespace', warehouse: 'lake', namespace: ['hr'] });
    expect((await writer.send('PUT', '/management/v1/warehouses/lake/namespaces/hr/functions/f', tableFn)).status).toBe(200);
    expect((await writer.send('PUT', '/management/v1/warehouses/lake/namespaces/hr/functions/f', tableFn)).status).toBe(403);
    await grantPrincipal(admin, writer.id, ['function:replace'], { type: 'namespace', warehouse: 'lake', namespace: ['hr'] });
    expect((await writer.send('PUT', '/management/v1/warehouses/lake/namespaces/hr/functions/f', tableFn)).status).toBe(200);
    // function:replace implies function:read.
    expect((await writer.send('GET', '/v1/lake/namespaces/hr/functions/f')).status).toBe(200);
    expect((await writer.send('DELETE', '/management/v1/warehouses/lake/namespaces/hr/functions/f')).status).toBe(403);
  });

  it('keeps a namespace holding functions from being dropped (409); once they are dropped, it drops', async () => {
    expect((await admin('POST', '/v1/lake/namespaces', { namespace: ['tmp'] })).status).toBe(200);
    expect((await admin('PUT', '/management/v1/warehouses/lake/namespaces/tmp/functions/f', tableFn)).status).toBe(200);
    const refused = await admin('DELETE', '/v1/lake/namespaces/tmp');
    expect(refused.status).toBe(409);
    expect(refused.body.error.type).toBe('NamespaceNotEmptyException');
    expect((await admin('DELETE', '/management/v1/warehouses/lake/namespaces/tmp/functions/f')).status).toBe(204);
    expect((await admin('DELETE', '/v1/lake/namespaces/tmp')).status).toBe(204);
  });

  it('drops a function: gone from load and list; dropping it again is a 404', async () => {
    expect((await admin('DELETE', `${FN}/Zeta`)).status).toBe(204);
    expect((await reader.send('GET', '/v1/lake/namespaces/sales/functions/Zeta')).status).toBe(404);
    expect((await reader.send('GET', '/v1/lake/namespaces/sales/functions')).body.identifiers).toEqual([
      ['sales', 'add_one'],
      ['sales', 'orders_in'],
    ]);
    const again = await admin('DELETE', `${FN}/Zeta`);
    expect(again.status).toBe(404);
    expect(again.body.error.type).toBe('NoSuchFunctionException');
  });

  it("refuses bad metadata with a 400 that names the field (by the wire schema's path or the checker), in the Iceberg error model; nothing is stored", async () => {
    const def = addOne.definitions[0]!;
    const version = def.versions[0]!;
    const withDef = (d: Record<string, unknown>) => ({ 'format-version': 1, definitions: [{ ...def, ...d }] });
    const cases: Array<[unknown, RegExp]> = [
      [[], /body must be object/],
      [{ ...addOne, 'format-version': 2 }, /format-version/],
      [{ ...addOne, 'function-uuid': 'not-a-uuid' }, /function-uuid/],
      [{ 'format-version': 1, definitions: [] }, /definitions must not be empty/],
      [withDef({ parameters: [{ name: 'x' }] }), /parameters(\[0\]\.|\/0\/)type/],
      [
        withDef({
          parameters: [
            { name: 'x', type: 'int' },
            { name: 'x', type: 'int' },
          ],
          'definition-id': 'int,int',
        }),
        /two parameters named/,
      ],
      [withDef({ parameters: [{ name: 'x', type: 'big int' }] }), /type string without spaces/],
      [withDef({ 'definition-id': 'long' }), /definition-id must be "int"/],
      [withDef({ 'return-type': { type: 'list' } }), /return-type\.element/],
      [withDef({ 'return-type': { type: 'tuple' } }), /return-type/],
      [withDef({ 'function-type': 'udtf' }), /must be a struct for a udtf/],
      [withDef({ 'function-type': 'procedure' }), /function-type/],
      [withDef({ 'current-version-id': 9 }), /current-version-id must name one of its versions/],
      [withDef({ versions: [] }), /versions must not be empty/],
      [withDef({ versions: [{ ...version, representations: [] }] }), /representations must not be empty/],
      [withDef({ versions: [{ ...version, representations: [{ type: 'python', dialect: 'py', sql: 'x' }] }] }), /representations\/0\/type/],
      [withDef({ versions: [{ ...version, representations: [{ type: 'sql', dialect: 'spark', sql: '' }] }] }), /representations\/0\/sql/],
      [withDef({ versions: [{ ...version, representations: [{ type: 'sql', sql: 'x + 1' }] }] }), /representations\/0\/dialect is required/],
      [
        withDef({
          versions: [
            {
              ...version,
              representations: [
                { type: 'sql', dialect: 'spark', sql: 'a' },
                { type: 'sql', dialect: 'Spark', sql: 'b' },
              ],
            },
          ],
        }),
        /two bodies for dialect/,
      ],
      [withDef({ versions: [{ ...version, 'on-null-input': 'explode' }] }), /on-null-input/],
      [{ ...addOne, definitions: [def, def] }, /two definitions have definition-id/],
      [{ ...addOne, properties: { a: 1 } }, /properties/],
      [withDef({ 'retrun-type': 'int' }), /definitions\[0\]\.retrun-type is not a field/],
      [withDef({ versions: [{ ...version, dialect: 'spark' }] }), /versions\[0\]\.dialect is not a field/],
    ];
    for (const [body, reason] of cases) {
      const r = await admin('PUT', `${FN}/bad`, body);
      expect(r.status, stringifyJson(body).slice(0, 200)).toBe(400);
      expect(r.body.error.code).toBe(400);
      expect(r.body.error.message).toMatch(reason);
      expect(r.body.error.message).not.toMatch(/at .*\.ts:/);
    }
    expect((await admin('GET', `${FN}/bad`)).status).toBe(404);
    expect((await admin('PUT', '/management/v1/warehouses/lake/namespaces/nowhere/functions/f', tableFn)).status).toBe(404);
  });

  it('records each change as a change event of the warehouse', async () => {
    const events = (await admin('GET', '/management/v1/events?warehouse=lake&after=0&limit=500')).body.events as Array<{
      type: string;
      data: { namespace?: string[]; name?: string; 'function-uuid'?: string; 'table-uuid'?: string };
    }>;
    // A function is named as a function, never as a table (a table-uuid reader would look it up among tables).
    const ofFunctions = events.filter((e) => e.type.startsWith('io.lakegate.function.'));
    expect(ofFunctions.length).toBeGreaterThan(0);
    for (const e of ofFunctions) {
      expect(e.data['function-uuid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.data).not.toHaveProperty('table-uuid');
    }
    const mine = events
      .filter((e) => e.type.startsWith('io.lakegate.function.') && e.data.namespace?.[0] === 'sales')
      .map((e) => [e.type.slice('io.lakegate.'.length), e.data.name]);
    expect(mine).toEqual([
      ['function.created', 'add_one'],
      ['function.created', 'orders_in'],
      ['function.created', 'Zeta'],
      ['function.replaced', 'add_one'],
      ['function.dropped', 'Zeta'],
    ]);
    // A reader of the namespace's functions sees them; a principal without function grants does not.
    const seen = (await reader.send('GET', '/management/v1/events?warehouse=lake&after=0&limit=500')).body.events as Array<{ type: string }>;
    expect(seen.filter((e) => e.type.startsWith('io.lakegate.function.')).length).toBeGreaterThanOrEqual(5);
    const hidden = (await stranger.send('GET', '/management/v1/events?warehouse=lake&after=0&limit=500')).body.events as Array<{ type: string }>;
    expect(hidden.filter((e) => e.type.startsWith('io.lakegate.function.'))).toEqual([]);
  });
});
