/**
 * Functions (SQL UDFs, apache/iceberg#15180) through the SDK against a real server process (SQLite catalog database):
 * `management.functions` puts, reads and drops a function; IcebergRestCatalog's listFunctions and loadFunction read
 * it (the server advertises both in /v1/config); errors are CatalogErrors a caller branches on (400, 403, 404).
 */
import { CatalogError, IcebergRestCatalog, LakegateManagement, type PutFunctionRequest, isForbidden, isNotFound } from '@lakegate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor as sdkClientsFor, failure } from '../support/sdk-clients.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
let admin: LakegateManagement;
let catalog: IcebergRestCatalog;

const WAREHOUSE = 'default';
/** A namespace whose level holds a dot: levels travel as arrays, never split. */
const NS = ['fn.sales'];
const ADD_ONE = { namespace: NS, name: 'add one' };
const udf: PutFunctionRequest = {
  'format-version': 1,
  definitions: [
    {
      'definition-id': 'int',
      parameters: [{ name: 'x', type: 'int' }],
      'return-type': 'int',
      'function-type': 'udf',
      versions: [
        {
          'version-id': 1,
          representations: [
            { type: 'sql', dialect: 'spark', sql: 'x + 1' },
            { type: 'sql', dialect: 'trino', sql: 'x + 1' },
          ],
          'timestamp-ms': 1,
        },
      ],
      'current-version-id': 1,
    },
  ],
  doc: 'adds one',
};

const clientsFor = (credential: string) => sdkClientsFor(server, WAREHOUSE, credential);

beforeAll(async () => {
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  ({ management: admin, catalog } = clientsFor(server.credential));
  await catalog.createNamespace(NS);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('functions through the SDK', () => {
  it('puts a function, lists and loads it with the catalog client, replaces it keeping its uuid, and drops it', async () => {
    expect((await catalog.listFunctions(NS)).items).toEqual([]);
    const put = await admin.functions.put(WAREHOUSE, ADD_ONE, udf);
    expect(put.metadata).toMatchObject({
      ...udf,
      'function-uuid': expect.any(String),
      'definition-log': [{ 'definition-versions': [{ 'definition-id': 'int', 'version-id': 1 }] }],
    });
    expect((await catalog.listFunctions(NS)).items).toEqual([ADD_ONE]);
    const loaded = await catalog.loadFunction(ADD_ONE);
    expect(loaded).toEqual(put);
    expect(loaded.metadata.definitions[0]!.versions[0]!.representations.map((r) => r.dialect)).toEqual(['spark', 'trino']);
    expect(await admin.functions.get(WAREHOUSE, ADD_ONE)).toEqual(put);

    const replaced = await admin.functions.put(WAREHOUSE, ADD_ONE, { ...udf, doc: 'adds one (v2)' });
    expect(replaced.metadata['function-uuid']).toBe(put.metadata['function-uuid']);
    expect((await catalog.loadFunction(ADD_ONE)).metadata.doc).toBe('adds one (v2)');

    await admin.functions.drop(WAREHOUSE, ADD_ONE);
    const gone = await failure(catalog.loadFunction(ADD_ONE));
    expect(isNotFound(gone)).toBe(true);
    expect(isNotFound(await failure(admin.functions.drop(WAREHOUSE, ADD_ONE)))).toBe(true);
  });

  it('pages a listing', async () => {
    for (const name of ['c', 'a', 'b']) await admin.functions.put(WAREHOUSE, { namespace: NS, name }, udf);
    const first = await catalog.listFunctions(NS, { pageSize: 2 });
    expect(first.items.map((f) => f.name)).toEqual(['a', 'b']);
    const second = await catalog.listFunctions(NS, { pageSize: 2, pageToken: first.nextPageToken! });
    expect(second).toEqual({ items: [{ namespace: NS, name: 'c' }], nextPageToken: undefined });
  });

  it('answers bad metadata with a 400 naming the field, and a principal without function grants with 403', async () => {
    const bad = await failure(
      admin.functions.put(WAREHOUSE, { namespace: NS, name: 'bad' }, { ...udf, definitions: [{ ...udf.definitions[0]!, 'current-version-id': 7 }] }),
    );
    expect(bad).toBeInstanceOf(CatalogError);
    expect((bad as CatalogError).status).toBe(400);
    expect((bad as CatalogError).message).toMatch(/current-version-id/);
    const { 'client-id': id, 'client-secret': secret } = await admin.createPrincipal({ name: 'fn-nobody' });
    const other = clientsFor(`${id}:${secret}`);
    expect(isForbidden(await failure(other.catalog.loadFunction({ namespace: NS, name: 'a' })))).toBe(true);
    expect(isForbidden(await failure(other.management.functions.put(WAREHOUSE, { namespace: NS, name: 'x' }, udf)))).toBe(true);
  });
});
